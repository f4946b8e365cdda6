"""OAuth 2 providers without OpenID Connect (the GitHub and WordPress.com presets), against
a small stand-in of their APIs on 127.0.0.1 that checks what a real one checks: the client
secret, the code, and the PKCE verifier."""

import base64
import hashlib
import re
import secrets
from urllib.parse import urlencode

import pytest
import requests
from flask import Flask, jsonify, redirect, request
from sqlalchemy import select

from tests.helpers import CSRFClient, base_config, release, served_on_a_port, text
from wiki import create_app
from wiki.extensions import db
from wiki.models import User
from wiki.signin.models import EmailAddress, ProviderIdentity


def stand_in() -> Flask:
    """Return an app answering like GitHub's and WordPress.com's OAuth and user APIs."""
    api = Flask("stand-in")
    codes: dict[str, str] = {}

    @api.get("/authorize")
    def authorize():
        code = secrets.token_urlsafe(8)
        codes[code] = request.args["code_challenge"]
        query = urlencode({"code": code, "state": request.args["state"]})
        return redirect(f"{request.args['redirect_uri']}?{query}")

    @api.post("/token")
    def token():
        secret = request.form.get("client_secret") or (request.authorization or {}).get("password")
        challenge = codes.pop(request.form.get("code", ""), None)
        verifier = request.form.get("code_verifier", "")
        digest = hashlib.sha256(verifier.encode()).digest()
        if secret != "s3cret" or challenge != base64.urlsafe_b64encode(digest).decode().rstrip(
            "="
        ):
            return jsonify(error="bad_verification_code"), 400
        return jsonify(access_token="token-123", token_type="bearer", scope="")

    def authorised():
        return request.headers.get("Authorization") == "Bearer token-123"

    @api.get("/user")
    def github_user():
        if not authorised():
            return jsonify(message="Bad credentials"), 401
        return jsonify(id=583231, login="octocat", name="The Octocat", email=None)

    @api.get("/user/emails")
    def github_emails():
        return jsonify([{"email": "octo@example.test", "verified": True, "primary": True}])

    @api.get("/me")
    def wordpress_me():
        if not authorised():
            return jsonify(error="unauthorized"), 403
        return jsonify(ID=77, username="poet", display_name="A Poet", email="poet@example.test",
                       email_verified=True)  # fmt: skip

    return api


@pytest.fixture(scope="module")
def api_url():
    with served_on_a_port(stand_in()) as url:
        yield url


@pytest.fixture
def app(database_url, tmp_path, api_url):
    urls = {
        "authorize_url": f"{api_url}/authorize",
        "token_url": f"{api_url}/token",
        "api_base_url": f"{api_url}/",
        "client_id": "bottega",
        "client_secret": "s3cret",
    }
    providers = {"github": urls, "wordpress": urls}
    app = create_app({**base_config(tmp_path, database_url), "SIGNIN_PROVIDERS": providers})
    app.test_client_class = CSRFClient
    with app.app_context():
        yield app
        release(app)


def sign_in(client, name: str):
    begun = client.get(f"/login/{name}")
    assert begun.status_code == 302
    back = requests.get(begun.headers["Location"], allow_redirects=False, timeout=10)
    return client.get(back.headers["Location"].removeprefix("http://localhost"))


@pytest.mark.parametrize(
    ("name", "label", "login", "subject", "address"),
    [
        ("github", "GitHub", "octocat", "583231", "octo@example.test"),
        ("wordpress", "WordPress.com", "poet", "77", "poet@example.test"),
    ],
)
def test_a_preset_provider_signs_people_in(client, name, label, login, subject, address):
    assert f"Continue with {label}" in text(client.get("/login"))
    answer = sign_in(client, name)
    assert answer.headers["Location"] == f"/login/{name}/new"
    assert f'value="{login}"' in text(client.get(f"/login/{name}/new"))
    assert client.post(f"/login/{name}/new", data={"username": login}).status_code == 302
    user = db.session.scalar(select(User).where(User.username == login))
    identity = db.session.scalar(select(ProviderIdentity))
    assert (identity.user_id, identity.provider, identity.subject) == (user.id, name, subject)
    email = db.session.scalar(select(EmailAddress))
    assert (email.address, email.verified_at is not None) == (address, True)


def test_a_refused_code_is_a_clear_message(client, api_url):
    begun = client.get("/login/github")
    state = begun.headers["Location"].split("state=")[1].split("&")[0]
    answer = client.get(f"/login/github/callback?code=forged&state={state}")
    assert answer.status_code == 400 and "GitHub did not confirm the sign-in" in text(answer)


def test_two_browsers_signed_in_through_a_provider_each_get_their_own_page_views(
    app, client, make_page
):
    app.config["PAGE_CACHE_SECONDS"] = 60
    make_page("Plan", "first words")
    sign_in(client, "github")
    client.post("/login/github/new", data={"username": "octocat"})
    laptop, phone = app.test_client(), app.test_client()
    for browser in (laptop, phone):  # an account that exists: the callback (a GET) logs in
        sign_in(browser, "github")
        browser.get("/wiki/Plan")  # shows the message of logging in: never kept
    laptop.get("/wiki/Plan")
    shown = text(phone.get("/wiki/Plan"))
    assert 'class="me">octocat<' in shown
    # The phone's page carries the phone's own form token: logging out from it works.
    token = re.search(r'name="csrf_token" value="([^"]+)"', shown).group(1)
    assert phone.post("/logout", data={"csrf_token": token}).status_code == 302
    assert 'class="me">octocat<' not in text(phone.get("/wiki/Plan"))
