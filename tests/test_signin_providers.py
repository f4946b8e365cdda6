"""Signing in with a REAL OpenID Connect provider (oidc-provider on 127.0.0.1): first
sign-in, returning, linking, policy and blocks, and every way the answer can be wrong."""

from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select

from tests.helpers import CSRFClient, base_config, release, text
from tests.oidc.server import free_port, running_provider
from wiki import create_app
from wiki.extensions import db
from wiki.models import User
from wiki.signin.models import EmailAddress, ProviderIdentity

CALLBACK = "http://localhost/login/test/callback"


@pytest.fixture(scope="module")
def oidc():
    """Run the test provider for this module's tests."""
    with running_provider([CALLBACK]) as provider:
        yield provider


@pytest.fixture
def app(database_url, tmp_path, oidc):
    """Return an app whose sign-in providers are the test provider ("test") and one that is
    down ("down": nothing listens at its address)."""
    config = {
        **base_config(tmp_path, database_url),
        **oidc.config("test", "Test ID"),
        "OIDC_DOWN_ISSUER": f"http://127.0.0.1:{free_port()}",
        "OIDC_DOWN_CLIENT_ID": "bottega",
        "OIDC_DOWN_CLIENT_SECRET": "x",
        "OIDC_DOWN_LABEL": "Down Corp",
        # The same provider under another name for its host: its discovery document names
        # another issuer than the one configured (a mix-up), so it is not used.
        "OIDC_LIAR_ISSUER": oidc.issuer.replace("127.0.0.1", "localhost"),
        "OIDC_LIAR_CLIENT_ID": "bottega",
        "OIDC_LIAR_CLIENT_SECRET": "x",
        "LOGIN_FREE_FAILURES": 1000,
    }
    app = create_app(config)
    app.test_client_class = CSRFClient
    with app.app_context():
        yield app
        release(app)


def go(client, oidc, login: str, decision: str = "allow", start: str = "/login/test"):
    """Sign in through the provider as `login`; return the wiki's answer at the callback."""
    begun = client.get(start)
    assert begun.status_code == 302, text(begun)
    back = oidc.authorize(begun.headers["Location"], login, decision)
    assert back.startswith(CALLBACK + "?"), back
    return client.get(back.removeprefix("http://localhost"))


def counts() -> tuple[int, int]:
    """Return how many accounts and provider links exist."""
    db.session.expire_all()
    users = db.session.scalar(select(func.count(User.id)))
    links = db.session.scalar(select(func.count(ProviderIdentity.id)))
    return users, links


def create(client, username: str):
    return client.post("/login/test/new", data={"username": username})


def test_the_login_page_shows_a_button_per_provider(client):
    page = text(client.get("/login"))
    assert "Continue with Test ID" in page and "Continue with Down Corp" in page
    assert 'href="/login/test"' in page


def test_the_request_uses_state_nonce_pkce_and_the_exact_redirect_uri(client, oidc):
    begun = client.get("/login/test")
    query = parse_qs(urlsplit(begun.headers["Location"]).query)
    assert query["redirect_uri"] == [CALLBACK]
    assert query["code_challenge_method"] == ["S256"] and len(query["code_challenge"][0]) >= 43
    assert query["state"][0] and query["nonce"][0]
    assert set(query["scope"][0].split()) == {"openid", "email", "profile"}


def test_a_first_sign_in_asks_for_a_username_then_later_ones_go_straight_in(app, client, oidc):
    answer = go(client, oidc, "carla")
    assert answer.status_code == 302 and answer.headers["Location"] == "/login/test/new"
    form = text(client.get("/login/test/new"))
    assert 'value="carla"' in form and "Create account" in form
    assert counts() == (0, 0)  # nothing exists before the username is chosen
    created = create(client, "carla")
    assert created.status_code == 302
    carla = db.session.scalar(select(User).where(User.username == "carla"))
    assert carla.password_hash.startswith("!")
    address = db.session.scalar(select(EmailAddress).where(EmailAddress.user_id == carla.id))
    assert address.address == "carla@example.test" and address.verified_at is not None
    assert "Log out" in text(client.get("/wiki/Home", follow_redirects=True))
    again = app.test_client()
    answer = go(again, oidc, "carla")
    assert answer.status_code == 302 and answer.headers["Location"] == "/"
    assert "carla" in text(again.get("/preferences"))
    assert counts() == (1, 1)


def test_a_taken_name_is_suggested_with_a_number_and_refused_if_typed(client, oidc, make_user):
    make_user("dario")
    go(client, oidc, "dario")
    assert 'value="dario2"' in text(client.get("/login/test/new"))
    refused = create(client, "Dario")
    assert refused.status_code == 400
    assert "already taken" in text(refused) and 'value="Dario"' in text(refused)
    assert create(client, "dario.b").status_code == 302


