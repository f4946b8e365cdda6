"""Bad uploads: every one gets a clear message and a status, and the form keeps what was typed."""

import io

import pytest
from sqlalchemy import func, select

from tests import file_samples as samples
from tests.helpers import CSRFClient, add_user, base_config, log_in, release, text
from wiki import create_app
from wiki.extensions import db
from wiki.files.models import FileBlob, FileVersion


def nothing_stored() -> bool:
    count = db.session.scalar(select(func.count()).select_from(FileVersion))
    return count == 0 and db.session.scalar(select(func.count()).select_from(FileBlob)) == 0


CASES = [
    ("empty file", b"", "Logo.png", {}, 400, "empty"),
    ("html named png", samples.html_as_png(), "cat.png", {}, 415, "web page"),
    (
        "svg",
        b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script/></svg>',
        "logo.svg",
        {},
        415,
        "SVG",
    ),
    ("unknown bytes", b"just some notes\n", "notes.txt", {}, 415, "not accepted"),
    ("bomb", samples.png_bomb(), "bomb.png", {}, 422, "50,000 × 50,000"),
    ("truncated png", samples.truncated(samples.png(400, 300)), "cut.png", {}, 422, "damaged"),
    ("truncated jpeg", samples.truncated(samples.jpeg()), "cut.jpg", {}, 422, "damaged"),
    ("png + zip", samples.png() + samples.zip_archive(), "polyglot.png", {}, 422, "ZIP"),
    ("pdf + zip", samples.pdf() + samples.zip_archive(), "polyglot.pdf", {}, 422, "ZIP"),
    ("jpeg + html", samples.jpeg() + samples.html_as_png(), "polyglot.jpg", {}, 422, "HTML"),
    ("html inside png", samples.with_markup_inside(samples.png()), "x.png", {}, 422, "HTML"),
    ("gif named png", samples.gif(), "logo.png", {}, 400, "logo.gif"),
    ("path in name", samples.png(), "x.png", {"name": "../../etc/passwd.png"}, 400, "/ or \\"),
    ("path in filename", samples.png(), "../../evil.png", {}, 400, "/ or \\"),
    ("windows path", samples.png(), "C:\\Users\\me\\logo.png", {}, 400, "cannot contain"),
    ("control chars", samples.png(), "x.png", {"name": "bad\tname.png"}, 400, "control"),
    ("newline", samples.png(), "x.png", {"name": "bad\nname.png"}, 400, "control"),
    ("10,000 chars", samples.png(), "x.png", {"name": "n" * 10_000 + ".png"}, 400, "240"),
    ("forbidden", samples.png(), "x.png", {"name": "a|b.png"}, 400, "characters"),
    ("dot name", samples.png(), "x.png", {"name": ".htaccess"}, 400, "dot"),
]


