"""Who sees changes waiting for review: everyone logged in, or only reviewers and each
author their own (an admin's choice in /admin/settings)."""

import re

import pytest

from tests.helpers import edit, form_value, page_named, save, text
from wiki.config import ConfigError
from wiki.review import publishing
from wiki.review.settings import current_settings, save_settings

PUBLISHED_TEXT = "Our product is fast."
BOBS = "Our product is fast and zanzibarquux."


@pytest.fixture
def private_review(app, make_page, people):
    """Newcomers' edits wait and only reviewers see waiting changes; bob's edit waits."""
    make_page("Product", PUBLISHED_TEXT)
    app.config.update(REVIEW_POLICY="newcomers", REVIEW_WAITING_SHOWN="reviewers")
    return save("Product", BOBS, people["bob"], summary="zanzibarquux summary").revision


def test_an_admin_chooses_who_sees_waiting_changes_and_it_is_logged(app, people, login_as):
    admin = login_as(people["admin"])
    form = text(admin.get("/admin/settings"))
    assert "Who sees changes while they wait for review" in form
    assert re.search(r'value="members"\s+checked', form)  # the default, as Wikipedia
    fields = {
        "review": "newcomers",
        "review_newcomer_edits": "10",
        "review_newcomer_days": "4",
        "review_waiting_shown": "reviewers",
    }
    assert admin.post("/admin/settings", data=fields).status_code == 302
    assert current_settings().waiting_shown == "reviewers"
    assert re.search(r'value="reviewers"\s+checked', text(admin.get("/admin/settings")))
    log = text(admin.get("/log"))
    assert "Who sees changes while they wait for review" in log
    assert "Only reviewers see them; each author sees their own" in log
    refused = admin.post("/admin/settings", data={**fields, "review_waiting_shown": "all"})
    assert refused.status_code == 400 and current_settings().waiting_shown == "reviewers"


def test_a_form_without_the_choice_keeps_it(app, people):
    save_settings(people["admin"], "newcomers", 10, 4, "reviewers")
    save_settings(people["admin"], "all", 10, 4)
    assert current_settings().waiting_shown == "reviewers"


def test_other_members_read_the_published_version_everywhere(private_review, people, login_as):
    carol = login_as(people["carol"])
    page = text(carol.get("/wiki/Product"))
    assert PUBLISHED_TEXT in page and "zanzibarquux" not in page
    assert "waits for review" not in page
    assert "zanzibarquux" not in text(carol.get("/history/Product"))
    assert carol.get(f"/revision/{private_review.id}").status_code == 404
    assert "zanzibarquux" not in text(carol.get("/recent"))
    assert "zanzibarquux" not in text(carol.get("/edit/Product"))
    assert "zanzibarquux" not in text(carol.get("/api/v1/pages/Product"))


def test_the_author_reads_and_edits_on_from_their_own_waiting_change(
    private_review, people, login_as
):
    bob = login_as(people["bob"])
    page = text(bob.get("/wiki/Product"))
    assert "zanzibarquux" in page and "1 change waits for review" in page
    history = text(bob.get("/history/Product"))
    assert "zanzibarquux summary" in history
    assert bob.get(f"/revision/{private_review.id}").status_code == 200
    editor = text(bob.get("/edit/Product"))
    assert "zanzibarquux" in editor
    assert form_value(editor, "base_revision") == str(private_review.id)
    # Editing on keeps the waiting change (an editor from the published text would drop it).
    assert edit(bob, "Product", BOBS + " Second line.").status_code == 302
    assert "zanzibarquux. Second line." in page_named("Product").latest.text


def test_the_author_finds_their_waiting_edit_in_recent_changes_and_their_contributions(
    private_review, people, login_as
):
    bob = login_as(people["bob"])
    for url in ("/recent", "/user/bob"):
        listing = text(bob.get(url))
        assert "zanzibarquux summary" in listing
        assert "waiting" in listing.lower()  # marked as not yet published
    carol = login_as(people["carol"])
    for url in ("/recent", "/user/bob"):
        assert "zanzibarquux summary" not in text(carol.get(url))


