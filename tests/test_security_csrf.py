"""CSRF: every route that changes state refuses a form without a valid token."""

import pytest
from flask.testing import FlaskClient

from tests.helpers import log_in
from wiki.models import Role

#: Routes that take no CSRF token, and why.
EXEMPT = {
    # One-click unsubscribe from an email (RFC 8058): the signed token in the URL is the proof.
    "preferences.unsubscribe",
}


def post_urls(app) -> list[tuple[str, str]]:
    """Return (endpoint, URL) for every POST route, with plausible arguments."""
    urls = []
    for rule in app.url_map.iter_rules():
        if "POST" not in rule.methods or rule.endpoint in EXEMPT:
            continue
        values = {}
        for name, converter in rule._converters.items():
            kind = type(converter).__name__
            if kind == "IntegerConverter":
                values[name] = 1
            elif kind == "AnyConverter":
                values[name] = sorted(converter.items)[0]
            else:
                values[name] = "Plan"
        urls.append((rule.endpoint, rule.build(values, append_unknown=False)[1]))
    return urls


@pytest.mark.parametrize("token", [None, "forged", "stale"])
def test_every_post_route_needs_a_valid_token(app, client, make_user, make_page, token):
    make_user("root", role=Role.ADMIN)
    make_page("Plan", "text")
    log_in(client, "root")
    plain = FlaskClient(app)
    plain.set_cookie("session", client.get_cookie("session").value)
    data = {"text": "x", "reason": "x"}
    if token == "forged":
        data["csrf_token"] = "IjEyMzQ1Ig.aaaa.bbbb"
    elif token == "stale":
        other = app.test_client()
        data["csrf_token"] = other.csrf_token()  # signed, but for another session
    refused = []
    for endpoint, url in post_urls(app):
        response = plain.post(url, data=data)
        if response.status_code != 400 or b"form was sent from elsewhere" not in response.data:
            refused.append(f"{endpoint} {url} → {response.status_code}")
    assert not refused, refused


def test_exempt_routes_still_exist(app):
    assert EXEMPT <= set(app.view_functions)
