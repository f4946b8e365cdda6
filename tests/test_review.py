"""Pending changes: who waits, what the public sees, accept and reject, the review screens."""

import re
import threading

import pytest
from sqlalchemy import select

from tests.helpers import edit, latest_id, page_named, save, text
from wiki.extensions import db
from wiki.models import Role
from wiki.review import publishing
from wiki.review.models import PUBLISHED, REJECTED, WAITING, RevisionReview
from wiki.review.settings import save_settings

OLD = "Our product is fast."
NEW = "Our product is fast and zanzibarquux."


@pytest.fixture
def newcomers(app):
    """Review edits by newcomers (the thresholds are the defaults: 10 edits, 4 days)."""
    app.config["REVIEW_POLICY"] = "newcomers"


@pytest.fixture
def product(make_page):
    """A published product page, by the trusted page bot (review was off then)."""
    return make_page("Product", OLD)


def state_of(revision_id: int) -> str:
    db.session.rollback()
    row = db.session.get(RevisionReview, revision_id)
    return row.state if row is not None else PUBLISHED


def test_a_newcomers_edit_waits_and_the_public_reads_the_published_version(
    app, product, newcomers, people, client, login_as
):
    published = product.latest_revision_id
    result = save("Product", NEW, people["newbie"])
    assert state_of(result.revision.id) == WAITING
    assert page_named("Product").published_revision_id == published
    public = text(client.get("/wiki/Product"))
    assert OLD in public and "zanzibarquux" not in public
    member = login_as(people["carol"])
    seen = text(member.get("/wiki/Product"))
    assert "zanzibarquux" in seen and "1 change waits for review (made" in seen
    assert "zanzibarquux" not in text(member.get("/wiki/Product?stable=1"))
    assert "zanzibarquux" in text(member.get("/wiki/Product?stable=0"))
    assert client.get("/wiki/Product?stable=maybe").status_code == 400


def test_the_editor_says_before_saving_that_the_edit_will_wait(
    app, product, newcomers, people, login_as
):
    notice = "A reviewer checks your edit before visitors see it"
    assert notice in text(login_as(people["newbie"]).get("/edit/Product"))
    assert notice in text(login_as(people["newbie"]).get("/edit/Brand_new_page"))
    assert notice not in text(login_as(people["mod"]).get("/edit/Product"))
    save_settings(people["admin"], "off", 0, 0)
    assert notice not in text(login_as(people["newbie"]).get("/edit/Product"))


def test_reviewers_and_review_off_publish_at_once(app, product, newcomers, people):
    reviewer = people["rita"]
    with db.session.begin():
        reviewer.role = Role.REVIEWER
    result = save("Product", NEW, reviewer)
    assert page_named("Product").published_revision_id == result.revision.id
    app.config["REVIEW_POLICY"] = "off"
    again = save("Product", OLD, people["newbie"])
    assert page_named("Product").published_revision_id == again.revision.id


def test_an_admin_setting_overrides_the_config_and_sets_the_thresholds(app, product, people):
    app.config["REVIEW_POLICY"] = "off"
    save_settings(people["admin"], "newcomers", 0, 0)
    # With no thresholds nobody is a newcomer, except visitors without an account.
    assert page_named("Product") is not None
    trusted = save("Product", NEW, people["newbie"])
    assert state_of(trusted.revision.id) == PUBLISHED
    save_settings(people["admin"], "all", 0, 0)
    waits = save("Product", OLD, people["newbie"])
    assert state_of(waits.revision.id) == WAITING


def test_a_trusted_edit_on_top_of_waiting_changes_waits_with_them_unless_published(
    app, product, newcomers, people
):
    published = product.latest_revision_id
    save("Product", NEW, people["newbie"])
    mine = save("Product", NEW + "\n\nMore.", people["moderator"])
    assert state_of(mine.revision.id) == WAITING
    assert page_named("Product").published_revision_id == published


def test_accept_publishes_up_to_the_revision_shown_and_later_edits_keep_waiting(
    app, product, newcomers, people
):
    first = save("Product", NEW, people["newbie"])
    shown = first.revision.id
    later = save("Product", NEW + "\n\nLater.", people["other"])
    outcome = publishing.accept(people["moderator"], page_named("Product"), shown)
    assert outcome.settled == 1 and outcome.still_waiting == 1
    assert page_named("Product").published_revision_id == shown
    assert state_of(shown) == PUBLISHED and state_of(later.revision.id) == WAITING