@pytest.mark.parametrize(
    ("data", "filename", "fields", "status", "words"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_a_bad_upload_is_refused_clearly_and_keeps_the_form(
    client, editor, data, filename, fields, status, words
):
    response = samples.upload(
        client, data, filename, description="My careful description", **fields
    )
    assert response.status_code == status
    body = text(response)
    assert words in body
    assert "My careful description</textarea>" in body
    assert nothing_stored()


@pytest.mark.parametrize(
    ("data", "filename", "fields", "status", "words"),
    [case[1:] for case in CASES[:6]],
    ids=[case[0] for case in CASES[:6]],
)
def test_a_bad_upload_from_a_script_gets_a_problem_document(
    client, editor, data, filename, fields, status, words
):
    response = samples.upload(client, data, filename, json=True, **fields)
    assert response.status_code == status
    assert response.headers["Content-Type"] == "application/problem+json"
    assert words in response.get_json()["detail"]


def test_no_file_at_all_is_asked_for(client, editor):
    response = client.post(
        "/upload", data={"description": "Kept"}, content_type="multipart/form-data"
    )
    assert response.status_code == 400
    assert "Choose a file" in text(response) and "Kept</textarea>" in text(response)


def test_a_file_over_the_limit_is_refused_while_it_streams(app, client, editor):
    app.config["FILE_MAX_BYTES"] = 10_000
    response = samples.upload(client, samples.jpeg(1200, 900), "big.jpg", description="Kept")
    assert response.status_code == 413
    assert "at most 0 MB" in text(response) or "at most" in text(response)
    assert "Kept</textarea>" in text(response)
    assert nothing_stored()


def test_a_body_over_the_limit_is_refused_before_it_is_read(app, client, editor):
    app.config["FILE_MAX_BYTES"] = 0  # the body may then be at most the 1 MB of slack
    response = samples.upload(client, b"\x89PNG" + bytes(2 * 1024 * 1024), "huge.png")
    assert response.status_code == 413 and "too large" in text(response)
    as_json = samples.upload(client, b"\x89PNG" + bytes(2 * 1024 * 1024), "huge.png", json=True)
    assert as_json.status_code == 413 and "too large" in as_json.get_json()["detail"]


def test_a_body_refused_unread_still_shows_what_was_typed_before_the_file(app, client, editor):
    # A 105 MB file with a 100 MB limit: the body is refused before the file is read, but
    # the form sends the typed fields first, so they are read and shown again.
    samples.upload(client, samples.png(), "Logo.png")
    app.config["FILE_MAX_BYTES"] = 0
    huge = b"\x89PNG" + bytes(2 * 1024 * 1024)
    response = samples.upload(
        client, huge, "huge.png", description="Our <b>office</b> cat", licence="CC BY 4.0"
    )
    body = text(response)
    assert response.status_code == 413 and "too large" in body
    assert "Our &lt;b&gt;office&lt;/b&gt; cat</textarea>" in body and 'value="CC BY 4.0"' in body
    assert "What you typed is kept below; choose the file again." in body
    # A new version sent from the file's page: still that file's form, the comment kept.
    again = samples.upload(
        client, huge, "huge.png", name="Logo.png", replace=1, comment="Brighter", keep_original=1
    )
    body = text(again)
    assert again.status_code == 413 and "Upload a new version of Logo.png" in body
    assert 'value="Brighter"' in body and 'name="keep_original" value="1" checked' in body
    assert db.session.scalar(select(func.count()).select_from(FileVersion)) == 1


def test_a_body_refused_unread_with_the_file_first_says_the_form_was_lost(app, client, editor):
    app.config["FILE_MAX_BYTES"] = 0
    parts = [
        b'Content-Disposition: form-data; name="file"; filename="huge.png"\r\n'
        b"Content-Type: image/png\r\n\r\n" + bytes(2 * 1024 * 1024),
        b'Content-Disposition: form-data; name="description"\r\n\r\nLost words',
    ]
    body = b"".join(b"--xyz\r\n" + part + b"\r\n" for part in parts) + b"--xyz--\r\n"
    for content_type, data in [
        ("multipart/form-data; boundary=xyz", body),
        ("multipart/form-data; boundary=xyz", b"not a form at all" * 200_000),
        ("application/octet-stream", bytes(2 * 1024 * 1024)),
    ]:
        response = client.post("/upload", data=data, content_type=content_type)
        page = text(response)
        assert response.status_code == 413 and "too large" in page
        assert "anything you typed in it could not be kept: type it again" in page
        assert "Lost words" not in page and "What you typed is kept" not in page


def test_the_upload_forms_send_the_file_last_and_know_its_limit(app, client, editor):
    app.config["FILE_MAX_BYTES"] = 5 * 2**20
    samples.upload(client, samples.png(), "Logo.png")
    for url, fields in [
        ("/upload", ["name", "description", "licence", "keep_original"]),
        ("/upload?name=Logo.png", ["comment", "keep_original"]),
        ("/file/Logo.png", ["comment", "keep_original"]),
    ]:
        page = text(client.get(url))
        form = page[page.index('enctype="multipart/form-data"') :]
        chooser = form.index('type="file" name="file"')
        assert all(form.index(f'name="{field}"') < chooser for field in fields), url
        assert f'data-max-bytes="{5 * 2**20}"' in form, url
        assert "a file can be at most 5 MB." in form and "js/uploads.js" in page, url


def test_the_page_texts_limit_does_not_cap_uploads(app, client, editor):
    # MAX_CONTENT_LENGTH is sized for page texts (~4 MB); a file may be larger.
    photo = samples.jpeg(64, 64) + b""
    big = photo[:2] + b"\xff\xfe" + (65533).to_bytes(2, "big") + bytes(65531) + photo[2:]
    big = big[:2] + b"".join([big[2 : 4 + 65533]] * 80) + photo[2:]
    assert len(big) > app.config["MAX_CONTENT_LENGTH"]
    assert samples.upload(client, big, "Large comment.jpg").status_code == 302


def test_bad_file_addresses_answer_not_found(client, editor):
    samples.upload(client, samples.png(), "Logo.png")
    sha = db.session.scalar(select(FileBlob.sha256))
    for url in [
        "/media/nothex/x.png",
        f"/media/{'0' * 64}/x.png",
        f"/thumb/{sha}/100.png",  # not an offered width
        f"/thumb/{sha}/64.jpg",  # not the thumbnail type of a PNG
        f"/thumb/{sha}/999999.png",
        "/thumb/../../etc/64.png",
    ]:
        assert client.get(url).status_code in (404, 400), url
    assert client.get("/file/" + "x" * 10_000).status_code == 400
    assert client.get("/file/a%09b.png").status_code == 400
    assert client.get("/file/Nothing.png").status_code == 404
    assert client.post("/file/Logo.png/revert", data={"version": "abc"}).status_code == 400


def test_a_thousand_uploads_in_a_row_meet_the_rate_limit(database_url, tmp_path):
    settings = base_config(tmp_path, database_url) | {
        "RATELIMIT_ENABLED": True,
        "RATE_LIMIT_UPLOAD": "10/minute",
    }
    app = create_app(settings)
    app.test_client_class = CSRFClient
    with app.app_context():
        add_user("flood")
        client = app.test_client()
        log_in(client, "flood")
        statuses = []
        for number in range(1000):
            data = samples.png(8, 8, (number % 256, number // 256, 7))
            response = client.post(
                "/upload",
                data={"file": (io.BytesIO(data), f"f{number}.png"), "unique": "1"},
                content_type="multipart/form-data",
                headers={"Accept": "application/json"},
            )
            statuses.append(response.status_code)
            if response.status_code == 429:
                assert int(response.headers["Retry-After"]) > 0
                assert "too often" in response.get_json()["detail"]
                break
        assert statuses[:10] == [201] * 10 and statuses[-1] == 429 and len(statuses) == 11
        release(app)
