"""Trust and safety in Chromium: a blocked user, a protected page, a rate-limited login, a
hidden comment.

This module serves its own wikis (it overrides live_server), so that it can make accounts
with roles directly and turn rate limits on for one of them.
"""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import PASSWORD, log_in, make_account, save_edit, serve, unique
from wiki.models import Role


@pytest.fixture(scope="module")
def safety_server(tmp_path_factory):
    with serve(tmp_path_factory.mktemp("safety-live"), RATELIMIT_ENABLED=False) as served:
        yield served


@pytest.fixture(scope="module")
def live_server(safety_server):
    """Point the browser fixtures at this module's wiki."""
    return safety_server[0]


def test_a_blocked_user_sees_why_and_until_when(safety_server, new_page):
    app = safety_server[1]
    admin_name, bob_name = make_account(app, Role.ADMIN), make_account(app)
    admin, bob = new_page(), new_page()
    title = unique("Pricing_")
    log_in(admin, admin_name)
    save_edit(admin, title, "# Pricing\n\nOur plans.")

    # The administrator finds Bob and blocks him for a week, saying why.
    admin.get_by_role("link", name="Admin", exact=True).click()
    admin.get_by_label("Name contains").fill(bob_name)
    admin.get_by_role("button", name="Search").click()
    admin.get_by_role("link", name=bob_name).click()
    admin.get_by_label("Reason (the person sees it)").fill("Repeated link spam")
    admin.get_by_label("Duration").select_option("1w")
    admin.get_by_role("button", name="Block").click()
    expect(admin.get_by_text("The account is blocked.")).to_be_visible()

    # Bob can read, but editing tells him why and until when.
    log_in(bob, bob_name)
    bob.goto(f"/wiki/{title}")
    expect(bob.locator(".prose")).to_contain_text("Our plans.")
    banner = bob.locator(".flash-blocked")
    expect(banner).to_contain_text("Repeated link spam")
    bob.goto(f"/edit/{title}")
    message = bob.locator(".error-message")
    expect(message).to_contain_text("Your account is blocked until")
    expect(message).to_contain_text("Repeated link spam")
    expect(message).to_contain_text(re.compile(r"\d{4}"))  # the date it ends
    expect(bob.get_by_label("Content")).to_have_count(0)

    # The block is in the moderation log.
    bob.goto("/log")
    expect(bob.locator(".modlog-entry").first).to_contain_text("Repeated link spam")


def test_a_protected_page_refuses_an_editor_and_lets_a_moderator_edit(safety_server, new_page):
    app = safety_server[1]
    mod_name, ed_name = make_account(app, Role.MODERATOR), make_account(app)
    mod, editor = new_page(), new_page()
    title = unique("Launch_")
    log_in(mod, mod_name)
    save_edit(mod, title, "# Launch\n\nNext week.")

    mod.goto(f"/protect/{title}")
    mod.get_by_label("Moderators only").check()
    mod.get_by_label("For how long").select_option("1d")
    mod.get_by_label("Reason").fill("Launch day: official text only")
    mod.get_by_role("button", name="Protect").click()
    expect(mod.get_by_text("Now protected:")).to_be_visible()

    log_in(editor, ed_name)
    editor.goto(f"/wiki/{title}")
    editor.get_by_role("link", name="View source").click()
    refusal = editor.locator(".notice[role=status]")
    expect(refusal).to_contain_text("only moderators can edit it")
    expect(refusal).to_contain_text("Launch day: official text only")
    # Not a dead end: the text to read and copy, and the way to suggest a change.
    source = editor.get_by_label("Content")
    expect(source).to_have_value("# Launch\n\nNext week.")
    expect(source).not_to_be_editable()
    expect(editor.get_by_role("link", name="Discuss this page")).to_be_visible()

    mod.goto(f"/edit/{title}")
    mod.get_by_label("Content").fill("# Launch\n\nToday!")
    mod.get_by_role("button", name="Save").click()
    expect(mod.locator(".prose")).to_contain_text("Today!")


