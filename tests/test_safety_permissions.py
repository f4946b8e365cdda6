"""Who may edit and comment: policy, roles, approval, blocks, protection, the read gate."""

from datetime import timedelta

import pytest

from tests.helpers import edit, log_in, text
from wiki.access.models import Block, Protection
from wiki.access.permissions import edit_refusal, mask_ip
from wiki.access.policy import current_policy, save_policy
from wiki.core.titles import parse_title
from wiki.extensions import db
from wiki.models import Revision, Role
from wiki.pages.service import can_edit, save_page
from wiki.problems import BadRequest, NotAllowed
from wiki.review import settings as review_settings
from wiki.safety import accounts, protection
from wiki.talk import service as talk


@pytest.mark.parametrize(
    ("address", "masked"),
    [
        ("203.0.113.45", "203.0.113.x"),
        ("::ffff:203.0.113.45", "203.0.113.x"),
        ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"),
        ("not an address", "unknown"),
        ("", "unknown"),
        (None, "unknown"),
    ],
)
def test_mask_ip(address, masked):
    assert mask_ip(address) == masked


@pytest.fixture
def admin(make_user):
    return make_user("root", role=Role.ADMIN)


# Edit policy


def test_default_policy_needs_an_account(client):
    assert current_policy().edit == "users"
    assert client.get("/edit/Plan").headers["Location"].startswith("/login")
    assert edit(client, "Plan", "new text", base="").status_code == 403


def test_anonymous_edits_are_attributed_to_a_masked_address(client, admin, make_page):
    save_policy(admin, edit="everyone")
    make_page("Plan", "old text")
    assert client.get("/edit/Plan").status_code == 200
    response = client.post(
        "/edit/Plan",
        data={"text": "anon text", "base_revision": "1"},
        environ_base={"REMOTE_ADDR": "203.0.113.77"},
    )
    assert response.status_code == 302
    revision = db.session.scalar(db.select(Revision).order_by(Revision.id.desc()))
    assert revision.author_id is None and revision.author_ip == "203.0.113.x"
    history = client.get("/history/Plan").get_data(as_text=True)
    assert "203.0.113.x" in history and "203.0.113.77" not in history
    assert "203.0.113.x" in client.get("/wiki/Plan").get_data(as_text=True)


def test_anonymous_edits_still_need_csrf(app, admin):
    save_policy(admin, edit="everyone")
    from flask.testing import FlaskClient

    plain = FlaskClient(app)
    assert plain.post("/edit/Plan", data={"text": "x"}).status_code == 400


def test_anonymous_visitors_get_no_drafts(client, admin):
    save_policy(admin, edit="everyone")
    assert client.post("/draft/Plan", data={"text": "x"}).status_code == 403


def test_readers_cannot_edit_or_comment(client, make_user, auth, make_page):
    page = make_page("Plan", "text")
    reader = make_user("reader", role=Role.READER)
    auth.login("reader")
    response = client.get("/edit/Plan")
    assert response.status_code == 403
    assert "can read but not edit" in response.get_data(as_text=True)
    with pytest.raises(talk.NotAllowed):
        talk.start_topic(page, "Hello", "body", author=reader)


def test_approval_policy(client, admin, make_user, auth, make_page):
    make_page("Plan", "text")
    save_policy(admin, edit="approved")
    newbie = make_user("newbie")
    auth.login("newbie")
    refused = client.get("/edit/Plan")
    assert refused.status_code == 403
    assert "waiting for an administrator" in refused.get_data(as_text=True)
    accounts.approve(admin, newbie)
    assert client.get("/edit/Plan").status_code == 200
    assert can_edit(make_user("mod", role=Role.MODERATOR))


# Blocks


def test_blocked_user_can_read_but_not_edit_or_comment(client, admin, make_user, auth, make_page):
    page = make_page("Plan", "text")
    bob = make_user("bob")
    accounts.block_user(admin, bob, "Spam links", "1w")
    auth.login("bob")
    assert client.get("/wiki/Plan").status_code == 200
    response = client.get("/edit/Plan")
    html = response.get_data(as_text=True)
    assert response.status_code == 403
    assert "blocked until" in html and "Spam links" in html
    saved = edit(client, "Plan", "spam", base="")
    assert saved.status_code == 403 and "Spam links" in saved.get_data(as_text=True)
    with pytest.raises(talk.NotAllowed) as refused:
        talk.start_topic(page, "Hi", "spam", author=bob)
    assert refused.value.params["reason"] == "Spam links"
    posted = client.post("/talk/Plan", data={"subject": "Hi", "body": "spam"})
    assert posted.status_code == 403 and "Spam links" in posted.get_data(as_text=True)


def test_every_page_tells_a_blocked_user_why(client, admin, make_user, auth, make_page):
    make_page("Plan", "text")
    accounts.block_user(admin, make_user("bob"), "Edit warring", "never")
    auth.login("bob")
    html = client.get("/wiki/Plan").get_data(as_text=True)
    assert "blocked with no end date" in html and "Edit warring" in html


