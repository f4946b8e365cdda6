"""Live editing across two real gunicorn processes sharing one database and one Redis."""

import http.client
import time
import urllib.parse

import pytest
from sqlalchemy import select

from tests.helpers import (
    REDIS_URL,
    page_named,
    redis_or_skip,
    served_on_a_port,
    start_gunicorn,
    stop_gunicorn,
)
from tests.live_client import LiveClient
from wiki.extensions import db
from wiki.live import store
from wiki.live.hub import Hub
from wiki.live.models import RevisionCoauthor


def connect(url: str, page_id: int, cookie: str, seconds: float = 30) -> LiveClient:
    """Connect once the worker has loaded the app (it may still be importing it)."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            client = LiveClient(url, page_id, cookie)
            assert client.synced.wait(10)
            return client
        except (ConnectionError, OSError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


@pytest.fixture
def two_servers(app):
    """Start two gunicorn processes serving the test's wiki; yield their URLs and processes."""
    redis_or_skip()
    servers = [start_gunicorn(app), start_gunicorn(app)]
    yield servers
    for process, _url in servers:
        stop_gunicorn(process)


def test_clients_of_two_processes_see_each_other_and_survive_one_being_killed(
    request, two_servers, make_page, login_as, people
):
    page = make_page("Launch", "Hello")
    (first, first_url), (_second, second_url) = two_servers
    alice = connect(first_url, page.id, login_as(people["alice"]).get_cookie("session").value)
    request.addfinalizer(alice.close)
    bob_cookie = login_as(people["bob"]).get_cookie("session").value
    bob = connect(second_url, page.id, bob_cookie)
    request.addfinalizer(bob.close)
    alice.insert(5, " from Alice")
    bob.insert(0, "Bob: ")
    both = "Bob: Hello from Alice"
    assert alice.wait(lambda: alice.value() == both)
    assert bob.wait(lambda: bob.value() == both)

    first.kill()  # alice's server dies mid-session; what bob saw is kept
    first.wait(timeout=30)
    bob.insert(len(both), ".")
    carol = connect(second_url, page.id, login_as(people["carol"]).get_cookie("session").value)
    request.addfinalizer(carol.close)
    assert carol.wait(lambda: carol.value() == both + ".")


def post_form(base_url: str, path: str, client, data: dict) -> tuple[int, str]:
    """Post a form to a served wiki with a test client's session and a valid CSRF token, as
    that person's browser would; return the status and the body (redirects not followed)."""
    token = client.csrf_token()
    cookie = client.get_cookie("session").value
    host, port = base_url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=30)
    try:
        body = urllib.parse.urlencode({**data, "csrf_token": token})
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"session={cookie}",
        }
        connection.request("POST", path, body, headers)
        response = connection.getresponse()
        return response.status, response.read().decode()
    finally:
        connection.close()


def test_a_discard_through_one_process_resets_the_draft_for_editors_of_both(
    request, two_servers, make_page, login_as, people
):
    page = make_page("FAQ", "# FAQ\n")
    (_first, first_url), (_second, second_url) = two_servers
    alice = connect(first_url, page.id, login_as(people["alice"]).get_cookie("session").value)
    request.addfinalizer(alice.close)
    alice.announce("alice")
    bob_client = login_as(people["bob"])
    bob = connect(second_url, page.id, bob_client.get_cookie("session").value)
    request.addfinalizer(bob.close)
    # Joining a room new in its process, bob is told at once who is editing in the other.
    names = lambda: [s["user"]["name"] for s in bob.presence.values() if s]  # noqa: E731
    assert bob.wait(lambda: names() == ["alice"], timeout=5)
    alice.insert(6, "## New question\n")
    assert bob.wait(lambda: bob.value() == "# FAQ\n## New question\n")
    assert bob.wait(lambda: {"type": "typing", "by": "alice"} in bob.events)

    def written() -> bool:
        db.session.rollback()
        draft = store.draft_for(page.id)
        return store.typists(draft.id) == [people["alice"].id]

    assert LiveClient.wait_for(written)
    carol = login_as(people["carol"])
    status, _body = post_form(second_url, f"/live/{page.id}/discard", carol, {"discard": "all"})
    assert status == 302
    discarded = {"type": "discarded", "by": "carol", "revision": page.latest_revision_id}
    for client in (alice, bob):
        assert client.wait(lambda c=client: c.value() == "# FAQ\n" and discarded in c.events)
    dave = connect(first_url, page.id, login_as(people["dave"]).get_cookie("session").value)
    request.addfinalizer(dave.close)
    assert dave.value() == "# FAQ\n"
    assert dave.wait(lambda: any(e.get("type") == "draft" for e in dave.events))
    news = next(e for e in dave.events if e.get("type") == "draft")
    assert news["unsaved"] is False and news["by"] == []

    # Cancel's discard, through the other process, never drops someone else's typing.
    alice.insert(0, "Alice. ")
    bob.insert(len("Alice. # FAQ\n"), "Bob.")
    assert bob.wait(lambda: bob.value() == "Alice. # FAQ\nBob.")
    mine = {"discard": "mine"}
    status, body = post_form(second_url, f"/live/{page.id}/discard", bob_client, mine)
    assert status == 409 and "Someone else has changed" in body
    assert alice.wait(lambda: alice.value() == "Alice. # FAQ\nBob.")


