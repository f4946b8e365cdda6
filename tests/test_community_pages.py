"""Watching, the watchlist, recent changes, profiles, page information and the community page."""

import re
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select, update

from tests.helpers import page_named, queries_of, reply, save, start_topic, text
from wiki.community.models import PageContributor, Watch
from wiki.community.recent.changes import Cursor, Filters, changes, parse_cursor
from wiki.community.watch import preferences
from wiki.database import write_transaction
from wiki.extensions import db
from wiki.models import Page, Revision, Role, utcnow
from wiki.talk import moderation
from wiki.talk import service as talk


def watched(user) -> list[str]:
    return sorted(
        db.session.scalars(
            select(Page.title)
            .join(Watch, Watch.page_id == Page.id)
            .where(Watch.user_id == user.id)
        )
    )


def age(revision_id: int, days: float) -> None:
    """Move a revision back in time."""
    with write_transaction() as session:
        session.execute(
            update(Revision)
            .where(Revision.id == revision_id)
            .values(created_at=utcnow() - timedelta(days=days))
        )


# Watching


def test_the_star_watches_and_unwatches_a_page(client, auth, people, make_page):
    make_page("Spring Campaign", "v0", author=people["alice"])
    auth.login(people["bob"])
    page = text(client.get("/wiki/Spring_Campaign"))
    assert 'action="/watch/Spring_Campaign"' in page and "☆</span> Watch" in page
    response = client.post("/watch/Spring_Campaign", data={"next": "/wiki/Spring_Campaign"})
    assert response.headers["Location"] == "/wiki/Spring_Campaign"
    assert watched(people["bob"]) == ["Spring Campaign"]
    page = text(client.get("/history/Spring_Campaign"))
    assert 'action="/unwatch/Spring_Campaign"' in page and "★</span> Unwatch" in page
    client.post("/watch/Spring_Campaign", data={})  # twice is harmless
    client.post("/unwatch/Spring_Campaign", data={"next": "https://evil.example/"})
    assert watched(people["bob"]) == []


def test_visitors_see_no_star_and_cannot_watch(client, people, make_page):
    make_page("Spring Campaign", "v0", author=people["alice"])
    assert "watch-star" not in text(client.get("/wiki/Spring_Campaign"))
    refused = client.post("/watch/Spring_Campaign", data={})
    assert refused.status_code == 302 and refused.headers["Location"].startswith("/login")
    assert client.post("/watch/Nowhere", data={}).status_code == 404


def test_pages_one_creates_or_edits_are_watched_unless_turned_off(people, make_page):
    bob, alice = people["bob"], people["alice"]
    make_page("Spring Campaign", "v0", author=bob)
    save("Spring Campaign", "v1", alice)
    assert watched(bob) == watched(alice) == ["Spring Campaign"]
    preferences.save(carol := people["carol"], preferences.Choices("", "", False, {}))
    save("Spring Campaign", "v2", carol)
    make_page("Press Kit", "v0", author=carol)
    assert watched(carol) == []


def test_a_watch_follows_the_page_through_a_rename(people, make_page):
    make_page("Spring Campaign", "v0", author=people["bob"])
    with write_transaction() as session:
        session.execute(
            update(Page).values(title="Spring Campaign 2026", key="spring campaign 2026")
        )
    save("Spring Campaign 2026", "v1", people["alice"])
    assert watched(people["bob"]) == ["Spring Campaign 2026"]


def test_the_watchlist_lists_changes_to_watched_pages_and_their_talk(
    client, auth, people, make_page
):
    bob, alice = people["bob"], people["alice"]
    make_page("Spring Campaign", "v0", author=bob)
    make_page("Unwatched Page", "v0", author=alice)
    save("Spring Campaign", "v1", alice, summary="tighter copy")
    save("Unwatched Page", "v1", alice, summary="elsewhere")
    start_topic("Spring Campaign", "Colours", "Green?", alice)
    start_topic("Unwatched Page", "Other", "Not for Bob", alice)
    auth.login(people["bob"])
    page = text(client.get("/watchlist"))
    assert "tighter copy" in page and "“Colours”: Green?" in page
    assert "elsewhere" not in page and "Not for Bob" not in page
    pages = text(client.get("/watchlist/pages"))
    assert "Spring Campaign" in pages and "Unwatched Page" not in pages
    auth.logout()
    assert client.get("/watchlist").status_code == 302


# Recent changes


