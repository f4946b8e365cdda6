"""Serving files: sniffed types, downloads unless safe to show, thumbnails made once, caching."""

import io
import re
from pathlib import Path

from PIL import Image
from sqlalchemy import select

from tests import file_samples as samples
from tests.helpers import count_queries, save, text
from wiki.core.filenames import parse_file_name
from wiki.extensions import db
from wiki.files import reading
from wiki.files.intake import accepted_types
from wiki.files.models import FileVersion


def blob_of(name: str):
    return reading.find_file(parse_file_name(name)).blob


def get(client, url, **kwargs):
    """GET a file URL, reading the body and closing the file behind it."""
    response = client.get(url, buffered=True, **kwargs)
    response.close()
    return response


def test_an_image_is_served_as_its_sniffed_type_never_as_a_page(client, editor):
    samples.upload(client, samples.png(), "Logo.png")
    blob = blob_of("Logo.png")
    response = get(client, f"/media/{blob.sha256}/Logo.png")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "image/png"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Disposition"].startswith("inline;")
    assert "sandbox" in response.headers["Content-Security-Policy"]
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert response.headers["ETag"] == f'"{blob.sha256}"'
    assert response.get_data() == samples.png()


def test_the_name_in_the_address_cannot_change_the_type(client, editor):
    samples.upload(client, samples.png(), "Logo.png")
    blob = blob_of("Logo.png")
    response = get(client, f"/media/{blob.sha256}/evil.html")
    assert response.headers["Content-Type"] == "image/png"


def test_types_not_on_the_inline_list_are_downloads(app, client, editor):
    app.config["FILE_TYPES"] = "zip"
    samples.upload(client, samples.zip_archive(), "Kit.zip")
    blob = blob_of("Kit.zip")
    response = get(client, f"/media/{blob.sha256}/Kit.zip")
    assert response.headers["Content-Type"] == "application/zip"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    samples.upload(client, samples.pdf(), "Brochure.pdf")
    pdf = get(client, f"/media/{blob_of('Brochure.pdf').sha256}/Brochure.pdf")
    assert pdf.headers["Content-Disposition"].startswith("inline;")
    assert pdf.headers["Content-Type"] == "application/pdf"


def test_a_second_request_with_the_etag_gets_304(client, editor):
    samples.upload(client, samples.jpeg(1000, 600), "Photo.jpg")
    blob = blob_of("Photo.jpg")
    for url in (f"/media/{blob.sha256}/Photo.jpg", f"/thumb/{blob.sha256}/320.jpg"):
        first = get(client, url)
        again = get(client, url, headers={"If-None-Match": first.headers["ETag"]})
        assert again.status_code == 304 and again.get_data() == b""


def test_thumbnails_are_made_once_per_size_and_kept(app, client, editor):
    samples.upload(client, samples.jpeg(1920, 1080, gps=True), "Hero.jpg")
    blob = blob_of("Hero.jpg")
    response = get(client, f"/thumb/{blob.sha256}/480.jpg")
    assert response.headers["Content-Type"] == "image/jpeg"
    with Image.open(io.BytesIO(response.get_data())) as thumb:
        assert thumb.size == (480, 270)
        assert not thumb.getexif()
    kept = list((Path(app.instance_path) / "files/thumbs").rglob("480.jpg"))
    assert len(kept) == 1
    made_at = kept[0].stat().st_mtime_ns
    assert get(client, f"/thumb/{blob.sha256}/480.jpg").get_data() == response.get_data()
    assert kept[0].stat().st_mtime_ns == made_at
    assert get(client, f"/thumb/{blob.sha256}/1920.jpg").status_code == 200  # its own width
    assert get(client, f"/thumb/{blob.sha256}/3840.jpg").status_code == 404  # never larger


def test_thumbnails_follow_the_photo_orientation(client, editor):
    image = Image.new("RGB", (400, 200), (10, 10, 10))
    exif = Image.Exif()
    exif[0x0112] = 6  # turned a quarter: shown 200 wide and 400 high
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    samples.upload(client, out.getvalue(), "Turned.jpg")
    blob = blob_of("Turned.jpg")
    assert (blob.width, blob.height) == (200, 400)
    with Image.open(io.BytesIO(get(client, f"/thumb/{blob.sha256}/120.jpg").get_data())) as t:
        assert t.size == (120, 240)