def test_a_typist_in_the_other_process_is_credited_once_not_again_on_the_next_save(
    request, app, make_page, login_as, people
):
    redis_or_skip()
    page = make_page("Credits", "Hello")
    # Bob's process writes his typing late, so alice's save surely comes first (as it can
    # within a quarter of a second).
    first, first_url = start_gunicorn(app)
    request.addfinalizer(lambda: stop_gunicorn(first))
    second, second_url = start_gunicorn(app, WIKI_LIVE_WRITE_SECONDS="3")
    request.addfinalizer(lambda: stop_gunicorn(second))
    alice_client = login_as(people["alice"])
    alice = connect(first_url, page.id, alice_client.get_cookie("session").value)
    request.addfinalizer(alice.close)
    bob = connect(second_url, page.id, login_as(people["bob"]).get_cookie("session").value)
    request.addfinalizer(bob.close)
    bob.insert(5, " from Bob")
    assert alice.wait(lambda: alice.value() == "Hello from Bob")

    def save(text: str) -> int:
        db.session.rollback()
        fields = {"text": text, "base_revision": str(page_named("Credits").latest_revision_id)}
        status, _body = post_form(first_url, "/edit/Credits", alice_client, fields | LIVE)
        assert status == 302
        db.session.rollback()
        return page_named("Credits").latest_revision_id

    together = save("Hello from Bob")
    assert coauthor_ids(together) == [people["bob"].id]
    # Bob's process hears of the save; what it had not written yet of his is in it.
    assert bob.wait(lambda: any(e.get("type") == "saved" for e in bob.events))
    time.sleep(4.0)  # after its next write
    db.session.rollback()
    assert store.typists(store.draft_for(page.id).id) == []
    alice.insert(0, "Alice alone. ")
    assert bob.wait(lambda: bob.value() == "Alice alone. Hello from Bob")
    assert coauthor_ids(save("Alice alone. Hello from Bob")) == []


LIVE = {"live": "1", "action": "save", "summary": ""}


def coauthor_ids(revision_id: int) -> list[int]:
    """Return who a revision credits beside its author."""
    return list(
        db.session.scalars(
            select(RevisionCoauthor.user_id).where(RevisionCoauthor.revision_id == revision_id)
        )
    )


def test_a_room_opened_elsewhere_as_the_last_editor_leaves_gets_their_last_typing(
    app, other, make_page, login_as, people, monkeypatch
):
    """Bob's room, new in its process, read the draft just before alice's room (the last one
    open, elsewhere) wrote her last typing and let go: asked what it lacks, the room that
    was let go still answers."""
    redis_or_skip()
    for each in (app, other):  # two processes sharing Redis, served here in threads
        each.config["REDIS_URL"] = REDIS_URL
        each.extensions["live"] = Hub(each)
    here = app.extensions["live"]
    here.write_seconds = 60  # alice's typing is written only as her room empties
    page = make_page("Launch", "Hello")
    alice_cookie = login_as(people["alice"]).get_cookie("session").value
    bob_cookie = login_as(people["bob"]).get_cookie("session").value
    with served_on_a_port(app) as first, served_on_a_port(other) as second:
        alice = connect(first, page.id, alice_cookie)
        alice.insert(5, " there")
        assert LiveClient.wait_for(lambda: store.text_of(here.room(page.id).doc) == "Hello there")
        opening, opened = store.open_draft, []

        def open_as_alice_leaves(shown_page):
            loaded = opening(shown_page)  # before alice's typing is written
            if not opened:
                opened.append(True)
                alice.close()
                assert LiveClient.wait_for(lambda: here.room(page.id) is None)
            return loaded

        monkeypatch.setattr(store, "open_draft", open_as_alice_leaves)
        bob = connect(second, page.id, bob_cookie)
        try:
            assert opened and bob.wait(lambda: bob.value() == "Hello there")
        finally:
            bob.close()
