"""Forms posted the way browsers post them (URL-encoded) reach the views whole."""

import urllib.parse

from werkzeug.formparser import FormDataParser

from tests.helpers import latest_text
from wiki.request import FormParser


def post_raw(client, path: str, body: str):
    """POST a hand-encoded form body (with the session's form token appended)."""
    token = urllib.parse.quote(client.csrf_token())
    return client.post(
        path,
        data=f"{body}&csrf_token={token}".encode(),
        content_type="application/x-www-form-urlencoded",
    )


def test_a_saved_text_keeps_every_sign_and_line_break(client, editor):
    text = "# Città\r\n\r\n100% naïve café [[Home]] & more + less \\x41 = «über» 🎉"
    response = client.post("/edit/Signs", data={"text": text, "summary": "signs"})
    assert response.status_code == 302
    assert latest_text("Signs") == text.replace("\r\n", "\n")


def test_a_form_with_a_malformed_escape_reads_as_werkzeug_reads_it(client, editor):
    # A hand-made client's "50%" (browsers send %25): the fast way leaves it to Werkzeug,
    # which keeps the sign as it is.
    response = post_raw(client, "/edit/Discount", "text=Save+50%+today&summary=")
    assert response.status_code == 302
    assert latest_text("Discount") == "Save 50% today"


def test_the_parser_the_app_uses_overrides_a_method_werkzeug_still_has(app):
    # Werkzeug renaming the method would make the override dead code, silently slower.
    assert app.request_class.form_data_parser_class is FormParser
    assert FormParser._parse_urlencoded is not FormDataParser._parse_urlencoded
    assert callable(getattr(FormDataParser, "_parse_urlencoded", None))