def test_an_author_whose_change_waits_among_others_is_shown_where_theirs_is(
    private_review, people, login_as
):
    dave = save("Product", BOBS + " Dave's words.", people["dave"]).revision
    bob = login_as(people["bob"])
    page = text(bob.get("/wiki/Product"))
    assert "zanzibarquux" not in page and "Dave" not in page
    assert "Your change waits for review" in page
    assert f'href="/revision/{private_review.id}"' in page
    assert "zanzibarquux" in text(bob.get(f"/revision/{private_review.id}"))
    assert bob.get(f"/revision/{dave.id}").status_code == 404


def test_reviewers_see_every_waiting_change_and_review_it(private_review, people, login_as):
    moderator = login_as(people["mod"])
    page = text(moderator.get("/wiki/Product"))
    assert "zanzibarquux" in page and 'href="/review/Product"' in page
    publishing.accept(people["mod"], page_named("Product"), private_review.id)
    assert "zanzibarquux" in text(login_as(people["carol"]).get("/wiki/Product"))


def test_members_who_see_waiting_changes_are_led_to_a_comparison_they_may_open(
    app, private_review, people, login_as
):
    """Only reviewers may open the review screen: others read the changes' difference."""
    app.config["REVIEW_WAITING_SHOWN"] = "members"
    carol = login_as(people["carol"])
    page = text(carol.get("/wiki/Product"))
    link = re.search(r'href="(/diff/Product\?[^"]+)">see it', page)
    assert link is not None and 'href="/review/Product"' not in page
    diff = carol.get(link.group(1).replace("&amp;", "&"))
    assert diff.status_code == 200 and "zanzibarquux" in text(diff)


def test_an_unknown_configured_choice_is_refused_at_start(tmp_path):
    from tests.helpers import base_config
    from wiki import create_app

    config = base_config(tmp_path, f"sqlite:///{tmp_path / 'w.sqlite'}")
    with pytest.raises(ConfigError, match="REVIEW_WAITING_SHOWN"):
        create_app({**config, "REVIEW_WAITING_SHOWN": "nobody"})


def test_watchers_hear_of_a_waiting_edit_as_they_may_see_it(app, make_page, people, login_as):
    """A member who may not see waiting changes hears of the edit once it is published;
    a reviewer hears at once that it waits for them, and is led to review it."""
    from wiki.community.watch import watching

    make_page("Product", PUBLISHED_TEXT)
    app.config.update(REVIEW_POLICY="newcomers", REVIEW_WAITING_SHOWN="reviewers")
    for watcher in ("carol", "mod"):
        watching.watch(people[watcher], page_named("Product"))
    waiting = save("Product", BOBS, people["bob"]).revision
    carol, moderator = login_as(people["carol"]), login_as(people["mod"])
    assert "bob edited" not in text(carol.get("/notifications"))
    told = text(moderator.get("/notifications"))
    assert "edited Product — waiting for your review" in told
    assert 'href="/review/Product"' in told
    publishing.accept(people["mod"], page_named("Product"), waiting.id)
    heard = text(carol.get("/notifications"))
    link = re.search(r'href="(/diff/Product\?[^"]+)"', heard)
    assert "edited Product" in heard and link is not None
    assert carol.get(link.group(1).replace("&amp;", "&")).status_code == 200
    assert "waiting for your review" not in text(moderator.get("/notifications"))


def test_an_admin_sees_whether_a_persons_edits_wait_and_how_far_from_trusted(
    app, people, login_as, make_page
):
    make_page("Product", PUBLISHED_TEXT)
    app.config.update(REVIEW_POLICY="newcomers", REVIEW_NEWCOMER_EDITS=3, REVIEW_NEWCOMER_DAYS=0)
    save("Product", BOBS, people["bob"])  # waits: not counted as accepted
    admin = login_as(people["admin"])
    page = " ".join(text(admin.get("/admin/users/bob")).split())
    assert "Their edits wait for review: they are a newcomer." in page
    assert "Accepted edits: 0 of the 3 needed; days since joining: 0 of 0." in page
    app.config["REVIEW_POLICY"] = "off"
    for body in ("One.", "Two.", "Three."):  # published at once: review was off
        save("Extra", body, people["carol"])
    app.config["REVIEW_POLICY"] = "newcomers"
    assert "Their edits are published at once." in text(admin.get("/admin/users/carol"))
    save_settings(people["admin"], "off", 3, 0)
    assert "review-standing" not in text(admin.get("/admin/users/bob"))
