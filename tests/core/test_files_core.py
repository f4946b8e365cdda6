"""The pure parts of files: names, sniffing, image layouts, GPS removal, embeds in Markdown."""

import io

import pytest
from PIL import Image

from tests import file_samples as samples
from wiki.core import exif, fileembed, sniff
from wiki.core.containers import DamagedFile, gif_layout, jpeg_layout, png_layout, webp_layout
from wiki.core.fileembed import Options
from wiki.core.filenames import FileNameError, numbered, parse_file_name, suggested_alt
from wiki.core.render import render_markdown

SVG = sniff.SVG


@pytest.mark.parametrize(
    ("typed", "display"),
    [
        ("Logo.png", "Logo.png"),
        ("File:Logo.png", "Logo.png"),
        ("image:  Spring_logo .png", "Spring logo .png"),
        ("  Café\u200b menu.pdf ", "Café menu.pdf"),
    ],
)
def test_a_file_name_is_tidied_like_a_title(typed, display):
    assert parse_file_name(typed).display == display


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "   ",
        "../../etc/passwd",
        "a/b.png",
        "C:\\Users\\me\\logo.png",
        "tab\there.png",
        "new\nline.png",
        "nul\x00.png",
        "x" * 241 + ".png",
        "x" * 10_000,
        "a|b.png",
        "what?.png",
        ".htaccess",
        "File:",
    ],
)
def test_names_no_file_can_have_are_refused(typed):
    with pytest.raises(FileNameError):
        parse_file_name(typed)


def test_a_name_keeps_its_key_case_insensitively_and_numbers_before_the_extension():
    name = parse_file_name("Spring Logo.PNG")
    assert name.title == "File:Spring Logo.PNG"
    assert name.key == parse_file_name("spring_logo.png").key
    assert name.extension == ".png" and name.stem == "Spring Logo"
    assert numbered(name, 2).display == "Spring Logo-2.PNG"
    assert numbered(parse_file_name("README"), 3).display == "README-3"