def test_a_matching_verified_address_never_takes_an_account_over(client, oidc, make_user):
    from wiki.signin import emails

    erin = make_user("erin")
    with db.session.begin_nested():
        emails.add_verified(db.session, erin.id, "Erin@Example.test")
    db.session.commit()
    before = counts()
    answer = go(client, oidc, "erin")
    assert answer.status_code == 409
    assert "already uses erin@example.test" in text(answer)
    assert "log in to that account first, then link Test ID" in text(answer)
    assert counts() == before


def test_a_logged_in_person_links_a_provider_and_then_signs_in_with_it(
    app, client, oidc, auth, people
):
    auth.login(people["bob"])
    answer = go(client, oidc, "bobby", start="/login/test?link=1")
    assert answer.status_code == 302 and "/preferences" in answer.headers["Location"]
    page = text(client.get("/preferences"))
    assert "bobby@example.test" in page and "Unlink" in page
    other = app.test_client()
    assert go(other, oidc, "bobby").headers["Location"] == "/"
    assert "bob" in text(other.get("/preferences"))


def test_linking_needs_a_login_and_a_provider_account_links_to_one_person(
    app, client, oidc, auth, people
):
    assert client.get("/login/test?link=1").status_code == 302  # sent to log in
    auth.login(people["bob"])
    go(client, oidc, "shared", start="/login/test?link=1")
    alice = app.test_client()
    alice.post(
        "/login", data={"username": people["alice"].username, "password": "correct horse battery"}
    )
    refused = go(alice, oidc, "shared", start="/login/test?link=1")
    assert refused.status_code == 409 and "already linked to another account" in text(refused)


def test_the_last_way_in_cannot_be_unlinked(client, oidc):
    go(client, oidc, "frida")
    create(client, "frida")
    [identity] = db.session.scalars(select(ProviderIdentity)).all()
    refused = client.post(f"/preferences/sign-ins/{identity.id}/unlink", data={})
    assert refused.status_code == 409 and "only way to log in" in text(refused)
    password = {"password": "a long enough pass phrase", "confirm": "a long enough pass phrase"}
    assert client.post("/preferences/password", data=password).status_code == 302
    assert client.post(f"/preferences/sign-ins/{identity.id}/unlink", data={}).status_code == 302
    assert counts() == (1, 0)
    assert client.post("/login", data={"username": "frida", **password}).status_code == 302


@pytest.mark.parametrize("policy", ["closed", "invite"])
def test_closed_or_invite_only_registration_refuses_new_provider_accounts(
    client, oidc, people, policy
):
    from wiki.access.policy import save_policy

    save_policy(people["admin"], register=policy)
    before = counts()
    answer = go(client, oidc, "gina")
    assert answer.status_code == 403
    assert ("closed" if policy == "closed" else "invitation") in text(answer)
    assert counts() == before


def test_an_invitation_lets_a_provider_account_in(client, oidc, people):
    from wiki.access.policy import save_policy
    from wiki.safety.accounts import create_invite, find_link

    save_policy(people["admin"], register="invite")
    invite = create_invite(people["admin"], "for Hana")
    answer = go(client, oidc, "hana", start=f"/login/test?invite={invite}")
    assert answer.headers["Location"] == "/login/test/new"
    assert create(client, "hana").status_code == 302
    with pytest.raises(Exception, match="does not work"):
        find_link("invite", invite)


def test_a_blocked_person_cannot_get_in_through_a_provider(app, client, oidc, people):
    from wiki.safety.accounts import block_user

    admin = people["admin"]  # first: the first account of a wiki is an administrator
    go(client, oidc, "ivo")
    create(client, "ivo")
    ivo = db.session.scalar(select(User).where(User.username == "ivo"))
    block_user(admin, ivo, "Spam", "1w")
    again = app.test_client()
    answer = go(again, oidc, "ivo")
    assert answer.status_code == 403 and "blocked" in text(answer)
    assert "Log out" not in text(again.get("/recent"))


@pytest.mark.parametrize(
    "mode",
    [
        "tampered",
        "expired",
        "wrong-audience",
        "wrong-issuer",
        "wrong-nonce",
        "other-key",
        "unsigned",
    ],
)
def test_an_id_token_that_does_not_verify_is_refused(client, oidc, mode):
    oidc.mode(mode)
    try:
        answer = go(client, oidc, "mallory")
    finally:
        oidc.mode("normal")
    assert answer.status_code == 400
    assert "could not be verified" in text(answer)
    assert counts() == (0, 0)
    assert client.get("/login/test/new").status_code == 400


