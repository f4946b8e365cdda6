"""Administration pages: site policy, people (search, role, approval, blocks, resets), invites."""

import re

import pytest

from wiki.access.models import Approval, Block
from wiki.access.policy import current_policy
from wiki.extensions import db
from wiki.identity import find_user
from wiki.models import Role
from wiki.modlog import LogEntry
from wiki.safety.models import OneTimeLink


@pytest.fixture
def admin_client(client, people, auth):
    """Return the test's client, logged in as root, an administrator."""
    auth.login(people["root"])
    return client


def last_log() -> LogEntry:
    return db.session.scalar(db.select(LogEntry).order_by(LogEntry.id.desc()))


@pytest.mark.parametrize(
    "url",
    [
        "/admin",
        "/admin/settings",
        "/admin/users",
        "/admin/users/bob",
        "/admin/blocks",
        "/admin/invites",
    ],
)
def test_admin_pages_are_for_admins(client, make_user, auth, url):
    make_user("bob")
    assert client.get(url).headers["Location"].startswith("/login")
    make_user("mod", role=Role.MODERATOR)
    auth.login("mod")
    refused = client.get(url)
    assert refused.status_code == 403
    assert "Only administrators" in refused.get_data(as_text=True)


def test_settings_change_the_policy_and_are_logged(admin_client):
    page = admin_client.get("/admin/settings").get_data(as_text=True)
    assert 'value="users" checked' in page
    form = {"read": "users", "edit": "approved", "register": "invite", "log": "moderators"}
    assert admin_client.post("/admin/settings", data=form).status_code == 302
    assert current_policy().edit == "approved"
    entries = db.session.scalars(db.select(LogEntry).where(LogEntry.action == "policy")).all()
    assert {entry.target for entry in entries} == {"read", "edit", "register", "log"}
    # The log says it in the settings screen's words, not the stored names and values.
    shown = admin_client.get("/log?action=policy").get_data(as_text=True)
    assert "Who may read</span>" in shown and "Everyone → Only logged-in users" in shown
    assert "everyone → users" not in shown
    admin_client.post("/admin/site", data={"name": "Acme", "tagline": "", "main_page": "Home"})
    named = admin_client.get("/log?action=policy").get_data(as_text=True)
    assert "Site name</span>" in named and "Bottega → Acme" in named


def test_settings_refuse_unknown_values(admin_client):
    form = {"read": "robots", "edit": "users", "register": "open", "log": "everyone"}
    response = admin_client.post("/admin/settings", data=form)
    assert response.status_code == 400
    assert "not one of the choices" in response.get_data(as_text=True)


def test_people_search_and_filters(admin_client, make_user):
    for name in ("anna", "annabel", "bob"):
        make_user(name)
    html = admin_client.get("/admin/users?q=ann").get_data(as_text=True)
    assert "annabel" in html and ">bob<" not in html
    admin_client.post("/admin/users/bob/block", data={"reason": "spam", "duration": "1d"})
    blocked = admin_client.get("/admin/users?show=blocked").get_data(as_text=True)
    assert ">bob<" in blocked and ">anna<" not in blocked
    assert admin_client.get("/admin/users?show=everything").status_code == 400
    assert admin_client.get("/admin/users?q=%25%5F").status_code == 200


def test_people_list_pages_through(admin_client, make_user):
    for number in range(55):
        make_user(f"user{number:02d}")
    first = admin_client.get("/admin/users?q=user").get_data(as_text=True)
    after = re.search(r"after=(user\d+)", first).group(1)
    second = admin_client.get(f"/admin/users?q=user&after={after}").get_data(as_text=True)
    assert "user54" in second and "user00" not in second


def test_the_role_section_says_role_once_and_keeps_the_field_named(admin_client, make_user):
    make_user("bob")
    page = admin_client.get("/admin/users/bob").get_data(as_text=True)
    section = page.split('aria-labelledby="role-title"', 1)[1].split("</section>", 1)[0]
    assert re.search(r'<label for="role"[^>]*>Role</label>', section)  # for screen readers
    seen = re.sub(r'<(\w+)[^>]*class="visually-hidden"[^>]*>.*?</\1>', "", section)
    assert len(re.findall(r">\s*Role\s*<", seen)) == 1  # the heading, not a label beneath it


def test_change_role(admin_client, make_user):
    make_user("bob")
    form = {"role": str(int(Role.MODERATOR)), "reason": "Helps a lot"}
    assert admin_client.post("/admin/users/bob/role", data=form).status_code == 302
    assert find_user("bob").role == Role.MODERATOR
    entry = last_log()
    assert (entry.action, entry.target, entry.reason) == ("role", "bob", "Helps a lot")
    assert entry.facts == {"old": "editor", "new": "moderator"}


@pytest.mark.parametrize("role", ["", "99", "admin", "-1"])
def test_change_role_refuses_unknown_roles(admin_client, make_user, role):
    make_user("bob")
    response = admin_client.post("/admin/users/bob/role", data={"role": role})
    assert response.status_code == 400
    assert "Choose a role" in response.get_data(as_text=True)


def test_admins_cannot_change_their_own_role(admin_client):
    response = admin_client.post("/admin/users/root/role", data={"role": "10"})
    assert response.status_code == 403
    assert find_user("root").role == Role.ADMIN


def test_approve_and_withdraw(admin_client, make_user):
    bob = make_user("bob")
    admin_client.post("/admin/users/bob/approve", data={"approved": "1"})
    assert db.session.get(Approval, bob.id) is not None
    admin_client.post("/admin/users/bob/approve", data={"approved": "0"})
    db.session.expire_all()
    assert db.session.get(Approval, bob.id) is None
    entries = db.session.scalars(db.select(LogEntry).order_by(LogEntry.id))
    assert [e.action for e in entries] == ["approve", "unapprove"]


