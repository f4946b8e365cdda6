"""Moving pages and following redirects: one transaction, nothing lost, old links working."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from tests.helpers import page_named, text
from wiki.community.models import Watch
from wiki.core.titles import parse_title
from wiki.extensions import db
from wiki.models import Draft, Page, Revision, RevisionKind, Role, utcnow
from wiki.modlog import LogEntry
from wiki.organise import moves, redirects
from wiki.problems import Conflict, NotAllowed
from wiki.search import service as search
from wiki.talk import service as talk


def move(old: str, new: str, user, **options):
    return moves.move_page(parse_title(old), parse_title(new), user=user, **options)


def test_a_move_keeps_the_page_and_leaves_a_redirect(make_page, people):
    editor = people["editor"]
    page = make_page("Spring plan", "one", "two")
    topic = talk.start_topic(page, "Subject", "a comment", author=editor)
    result = move("Spring plan", "Spring Campaign 2026", editor, reason="official name")
    db.session.expire_all()
    moved = page_named("Spring Campaign 2026")
    assert moved.id == page.id and result.page.id == page.id
    kinds = db.session.scalars(
        select(Revision.kind).where(Revision.page_id == page.id).order_by(Revision.id)
    )
    assert list(kinds) == ["create", "edit", "move"]
    assert moved.latest.summary == (
        "Moved from Spring plan to Spring Campaign 2026: official name"
    )
    assert moved.latest.text == "two"
    assert db.session.get(type(topic.topic), topic.topic_id).page_id == page.id
    old = page_named("Spring plan")
    assert old.id != page.id and old.redirect_key == moved.key
    assert old.latest.text == "#REDIRECT [[Spring Campaign 2026]]\n"
    entry = db.session.scalar(select(LogEntry).where(LogEntry.action == "move"))
    assert (entry.target, entry.facts["to"], entry.reason) == (
        "Spring plan",
        "Spring Campaign 2026",
        "official name",
    )
    assert [hit.page.title for hit in search.search("two").hits] == ["Spring Campaign 2026"]


def test_old_links_keep_working_through_the_redirect(client, make_page, people):
    editor = people["editor"]
    make_page("Spring plan", "the plan")
    make_page("Home", "See [[Spring plan]].")
    move("Spring plan", "Spring Campaign", editor)
    home = text(client.get("/wiki/Home"))
    assert 'class="wikilink new"' not in home
    response = client.get("/wiki/Spring_plan")
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.endswith("/wiki/Spring_Campaign?redirectedfrom=Spring_plan")
    shown = text(client.get(response.headers["Location"]))
    assert "Redirected from" in shown and "/wiki/Spring_plan?redirect=no" in shown
    assert "the plan" in shown


def test_redirected_from_is_only_shown_for_real_redirects(client, make_page):
    make_page("Target", "x")
    make_page("Unrelated", "x")
    assert "Redirected from" not in text(client.get("/wiki/Target?redirectedfrom=Unrelated"))
    assert "Redirected from" not in text(client.get("/wiki/Target?redirectedfrom=%5B%5B"))


def test_a_redirect_page_itself_with_redirect_no(client, make_page):
    make_page("Target", "x")
    make_page("Old", "#REDIRECT [[Target]]")
    html = text(client.get("/wiki/Old?redirect=no"))
    assert "This page is a redirect to" in html and 'href="/wiki/Target"' in html


@pytest.mark.parametrize(
    "pages, visit, problem",
    [
        ([("A", "#REDIRECT [[A]]")], "A", "redirects back to itself"),
        ([("A", "#REDIRECT [[B]]"), ("B", "#redirect [[A]]")], "A", "redirects back to itself"),
        ([("A", "#REDIRECT [[B]]"), ("B", "#REDIRECT [[C]]"), ("C", "x")], "A", "a redirect"),
        ([("A", "#REDIRECT [[Nowhere]]")], "A", "does not exist"),
    ],
)
def test_loops_chains_and_broken_redirects_show_the_redirect_page(
    client, make_page, pages, visit, problem
):
    for title, source in pages:
        make_page(title, source)
    response = client.get(f"/wiki/{visit}")
    assert response.status_code == 200
    assert problem in text(response)


def test_parse_redirect():
    assert redirects.parse_redirect("#REDIRECT [[Spring Campaign]]").key == "spring campaign"
    assert redirects.parse_redirect("  #redirect: [[Target#Budget|label]]\nmore").key == "target"
    assert redirects.parse_redirect("Text\n#REDIRECT [[X]]") is None
    assert redirects.parse_redirect("#REDIRECT [[]]") is None
    assert redirects.parse_redirect("#REDIRECT [[a/../b]]") is None


def test_a_move_onto_an_existing_page_is_refused(make_page, people):
    editor = people["editor"]
    make_page("A", "a")
    make_page("B", "b")
    with pytest.raises(Conflict, match="already exists"):
        move("A", "b", editor)
    db.session.rollback()
    assert page_named("A").latest.text == "a" and page_named("B").latest.text == "b"


def test_a_move_onto_a_redirect_to_the_page_is_allowed(make_page, people):
    editor = people["editor"]
    page = make_page("A", "content")
    move("A", "B", editor)
    move("B", "A", editor)
    db.session.expire_all()
    assert page_named("A").id == page.id and page_named("A").latest.text == "content"
    assert page_named("B").redirect_key == "a"
    assert db.session.scalar(select(func.count(Page.id))) == 2


def test_a_move_onto_a_redirect_elsewhere_is_refused(make_page, people):
    editor = people["editor"]
    make_page("A", "a")
    make_page("C", "c")
    make_page("B", "#REDIRECT [[C]]")
    with pytest.raises(Conflict, match="already exists"):
        move("A", "B", editor)


def test_redirects_to_the_old_title_are_repointed(client, make_page, people):
    editor = people["editor"]
    make_page("Old", "content")
    make_page("Older", "#REDIRECT [[Old]]")
    move("Old", "New", editor)
    db.session.expire_all()
    assert page_named("Older").redirect_key == "new"
    response = client.get("/wiki/Older")
    assert response.headers["Location"].endswith("/wiki/New?redirectedfrom=Older")


def test_only_moderators_may_leave_no_redirect(client, make_page, people, auth):
    editor = people["editor"]
    moderator = people["mod"]
    make_page("A", "a")
    make_page("Linker", "[[A]]")
    with pytest.raises(NotAllowed):
        move("A", "B", editor, leave_redirect=False)
    db.session.rollback()
    move("A", "B", moderator, leave_redirect=False)
    assert page_named("A") is None
    assert 'class="wikilink new"' in text(client.get("/wiki/Linker"))


def test_subpages_can_move_along(make_page, people):
    editor = people["editor"]
    make_page("Campaigns", "top")
    make_page("Campaigns/Spring 2026", "spring")
    make_page("Campaigns/Spring 2026/Budget", "money")
    make_page("Campaigns 2025", "not a subpage")
    result = move("Campaigns", "Marketing", editor, move_subpages=True)
    assert result.subpages == [
        ("Campaigns/Spring 2026", "Marketing/Spring 2026"),
        ("Campaigns/Spring 2026/Budget", "Marketing/Spring 2026/Budget"),
    ]
    db.session.expire_all()
    assert page_named("Marketing/Spring 2026/Budget").latest.text == "money"
    assert page_named("Campaigns/Spring 2026").redirect_key == "marketing/spring 2026"
    assert page_named("Campaigns 2025").latest.text == "not a subpage"


def test_subpages_stay_unless_asked(make_page, people):
    editor = people["editor"]
    make_page("Campaigns", "top")
    make_page("Campaigns/Spring", "spring")
    move("Campaigns", "Marketing", editor)
    assert page_named("Campaigns/Spring").latest.text == "spring"


def test_a_move_with_a_subpage_conflict_changes_nothing(make_page, people):
    editor = people["editor"]
    make_page("Campaigns", "top")
    make_page("Campaigns/Spring", "spring")
    make_page("Marketing/Spring", "taken")
    with pytest.raises(Conflict, match="already exists"):
        move("Campaigns", "Marketing", editor, move_subpages=True)
    db.session.rollback()
    db.session.expire_all()
    assert page_named("Campaigns").latest.text == "top" and page_named("Marketing") is None


def test_changing_only_the_case_keeps_the_key(make_page, people):
    editor = people["editor"]
    page = make_page("spring plan", "x")
    move("spring plan", "Spring Plan", editor)
    db.session.expire_all()
    assert (
        page_named("Spring Plan").id == page.id
        and page_named("Spring Plan").title == "Spring Plan"
    )
    with pytest.raises(Conflict, match="same"):
        move("Spring Plan", "Spring Plan", editor)


def test_drafts_follow_the_page(make_page, people):
    editor = people["editor"]
    from wiki.pages import drafts

    page = make_page("Old", "text")
    drafts.save_draft(editor, parse_title("Old"), "my draft", "", page.latest_revision_id)
    move("Old", "New", editor)
    assert db.session.scalar(select(Draft.page_key)) == "new"


def test_move_form_for_editors(client, make_page, people, auth):
    make_page("Old", "text")
    assert client.get("/move/Old").status_code == 302  # to log in
    auth.login(people["editor"])
    form = text(client.get("/move/Old"))
    assert 'name="new_title"' in form and "Leave a redirect behind" not in form
    response = client.post("/move/Old", data={"new_title": "New", "reason": "better"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/wiki/New")
    assert "was moved to" in text(client.get("/wiki/New"))
    refused = client.post("/move/New", data={"new_title": "a|b"})
    assert refused.status_code == 400
    make_page("Taken", "x")
    assert client.post("/move/New", data={"new_title": "Taken"}).status_code == 409


def test_move_tab_and_history_show_the_move(client, make_page, people, auth):
    make_page("Old", "text")
    auth.login(people["editor"])
    assert ">Move</a>" in text(client.get("/wiki/Old"))
    client.post("/move/Old", data={"new_title": "New"})
    history = text(client.get("/history/New"))
    assert "Moved from Old to New" in history and "badge-move" in history


def test_readers_cannot_move(client, make_page, make_user, auth):
    make_page("Old", "text")
    make_user("reader", role=Role.READER)
    auth.login("reader")
    assert client.get("/move/Old").status_code == 403
    assert client.post("/move/Old", data={"new_title": "New"}).status_code == 403
    assert ">Move</a>" not in text(client.get("/wiki/Old"))


def test_the_move_revision_is_recorded_as_a_move(make_page, people):
    editor = people["editor"]
    make_page("Old", "text")
    move("Old", "New", editor)
    assert page_named("New").latest.kind == RevisionKind.MOVE


# What lists of changes show of a move: one entry per moved page, as MediaWiki does


CHANGE_ROW = re.compile(
    r'<a class="change-page" href="[^"]*">([^<]*)</a>\s*(?:<span class="badge badge-(\w+)")?'
)


def rows_of(html: str) -> list[tuple[str, str]]:
    """Return the (page title, badge) of each edit a list of changes shows, newest first."""
    return [(title, badge or "edit") for title, badge in CHANGE_ROW.findall(html)]


def move_campaign_with_subpages(client, auth, people, make_page) -> None:
    """Make "Spring Campaign 2026" with 2 subpages (created a day ago) and move them all."""
    make_page("Spring Campaign 2026", "The spring campaign.")
    make_page("Spring Campaign 2026/Budget", "Money.")
    make_page("Spring Campaign 2026/Posters", "Posters.")
    db.session.execute(update(Revision).values(created_at=utcnow() - timedelta(days=1)))
    db.session.commit()
    auth.login(people["editor"])
    response = client.post(
        "/move/Spring_Campaign_2026",
        data={"new_title": "Campaigns/Spring 2026", "move_subpages": "1"},
    )
    assert response.status_code == 302


MOVED = [
    ("Campaigns/Spring 2026/Posters", "move"),
    ("Campaigns/Spring 2026/Budget", "move"),
    ("Campaigns/Spring 2026", "move"),
]


def test_recent_changes_show_one_entry_per_moved_page_and_no_new_redirects(
    client, auth, people, make_page
):
    move_campaign_with_subpages(client, auth, people, make_page)
    assert rows_of(text(client.get("/recent?days=1")))[:3] == MOVED
    assert len(rows_of(text(client.get("/recent?days=1")))) == 3
    assert rows_of(text(client.get("/recent?newpages=1&days=1"))) == []
    feed = text(client.get("/recent.atom?days=1"))
    assert feed.count("<entry>") == 3 and "Moved from Spring Campaign 2026 to" in feed
    api = client.get("/api/v1/recent?days=1").get_json()["items"]
    assert [(item["title"], item["kind"]) for item in api] == MOVED
    # The redirect's own history (and its feed) still show how it came to be.
    history = text(client.get("/history/Spring_Campaign_2026/Budget"))
    assert "badge-create" in history
    assert "Moved from Spring Campaign 2026/Budget to Campaigns/Spring 2026/Budget" in history
    assert "<entry>" in text(client.get("/feed/history/Spring_Campaign_2026/Budget"))


def test_the_watchlist_shows_one_entry_per_moved_page(client, auth, people, make_page):
    move_campaign_with_subpages(client, auth, people, make_page)
    # The mover watches the pages moved and the redirects left (pages one edits are watched).
    watched = select(Page.title).join(Watch, Watch.page_id == Page.id)
    assert "Spring Campaign 2026/Budget" in db.session.scalars(watched).all()
    assert rows_of(text(client.get("/watchlist?days=1"))) == MOVED
    feed = text(client.get("/watchlist.atom?days=1"))
    assert feed.count("<entry>") == 3


def test_moving_a_page_back_over_its_redirect_shows_one_entry(client, auth, people, make_page):
    page = make_page("Spring plan", "the plan")
    db.session.execute(update(Revision).values(created_at=utcnow() - timedelta(days=1)))
    db.session.commit()
    move("Spring plan", "Spring Campaign", people["editor"])
    move("Spring Campaign", "Spring plan", people["editor"])
    assert rows_of(text(client.get("/recent?days=1"))) == [
        ("Spring plan", "move"),
        ("Spring plan", "move"),
    ]
    assert page_named("Spring plan").id == page.id
    assert "badge-move" in text(client.get("/history/Spring_Campaign"))


def test_the_confirmation_says_how_many_subpages_moved(client, auth, people, make_page):
    move_campaign_with_subpages(client, auth, people, make_page)
    shown = text(client.get("/wiki/Campaigns/Spring_2026"))
    assert (
        "“Spring Campaign 2026” and its 2 subpages were moved to “Campaigns/Spring 2026”."
    ) in shown
    make_page("Solo", "alone")
    make_page("Solo/Part", "a part")
    client.post("/move/Solo", data={"new_title": "Single", "move_subpages": "1"})
    assert "“Solo” and its 1 subpage were moved to “Single”." in text(client.get("/wiki/Single"))


def test_the_subpages_box_is_ticked_unless_the_person_unticked_it(client, auth, people, make_page):
    make_page("Campaigns", "top")
    make_page("Campaigns/Spring", "spring")
    make_page("Taken", "x")
    auth.login(people["editor"])
    box = re.compile(r'<input type="checkbox" name="move_subpages" value="1"( checked)?>')
    assert box.search(text(client.get("/move/Campaigns"))).group(1) == " checked"
    refused = client.post("/move/Campaigns", data={"new_title": "Taken"})
    assert refused.status_code == 409 and box.search(text(refused)).group(1) is None
    refused = client.post("/move/Campaigns", data={"new_title": "Taken", "move_subpages": "1"})
    assert box.search(text(refused)).group(1) == " checked"
    make_page("Lonely", "no subpages")
    assert "move_subpages" not in text(client.get("/move/Lonely"))


def test_redirects_moves_left_before_their_own_key_are_left_out_too(client, people, make_page):
    make_page("Spring plan", "the plan")
    db.session.execute(update(Revision).values(created_at=utcnow() - timedelta(days=1)))
    db.session.commit()
    move("Spring plan", "Spring Campaign", people["editor"])
    # As a move stored it before the redirect's revision had a key of its own.
    db.session.execute(
        update(Revision).where(Revision.summary_key == "move-left").values(summary_key="move")
    )
    db.session.commit()
    assert rows_of(text(client.get("/recent?days=1"))) == [("Spring Campaign", "move")]
    assert "Moved from Spring plan to Spring Campaign" in text(
        client.get("/history/Spring_plan?redirect=no")
    )
