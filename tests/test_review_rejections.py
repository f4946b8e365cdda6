"""A rejection as the people concerned hear of it, and review states in lists of changes."""

import re

import pytest
from sqlalchemy import select

from tests.helpers import page_named, save, text
from wiki.community.models import Notification
from wiki.community.watch import notifications, watching
from wiki.extensions import db
from wiki.models import Role
from wiki.review import publishing

OLD = "To be or not to be."
NEW = "To be or not to be: that is the question."
#: In the rejection's reason only: a reader must never see it.
REASON = "Quuxtangle keeps the quote"


@pytest.fixture
def site(app, make_page, make_user, people):
    """The tester's site: alice the admin, bob an editor; a published Home page carol
    watches; then every edit waits for review."""
    make_user("alice", role=Role.ADMIN)
    make_page("Home", OLD)
    watching.watch(people["carol"], page_named("Home"))
    app.config["REVIEW_POLICY"] = "all"
    return people


def kinds(user) -> list[str]:
    db.session.rollback()
    return [line.kind for line in notifications.list_items(user).items]


def review(client, action: str, reason: str = REASON) -> None:
    """Accept or reject Home's waiting changes from the review screen."""
    revision = page_named("Home").latest_revision_id
    form = {"action": action, "revision": revision, "reason": reason}
    assert client.post("/review/Home", data=form).status_code == 302


def test_rejecting_an_edit_tells_its_author_of_the_rejection_only(site, login_as):
    bob = site["bob"]
    save("Home", NEW, bob, summary="punchier quote")
    review(login_as(site["alice"]), "reject")
    assert page_named("Home").latest.text == OLD  # a revision by alice took the change out
    assert kinds(bob) == ["rejected"]
    page = text(login_as(bob).get("/notifications"))
    assert "alice rejected your changes to Home" in page and f"Reason: {REASON}" in page
    assert "edited Home" not in page


def test_a_watcher_told_of_the_waiting_edits_hears_once_that_they_were_rejected(site, login_as):
    bob, carol, dave = site["bob"], site["carol"], site["dave"]
    save("Home", NEW, bob, summary="punchier quote")
    later = save("Home", NEW + " Whether 'tis nobler.", bob)
    watching.watch(dave, page_named("Home"))  # too late to hear of bob's edits
    assert kinds(carol) == ["edit"]
    review(login_as(site["alice"]), "reject")
    undo = page_named("Home").latest_revision_id
    assert kinds(carol) == ["watch_rejected", "edit"]
    assert kinds(dave) == [] and kinds(site["alice"]) == []
    assert kinds(bob) == ["rejected"]
    # The page's creator watches it too and heard of bob's edits: it hears of the rejection.
    assert kinds(site["pagebot"]) == ["watch_rejected", "edit"]
    told = db.session.scalars(select(Notification).where(Notification.revision_id == undo))
    assert list(told) == []  # nobody is told of the revision that took the edits out as news
    line = notifications.list_items(carol).items[0]
    assert (line.to_revision, line.actors) == (later.revision.id, ["alice"])
    page = text(login_as(carol).get("/notifications"))
    assert "alice rejected the waiting changes to Home" in page and f"Reason: {REASON}" in page
    assert f'href="/revision/{later.revision.id}"' in page


def test_rejecting_a_page_nobody_published_tells_its_author_and_its_watchers(site):
    bob, carol = site["bob"], site["carol"]
    save("Launch", "Our launch.", bob)
    watching.watch(carol, page_named("Launch"))
    later = save("Launch", "Our big launch.", site["dave"])
    publishing.reject(site["alice"], page_named("Launch"), later.revision.id, REASON)
    assert page_named("Launch").latest_revision_id == later.revision.id  # nothing to undo
    # Bob heard of dave's edit before; of the rejection, each author hears as an author.
    assert kinds(bob) == ["rejected", "edit"] and kinds(site["dave"]) == ["rejected"]
    assert kinds(carol) == ["watch_rejected", "edit"]


def row_of(page: str, summary: str) -> str:
    """Return the list row (li) whose summary is this one."""
    rows = re.findall(r'<li class="history-row change-row.*?</li>', page, re.S)
    [row] = [row for row in rows if f"({summary})" in row]
    return row


def test_recent_changes_show_the_review_state_as_the_history_does(site, login_as, client):
    bob = site["bob"]
    save("Home", NEW, bob, summary="punchier quote")
    carol = login_as(site["carol"])
    waiting = row_of(text(carol.get("/recent")), "punchier quote")
    assert '<span class="badge badge-waiting">waiting for review</span>' in waiting
    history = text(carol.get("/history/Home"))
    assert '<span class="badge badge-waiting">waiting for review</span>' in history
    # Drawn once per row's data: the review changes the data, so the row is drawn again.
    review(login_as(site["alice"]), "reject")
    for url in ("/recent", "/watchlist", "/user/bob"):
        rejected = row_of(text(carol.get(url)), "punchier quote")
        assert f'<span class="badge badge-rejected" title="{REASON}">rejected</span>' in rejected
        assert "badge-waiting" not in rejected, url
    undo = row_of(text(carol.get("/recent")), f"Rejected pending changes: {REASON}")
    assert "badge-rejected" not in undo and "badge-waiting" not in undo
    # The reviewer's revision is a review, not an undo made by hand.
    assert '<span class="badge badge-reject">review</span>' in undo
    assert "badge-undo" not in undo