def test_block_and_unblock_from_the_user_page(admin_client, make_user):
    make_user("bob")
    form = {"reason": "Link spam", "duration": "1w"}
    assert admin_client.post("/admin/users/bob/block", data=form).status_code == 302
    block = db.session.scalar(db.select(Block))
    assert block.reason == "Link spam" and block.expires_at is not None
    page = admin_client.get("/admin/users/bob").get_data(as_text=True)
    assert "Blocked until" in page and "Link spam" in page
    response = admin_client.post(f"/admin/blocks/{block.id}/lift", data={"reason": "ok"})
    assert response.status_code == 302
    entries = db.session.scalars(db.select(LogEntry).order_by(LogEntry.id))
    assert [e.action for e in entries] == ["block", "unblock"]
    again = admin_client.post(f"/admin/blocks/{block.id}/lift", data={})
    assert again.status_code == 404


def test_block_form_errors_keep_the_page(admin_client, make_user):
    make_user("bob")
    response = admin_client.post("/admin/users/bob/block", data={"reason": "", "duration": "1d"})
    assert response.status_code == 400
    assert "Give a reason" in response.get_data(as_text=True)


def test_unknown_people_are_404(admin_client):
    assert admin_client.get("/admin/users/ghost").status_code == 404
    assert admin_client.post("/admin/users/ghost/block", data={"reason": "x"}).status_code == 404


def test_reset_link_is_shown_once_and_stored_hashed(admin_client, make_user):
    make_user("bob")
    response = admin_client.post("/admin/users/bob/reset-link", data={})
    html = response.get_data(as_text=True)
    token = re.search(r"/reset/([\w-]+)", html).group(1)
    stored = db.session.scalar(db.select(OneTimeLink))
    assert stored.token_hash != token and token not in stored.token_hash
    assert last_log().action == "reset_link"
    assert token not in admin_client.get("/admin/users/bob").get_data(as_text=True)


def test_address_blocks_page(admin_client):
    form = {"address": "203.0.113.5", "reason": "Open proxy", "duration": "1m"}
    assert admin_client.post("/admin/blocks", data=form).status_code == 302
    html = admin_client.get("/admin/blocks").get_data(as_text=True)
    assert "203.0.113.x" in html and "Open proxy" in html
    bad = admin_client.post("/admin/blocks", data={**form, "address": "nowhere"})
    assert bad.status_code == 400 and "Enter an address" in bad.get_data(as_text=True)


def test_invites_page(admin_client):
    html = admin_client.post("/admin/invites", data={"note": "Nora"}).get_data(as_text=True)
    assert re.search(r"/register\?invite=[\w-]+", html)
    listing = admin_client.get("/admin/invites").get_data(as_text=True)
    assert "Nora" in listing and "invite=" not in listing


def test_an_invitation_says_who_used_it_and_an_unused_one_can_be_withdrawn(client, people, auth):
    from tests.helpers import register
    from wiki.access.policy import save_policy
    from wiki.safety import accounts

    save_policy(people["root"], register="invite")
    used = accounts.create_invite(people["root"], "Nora at Acme")
    unused = accounts.create_invite(people["root"], "Paolo at Beta")
    assert register(client, "nora", url=f"/register?invite={used}").status_code == 302
    auth.logout()
    auth.login("root")

    listing = client.get("/admin/invites").get_data(as_text=True)
    assert "Used by nora" in listing
    withdraw = re.findall(r'action="(/admin/invites/\d+/withdraw)"', listing)
    assert len(withdraw) == 1  # only the unused one
    response = client.post(withdraw[0], data={})
    assert response.status_code == 302
    listing = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "The invitation no longer works." in listing
    assert "No longer works" in listing and "/withdraw" not in listing
    assert last_log().action == "invite_withdrawn" and last_log().target == "Paolo at Beta"

    auth.logout()
    refused = client.get(f"/register?invite={unused}")
    assert refused.status_code == 403 and "invitation link" in refused.get_data(as_text=True)


def test_withdrawing_a_used_invitation_is_refused_plainly(admin_client, people):
    from wiki.safety import accounts

    accounts.create_invite(people["root"], "")
    invite = db.session.scalar(db.select(OneTimeLink).where(OneTimeLink.kind == "invite"))
    with db.session.begin_nested():
        invite.used_at = invite.created_at
    db.session.commit()
    refused = admin_client.post(f"/admin/invites/{invite.id}/withdraw", data={})
    assert refused.status_code == 400
    assert "already used" in refused.get_data(as_text=True)
    assert admin_client.post("/admin/invites/999999/withdraw", data={}).status_code == 404


def test_an_invited_person_reads_that_the_link_worked(client, people):
    from wiki.access.policy import save_policy
    from wiki.safety import accounts

    save_policy(people["root"], register="invite")
    token = accounts.create_invite(people["root"], "")
    page = client.get(f"/register?invite={token}").get_data(as_text=True)
    assert "You are invited to" in page
    save_policy(people["root"], register="open")
    assert "You are invited to" not in client.get("/register").get_data(as_text=True)


def test_staff_see_their_links(client, make_user, auth):
    make_user("bob")
    auth.login("bob")
    html = client.get("/account").get_data(as_text=True)
    assert 'href="/admin/users"' not in html
    auth.logout()
    make_user("root", role=Role.ADMIN)
    auth.login("root")
    assert 'href="/admin/users"' in client.get("/account").get_data(as_text=True)


def test_admin_leads_an_administrator_to_the_first_tab(admin_client):
    response = admin_client.get("/admin")
    assert response.status_code == 302 and response.headers["Location"] == "/admin/users"
