"""Two people discuss a page in Chromium; a moderator hides a comment.

This module serves its own fresh wiki (it overrides live_server), so that it can give
accounts their roles through the app it holds.
"""

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import update

from tests.e2e.helpers import register, serve, unique
from tests.helpers import add_user
from wiki.database import write_transaction
from wiki.identity import user_key
from wiki.models import Role, User


@pytest.fixture(scope="module")
def talk_server(tmp_path_factory):
    """Serve a fresh wiki; yield its base URL and the app, to set roles directly."""
    with serve(tmp_path_factory.mktemp("talk-live")) as served:
        yield served


@pytest.fixture(scope="module")
def live_server(talk_server):
    """Point the browser fixtures at this module's wiki."""
    return talk_server[0]


def set_role(app, username: str, role: Role) -> None:
    """Give an account a role, as an administrator would."""
    with app.app_context(), write_transaction() as session:
        session.execute(update(User).where(User.key == user_key(username)).values(role=role))


def comment(page, text: str):
    """Return the comment whose own text contains text."""
    body = page.locator(".comment-body", has_text=text)
    return page.locator("article.comment").filter(has=body).last


def test_two_people_discuss_a_page_and_a_moderator_hides_a_comment(talk_server, new_page):
    app = talk_server[1]
    anna_name, bruno_name, mod_name = unique("anna"), unique("bruno"), unique("mod")
    anna, bruno, mod = new_page(), new_page(), new_page()
    for tab, name in ((anna, anna_name), (bruno, bruno_name), (mod, mod_name)):
        register(tab, name)
        expect(tab.get_by_role("button", name="Log out")).to_be_visible()
    set_role(app, anna_name, Role.EDITOR)
    set_role(app, bruno_name, Role.EDITOR)
    set_role(app, mod_name, Role.MODERATOR)

    # Anna writes a page and starts a topic about it.
    title = unique("Launch_")
    anna.goto(f"/edit/{title}")
    anna.get_by_label("Content").fill("# Launch\n\nWe launch in spring.")
    anna.get_by_role("button", name="Save").click()
    anna.get_by_role("link", name="Discussion").click()
    expect(anna.get_by_text("No one has started a topic about this page yet.")).to_be_visible()
    anna.get_by_label("Subject").fill("Spring or summer?")
    anna.get_by_label("Comment").fill(f"Should we say *spring*, @{bruno_name}?")
    anna.get_by_role("button", name="Add topic").click()
    expect(anna.get_by_role("heading", name="Spring or summer?")).to_be_visible()
    expect(anna.locator(".comment-body em")).to_have_text("spring")
    expect(anna.get_by_role("link", name=f"@{bruno_name}")).to_have_attribute(
        "href", f"/user/{bruno_name}"
    )

    # Bruno finds the topic through the tab and answers inline, without a reload.
    bruno.goto(f"/wiki/{title}")
    bruno.get_by_role("link", name="Discussion (1)").click()
    bruno.get_by_role("link", name="Spring or summer?").click()
    # Reply opens the inline form once talk.js runs; a click before that follows the link.
    bruno.wait_for_url(re.compile(r"/talk/.+/\d+$"))  # waits for "load"
    bruno.evaluate("window.notReloaded = true")
    comment(bruno, "Should we say").get_by_role("link", name="Reply").click()
    inline = bruno.locator(".inline-reply-form")
    inline.get_by_label("Comment").fill("Summer, the ads are booked for June.")
    inline.get_by_role("button", name="Post reply").click()
    answer = comment(bruno, "the ads are booked")
    expect(answer).to_be_visible()
    expect(bruno.locator("ol.replies article.comment")).to_have_count(1)
    expect(inline).to_have_count(0)
    assert bruno.evaluate("window.notReloaded") is True

    # Anna sees the answer and replies to it, nested one level deeper.
    anna.reload()
    # A reply form opened and left empty gives way to the next one: one form at a time.
    comment(anna, "Should we say").get_by_role("link", name="Reply").click()
    expect(anna.locator(".inline-reply-form")).to_have_count(1)
    comment(anna, "the ads are booked").get_by_role("link", name="Reply").click()
    inline = anna.locator(".inline-reply-form")
    expect(inline).to_have_count(1)
    expect(anna.locator("ol.replies .inline-reply-form")).to_have_count(1)
    inline.get_by_label("Comment").fill("Then summer it is.")
    inline.get_by_role("button", name="Post reply").click()
    expect(anna.locator("ol.replies ol.replies .comment-body")).to_have_text("Then summer it is.")

    # Anna edits her first comment; the earlier text stays readable.
    comment(anna, "Should we say").get_by_role("link", name="Edit").click()
    anna.get_by_label("Comment").fill("Should we say *summer*?")
    anna.get_by_role("button", name="Save").click()
    first = comment(anna, "Should we say")
    expect(first.locator("em")).to_have_text("summer")
    first.get_by_role("link", name="edited").click()
    expect(anna.locator(".comment-version")).to_have_count(2)
    expect(anna.locator(".comment-version").last).to_contain_text("Should we say spring")

    # A permalink scrolls to the comment and marks it as the target.
    answer_id = answer.get_attribute("id")
    bruno.goto(re.sub(r"#.*$", "", bruno.url) + f"#{answer_id}")
    target = bruno.locator(":target")
    expect(target).to_have_attribute("id", answer_id)
    expect(target).to_be_in_viewport()

    # The moderator hides Bruno's answer; everyone sees why, nobody sees the text.
    mod.goto(bruno.url)
    hidden = comment(mod, "the ads are booked")
    hidden.locator("summary", has_text="Moderate").click()
    hidden.get_by_label("Reason").fill("Internal dates")
    hidden.get_by_role("button", name="Hide").click()
    expect(mod.get_by_text("Hidden by a moderator: Internal dates")).to_be_visible()
    anna.goto(bruno.url)
    expect(anna.get_by_text("Hidden by a moderator: Internal dates")).to_be_visible()
    expect(anna.get_by_text("the ads are booked")).to_have_count(0)
    expect(anna.locator(".comment-body", has_text="Then summer it is.")).to_be_visible()
    expect(anna.locator("article.comment-hidden .comment-body")).to_have_count(0)

    # Bruno alone is told why, under the bell, and reads his own words, marked as hidden.
    bruno.goto("/notifications")
    told = bruno.locator(".notification-hidden")
    expect(told).to_contain_text("A moderator hid your comment in “Spring or summer?”")
    expect(told).to_contain_text("Reason: Internal dates")
    told.locator("a.notification-link").click()
    mine = bruno.locator("article.comment-hidden")
    expect(mine).to_be_in_viewport()
    expect(mine.get_by_text("Hidden by a moderator: Internal dates")).to_be_visible()
    expect(mine.get_by_text("Only you and the moderators can read it.")).to_be_visible()
    expect(mine.locator(".comment-body")).to_have_text("Summer, the ads are booked for June.")
    expect(mine.get_by_role("button", name="Unhide")).to_have_count(0)
    anna.goto("/notifications")
    expect(anna.locator(".notification-hidden")).to_have_count(0)