def test_an_accepted_edit_loses_its_badge(site, login_as):
    save("Home", NEW, site["bob"], summary="punchier quote")
    carol = login_as(site["carol"])
    assert "badge-waiting" in row_of(text(carol.get("/recent")), "punchier quote")
    review(login_as(site["alice"]), "accept")
    accepted = row_of(text(carol.get("/recent")), "punchier quote")
    assert "badge" not in accepted


def test_readers_who_may_not_see_waiting_changes_see_neither_them_nor_their_badges(
    site, login_as, client
):
    save("Home", NEW, site["bob"], summary="punchier quote")
    save("Launch", "Our launch.", site["bob"], summary="new launch page")
    carol = login_as(site["carol"])
    assert "badge-waiting" in text(carol.get("/recent"))  # drawn first for a member
    for url in ("/recent", "/user/bob", "/recent?days=1&show=pages"):
        page = text(client.get(url))
        for word in ("punchier quote", "new launch page", "badge-waiting", "waiting for review"):
            assert word not in page, (url, word)
    review(login_as(site["alice"]), "reject")
    carol.get("/recent")
    for url in ("/recent", "/user/bob"):
        page = text(client.get(url))
        assert "punchier quote" not in page and "badge-rejected" not in page, url
        assert 'title="' + REASON not in page


def test_the_revision_taking_rejected_changes_out_says_so_in_the_readers_language(site, login_as):
    save("Home", NEW, site["bob"], summary="punchier quote")
    review(login_as(site["alice"]), "reject")
    carol = login_as(site["carol"])
    italian = text(carol.get("/history/Home", headers={"Accept-Language": "it"}))
    english = text(carol.get("/history/Home", headers={"Accept-Language": "en"}))
    assert f"Rejected pending changes: {REASON}" in english
    assert f"Rejected pending changes: {REASON}" not in italian
    assert REASON in italian


def test_rejecting_changes_that_end_only_in_blank_lines_settles_them(site, login_as):
    bob = site["bob"]
    save("Home", OLD + "\n\nextra", bob, summary="more")
    save("Home", OLD + "\n\n", bob, summary="less")
    review(login_as(site["alice"]), "reject")
    db.session.rollback()
    assert publishing.waiting_ids(page_named("Home").id) == []
    assert kinds(bob).count("rejected") >= 1


def test_a_rejected_new_page_is_shown_to_nobody_and_waits_for_nothing(site, login_as, client):
    save("Launch", "Buy our pills.", site["bob"])
    publishing.reject(
        site["alice"], page_named("Launch"), page_named("Launch").latest_revision_id, REASON
    )
    for who in ("bob", "carol"):  # its author and any other editor
        answer = login_as(site[who]).get("/wiki/Launch")
        page = text(answer)
        assert answer.status_code == 404 and "Buy our pills" not in page
        assert "A reviewer did not accept this page" in page and REASON in page
        assert 'href="/edit/Launch"' in page
    visitor = text(client.get("/wiki/Launch"))
    assert "Buy our pills" not in visitor and REASON not in visitor
    assert "waiting for review" not in visitor and "does not exist yet" in visitor
    # Edited again, it waits for review again, and editors read the new text.
    save("Launch", "Our launch, in May.", site["bob"])
    again = text(login_as(site["carol"]).get("/wiki/Launch"))
    assert "Our launch, in May." in again and "did not accept" not in again


def test_a_visitor_compares_each_published_revision_with_the_one_before_they_see(
    site, client, login_as
):
    """A rejected edit between two published revisions is not a visitor's "prev", nor what
    the size change is measured from (it pointed at a revision they get 404 for)."""
    first = page_named("Home").latest_revision_id
    save("Home", NEW, site["bob"])
    publishing.reject(site["alice"], page_named("Home"), page_named("Home").latest_revision_id,
                      "Not the quote")  # fmt: skip
    rejection = page_named("Home").latest_revision_id
    history = text(client.get("/history/Home"))
    prev = re.findall(r'href="/diff/Home\?from=(\d+)&amp;to=(\d+)">prev', history)
    assert prev == [(str(first), str(rejection))]
    assert client.get(f"/diff/Home?from={first}&to={rejection}").status_code == 200
    row = re.search(r'<li class="history-row">.*?</li>', history, re.S).group(0)
    assert 'class="size size-same"' in row  # the text a visitor reads did not change
    items = client.get("/api/v1/pages/Home/history").get_json()["items"]
    assert [(item["id"], item["parent"], item["size_change"]) for item in items][0] == (
        rejection,
        first,
        0,
    )
    # Someone who sees the rejected edit compares with it, as before.
    member = text(login_as(site["carol"]).get("/history/Home"))
    assert f"from={rejection - 1}&amp;to={rejection}" in member


def test_the_author_of_a_rejected_change_is_led_to_talk_it_over(site, login_as):
    """From the rejection's notification the author opens their revision: it says it was
    rejected and why, leads to the talk page, and restoring it says it asks for review."""
    mine = save("Home", NEW, site["bob"]).revision
    publishing.reject(site["alice"], page_named("Home"), mine.id, REASON)
    bob = login_as(site["bob"])
    told = text(bob.get("/notifications"))
    assert f'href="/revision/{mine.id}"' in told
    page = text(bob.get(f"/revision/{mine.id}"))
    assert "A reviewer rejected this change." in page and REASON in page
    assert 'href="/talk/Home"' in page
    assert "Send it for review again" in page and "Restore this version" not in page
