"""Bob watches a page; Alice edits it and answers Bob; Bob sees the bell and both notices.

This module serves its own fresh wiki (it overrides live_server): the accounts it
registers then do not count against the shared server's registration rate limit.
"""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import register, serve, unique


@pytest.fixture(scope="module")
def live_server(tmp_path_factory):
    """Serve a fresh wiki for this module; yield its base URL."""
    with serve(tmp_path_factory.mktemp("community-live")) as (url, _app):
        yield url


def test_bob_hears_about_alices_edit_and_reply(new_page):
    bob_name, alice_name = unique("bob"), unique("alice")
    bob, alice = new_page(), new_page()
    register(bob, bob_name)
    register(alice, alice_name)
    title = unique("Campaign_")
    display = title.replace("_", " ")

    # Alice writes the page.
    alice.goto(f"/edit/{title}")
    alice.get_by_label("Content").fill("# Spring\n\nWe launch in spring.")
    alice.get_by_role("button", name="Save").click()
    expect(alice.get_by_role("heading", name="Spring")).to_be_visible()

    # Bob watches it with the star and asks a question on its talk page.
    bob.goto(f"/wiki/{title}")
    bob.get_by_role("button", name="Watch", exact=True).click()
    expect(bob.get_by_role("button", name="Unwatch", exact=True)).to_be_visible()
    expect(bob.locator(".bell-count")).to_have_count(0)
    bob.goto(f"/talk/{title}")
    bob.get_by_label("Subject").fill("Which date?")
    bob.get_by_label("Comment").fill("When exactly do we launch?")
    bob.get_by_role("button", name="Add topic").click()
    expect(bob.get_by_role("heading", name="Which date?")).to_be_visible()

    # Alice edits the page, then answers Bob's comment.
    alice.goto(f"/edit/{title}")
    alice.get_by_label("Content").fill("# Spring\n\nWe launch on 21 March.")
    alice.get_by_label("Edit summary").fill("The launch date")
    alice.get_by_role("button", name="Save").click()
    expect(alice.get_by_text("We launch on 21 March.")).to_be_visible()
    alice.goto(f"/talk/{title}")
    alice.get_by_role("link", name="Which date?").click()
    # Reply opens the inline form once talk.js runs; a click before that follows the link.
    alice.wait_for_url(re.compile(r"/talk/.+/\d+$"))  # waits for "load": scripts have run
    question = alice.locator("article.comment").filter(
        has=alice.locator(".comment-body", has_text="When exactly")
    )
    question.get_by_role("link", name="Reply").click()
    form = alice.locator(".inline-reply-form")
    form.get_by_label("Comment").fill("On 21 March, see the page.")
    form.get_by_role("button", name="Post reply").click()
    expect(alice.locator(".comment-body", has_text="On 21 March")).to_be_visible()

    # Bob sees the bell count, then both notifications, newest first.
    bob.goto(f"/wiki/{title}")
    expect(bob.locator(".bell-count")).to_have_text("2")
    bob.get_by_role("link", name="Notifications, 2 unread").click()
    # Mark as read posts with fetch once notifications.js runs; a click before that sends
    # the plain form and reloads the page (and the beacon below would never be sent).
    bob.wait_for_url(re.compile(r"/notifications$"))  # waits for "load": scripts have run
    items = bob.locator(".notification-link")
    expect(items).to_have_count(2)
    expect(items.nth(0)).to_have_text(f"{alice_name} replied to you in “Which date?” on {display}")
    expect(items.nth(1)).to_have_text(f"{alice_name} edited {display}")
    expect(bob.locator(".notification").nth(1)).to_contain_text("The launch date")  # why

    # Marking the reply read updates the bell without a reload; the edit leads to its diff.
    bob.evaluate("window.notReloaded = true")
    bob.locator(".notification").nth(0).get_by_role("button", name="Mark as read").click()
    expect(bob.locator(".bell-count")).to_have_text("1")
    assert bob.evaluate("window.notReloaded") is True
    items.nth(1).click()
    expect(bob.locator(".diff")).to_contain_text("21 March")
    bob.goto("/notifications")
    expect(bob.locator(".notification.is-unread")).to_have_count(0)
    expect(bob.locator(".bell-count")).to_have_count(0)