def test_recent_changes_groups_by_day_with_diff_size_and_summary(client, people, make_page):
    alice = people["alice"]
    make_page("Spring Campaign", "Spring.", author=alice)
    result = save("Spring Campaign", "Spring is here.", alice, summary="more words")
    age(page_named("Spring Campaign").latest.parent_id, 3)
    opening = start_topic("Spring Campaign", "Colours", "Green or **blue**?", people["bob"])
    page = text(client.get("/recent"))
    assert len(re.findall(r'<h2 class="section-label change-day-title"', page)) == 2
    revision = result.revision
    assert f"/diff/Spring_Campaign?from={revision.parent_id}&amp;to={revision.id}" in page
    assert 'title="+8 bytes">+8</span>' in page and "(more words)" in page
    assert f'href="/comment/{opening.id}"' in page and "new topic" in page
    assert page.index("Colours") < page.index("more words")  # newest first


def shown_times(html: str) -> list[str]:
    """Return the times of day the rows of a list of changes show."""
    return re.findall(r'<span class="rev-time"><time datetime="[^"]*">([^<]*)</time>', html)


def test_each_reader_sees_the_rows_of_a_list_in_their_own_time_zone(
    app, people, make_page, login_as
):
    make_page("Spring Campaign", "v0", author=people["alice"])
    alice, visitor = login_as(people["alice"]), app.test_client()
    response = alice.post(
        "/preferences/language", data={"locale": "en", "timezone": "Asia/Kolkata"}
    )
    assert response.status_code == 302
    seen: dict[str, set[str]] = {"alice": set(), "visitor": set()}
    for _ in range(2):  # the second time from the rows drawn the first time
        seen["alice"].update(shown_times(text(alice.get("/recent"))))
        seen["visitor"].update(shown_times(text(visitor.get("/recent"))))
    # Kolkata is 5 h 30 min from UTC: the same edit shows at another time of day.
    assert len(seen["alice"]) == len(seen["visitor"]) == 1
    assert seen["alice"] != seen["visitor"]


def test_a_row_of_recent_changes_shows_its_change_as_it_is_now(client, people, make_page):
    alice = people["alice"]
    make_page("Spring Campaign", "v0", author=alice)
    opening = start_topic("Spring Campaign", "Colours", "Green or blue?", alice)
    assert "Green or blue?" in text(client.get("/recent"))
    talk.edit_comment(opening.id, "Orange, surely.", editor=alice)
    page = text(client.get("/recent"))
    assert "Orange, surely." in page and "Green or blue?" not in page


def test_a_row_names_its_author_in_recent_changes_but_not_on_their_own_profile(
    client, people, make_page
):
    make_page("Spring Campaign", "v0", author=people["alice"])
    row_author = r'<li class="history-row[^"]*">(?:(?!</li>).)*class="user"[^>]*>alice<'
    for _ in range(2):  # the second time from the rows drawn the first time
        assert re.search(row_author, text(client.get("/recent")), re.DOTALL)
        assert not re.search(row_author, text(client.get("/user/alice")), re.DOTALL)


def test_recent_changes_filters(client, people, make_page):
    alice, bob = people["alice"], people["bob"]
    make_page("Spring Campaign", "v0", author=alice)
    save("Spring Campaign", "v1", bob, summary="small fix", minor=True)
    save("Spring Campaign", "v2", bob, summary="big change")
    start_topic("Spring Campaign", "Colours", "Green?", alice)

    def summaries(query):
        page = text(client.get(f"/recent?{query}"))
        return re.findall(r'class="summary">\(([^)]*)\)|class="summary">“([^”]*)”', page)

    assert len(summaries("")) == 3
    assert ("small fix", "") not in summaries("hideminor=1")
    assert summaries("show=talk") == [("", "Colours")]
    assert summaries("show=pages") == [("big change", ""), ("small fix", "")]
    assert summaries("user=bob") == [("big change", ""), ("small fix", "")]
    assert summaries("newpages=1") == []  # the page was made without a summary
    assert "badge-create" in text(client.get("/recent?newpages=1"))
    assert "There is no user called “nobody”." in text(client.get("/recent?user=nobody"))
    first = page_named("Spring Campaign").latest_revision_id - 2
    age(first, 10)
    assert "badge-create" not in text(client.get("/recent?days=7&newpages=1"))
    assert "badge-create" in text(client.get("/recent?days=30&newpages=1"))


def test_hidden_comments_are_left_out_of_recent_changes_except_for_moderators(
    client, auth, people, make_page, make_user
):
    mona = make_user("mona", role=Role.MODERATOR)
    make_page("Spring Campaign", "v0", author=people["alice"])
    opening = start_topic("Spring Campaign", "Spam", "Buy now", people["bob"])
    moderation.hide_comment(opening.id, "spam", moderator=mona)
    assert "Buy now" not in text(client.get("/recent"))
    auth.login(people["mona"])
    page = text(client.get("/recent"))
    assert "Buy now" in page and "badge-hidden" in page