def test_a_moderator_rolls_back_a_vandals_run_of_edits_named_on_the_button(
    safety_server, new_page
):
    app = safety_server[1]
    mod_name, vandal_name = make_account(app, Role.MODERATOR), make_account(app)
    mod, vandal = new_page(), new_page()
    title = unique("Offer_")
    log_in(mod, mod_name)
    save_edit(mod, title, "# Offer\n\nTwo months free.")
    log_in(vandal, vandal_name)
    save_edit(vandal, title, "# Offer\n\nBuy elsewhere.")
    save_edit(vandal, title, "# Offer\n\nBuy elsewhere!!!")

    mod.goto(f"/history/{title}")
    mod.get_by_role("button", name=f"Roll back {vandal_name}’s 2 edits").click()
    expect(mod.get_by_text("The edits were rolled back.")).to_be_visible()
    expect(mod.locator(".history-row").first).to_contain_text(
        f"Reverted edits by {vandal_name} to the last revision by {mod_name}"
    )
    mod.goto(f"/wiki/{title}")
    expect(mod.locator(".prose")).to_contain_text("Two months free.")
    # The last editor is now the moderator, whose one edit has the vandal's to return to.
    mod.goto(f"/history/{title}")
    expect(mod.get_by_role("button", name=f"Roll back {mod_name}’s edit")).to_be_visible()


def test_the_protect_page_has_the_page_tabs_and_says_who_is_a_newcomer(safety_server, new_page):
    app = safety_server[1]
    mod = new_page()
    title = unique("Tariffs_")
    log_in(mod, make_account(app, Role.MODERATOR))
    save_edit(mod, title, "# Tariffs\n\nThis year's.")

    # From the page, its Protect tab; the protect page keeps the page's tabs, as Move does.
    mod.get_by_role("navigation", name="Page views").get_by_role("link", name="Protect").click()
    mod.wait_for_url(f"**/protect/{title}")
    views = mod.get_by_role("navigation", name="Page views")
    for name in ("Page", "Edit", "History"):
        expect(views.get_by_role("link", name=name, exact=True)).to_be_visible()
    expect(views.get_by_role("link", name="Protect")).to_have_attribute("aria-current", "page")
    newcomers = mod.get_by_label("Edits by visitors without an account and by newcomers")
    expect(newcomers).to_have_accessible_description(re.compile(r"accepted edits"))
    expect(mod.locator("#newcomer-limits")).to_be_visible()
    views.get_by_role("link", name="History", exact=True).click()
    mod.wait_for_url(f"**/history/{title}")


def test_a_rate_limited_login_shows_the_form_again_saying_how_long_to_wait(tmp_path, browser):
    config = {
        "RATELIMIT_ENABLED": True,
        "RATE_LIMIT_LOGIN": "3/minute",
        "LOGIN_FREE_FAILURES": 100,  # this test is about the rate limit, not the throttle
    }
    with serve(tmp_path, **config) as (url, app):
        name = make_account(app)
        context = browser.new_context(base_url=url)
        page = context.new_page()
        try:
            for _ in range(3):
                page.goto("/login")
                page.get_by_label("Username").fill(name)
                page.get_by_label("Password").fill("not my password")
                page.get_by_role("button", name="Log in").click()
                expect(page.get_by_role("alert")).to_contain_text("not right")
            page.get_by_label("Password").fill(PASSWORD)
            with page.expect_response(lambda r: r.url.endswith("/login")) as answer:
                page.get_by_role("button", name="Log in").click()
            response = answer.value
            assert response.status == 429
            wait = int(response.headers["retry-after"])
            assert wait >= 1
            expect(page.get_by_role("heading", name="Log in")).to_be_visible()
            expect(page.get_by_role("alert")).to_contain_text(re.compile(rf"Wait {wait} second"))
            expect(page.get_by_label("Username")).to_have_value(name)
            expect(page.get_by_label("Password")).to_be_visible()
        finally:
            context.close()