def test_replying_works_without_javascript(talk_server, browser, live_server):
    context = browser.new_context(base_url=live_server, java_script_enabled=False)
    try:
        page = context.new_page()
        name = unique("plain")
        register(page, name)
        set_role(talk_server[1], name, Role.EDITOR)
        title = unique("Plain_")
        page.goto(f"/edit/{title}")
        page.get_by_label("Content").fill("Text")
        page.get_by_role("button", name="Save").click()
        page.goto(f"/talk/{title}")
        page.get_by_label("Subject").fill("No script")
        page.get_by_label("Comment").fill("Works?")
        page.get_by_role("button", name="Add topic").click()
        comment(page, "Works?").get_by_role("link", name="Reply").click()
        expect(page.locator(".replying-to")).to_contain_text(f"@{name}")
        page.get_by_label("Comment").fill("It does.")
        page.get_by_role("button", name="Post reply").click()
        expect(page.locator("ol.replies .comment-body")).to_have_text("It does.")
    finally:
        context.close()


def test_a_reply_box_offers_names_to_mention(talk_server, page):
    """Typing "@gi" offers giulia; Enter takes her name, and the posted reply mentions her."""
    app = talk_server[1]
    with app.app_context():
        add_user("giulia")  # this module's wiki is its own: no other giulia
    name = unique("marta")
    register(page, name)
    set_role(app, name, Role.EDITOR)
    title = unique("Mention_")
    page.goto(f"/edit/{title}")
    page.get_by_label("Content").fill("Text")
    page.get_by_role("button", name="Save").click()
    page.goto(f"/talk/{title}")
    page.get_by_label("Subject").fill("Who checks the figures?")
    page.get_by_label("Comment").fill("Someone should.")
    page.get_by_role("button", name="Add topic").click()
    expect(page.get_by_role("heading", name="Who checks the figures?")).to_be_visible()

    asked = []

    def note(request):
        if "/people/suggest" in request.url:
            asked.append(request.url)

    page.on("request", note)
    # The page's own timers, under the test's control: the ~150 ms wait before asking the
    # server passes when the test says so, which makes "nothing was asked" provable below.
    page.clock.install()
    box = page.get_by_role("combobox", name="Comment")

    # An address is no mention: nothing is asked, nothing offered.
    box.press_sequentially("mail@gi")
    page.clock.run_for(1000)
    expect(box).to_have_attribute("aria-expanded", "false")
    box.fill("")

    box.press_sequentially("Thanks @gi")
    page.clock.run_for(1000)
    option = page.get_by_role("option", name="@giulia")
    expect(option).to_be_visible()
    expect(box).to_have_attribute("aria-expanded", "true")
    expect(box).to_have_attribute("aria-autocomplete", "list")
    listbox = page.get_by_role("listbox")
    expect(box).to_have_attribute("aria-controls", listbox.get_attribute("id"))
    expect(box).to_have_attribute("aria-activedescendant", option.get_attribute("id"))
    # The request for "mail@gi" would have come first: the only one is for "Thanks @gi".
    assert len(asked) == 1 and asked[0].endswith("?q=gi")

    box.press("Enter")
    expect(box).to_have_value("Thanks @giulia ")
    expect(listbox).to_be_hidden()
    expect(box).to_have_attribute("aria-expanded", "false")
    page.get_by_role("button", name="Post reply").click()
    expect(comment(page, "Thanks").get_by_role("link", name="@giulia")).to_have_attribute(
        "href", "/user/giulia"
    )