def test_deleted_pages_are_left_out_of_recent_changes_except_for_moderators(
    client, auth, people, make_page, make_user
):
    make_user("mona", role=Role.MODERATOR)
    make_page("Secret Launch", "v0", author=people["alice"])
    with write_transaction() as session:
        session.execute(update(Page).values(deleted=True))
    assert "Secret Launch" not in text(client.get("/recent"))
    auth.login(people["mona"])
    assert "Secret Launch" in text(client.get("/recent"))


def test_recent_changes_are_paginated_by_key(app, client, people, make_page):
    alice = people["alice"]
    make_page("Spring Campaign", "v0", author=alice)
    for n in range(1, 60):
        save("Spring Campaign", f"v{n}", alice, summary=f"edit {n}")
        if n % 10 == 0:
            start_topic("Spring Campaign", f"Topic {n}", f"Talk {n}", people["bob"])
    seen, url = [], "/recent"
    while url:
        page = text(client.get(url))
        assert "OFFSET" not in url
        seen += re.findall(r"\((edit \d+)\)|“(Topic \d+)”", page)
        older = re.search(r'href="(/recent\?before=[^"]+)" rel="next"', page)
        url = older.group(1).replace("&amp;", "&") if older else None
    assert len(seen) == 59 + 5
    assert seen[0] == ("edit 59", "") and ("", "Topic 50") in seen


def test_a_cursor_round_trips_and_bad_ones_are_ignored():
    cursor = Cursor(1_764_000_000_123_456, "c", 42)
    assert parse_cursor(str(cursor)) == cursor
    assert cursor.moment.microsecond == 123_456
    for bad in ("", "1.2", "x.r.3", "1.q.3", "1.r.-3", "9" * 30 + ".r.1"):
        assert parse_cursor(bad) is None


def test_edits_and_comments_at_the_same_instant_are_neither_lost_nor_repeated(
    app, people, make_page
):
    alice = people["alice"]
    make_page("Spring Campaign", "v0", author=alice)
    for n in range(1, 5):
        save("Spring Campaign", f"v{n}", alice)
        start_topic("Spring Campaign", f"Topic {n}", "same time", alice)
    moment = utcnow()
    from wiki.talk.models import Comment

    with write_transaction() as session:
        session.execute(update(Revision).values(created_at=moment))
        session.execute(update(Comment).values(created_at=moment))
    rows, before = [], None
    while True:
        shown = changes(Filters(), viewer=None, before=before, limit=3)
        rows += [(c.source, c.id) for c in shown.changes]
        if shown.older is None:
            break
        before = parse_cursor(shown.older)
    assert len(rows) == len(set(rows)) == 5 + 4


@pytest.mark.parametrize("url", ["/recent", "/watchlist", "/user/alice", "/community"])
def test_lists_run_the_same_queries_for_few_or_many_rows(client, auth, people, make_page, url):
    alice, bob = people["alice"], people["bob"]
    make_page("Spring Campaign", "v0", author=alice)
    save("Spring Campaign", "v1", bob)
    start_topic("Spring Campaign", "Colours", "Green?", alice)
    auth.login(people["alice"])
    few = queries_of(client, url)
    for n in range(30):
        make_page(f"Page {n}", "v0", author=alice)
        save(f"Page {n}", "v1", bob)
        opening = start_topic(f"Page {n}", f"Topic {n}", "Hello", bob)
        reply(opening.topic_id, "Hi", alice, parent=opening)
    assert queries_of(client, url) == few


# Profiles, credits, page information, community page


def test_a_profile_shows_name_bio_counts_chart_and_contributions(client, auth, people, make_page):
    alice = people["alice"]
    preferences.save(
        alice,
        preferences.Choices("Alice Martin", "Writes **copy**. <script>x</script>", True, {}),
    )
    make_page("Spring Campaign", "v0", "v1", author=alice)
    make_page("Press Kit", "v0", author=alice)
    opening = start_topic("Spring Campaign", "Tone", "Too formal?", alice)
    reply(opening.topic_id, "Yes.", people["bob"], parent=opening)
    page = text(client.get("/user/alice"))
    assert '<h1 class="page-title">Alice Martin</h1>' in page and "@alice" in page
    assert "<strong>copy</strong>" in page and "<script>" not in page
    assert "3 edits" in page and "2 pages created" in page and "1 comment" in page
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img"' in page
    assert '<title id="profile-activity-title">Edits per week by alice' in page
    assert "Too formal?" in page and "Press Kit" in page
    only_talk = text(client.get("/user/alice?show=talk"))
    assert "Too formal?" in only_talk and "Press Kit" not in only_talk