def test_one_typo_then_the_right_password_logs_in_and_register_says_who_is_in(
    safety_server, new_page
):
    name = make_account(safety_server[1])
    page = new_page()
    page.goto("/login")
    page.get_by_label("Username").fill(name)
    page.get_by_label("Password").fill("not my password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_contain_text("not right")
    expect(page.get_by_label("Username")).to_have_value(name)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()

    # Opening the registration form again says who is logged in, and offers no form.
    page.goto("/register")
    notice = page.locator("main").get_by_role("status")
    expect(notice).to_contain_text(f"You are already logged in as {name}.")
    expect(notice.get_by_role("link", name=name)).to_be_visible()
    expect(page.get_by_label("Confirm password")).to_have_count(0)
    page.locator("main").get_by_role("button", name="Log out").click()
    expect(page.get_by_role("link", name="Log in", exact=True)).to_be_visible()

    # Registering with a taken name and unfit passwords: every problem is said at once.
    page.goto("/register")
    page.get_by_label("Username").fill(name)
    page.get_by_label("Password", exact=True).fill("short")
    page.get_by_label("Confirm password").fill("shorter")
    page.get_by_role("button", name="Create account").click()
    for problem in ("already taken", "at least 10 characters", "do not match"):
        expect(page.locator("main")).to_contain_text(problem)
    expect(page.get_by_label("Username")).to_have_value(name)


def test_a_moderator_hides_a_comment_and_others_see_it_was_hidden(safety_server, new_page):
    app = safety_server[1]
    mod_name, ed_name, reader_name = (
        make_account(app, Role.MODERATOR),
        make_account(app),
        make_account(app, Role.READER),
    )
    editor, mod, reader = new_page(), new_page(), new_page()
    title = unique("Offers_")
    log_in(editor, ed_name)
    save_edit(editor, title, "# Offers\n\nSpring deals.")
    editor.goto(f"/talk/{title}")
    editor.get_by_label("Subject").fill("Discount codes")
    editor.get_by_label("Comment").fill("Buy cheap watches at example.com")
    editor.get_by_role("button", name="Add topic").click()
    expect(editor.locator(".comment-body")).to_contain_text("cheap watches")
    thread = editor.url

    log_in(mod, mod_name)
    mod.goto(thread)
    spam = mod.locator("article.comment").filter(has_text="cheap watches").last
    spam.locator("summary", has_text="Moderate").click()
    spam.get_by_label("Reason").fill("Advertising")
    spam.get_by_role("button", name="Hide").click()
    expect(mod.get_by_text("Hidden by a moderator: Advertising")).to_be_visible()

    log_in(reader, reader_name)
    reader.goto(thread)
    expect(reader.get_by_text("Hidden by a moderator: Advertising")).to_be_visible()
    expect(reader.get_by_text("cheap watches")).to_have_count(0)

    reader.goto("/log?action=hide")
    expect(reader.locator(".modlog-entry").first).to_contain_text("Advertising")


def test_an_admin_invites_a_partner_who_registers_and_withdraws_a_second_invitation(
    tmp_path, browser
):
    with serve(tmp_path) as (url, app):
        admin_name = make_account(app, Role.ADMIN)
        admin_context = browser.new_context(base_url=url)
        guest_context = browser.new_context(base_url=url)
        admin, guest = admin_context.new_page(), guest_context.new_page()
        try:
            log_in(admin, admin_name)
            admin.goto("/admin/settings")
            admin.get_by_label("Only with an invitation link").check()
            admin.get_by_role("button", name="Save policy").click()
            expect(admin.get_by_text("The site policy is saved.")).to_be_visible()

            admin.goto("/admin/invites")
            admin.get_by_label("For whom").fill("Giulia at Acme")
            admin.get_by_role("button", name="Make an invitation link").click()
            link = admin.get_by_role("textbox", name="Invitation link").input_value()
            admin.get_by_label("For whom").fill("Paolo at Beta")
            admin.get_by_role("button", name="Make an invitation link").click()
            second = admin.get_by_role("textbox", name="Invitation link").input_value()

            guest.goto(link)
            expect(guest.get_by_text("You are invited to")).to_be_visible()
            guest.get_by_label("Username").fill("giulia")
            guest.get_by_label("Password", exact=True).fill(PASSWORD)
            guest.get_by_label("Confirm password").fill(PASSWORD)
            guest.get_by_role("button", name="Create account").click()
            expect(guest.get_by_role("button", name="Log out")).to_be_visible()

            admin.goto("/admin/invites")
            expect(admin.get_by_role("row", name="Giulia at Acme")).to_contain_text(
                "Used by giulia"
            )
            admin.once("dialog", lambda dialog: dialog.accept())
            admin.get_by_role("button", name="Withdraw Paolo at Beta").click()
            expect(admin.get_by_text("The invitation no longer works.")).to_be_visible()
            expect(admin.get_by_role("row", name="Paolo at Beta")).to_contain_text(
                "No longer works"
            )

            guest.get_by_role("button", name="Log out").click()
            guest.goto(second)
            expect(guest.get_by_text("You need an invitation link")).to_be_visible()
        finally:
            admin_context.close()
            guest_context.close()
