"""Uploading files: new files, new versions, reverts, and how they show across the wiki."""

import io
import re
from pathlib import Path

import pytest
from babel.dates import format_datetime
from PIL import Image
from sqlalchemy import select

from tests import file_samples as samples
from tests.helpers import latest_text, page_named, save, text
from wiki.access.models import Block
from wiki.core.filenames import parse_file_name
from wiki.extensions import db
from wiki.files import reading
from wiki.files.models import FileBlob, FileVersion
from wiki.modlog import LogEntry


def version_rows(name: str) -> list[FileVersion]:
    info = reading.find_file(parse_file_name(name), deleted=True)
    return list(reversed(reading.versions(info.page))) if info else []


def test_an_upload_makes_the_file_page_with_its_description(client, editor):
    response = samples.upload(
        client, samples.png(), "Spring logo.png", description="Our **logo**", licence="CC BY 4.0"
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/file/Spring_logo.png"
    page = client.get("/file/Spring_logo.png")
    body = text(page)
    assert page.status_code == 200
    assert "<strong>logo</strong>" in body and "CC BY 4.0" in body
    assert "64 × 48 pixels" in body
    assert latest_text("File:Spring logo.png").startswith("Our **logo**")
    [version] = version_rows("Spring logo.png")
    assert version.kind == "upload" and version.uploader.username == "alice"
    assert version.blob.media_type == "image/png" and version.revision_id is not None
    assert "## Licence\n\nCC BY 4.0" in latest_text("File:Spring logo.png")
    # Written in the uploader's language, as if they had typed it.
    samples.upload(
        client, samples.jpeg(), "Foto.jpg", licence="CC BY 4.0", headers={"Accept-Language": "it"}
    )
    assert "## Licenza\n\nCC BY 4.0" in latest_text("File:Foto.jpg")


def test_the_description_page_is_an_ordinary_page_in_history_changes_and_search(client, editor):
    samples.upload(client, samples.png(), "Brochure cover.png", description="Autumn brochure")
    assert "Brochure cover" in text(client.get("/history/File:Brochure_cover.png"))
    assert "File:Brochure cover.png" in text(client.get("/recent"))
    assert "File:Brochure cover.png" in text(client.get("/user/alice"))
    assert "File:Brochure cover.png" in text(client.get("/search?q=autumn+brochure"))
    [entry] = db.session.scalars(select(LogEntry).where(LogEntry.action == "upload")).all()
    assert entry.target == "File:Brochure cover.png" and entry.actor.username == "alice"
    assert "File uploaded" in text(client.get("/log?action=upload"))


def test_wiki_links_to_the_file_page_go_to_the_file(client, editor):
    samples.upload(client, samples.png(), "Badge.png")
    response = client.get("/wiki/File:Badge.png")
    assert response.status_code == 302 and response.headers["Location"] == "/file/Badge.png"
    assert client.get("/wiki/File:Badge.png?redirect=no").status_code == 200


def test_a_new_version_keeps_the_old_one_and_shows_in_history(client, editor):
    samples.upload(client, samples.png(color=(1, 2, 3)), "Logo.png", description="Logo")
    response = samples.upload(
        client,
        samples.png(80, 60, (9, 9, 9)),
        "new-logo.png",
        name="Logo.png",
        replace=1,
        comment="Brighter colours",
    )
    assert response.status_code == 302
    first, second = version_rows("Logo.png")
    assert (second.kind, second.comment) == ("version", "Brighter colours")
    assert first.sha256 != second.sha256 and second.original_name == "new-logo.png"
    page = page_named("File:Logo.png")
    assert page.latest.kind == "upload" and page.latest.text == "Logo\n"
    body = text(client.get("/file/Logo.png"))
    assert body.count('<tr class="file-version') == 2 and "Brighter colours" in body
    assert "80 × 60 pixels" in body


def test_uploading_over_an_existing_name_without_asking_keeps_the_form(client, editor):
    samples.upload(client, samples.png(), "Logo.png")
    response = samples.upload(client, samples.png(color=(0, 0, 0)), "Logo.png", description="Mine")
    assert response.status_code == 409
    body = text(response)
    assert "already exists" in body and "Mine</textarea>" in body
    assert len(version_rows("Logo.png")) == 1
    # The way to a new version is a link: the form for it, and the file's page.
    assert 'href="/upload?name=Logo.png"' in body and 'href="/file/Logo.png"' in body
    assert "Upload a new version of Logo.png" in text(client.get("/upload?name=Logo.png"))


def test_the_same_bytes_as_the_current_version_are_not_a_new_version(client, editor):
    samples.upload(client, samples.png(), "Logo.png")
    response = samples.upload(client, samples.png(), "Logo.png", replace=1)
    assert response.status_code == 400 and "same file" in text(response)


def test_reverting_brings_back_an_old_version_as_a_new_one(client, editor):
    samples.upload(client, samples.png(color=(1, 1, 1)), "Logo.png")
    samples.upload(client, samples.png(color=(2, 2, 2)), "Logo.png", replace=1)
    first, _second = version_rows("Logo.png")
    response = client.post("/file/Logo.png/revert", data={"version": first.id})
    assert response.status_code == 302
    *_, third = version_rows("Logo.png")
    assert third.kind == "revert" and third.sha256 == first.sha256
    assert reading.find_file(parse_file_name("Logo.png")).current.id == third.id
    assert db.session.scalar(select(LogEntry.action).order_by(LogEntry.id.desc())) == "revert_file"
    # The log says what the wiki wrote in the reader's language, as recent changes does.
    italian = {"Accept-Language": "it"}
    for path in ("/log", "/recent"):
        assert "Ripristinata la versione del" in text(client.get(path, headers=italian)), path
    assert "Reverted to the version of" in text(client.get("/log"))
    # The file's own list of versions says it in the reader's words and time, to the second.
    page = text(client.get("/file/Logo.png", headers=italian))
    moment = format_datetime(first.created_at, "medium", locale="it", tzinfo="UTC")
    assert f"Ripristinata la versione del {moment}" in page and " UTC" not in page
    assert 'class="badge badge-upload">caricamento<' in text(
        client.get("/recent", headers=italian)
    )
    again = client.post("/file/Logo.png/revert", data={"version": first.id})
    assert again.status_code == 400
    assert client.post("/file/Logo.png/revert", data={"version": 999999}).status_code == 404


def test_the_editors_json_upload_answers_with_markdown_and_never_overwrites(client, editor):
    first = samples.upload(client, samples.png(), "image.png", json=True, unique=1)
    assert first.status_code == 201
    answer = first.get_json()
    # "image" says nothing of the picture: the words in brackets are left for the uploader.
    assert answer["markdown"] == "![](File:image.png)"
    assert answer["url"] == "/file/image.png" and answer["width"] == 64
    other = samples.png(color=(0, 0, 0))
    second = samples.upload(client, other, "image.png", json=True, unique=1)
    assert second.get_json()["name"] == "image-2.png"
    same = samples.upload(client, other, "image.png", json=True, unique=1)
    assert same.status_code == 200 and same.get_json()["reused"] is True
    assert same.get_json()["name"] == "image-2.png"
    assert len(version_rows("image.png")) == len(version_rows("image-2.png")) == 1


def test_the_same_bytes_under_two_names_are_stored_once(client, editor, app):
    samples.upload(client, samples.png(), "One.png")
    samples.upload(client, samples.png(), "Two.png")
    assert db.session.scalar(select(db.func.count()).select_from(FileBlob)) == 1
    originals = [
        p for p in (Path(app.instance_path) / "files/originals").rglob("*") if p.is_file()
    ]
    assert len(originals) == 1


def test_a_missing_extension_is_added_and_a_wrong_one_refused(client, editor):
    assert samples.upload(client, samples.jpeg(), "holiday").headers["Location"] == (
        "/file/holiday.jpg"
    )
    response = samples.upload(client, samples.jpeg(), "holiday.png", description="Beach")
    assert response.status_code == 400
    assert "holiday.jpg" in text(response) and "Beach</textarea>" in text(response)


def test_a_name_as_long_as_allowed_still_gets_its_extension_and_opens(client, editor):
    # The form's field stops at 240 characters; the added ".jpg" must fit in them.
    response = samples.upload(client, samples.jpeg(), "L" * 240)
    assert response.status_code == 302
    path = response.headers["Location"]
    name = path.removeprefix("/file/")
    assert name.endswith(".jpg") and len(name) <= 240
    assert client.get(path).status_code == 200
    assert client.get("/files").status_code == 200


def test_location_is_removed_from_photos_unless_the_uploader_keeps_it(client, editor, app):
    samples.upload(client, samples.jpeg(gps=True), "Beach.jpg")
    samples.upload(client, samples.jpeg(gps=True, color=(1, 2, 3)), "Kept.jpg", keep_original=1)
    [stripped] = version_rows("Beach.jpg")
    [kept] = version_rows("Kept.jpg")
    assert stripped.location_removed and not kept.location_removed

    def gps(version):
        blob = version.blob
        data = client.get(f"/media/{blob.sha256}/x.jpg", buffered=True).get_data()
        with Image.open(io.BytesIO(data)) as image:
            return dict(image.getexif().get_ifd(samples.GPS_IFD)), image.getexif()[0x0110]

    assert gps(stripped) == ({}, "Bottega Test Camera")
    assert gps(kept)[0]
    assert "location removed" in text(client.get("/file/Beach.jpg"))


def test_pages_embed_files_as_thumbnails_and_missing_ones_as_red_links(client, editor, people):
    samples.upload(client, samples.jpeg(1920, 1080), "Hero.jpg")
    save(
        "Launch",
        "![The hero](File:Hero.jpg)\n\n[[File:Hero.jpg|thumb|300px|Spring launch]]\n\n"
        "![x](File:Nothing yet.png)",
        people["alice"],
    )
    body = text(client.get("/wiki/Launch"))
    images = re.findall(r"<img [^>]*>", body)
    assert len(images) == 2
    assert 'width="300"' in images[1] and "srcset=" in images[1] and 'alt="The hero"' in images[0]
    assert "Spring launch</span>" in body
    assert 'class="wikifile new" href="/upload?name=Nothing+yet.png"' in body
    blob = reading.find_file(parse_file_name("Hero.jpg")).blob
    assert f"/media/{blob.sha256}" not in body  # never the original in a page
    usage = text(client.get("/file/Hero.jpg"))
    assert 'href="/wiki/Launch"' in usage
    preview = client.post(
        "/edit/Launch", data={"text": "![a](File:Hero.jpg)", "action": "preview"}
    )
    assert "/thumb/" in text(preview)


def test_an_upload_after_the_embed_shows_at_once(client, editor, people):
    save("Launch", "![Logo](File:Later.png)", people["alice"])
    assert "wikifile new" in text(client.get("/wiki/Launch"))
    samples.upload(client, samples.png(), "Later.png")
    assert "/thumb/" in text(client.get("/wiki/Launch"))


def test_documents_are_linked_with_their_type_and_size(client, editor, people):
    samples.upload(client, samples.pdf(), "Brochure.pdf")
    save("Press", "![Our brochure](File:Brochure.pdf)", people["alice"])
    body = text(client.get("/wiki/Press"))
    assert 'class="file-link" href="/file/Brochure.pdf">Our brochure</a>' in body
    assert "PDF document" in body


@pytest.mark.parametrize(
    ("who", "status"), [("anonymous", 302), ("reader", 403), ("blocked", 403)]
)
def test_people_who_may_not_edit_may_not_upload(client, auth, people, who, status):
    if who == "blocked":
        user = people["bob"]
        db.session.add(Block(user_id=user.id, reason="Spam", created_by_id=people["mod"].id))
        db.session.commit()
        auth.login("bob")
    elif who != "anonymous":
        auth.login(people[who])
    assert samples.upload(client, samples.png()).status_code == status
    assert client.get("/upload").status_code == status
    assert db.session.scalar(select(db.func.count()).select_from(FileVersion)) == 0


def test_the_editor_offers_uploading_only_to_those_who_may_upload(client, auth, people):
    from wiki.access.policy import save_policy

    save_policy(people["root"], edit="everyone")
    visitor = text(client.get("/edit/Open page"))
    assert 'name="text"' in visitor  # a visitor may edit this wiki
    assert "data-upload-url" not in visitor and "Drop or paste images" not in visitor
    auth.login(people["alice"])
    editor = text(client.get("/edit/Open page"))
    assert 'data-upload-url="/upload"' in editor and "Drop or paste images" in editor


def test_a_protected_file_takes_new_versions_only_from_moderators(client, auth, people, login_as):
    moderator = login_as(people["mod"])
    samples.upload(moderator, samples.png(), "Logo.png")
    moderator.post(
        "/protect/File:Logo.png",
        data={"level": "moderator", "duration": "never", "reason": "Brand asset"},
    )
    auth.login(people["alice"])
    other = samples.png(color=(0, 0, 0))
    refused = samples.upload(client, other, "Logo.png", replace=1)
    assert refused.status_code == 403 and "protected" in text(refused)
    assert samples.upload(moderator, other, "Logo.png", replace=1).status_code == 302


def test_a_deleted_file_disappears_everywhere_but_for_moderators(client, people, login_as):
    alice = login_as(people["alice"])
    samples.upload(alice, samples.png(), "Old logo.png")
    save("Home", "![x](File:Old logo.png)", people["alice"])
    blob = reading.find_file(parse_file_name("Old logo.png")).blob
    moderator = login_as(people["mod"])
    assert (
        moderator.post("/delete/File:Old_logo.png", data={"reason": "Retired"}).status_code == 302
    )
    assert client.get("/file/Old_logo.png").status_code == 404
    assert client.get(f"/media/{blob.sha256}/Old_logo.png").status_code == 404
    assert "wikifile new" in text(client.get("/wiki/Home"))
    assert "Old logo" not in text(client.get("/files"))
    assert moderator.get("/file/Old_logo.png").status_code == 200
    assert moderator.get(f"/media/{blob.sha256}/Old_logo.png", buffered=True).status_code == 200
    refused = samples.upload(alice, samples.png(color=(0, 0, 0)), "Old logo.png")
    assert refused.status_code == 403 and "deleted" in text(refused)
    moderator.post("/undelete/File:Old_logo.png", data={"reason": "Back"})
    assert client.get(f"/media/{blob.sha256}/Old_logo.png", buffered=True).status_code == 200


def test_watchers_of_a_file_hear_about_new_versions(client, people, login_as):
    alice = login_as(people["alice"])
    samples.upload(alice, samples.png(), "Logo.png")
    bob = login_as(people["bob"])
    bob.post("/watch/File:Logo.png", data={"action": "watch"})
    samples.upload(alice, samples.png(color=(0, 0, 0)), "Logo.png", replace=1, comment="Dark")
    assert "File:Logo.png" in text(bob.get("/notifications"))


def test_the_daily_allowance_and_the_site_space_are_enforced(app, client, editor):
    app.config["FILE_USER_DAILY_BYTES"] = len(samples.png()) + 10
    assert samples.upload(client, samples.png(), "One.png").status_code == 302
    refused = samples.upload(client, samples.png(color=(0, 0, 0)), "Two.png")
    assert refused.status_code == 429 and "a day" in text(refused)
    app.config["FILE_USER_DAILY_BYTES"] = 0
    app.config["FILE_SITE_BYTES"] = len(samples.png()) + 10
    full = samples.upload(client, samples.png(color=(0, 0, 0)), "Two.png", json=True)
    assert full.status_code == 507 and "full" in full.get_json()["detail"]


def test_extra_types_are_accepted_only_when_an_admin_allows_them(app, client, editor):
    refused = samples.upload(client, samples.zip_archive(), "Kit.zip")
    assert refused.status_code == 415
    app.config["FILE_TYPES"] = "zip docx"
    assert samples.upload(client, samples.zip_archive(), "Kit.zip").status_code == 302
    word = samples.zip_archive(["[Content_Types].xml", "word/document.xml"])
    assert samples.upload(client, word, "Letter.docx").status_code == 302
    assert "Word document" in text(client.get("/file/Letter.docx"))


def test_an_uploaded_pictures_markdown_starts_its_description_from_a_name_that_says_something(
    client, editor
):
    """A phone's or a screenshot tool's name says nothing of the picture: no words from it;
    a person's name for it is a start. A document's link reads its whole name."""
    answers = {
        name: samples.upload(client, samples.png(color=(i, 0, 0)), name, json=True, unique=1)
        for i, name in enumerate(
            [
                "IMG_20261204_101530.png",
                "Screenshot 2026-12-04 at 10.15.30.png",
                "spring-launch-banner 2026.png",
            ]
        )
    }
    markdown = [answer.get_json()["markdown"] for answer in answers.values()]
    assert markdown[0].startswith("![](File:IMG")
    assert markdown[1].startswith("![](File:Screenshot")
    assert markdown[2].startswith("![spring launch banner 2026](File:spring-launch-banner")
    document = samples.upload(client, samples.pdf(), "IMG_2041 Budget 2026.pdf", json=True)
    assert document.get_json()["markdown"].startswith("![IMG 2041 Budget 2026](File:")


def test_a_picture_embedded_without_words_is_described_by_what_its_name_says(client, editor):
    samples.upload(client, samples.png(color=(7, 7, 7)), "IMG_2041.png")
    samples.upload(client, samples.png(color=(8, 8, 8)), "Spring logo.png")
    text_ = "![](File:IMG_2041.png) and ![](File:Spring logo.png)"
    client.post("/edit/Gallery", data={"text": text_, "action": "save"})
    alts = re.findall(r'<img [^>]*alt="([^"]*)"', text(client.get("/wiki/Gallery")))
    assert alts == ["", "Spring logo"]  # a camera's name is not read out
