"""Atom feeds: recent changes, a page's history, a person's contributions, a watchlist."""

import re
import xml.etree.ElementTree as ET
from datetime import datetime

from sqlalchemy import update

from tests.helpers import queries_of, reply, save, start_topic
from wiki.community.recent import atom
from wiki.community.watch import preferences
from wiki.database import write_transaction
from wiki.models import Page, Role
from wiki.talk import moderation

A = "{http://www.w3.org/2005/Atom}"


def parse(response) -> ET.Element:
    """Parse a feed and check the structure RFC 4287 requires of it and its entries."""
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.content_type == "application/atom+xml; charset=utf-8"
    feed = ET.fromstring(response.data)
    assert feed.tag == f"{A}feed"
    for element in (feed, *feed.findall(f"{A}entry")):
        for tag in ("id", "title", "updated"):
            assert (element.findtext(f"{A}{tag}") or "").strip(), (tag, element)
        assert element.findtext(f"{A}id").startswith("tag:")
        datetime.fromisoformat(element.findtext(f"{A}updated").replace("Z", "+00:00"))
    assert feed.find(f"{A}link[@rel='self']").get("href").startswith("http://")
    for entry in feed.findall(f"{A}entry"):
        assert entry.find(f"{A}link[@rel='alternate']").get("href").startswith("http://")
        assert entry.findtext(f"{A}author/{A}name")
    ids = [entry.findtext(f"{A}id") for entry in feed.findall(f"{A}entry")]
    assert len(ids) == len(set(ids))
    return feed


def titles(feed) -> list[str]:
    return [entry.findtext(f"{A}title") for entry in feed.findall(f"{A}entry")]


def summaries(feed) -> list[str]:
    return [entry.findtext(f"{A}summary") or "" for entry in feed.findall(f"{A}entry")]


def test_recent_changes_feed_has_edits_and_talk_escaped(client, people, make_page):
    make_page("Q&A", "v0", author=people["alice"])
    save("Q&A", "v1", people["bob"], summary='a <b> & "c"')
    start_topic("Q&A", "Which <colour>?", "Green & blue", people["alice"])
    response = client.get("/recent.atom")
    assert b"&lt;b&gt; &amp;" in response.data
    feed = parse(response)
    assert titles(feed) == [
        "New topic: Which <colour>? (discussion of Q&A)",
        "Q&A",
        "Q&A",
    ]
    assert summaries(feed)[:2] == ["Green & blue", 'a <b> & "c" (+0 bytes)']
    assert feed.findtext(f"{A}title") == "Recent changes · Bottega"
    assert '<link rel="alternate" type="application/atom+xml"' in client.get("/recent").get_data(
        as_text=True
    )


def test_recent_changes_feed_takes_the_page_filters(client, people, make_page):
    make_page("Spring Campaign", "v0", "v1", author=people["alice"])
    start_topic("Spring Campaign", "Colours", "Green?", people["bob"])
    feed = parse(client.get("/recent.atom?show=talk"))
    assert titles(feed) == ["New topic: Colours (discussion of Spring Campaign)"]
    assert "show=talk" in feed.find(f"{A}link[@rel='self']").get("href")


def test_page_history_and_contributions_feeds(client, people, make_page):
    alice, bob = people["alice"], people["bob"]
    make_page("Spring Campaign", "v0", author=alice)
    save("Spring Campaign", "v1", bob, summary="bob's edit")
    make_page("Press Kit", "v0", author=bob)
    opening = start_topic("Spring Campaign", "Tone", "Bob here", bob)
    reply(opening.topic_id, "Alice here", alice, parent=opening)
    history = parse(client.get("/feed/history/Spring_Campaign"))
    assert titles(history) == ["Spring Campaign", "Spring Campaign"]
    links = [e.find(f"{A}link").get("href") for e in history.findall(f"{A}entry")]
    assert re.search(r"/diff/Spring_Campaign\?from=\d+&to=\d+$", links[0])
    contributions = parse(client.get("/feed/user/bob"))
    assert titles(contributions) == [
        "New topic: Tone (discussion of Spring Campaign)",
        "Press Kit",
        "Spring Campaign",
    ]
    assert client.get("/feed/user/ghost").status_code == 404
    assert client.get("/feed/history/Nowhere").status_code == 404