def test_profile_contributions_are_paginated(client, people, make_page):
    alice = people["alice"]
    make_page("Spring Campaign", *[f"v{n}" for n in range(60)], author=alice)
    first = text(client.get("/user/alice"))
    assert first.count('class="history-row change-row') == 50
    older = re.search(r'href="(/user/alice\?before=[^"]+)" rel="next"', first).group(1)
    assert (
        text(client.get(older.replace("&amp;", "&"))).count('class="history-row change-row') == 10
    )


def test_credits_line_and_page_information(client, auth, people, make_page):
    alice, bob, carol = people["alice"], people["bob"], people["carol"]
    make_page("Spring Campaign", "Spring.", author=alice)
    save("Spring Campaign", "Spring is here, friends.", bob)
    save("Spring Campaign", "Spring is here, friends!", bob)
    save("Spring Campaign", "Spring.", carol)
    start_topic("Spring Campaign", "Tone", "Hi", carol)
    page = text(client.get("/wiki/Spring_Campaign"))
    credit = re.search(r'Last edited by <a[^>]*>carol</a>, <time datetime="([^"]+)"', page)
    latest = page_named("Spring Campaign").latest
    assert credit and datetime.fromisoformat(credit.group(1)) == latest.created_at
    assert '<a href="/info/Spring_Campaign"' in page and "3 contributors" in page
    info = text(client.get("/info/Spring_Campaign"))
    names = re.findall(r'<td><a class="user" href="/user/(\w+)">', info)
    assert names == ["bob", "alice", "carol"]  # by edits, then bytes added
    assert "created the page" in info and "4 revisions" in info
    assert "3 people watch this page" in info and "1 topic" in info
    assert '<title id="page-activity-title">' in info
    assert (
        db.session.scalar(
            select(PageContributor.bytes_added).where(PageContributor.user_id == bob.id)
        )
        == len("Spring is here, friends.") - len("Spring.") + 0
    )
    assert client.get("/info/Nowhere").status_code == 404


def test_community_page_shows_what_people_are_doing(client, people, make_page):
    alice, bob = people["alice"], people["bob"]
    make_page("Spring Campaign", "v0", "v1", "v2", author=alice)
    make_page("Press Kit", "v0", author=bob)
    opening = start_topic("Spring Campaign", "Tone", "Hi", bob)
    reply(opening.topic_id, "Hello", alice, parent=opening)
    page = text(client.get("/community"))
    top = page[page.index("Top contributors") : page.index("Most active discussions")]
    assert top.index("alice") < top.index("bob") and "3 edits" in top
    assert "Tone" in page and "2 comments" in page
    new = page[page.index("Recently created pages") : page.index("Most edited pages")]
    assert new.index("Press Kit") < new.index("Spring Campaign") and "by bob" in new
    busy = page[page.index("Most edited pages") :]
    assert busy.index("Spring Campaign") < busy.index("Press Kit")


def test_top_bar_links_to_recent_changes_community_and_watchlist(client, auth, people):
    page = text(client.get("/recent"))
    assert 'href="/recent" aria-current="page">Recent changes</a>' in page
    assert 'href="/community"' in page and 'href="/watchlist"' not in page
    auth.login(people["bob"])
    page = text(client.get("/community"))
    assert 'href="/watchlist"' in page and 'class="bell"' in page


def test_control_characters_in_arguments_are_harmless(client, auth, people):
    """A NUL reaches no query: PostgreSQL refuses it in text (SQLite does not)."""
    auth.login(people["bob"])
    for url in (
        "/recent?user=%00",
        "/recent?before=%00&days=%00&show=%00",
        "/watchlist/pages?after=%00",
        "/notifications?before=%00",
        "/recent.atom?token=%00",
        "/user/bob?show=%00&before=1.x.2",
    ):
        assert client.get(url).status_code in (200, 400, 403), url
    assert client.get("/feed/user/%00").status_code in (400, 404)
    assert client.get("/user/%00").status_code in (400, 404)
    form = {"display_name": "\x00", "bio": "\x00", "email": "\x00bob@example.test"}
    assert client.post("/preferences", data=form).status_code in (302, 400)


def test_hidden_comments_make_no_discussion_active_for_anyone(client, auth, people, make_page):
    make_page("Spring Campaign", "v0", author=people["alice"])
    opening = start_topic("Spring Campaign", "Tone", "Hi", people["alice"])
    spam = reply(opening.topic_id, "Buy now", people["bob"], parent=opening)
    moderation.hide_comment(spam.id, "spam", moderator=people["mod"])
    for who in (None, "mod"):
        if who:
            auth.login(people[who])
        page = text(client.get("/community"))
        active = page[page.index("Most active discussions") : page.index("Recently created")]
        assert "Tone" in active and "1 comment" in active and "2 comments" not in active