def test_blocks_expire_and_can_be_lifted(admin, make_user):
    bob = make_user("bob")
    block = accounts.block_user(admin, bob, "Cooling off", "1h")
    assert not can_edit(bob)
    row = db.session.get(Block, block.id)
    row.expires_at -= timedelta(hours=2)
    db.session.commit()
    assert can_edit(bob)
    again = accounts.block_user(admin, bob, "Again", "never")
    assert not can_edit(bob)
    accounts.unblock(admin, again.id, "Talked it through")
    assert can_edit(bob)


def test_service_refuses_blocked_saves(admin, make_user):
    bob = make_user("bob")
    accounts.block_user(admin, bob, "Vandalism", "1d")
    with pytest.raises(NotAllowed) as refused:
        save_page(parse_title("Plan"), "x", author=bob, base_revision_id=None)
    assert refused.value.params["reason"] == "Vandalism"


def test_block_rules(admin, make_user):
    other_admin = make_user("root2", role=Role.ADMIN)
    with pytest.raises(accounts.NotAllowed):
        accounts.block_user(admin, admin, "me", "1d")
    with pytest.raises(accounts.NotAllowed):
        accounts.block_user(admin, other_admin, "no", "1d")
    with pytest.raises(BadRequest):
        accounts.block_user(admin, make_user("bob"), "   ", "1d")
    with pytest.raises(BadRequest):
        accounts.block_user(admin, make_user("eve"), "why", "forever and ever")
    with pytest.raises(accounts.NotAllowed):
        accounts.block_user(make_user("mod", role=Role.MODERATOR), make_user("amy"), "x", "1d")


def test_address_blocks_stop_anonymous_edits_from_that_range(client, admin, make_user, auth):
    save_policy(admin, edit="everyone")
    accounts.block_address(admin, "203.0.113.x", "Open proxy", "1d")
    here = {"REMOTE_ADDR": "203.0.113.9"}
    refused = client.post("/edit/Plan", data={"text": "x"}, environ_base=here)
    assert refused.status_code == 403 and "Open proxy" in refused.get_data(as_text=True)
    elsewhere = {"REMOTE_ADDR": "198.51.100.9"}
    assert client.post("/edit/Plan", data={"text": "x"}, environ_base=elsewhere).status_code == 302
    make_user("bob")
    log_in(client, "bob", environ_base=here)
    again = {"text": "y", "base_revision": "1"}
    assert client.post("/edit/Plan", data=again, environ_base=here).status_code == 302


@pytest.mark.parametrize("address", ["", "hello", "999.1.1.1", "203.0.113"])
def test_address_blocks_need_an_address(admin, address):
    with pytest.raises(BadRequest):
        accounts.block_address(admin, address, "why", "1d")


# Protection


def test_protected_page_refuses_editors_and_lets_moderators_edit(
    client, make_user, auth, make_page
):
    make_page("Pricing", "text")
    moderator = make_user("mod", role=Role.MODERATOR)
    protection.protect(moderator, parse_title("Pricing"), "moderator", "1w", "Launch day")
    make_user("bob")
    auth.login("bob")
    refused = client.get("/edit/Pricing")
    html = refused.get_data(as_text=True)
    assert refused.status_code == 403
    assert "only moderators can edit it" in html and "Launch day" in html
    # Not a dead end: the text to read and copy, and the ways on (MediaWiki's View source).
    assert "Source of Pricing" in html and ">text</textarea>" in html and "readonly" in html
    assert 'href="/talk/Pricing"' in html and 'href="/wiki/Pricing"' in html
    shown = client.get("/wiki/Pricing").get_data(as_text=True)
    assert ">View source</a>" in shown
    assert 'href="/move/Pricing"' not in shown  # moving it is refused as well: no Move tab
    assert edit(client, "Pricing", "new text", base="").status_code == 403
    auth.logout()
    auth.login("mod")
    assert client.get("/edit/Pricing").status_code == 200
    shown = client.get("/wiki/Pricing").get_data(as_text=True)
    assert ">Edit</a>" in shown and 'href="/move/Pricing"' in shown
    assert edit(client, "Pricing", "new text", base="1").status_code == 302


def test_editor_level_protection_keeps_out_anonymous_edits(client, admin, make_user, make_page):
    save_policy(admin, edit="everyone")
    make_page("Pricing", "text")
    protection.protect(admin, parse_title("Pricing"), "editor", "never", "Anonymous spam")
    assert client.get("/edit/Pricing").status_code == 403
    assert client.get("/edit/Other").status_code == 200
    assert can_edit(make_user("bob"), parse_title("Pricing"))


def test_missing_titles_can_be_protected_against_creation(client, admin, make_user, auth):
    protection.protect(admin, parse_title("Free Money"), "moderator", "1m", "Spam magnet")
    make_user("bob")
    auth.login("bob")
    assert edit(client, "Free_Money", "new text", base="").status_code == 403