def test_a_wrong_state_is_refused(client, oidc):
    begun = client.get("/login/test")
    back = oidc.authorize(begun.headers["Location"], "jack")
    forged = back.replace("state=", "state=x")
    answer = client.get(forged.removeprefix("http://localhost"))
    assert answer.status_code == 400 and "not started in this browser" in text(answer)
    assert counts() == (0, 0)


def test_abandoned_sign_ins_do_not_pile_up_in_the_session(client, oidc):
    for _ in range(20):
        client.get("/login/test")
    assert len(client.get_cookie("session").value) < 2000
    assert go(client, oidc, "pat").status_code == 302  # the last one still works


def test_a_callback_from_another_browser_is_refused(app, client, oidc):
    begun = client.get("/login/test")
    back = oidc.authorize(begun.headers["Location"], "jack")
    stranger = app.test_client()
    answer = stranger.get(back.removeprefix("http://localhost"))
    assert answer.status_code == 400 and "not started in this browser" in text(answer)


def test_a_replayed_callback_or_code_is_refused(app, client, oidc):
    first = go(client, oidc, "kate")
    assert first.status_code == 302
    used = oidc.authorize(client.get("/login/test").headers["Location"], "kate")
    assert client.get(used.removeprefix("http://localhost")).status_code == 302
    replayed = client.get(used.removeprefix("http://localhost"))
    assert replayed.status_code == 400 and "already used" in text(replayed)
    # The used code with a fresh, valid state: the provider refuses the code itself.
    fresh = parse_qs(urlsplit(client.get("/login/test").headers["Location"]).query)["state"][0]
    code = parse_qs(urlsplit(used).query)["code"][0]
    answer = client.get(f"/login/test/callback?code={code}&state={fresh}")
    assert answer.status_code == 400 and "did not confirm the sign-in" in text(answer)
    assert counts() == (0, 0)


@pytest.mark.parametrize("decision", ["deny", "cancel"])
def test_declining_at_the_provider_is_a_clear_message(client, oidc, decision):
    answer = go(client, oidc, "lena", decision=decision)
    assert answer.status_code == 403 and "was cancelled" in text(answer)
    assert counts() == (0, 0)


def test_a_provider_that_is_down_gives_a_clear_message(client):
    answer = client.get("/login/down")
    assert answer.status_code == 503
    assert "Down Corp cannot be reached right now" in text(answer)
    assert counts() == (0, 0)


def test_a_provider_going_down_mid_sign_in_creates_nothing(database_url, tmp_path):
    """The person signed in at the provider, which then went down before the wiki could
    exchange the code: a clear message, and no account or link half made."""
    with running_provider([CALLBACK.replace("/test/", "/brief/")]) as brief:
        config = {**base_config(tmp_path / "brief", database_url), **brief.config("brief")}
        other = create_app(config)
        other.test_client_class = CSRFClient
        with other.app_context():
            client = other.test_client()
            begun = client.get("/login/brief")
            back = brief.authorize(begun.headers["Location"], "nina")
    with other.app_context():
        answer = client.get(back.removeprefix("http://localhost"))
        assert answer.status_code == 503
        assert "cannot be reached right now" in text(answer)
        assert counts() == (0, 0)
        release(other)


def test_a_discovery_document_naming_another_issuer_is_refused(client):
    answer = client.get("/login/liar")
    assert answer.status_code == 502
    assert "An administrator should check its settings" in text(answer)


def test_two_factor_is_asked_after_a_provider_sign_in_too(app, client, oidc):
    import pyotp

    from wiki.database import write_transaction
    from wiki.models import utcnow
    from wiki.signin.models import TwoFactor

    go(client, oidc, "olga")
    create(client, "olga")
    olga = db.session.scalar(select(User).where(User.username == "olga"))
    secret = pyotp.random_base32()
    with write_transaction() as session:
        session.add(TwoFactor(user_id=olga.id, secret=secret, confirmed_at=utcnow()))
    again = app.test_client()
    answer = go(again, oidc, "olga")
    assert answer.status_code == 302 and answer.headers["Location"] == "/two-factor"
    assert "Log out" not in text(again.get("/recent"))
    assert again.post("/two-factor", data={"code": pyotp.TOTP(secret).now()}).status_code == 302
    assert "Log out" in text(again.get("/recent"))


def test_an_unknown_provider_is_not_found(client):
    assert client.get("/login/nobody").status_code == 404
    assert client.get("/login/nobody/callback?code=x&state=y").status_code == 404