def test_transparent_images_keep_their_transparency_in_thumbnails(client, editor):
    samples.upload(client, samples.webp(800, 400), "Glass.webp")
    blob = blob_of("Glass.webp")
    response = get(client, f"/thumb/{blob.sha256}/320.webp")
    assert response.headers["Content-Type"] == "image/webp"
    with Image.open(io.BytesIO(response.get_data())) as thumb:
        assert thumb.mode == "RGBA"


def test_a_private_wiki_keeps_files_out_of_shared_caches(app, client, editor, login_as, people):
    samples.upload(client, samples.png(), "Logo.png")
    admin = login_as(people["admin"])
    admin.post(
        "/admin/settings",
        data={"read": "users", "edit": "users", "register": "open", "log": "everyone"},
    )
    blob = blob_of("Logo.png")
    response = get(client, f"/media/{blob.sha256}/Logo.png")
    assert response.headers["Cache-Control"].startswith("private")
    client.post("/logout", data={})
    assert get(client, f"/media/{blob.sha256}/Logo.png").status_code == 302


def test_every_version_stays_reachable_by_its_hash(client, editor):
    samples.upload(client, samples.png(color=(1, 1, 1)), "Logo.png")
    samples.upload(client, samples.png(color=(2, 2, 2)), "Logo.png", replace=1)
    versions = db.session.scalars(select(FileVersion).order_by(FileVersion.id)).all()
    assert [get(client, f"/media/{v.sha256}/Logo.png").status_code for v in versions] == [200, 200]


def test_the_gallery_lists_files_newest_first_with_filters_and_key_pages(
    app, client, editor, people, login_as
):
    for number in range(5):
        samples.upload(client, samples.png(color=(number, 0, 0)), f"Image {number}.png")
    samples.upload(client, samples.pdf(), "Brochure.pdf")
    bob = login_as(people["bob"])
    samples.upload(bob, samples.png(color=(9, 9, 9)), "Bob's.png")
    save("Home", "![x](File:Image 0.png)", people["alice"])

    def names(url):
        return re.findall(r'<span class="gallery-name">([^<]+)</span>', text(client.get(url)))

    assert names("/files")[:3] == ["Bob&#39;s.png", "Brochure.pdf", "Image 4.png"]
    assert names("/files?uploader=bob") == ["Bob&#39;s.png"]
    assert names("/files?kind=pdf") == ["Brochure.pdf"]
    assert "Image 0.png" not in names("/files?unused=1")
    assert "Image 1.png" in names("/files?unused=1")
    assert "no account named" in text(client.get("/files?uploader=ghost"))
    first = reading.gallery(reading.GalleryFilters(), None, limit=3)
    second = reading.gallery(reading.GalleryFilters(), first.older, limit=3)
    third = reading.gallery(reading.GalleryFilters(), second.older, limit=3)
    shown = [f.page.title for f in first.files + second.files + third.files]
    assert len(shown) == len(set(shown)) == 7 and third.older is None
    assert names(f"/files?before={first.older}")[0] == "Image 3.png"


def kinds_offered(client, url="/files") -> list[str]:
    page = text(client.get(url))
    choice = page[page.index('id="gallery-kind"') : page.index("</select>")]
    return re.findall(r'<option value="(\w*)"', choice)


def test_the_gallery_offers_the_kinds_that_can_be_uploaded_or_that_it_holds(app, client, editor):
    assert kinds_offered(client) == ["", "image", "pdf"]
    app.config["FILE_TYPES"] = "mp3"
    assert kinds_offered(client) == ["", "image", "pdf", "audio"]
    app.config["FILE_TYPES"] = "zip"
    samples.upload(client, samples.zip_archive(), "Kit.zip")
    app.config["FILE_TYPES"] = ""  # an older wiki took ZIP files; it still holds one
    assert kinds_offered(client) == ["", "image", "pdf", "document"]
    assert "Kit.zip" in text(client.get("/files?kind=document"))
    # A kind asked for by address stays chosen in the form that shows the answer.
    assert kinds_offered(client, "/files?kind=video") == ["", "image", "pdf", "video", "document"]
    assert '<option value="video" selected>' in text(client.get("/files?kind=video"))
    # One grouped query, and none when every kind can be uploaded.
    with count_queries() as seen:
        assert reading.gallery_kinds(accepted_types("")) == ["image", "pdf", "document"]
    assert len(seen) == 1
    with count_queries() as seen:
        assert len(reading.gallery_kinds(accepted_types("mp4 mp3 zip"))) == len(reading.KINDS)
    assert seen == []