def test_accepting_twice_or_an_older_revision_never_moves_the_pointer_back(
    app, product, newcomers, people
):
    first = save("Product", NEW, people["newbie"])
    second = save("Product", NEW + "\n\nLater.", people["newbie"])
    publishing.accept(people["moderator"], page_named("Product"), second.revision.id)
    with pytest.raises(Exception) as refused:
        publishing.accept(people["mod"], page_named("Product"), first.revision.id)
    assert refused.value.status == 409
    assert page_named("Product").published_revision_id == second.revision.id


def test_two_reviewers_accepting_at_once_leave_the_newest_published(
    app, product, newcomers, people
):
    first = save("Product", NEW, people["newbie"])
    second = save("Product", NEW + "\n\nLater.", people["newbie"])
    moderator, admin = people["moderator"], people["admin"]
    ids = {"moderator": first.revision.id, "admin": second.revision.id}
    errors = []
    barrier = threading.Barrier(2)

    def review(name: str, user_id: int) -> None:
        with app.app_context():
            from wiki.models import User

            user = db.session.get(User, user_id)
            barrier.wait()
            try:
                publishing.accept(user, page_named("Product"), ids[name])
            except Exception as error:  # the loser is told it was already published
                errors.append(getattr(error, "status", error))
            finally:
                db.session.remove()

    threads = [
        threading.Thread(target=review, args=("moderator", moderator.id)),
        threading.Thread(target=review, args=("admin", admin.id)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    db.session.rollback()  # end this session's read snapshot: read what the threads wrote
    assert page_named("Product").published_revision_id == second.revision.id, errors
    assert errors in ([], [409]), errors


def test_reject_undoes_the_waiting_edits_and_publishes_the_result(
    app, product, newcomers, people, login_as
):
    waiting = save("Product", NEW, people["newbie"])
    publishing.reject(people["moderator"], page_named("Product"), waiting.revision.id, "Spam")
    page = page_named("Product")
    assert state_of(waiting.revision.id) == REJECTED
    assert page.published_revision_id == page.latest_revision_id
    assert page.latest.text == OLD
    newbie = login_as(people["newbie"])
    notifications = text(newbie.get("/notifications"))
    assert "Spam" in notifications and "rejected" in notifications


def test_reject_needs_a_reason_and_keeps_it_typed(app, product, newcomers, people, login_as):
    save("Product", NEW, people["newbie"])
    moderator = login_as(people["moderator"])
    screen = text(moderator.get("/review/Product"))
    revision = latest_id("Product")
    assert "zanzibarquux" in screen
    response = moderator.post(
        "/review/Product", data={"action": "reject", "revision": revision, "reason": "  "}
    )
    assert response.status_code == 400 and "reason" in text(response)
    assert state_of(revision) == WAITING


def test_the_review_screen_highlights_no_history_tab(app, product, newcomers, people, login_as):
    save("Product", NEW, people["newbie"])
    screen = text(login_as(people["moderator"]).get("/review/Product"))
    tabs = screen.split('class="tabs"', 1)[1].split("</nav>", 1)[0]
    assert 'href="/history/Product"' in tabs  # the tabs are there, to go to the page's views
    assert 'aria-current="page"' not in tabs and "has-current" not in tabs


def test_the_review_list_shows_waiting_pages_oldest_first_with_a_count(
    app, make_page, people, login_as
):
    make_page("Alpha", "a")
    make_page("Beta", "b")
    app.config["REVIEW_POLICY"] = "newcomers"
    save("Beta", "b2", people["newbie"])
    save("Alpha", "a2", people["other"])
    moderator = login_as(people["moderator"])
    listing = text(moderator.get("/review"))
    assert listing.index("/review/Beta") < listing.index("/review/Alpha")
    assert 'class="review-count"' in listing
    only = text(moderator.get("/review?author=other"))
    assert "Alpha" in only and "/review/Beta" not in only


def test_the_review_screen_accepts_from_the_browser_form(
    app, product, newcomers, people, login_as, client
):
    save("Product", NEW, people["newbie"])
    moderator = login_as(people["moderator"])
    response = moderator.post(
        "/review/Product", data={"action": "accept", "revision": latest_id("Product")}
    )
    assert response.status_code == 302
    assert "zanzibarquux" in text(client.get("/wiki/Product"))
    log = text(moderator.get("/log"))
    assert "Changes accepted" in log


def test_editors_and_visitors_may_not_review(app, product, newcomers, people, login_as, client):
    assert client.get("/review").status_code in (302, 401, 403)
    editor = login_as(people["carol"])
    assert editor.get("/review").status_code == 403
    assert (
        editor.post("/review/Product", data={"action": "accept", "revision": "1"}).status_code
        == 403
    )


def test_a_page_created_by_a_newcomer_is_missing_for_the_public_until_accepted(
    app, newcomers, people, client, login_as
):
    result = save("Launch", "Secret launch zanzibarquux", people["newbie"])
    missing = client.get("/wiki/Launch")
    assert missing.status_code == 404 and "zanzibarquux" not in text(missing)
    # Said to be waiting, not offered to be created again.
    assert "waiting for review" in text(missing) and "Log in to create it" not in text(missing)
    assert "Log in to create it" in text(client.get("/wiki/Nothing_here"))
    seen = text(login_as(people["carol"]).get("/wiki/Launch"))
    assert "zanzibarquux" in seen
    # Nothing is published yet: no published version is offered (it would be a 404).
    assert "stable=1" not in seen and "Nothing of this page is published yet." in seen
    publishing.accept(people["moderator"], page_named("Launch"), result.revision.id)
    assert "zanzibarquux" in text(client.get("/wiki/Launch"))


def test_the_editor_offers_to_publish_the_waiting_changes_with_the_edit(
    app, product, newcomers, people, login_as
):
    save("Product", NEW, people["newbie"])
    moderator = login_as(people["moderator"])
    editor = text(moderator.get("/edit/Product"))
    assert "Publish the waiting changes with my edit" in editor
    response = edit(moderator, "Product", NEW + "\n\nChecked.", publish_waiting="1")
    assert response.status_code == 302
    page = page_named("Product")
    assert page.published_revision_id == page.latest_revision_id
    states = db.session.scalars(select(RevisionReview.state)).all()
    assert set(states) == {PUBLISHED}
    # Published with the moderator's edit, as an acceptance: the newcomer is told.
    notifications = text(login_as(people["newbie"]).get("/notifications"))
    assert "accepted your changes to Product" in notifications


def test_the_publish_tick_survives_preview_and_a_reviewer_is_told_what_waits(
    app, product, newcomers, people, login_as
):
    save("Product", NEW, people["newbie"])
    moderator = login_as(people["moderator"])
    for action in ("preview", "changes"):
        shown = text(
            edit(moderator, "Product", NEW + " Checked.", action=action, publish_waiting="1")
        )
        assert 'name="publish_waiting" value="1" checked' in shown, action
    unticked = text(edit(moderator, "Product", NEW + " Checked.", action="preview"))
    assert 'name="publish_waiting" value="1" checked' not in unticked
    # Saved without the tick, the reviewer's edit waits behind the newcomer's: said plainly.
    edit(moderator, "Product", NEW + " Checked.")
    page = text(moderator.get("/wiki/Product"))
    assert "They wait with the changes that were already waiting" in page
    assert "you are told when they are reviewed" not in page


def test_a_reviewer_accepts_the_earlier_changes_alone_or_edits_then_publishes(
    app, product, newcomers, people, login_as
):
    first = save("Product", NEW, people["newbie"])
    save("Product", NEW + "\n\nBuy cheap pills!", people["spammer"])
    moderator = login_as(people["moderator"])
    screen = text(moderator.get("/review/Product"))
    assert screen.count("Publish up to this change") == 1  # not on the last: Accept does that
    response = moderator.post(
        "/review/Product", data={"action": "accept", "revision": first.revision.id}
    )
    assert response.status_code == 302
    assert page_named("Product").published.text == NEW
    remaining = text(moderator.get("/review/Product"))  # the later change keeps waiting
    assert "pills" in remaining and "Publish up to this change" not in remaining
    # Editing from the review screen comes with the tick to publish set.
    editor = text(moderator.get("/edit/Product?publish_waiting=1"))
    assert 'name="publish_waiting" value="1" checked' in editor


def test_reviewers_review_but_a_blocked_reviewer_does_not(app, product, people, login_as):
    from wiki.access.permissions import can_review
    from wiki.safety import accounts

    reviewer = people["rita"]
    with db.session.begin():
        reviewer.role = Role.REVIEWER
    client = login_as(reviewer)
    assert client.get("/review").status_code == 200
    assert can_review(reviewer)
    accounts.block_user(people["admin"], reviewer, "Testing", "1d")
    assert client.get("/review").status_code == 403


def test_the_admin_sets_the_review_policy_and_bad_numbers_are_refused(
    app, product, people, login_as
):
    admin = login_as(people["admin"])
    form = {
        "read": "everyone",
        "edit": "users",
        "review": "newcomers",
        "review_newcomer_edits": "three",
        "review_newcomer_days": "2",
    }
    refused = admin.post("/admin/settings", data=form)
    assert refused.status_code == 400
    page = text(refused)
    assert "whole number" in page and 'value="three"' in page  # what was typed is kept
    # ... and the other choices as chosen, not as saved before.
    assert 'name="edit" value="users" checked' in page
    assert 'name="edit" value="everyone" checked' not in page
    both = text(admin.post("/admin/settings", data=form | {"review_newcomer_days": "-3"}))
    assert "Accepted edits must be" in both and "Days must be" in both  # both at once
    empty = text(admin.post("/admin/settings", data=form | {"review_newcomer_edits": ""}))
    assert re.search(r'name="review_newcomer_edits"[^>]*value=""', empty)  # not refilled
    saved = admin.post("/admin/settings", data=form | {"review_newcomer_edits": "3"})
    assert saved.status_code == 302
    settings = text(admin.get("/admin/settings"))
    assert 'value="3"' in settings and "Site policy" in text(admin.get("/log"))


def test_a_moderator_sets_one_pages_review_policy_on_the_protection_screen(
    app, product, people, login_as
):
    moderator = login_as(people["moderator"])
    response = moderator.post(
        "/protect/Product", data={"action": "review_policy", "review_policy": "all"}
    )
    assert response.status_code == 302
    assert "Review policy of a page" in text(moderator.get("/log"))
    # Review is off for the site, but on this page every edit but a reviewer's waits.
    waits = save("Product", NEW, people["newbie"])
    assert state_of(waits.revision.id) == WAITING
    other = save("Other page", "text", people["newbie"])
    assert state_of(other.revision.id) == PUBLISHED


def test_a_launch_is_scheduled_and_published_by_the_first_request_after_its_moment(
    app, newcomers, people, login_as, client
):
    from datetime import timedelta

    from wiki.models import utcnow
    from wiki.review.models import ScheduledPublication

    save("Launch", "The new widget zanzibarquux.", people["newbie"])
    moderator = login_as(people["moderator"])
    screen = text(moderator.get("/review/Launch"))
    assert "Publish at (time zone UTC)" in screen
    revision = latest_id("Launch")
    moment = (utcnow() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    refused = moderator.post(
        "/review/Launch", data={"action": "schedule", "revision": revision, "publish_at": "soon"}
    )
    assert refused.status_code == 400 and 'value="soon"' in text(refused)
    response = moderator.post(
        "/review/Launch", data={"action": "schedule", "revision": revision, "publish_at": moment}
    )
    assert response.status_code == 302
    assert "Scheduled to be published" in text(moderator.get("/wiki/Launch"))
    assert client.get("/wiki/Launch").status_code == 404  # not yet, for the public
    assert "Publication scheduled" in text(moderator.get("/log"))
    with db.session.begin():
        row = db.session.get(ScheduledPublication, page_named("Launch").id)
        row.publish_at = utcnow() - timedelta(minutes=1)  # the moment has come
    app.extensions["review_schedule_throttle"].next_check = 0.0
    assert "zanzibarquux" in text(client.get("/wiki/Launch"))
    assert db.session.get(ScheduledPublication, page_named("Launch").id) is None


def test_the_api_says_an_edit_waits_and_serves_visitors_the_published_text(
    app, product, newcomers, people, client
):
    from wiki.api import tokens

    _token, raw = tokens.create_token(people["newbie"], "CMS", ["edit"])
    bearer = {"Authorization": f"Bearer {raw}"}
    saved = client.put(
        "/api/v1/pages/Product",
        json={"text": NEW, "summary": "", "base_revision": latest_id("Product")},
        headers=bearer,
    )
    assert saved.status_code == 200 and saved.get_json()["published"] is False
    assert client.get("/api/v1/pages/Product").get_json()["text"] == OLD
    mine = client.get("/api/v1/pages/Product", headers=bearer).get_json()
    assert mine["text"] == NEW


def test_a_newcomer_does_not_move_pages_while_their_edits_wait_for_review(
    app, product, newcomers, people, login_as
):
    newbie = login_as(people["newbie"])
    refused = newbie.post("/move/Product", data={"new_title": "Scam", "reason": "mine now"})
    assert refused.status_code == 403
    assert "Moving pages is open to trusted editors" in text(refused)
    assert ">Move</a>" not in text(newbie.get("/wiki/Product"))  # not offered either
    assert page_named("Product").title == "Product"
    moderator = login_as(people["moderator"])
    assert moderator.post("/move/Product", data={"new_title": "Our product"}).status_code == 302