@pytest.mark.parametrize(
    ("data", "media_type"),
    [
        (samples.png(), "image/png"),
        (samples.jpeg(), "image/jpeg"),
        (samples.gif(), "image/gif"),
        (samples.webp(), "image/webp"),
        (samples.pdf(), "application/pdf"),
        (samples.zip_archive(), "application/zip"),
        (b"\x00\x00\x00\x1cftypavif\x00\x00\x00\x00avifmif1", "image/avif"),
        (b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic", sniff.HEIC),
        (b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2", "video/mp4"),
        (samples.html_as_png(), sniff.HTML),
        (
            b"\xef\xbb\xbf<?xml version='1.0'?>\n<svg xmlns='http://www.w3.org/2000/svg'/>",
            sniff.SVG,
        ),
        ("<html>".encode("utf-16"), sniff.HTML),
        (b"just some text", None),
    ],
)
def test_sniffing_goes_by_the_bytes(data, media_type):
    assert sniff.sniff(data[: sniff.HEAD_SIZE]) == media_type


def test_office_documents_are_told_apart_by_their_entries():
    assert sniff.office_type(["[Content_Types].xml", "word/document.xml"]).endswith(".document")
    assert sniff.office_type(["[Content_Types].xml", "ppt/slides/1.xml"]).endswith("presentation")
    assert sniff.office_type(["notes.txt"]) == "application/zip"


def test_markup_and_hidden_archives_are_seen():
    assert sniff.has_markup(samples.with_markup_inside(samples.png()))
    assert not sniff.has_markup(samples.png())
    assert sniff.hidden_archive(samples.png() + samples.zip_archive())
    assert not sniff.hidden_archive(samples.png())
    assert sniff.suspicious_trailer(b"%PDF-1.4")


def test_layouts_find_where_each_image_ends():
    for data, walk in [
        (samples.png(), png_layout),
        (samples.jpeg(), jpeg_layout),
        (samples.gif(), gif_layout),
        (samples.webp(), webp_layout),
    ]:
        assert walk(data + b"trailing junk").end == len(data)
        with pytest.raises(DamagedFile):
            walk(samples.truncated(data) if walk is not webp_layout else data[:-10])


def _gps_of(data: bytes) -> dict:
    with Image.open(io.BytesIO(data)) as image:
        return dict(image.getexif().get_ifd(samples.GPS_IFD))


def test_gps_is_emptied_in_place_and_everything_else_kept():
    photo = samples.jpeg(gps=True)
    assert _gps_of(photo)
    layout = jpeg_layout(photo)
    app1 = next(part for part in layout.parts if part.name == b"\xe1")
    buffer = bytearray(photo)
    start = app1.start + 4 + exif.tiff_start(photo[app1.start + 4 :])
    assert exif.scrub_gps(buffer, start, app1.end) is True
    assert len(buffer) == len(photo)
    assert _gps_of(bytes(buffer)) == {}
    with Image.open(io.BytesIO(bytes(buffer))) as image:
        assert image.getexif()[0x0110] == "Bottega Test Camera"
        image.load()
    assert exif.scrub_gps(buffer, start, app1.end) is False


def test_damaged_exif_is_reported_not_trusted():
    with pytest.raises(exif.DamagedExif):
        exif.scrub_gps(bytearray(b"II*\x00\xff\xff\xff\x7f"), 0, 8)
    with pytest.raises(exif.DamagedExif):
        exif.scrub_gps(bytearray(b"XX*\x00"), 0, 4)


@pytest.mark.parametrize(
    ("parts", "expected"),
    [
        (
            ["thumb", "300px", "right", "A caption"],
            Options(300, "thumb", "right", "", "A caption"),
        ),
        (
            ["frameless", "x200px", "alt=Logo"],
            Options(None, "frameless", "", "Logo", ""),
        ),
        (["99999px"], Options(fileembed.MAX_WIDTH)),
        (
            ["thumbnail", "left", "first", "second"],
            Options(None, "thumb", "left", "", "second"),
        ),
    ],
)
def test_embed_options_read_like_mediawiki(parts, expected):
    assert fileembed.parse_options(parts) == expected


def test_embeds_render_as_placeholders_and_count_as_links():
    rendered = render_markdown(
        "![Our logo](File:Spring logo.png) and [[File:Tom & Jerry.png|thumb|300px|Cat & mouse]]"
        " and [[:File:Spring logo.png]] and ![web](https://example.com/a.png)"
    )
    embeds = [fileembed.read_embed(m) for m in fileembed.EMBED.finditer(rendered.html)]
    assert [e.key for e in embeds] == ["file:spring logo.png", "file:tom & jerry.png"]
    assert embeds[0].options.alt == "Our logo"
    assert embeds[1].options == Options(300, "thumb", "", "Tom & Jerry.png", "Cat & mouse")
    assert embeds[1].href == "/file/Tom_%26_Jerry.png"
    assert 'class="wikilink" data-key="file:spring logo.png"' in rendered.html
    assert 'src="https://example.com/a.png"' in rendered.html
    assert set(rendered.links) == {"File:Spring logo.png", "File:Tom & Jerry.png"}


def test_an_embed_cannot_smuggle_markup_through_its_options():
    html = render_markdown('[[File:a.png|thumb|"><script>alert(1)</script>]]').html
    assert "<script" not in html
    [embed] = [fileembed.read_embed(m) for m in fileembed.EMBED.finditer(html)]
    assert embed.options.caption == '"><script>alert(1)</script>'


@pytest.mark.parametrize(
    ("original", "options", "shown", "widths"),
    [
        ((1920, 1080), Options(width=300), (300, 169), (320, 480, 640)),
        ((1920, 1080), Options(), (800, 450), (800, 1280, 1600)),
        ((200, 100), Options(width=300, frame="thumb"), (200, 100), (200,)),
        ((4000, 3000), Options(frame="thumb"), (220, 165), (240, 480)),
    ],
)
def test_a_plan_never_offers_more_than_the_screen_needs(original, options, shown, widths):
    plan = fileembed.plan(*original, options)
    assert (plan.width, plan.height) == shown
    assert plan.widths == widths
    assert all(fileembed.thumb_width_allowed(w, original[0]) for w in plan.widths)


@pytest.mark.parametrize(
    ("name", "alt"),
    [
        ("IMG_20261204_101530.jpg", ""),
        ("IMG_2041.JPG", ""),
        ("IMG_E1234.JPG", ""),
        ("IMG_0001 (1).jpg", ""),
        ("IMG-20261204-WA0001.jpg", ""),
        ("PXL_20261204_101530123.jpg", ""),
        ("DSC01234.JPG", ""),
        ("GOPR0042.JPG", ""),
        ("P1010001.JPG", ""),
        ("20261204_101530.jpg", ""),
        ("WhatsApp Image 2026-12-04 at 10.15.30.jpeg", ""),
        ("Screenshot_20261204-101530_Chrome.jpg", ""),
        ("Screen Shot 2026-12-04 at 10.15.30 AM.png", ""),
        ("Screenshot from 2026-12-04 10-15-30.png", ""),
        ("Schermata 2026-12-04 alle 10.15.30.png", ""),
        ("image.png", ""),
        ("Release Notes 2026-12-07 05-10-11.png", "Release Notes"),  # the editor's paste
        ("spring-launch-banner.png", "spring launch banner"),
        ("Team photo 2026.jpg", "Team photo 2026"),
        ("Q3 plan.png", "Q3 plan"),
        ("iPhone 15.jpg", "iPhone 15"),
        ("Top 10 tips.png", "Top 10 tips"),
        ("1984 poster.jpg", "1984 poster"),
        ("covid-19 chart.png", "covid-19 chart"),
        ("Photo booth.jpg", "Photo booth"),
        ("Meet at the fair.png", "Meet at the fair"),
        ("Sam.jpg", "Sam"),
    ],
)
def test_a_pictures_suggested_description_keeps_only_the_words_a_person_gave_it(name, alt):
    assert suggested_alt(parse_file_name(name)) == alt