def test_feeds_leave_out_hidden_comments_and_deleted_pages(client, people, make_page, make_user):
    mona = make_user("mona", role=Role.MODERATOR)
    make_page("Spring Campaign", "v0", author=people["alice"])
    make_page("Secret", "v0", author=people["alice"])
    opening = start_topic("Spring Campaign", "Spam", "Buy now", people["bob"])
    moderation.hide_comment(opening.id, "spam", moderator=mona)
    if hasattr(Page, "deleted"):
        with write_transaction() as session:
            session.execute(update(Page).where(Page.title == "Secret").values(deleted=True))
    shown = titles(parse(client.get("/recent.atom")))
    assert shown == ["Spring Campaign"]


def test_the_watchlist_feed_needs_the_feed_token(client, people, make_page):
    bob, alice = people["bob"], people["alice"]
    make_page("Spring Campaign", "v0", author=bob)
    make_page("Other", "v0", author=alice)
    save("Spring Campaign", "v1", alice, summary="for bob")
    assert client.get("/watchlist.atom").status_code == 403
    token = preferences.new_feed_token(bob)
    feed = parse(client.get(f"/watchlist.atom?token={token}"))
    assert titles(feed) == ["Spring Campaign", "Spring Campaign"]
    assert "Watchlist of bob" in feed.findtext(f"{A}title")
    assert client.get("/watchlist.atom?token=wrong").status_code == 403
    preferences.revoke_feed_token(bob)
    assert client.get(f"/watchlist.atom?token={token}").status_code == 403


def test_a_private_wiki_needs_the_token_for_every_feed(app, client, auth, people, make_page):
    app.config["PRIVATE_WIKI"] = True
    make_page("Spring Campaign", "v0", author=people["alice"])
    for url in ("/recent.atom", "/feed/history/Spring_Campaign", "/feed/user/alice"):
        assert client.get(url).status_code == 403
    token = preferences.new_feed_token(people["bob"])
    for url in ("/recent.atom", "/feed/history/Spring_Campaign", "/feed/user/alice"):
        parse(client.get(f"{url}?token={token}"))
    new = preferences.new_feed_token(people["bob"])  # a new key replaces the old one
    assert client.get(f"/recent.atom?token={token}").status_code == 403
    parse(client.get(f"/recent.atom?token={new}"))
    auth.login(people["alice"])
    parse(client.get("/recent.atom"))  # a logged-in reader needs no token


def test_the_feed_token_is_shown_once_and_stored_hashed(client, auth, people):
    auth.login(people["bob"])
    page = client.post("/preferences/feed-key", data={"action": "new"}).get_data(as_text=True)
    token = re.search(r"/watchlist\.atom\?token=([\w-]+)", page).group(1)
    assert token not in client.get("/preferences").get_data(as_text=True)
    from wiki.community.credits.profiles import profile_of

    assert profile_of(people["bob"]).feed_token_hash not in (None, token)
    assert client.get(f"/watchlist.atom?token={token}").status_code == 200
    client.post("/preferences/feed-key", data={"action": "revoke"})
    assert client.get(f"/watchlist.atom?token={token}").status_code == 403


def test_a_feed_runs_the_same_queries_for_few_or_many_entries(client, people, make_page):
    make_page("Spring Campaign", "v0", author=people["alice"])
    few = queries_of(client, "/recent.atom")
    for n in range(30):
        make_page(f"Page {n}", "v0", "v1", author=people["bob"])
    assert queries_of(client, "/recent.atom") == few


def test_atom_drops_characters_xml_cannot_hold():
    document = atom.render(
        atom.Feed(
            id="tag:x,2026:t",
            title="A\x00B\x1fC",
            self_url="http://x/f",
            alternate_url="http://x/",
            entries=[
                atom.Entry(
                    id="tag:x,2026:e",
                    title="<&>",
                    updated=datetime(2026, 1, 1),
                    link="http://x/e?a=1&b=2",
                    author="a\x0bb",
                )
            ],
        )
    )
    feed = ET.fromstring(document)
    assert feed.findtext(f"{A}title") == "ABC"
    assert feed.findtext(f"{A}entry/{A}title") == "<&>"
    assert feed.find(f"{A}entry/{A}link").get("href") == "http://x/e?a=1&b=2"
    assert feed.findtext(f"{A}updated") == "2026-01-01T00:00:00Z"