def test_an_inline_reply_updates_the_counts_in_the_readers_language(talk_server, page):
    """The header's "1 comment" and the Discussion tab follow a reply posted without a reload,
    in English and in Italian, and agree with what a reload shows."""
    name = unique("carla")
    register(page, name)
    set_role(talk_server[1], name, Role.EDITOR)
    title = unique("Counts_")
    page.goto(f"/edit/{title}")
    page.get_by_label("Content").fill("Text")
    page.get_by_role("button", name="Save").click()
    for subject in ("Prices", "Photos"):  # two topics: the tab counts both
        page.goto(f"/talk/{title}")
        page.get_by_label("Subject").fill(subject)
        page.get_by_label("Comment").fill(f"About the {subject.lower()}.")
        page.get_by_role("button", name="Add topic").click()
        expect(page.get_by_role("heading", name=subject)).to_be_visible()
    count = page.locator(".page-meta")
    tab = page.locator("nav.tabs").get_by_role("link", name=re.compile(r"^Discussion"))
    expect(count).to_contain_text("1 comment")
    expect(tab).to_have_text("Discussion (2)")

    def reply_inline(to: str, text: str) -> None:
        page.evaluate("window.notReloaded = true")
        comment(page, to).locator("a.comment-reply-link").click()
        inline = page.locator(".inline-reply-form")
        inline.locator("textarea").fill(text)
        inline.locator("button[value=save]").click()
        expect(comment(page, text)).to_be_visible()
        assert page.evaluate("window.notReloaded") is True

    reply_inline("About the photos.", "Only our own photos.")
    expect(count).to_contain_text("2 comments")
    expect(count).not_to_contain_text("1 comment")
    expect(tab).to_have_text("Discussion (3)")

    # In Italian the words come from the server, in Italian.
    page.goto(re.sub(r"#.*$", "", page.url) + "?lang=it")
    tab = page.locator("nav.tabs").get_by_role("link", name=re.compile(r"^Discussione"))
    expect(count).to_contain_text("2 commenti")
    expect(tab).to_have_text("Discussione (3)")
    reply_inline("Only our own photos.", "Anche quelle dei clienti?")
    expect(count).to_contain_text("3 commenti")
    expect(tab).to_have_text("Discussione (4)")

    # A reload says the same.
    page.reload()
    expect(count).to_contain_text("3 commenti")
    expect(tab).to_have_text("Discussione (4)")


def test_a_refused_reply_opens_on_its_message_far_down_a_long_thread(talk_server, page):
    name = unique("long")
    register(page, name)
    set_role(talk_server[1], name, Role.EDITOR)
    title = unique("Long_")
    page.goto(f"/edit/{title}")
    page.get_by_label("Content").fill("Text")
    page.get_by_role("button", name="Save").click()
    page.goto(f"/talk/{title}")
    page.get_by_label("Subject").fill("Long one")
    page.get_by_label("Comment").fill("Start.")
    page.get_by_role("button", name="Add topic").click()
    page.locator("#reply-body").fill("Far too long. " * 2000)  # 28,000 characters
    page.get_by_role("button", name="Post reply").click()
    message = page.get_by_role("alert").filter(has_text="too long")
    expect(message).to_be_focused()
    expect(message).to_be_in_viewport()
    expect(page.locator("#reply-body")).to_have_value(re.compile(r"^Far too long\."))