def test_protection_expires_and_can_be_lifted(admin, make_user, make_page):
    make_page("Pricing", "text")
    bob = make_user("bob")
    title = parse_title("Pricing")
    protection.protect(admin, title, "moderator", "1h", "Busy")
    assert edit_refusal(bob, title) is not None
    row = db.session.scalar(db.select(Protection))
    row.expires_at -= timedelta(hours=2)
    db.session.commit()
    assert edit_refusal(bob, title) is None
    protection.protect(admin, title, "moderator", "never", "Again")
    assert protection.unprotect(admin, title, "done")
    assert not protection.unprotect(admin, title, "done")
    assert edit_refusal(bob, title) is None


def test_protect_form(client, make_user, auth, make_page):
    make_page("Pricing", "text")
    make_user("mod", role=Role.MODERATOR)
    auth.login("mod")
    assert client.get("/protect/Pricing").status_code == 200
    form = {"level": "editor", "duration": "1d", "reason": "Busy week", "action": "protect"}
    assert client.post("/protect/Pricing", data=form).status_code == 302
    assert "Now protected" in client.get("/protect/Pricing").get_data(as_text=True)
    bad = client.post("/protect/Pricing", data={**form, "level": "god"})
    assert bad.status_code == 400 and "Choose who may still edit" in bad.get_data(as_text=True)
    assert client.post("/protect/Pricing", data={"action": "unprotect"}).status_code == 302
    assert db.session.scalar(db.select(Protection)) is None


def test_protect_page_has_the_page_tabs_and_says_who_is_a_newcomer(
    client, make_user, auth, make_page
):
    make_page("Pricing", "text")
    boss = make_user("boss", role=Role.ADMIN)
    review_settings.save_settings(boss, "newcomers", 5, 4)
    make_user("mod", role=Role.MODERATOR)
    auth.login("mod")
    html = text(client.get("/protect/Pricing"))
    tabs = html.split('class="tabs"', 1)[1].split("</nav>", 1)[0]
    for link in ("/wiki/Pricing", "/edit/Pricing", "/history/Pricing"):
        assert f'href="{link}"' in tabs
    assert 'href="/protect/Pricing" aria-current="page"' in tabs
    assert tabs.count('aria-current="page"') == 1
    # Who may edit, in words a person understands; who a newcomer is, in the site's numbers.
    assert "no anonymous or new readers" not in html
    assert "visitors without an account" in html.split("Who may edit", 1)[1]
    assert "below" not in html.split('id="review-policy"', 1)[1]
    limits = html.split('id="newcomer-limits"', 1)[1].split("</p>", 1)[0]
    assert "5 accepted edits" in limits and "4 days" in limits
    assert "/admin/settings" not in limits  # a moderator cannot change them
    review_settings.save_settings(boss, "newcomers", 0, 1)
    auth.login("boss")
    html = text(client.get("/protect/Pricing"))
    limits = html.split('id="newcomer-limits"', 1)[1].split("</p>", 1)[0]
    assert "1 day" in limits and "accepted" not in limits
    assert 'href="/admin/settings#review-settings"' in limits
    # A title with no page yet can be protected against its creation: the tabs say Create.
    tabs = text(client.get("/protect/Free_money")).split('class="tabs"', 1)[1].split("</nav>")[0]
    assert ">Create</a>" in tabs and "/history/" not in tabs


def test_only_moderators_protect(client, make_user, auth):
    assert client.get("/protect/Pricing").status_code == 302
    make_user("bob")
    auth.login("bob")
    assert client.get("/protect/Pricing").status_code == 403
    assert client.post("/protect/Pricing", data={"level": "editor"}).status_code == 403


# Reading


def test_read_policy_sends_anonymous_visitors_to_log_in(client, admin, make_user, auth, make_page):
    make_page("Plan", "text")
    save_policy(admin, read="users")
    response = client.get("/wiki/Plan")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=/wiki/Plan")
    assert client.get("/login").status_code == 200
    assert client.get("/register").status_code == 200
    static = client.get("/static/css/bottega.css")
    assert static.status_code == 200
    static.close()
    api = client.get("/api/pages")
    assert api.status_code == 401 and api.is_json
    # Feed readers and crawlers are answered, not sent to a login page they cannot use.
    for feed in ("/recent.atom", "/feed/history/Plan"):
        answer = client.get(feed)
        assert answer.status_code == 401 and "personal feed address" in answer.get_data(
            as_text=True
        )
    assert client.get("/sitemap.xml").status_code == 404
    make_user("bob")
    auth.login("bob")
    assert client.get("/wiki/Plan").status_code == 200


def test_policy_settings_are_validated(admin):
    from wiki.problems import BadRequest as PolicyError

    with pytest.raises(PolicyError):
        save_policy(admin, edit="robots")
    with pytest.raises(PolicyError):
        save_policy(admin, colour="blue")
