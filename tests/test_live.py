"""Live co-editing over real WebSockets: rooms, persistence, saves, permissions, bad input."""

import re
from datetime import timedelta

import pytest
from simple_websocket import ConnectionClosed
from sqlalchemy import func, select

from tests.helpers import (
    base_config,
    edit,
    form_value,
    latest_id,
    latest_text,
    release,
    save,
    served_on_a_port,
    text,
)
from tests.live_client import LiveClient, handshake_status
from wiki import create_app
from wiki.access.policy import save_policy
from wiki.core import ymessages as ym
from wiki.core.titles import parse_title
from wiki.database import write_transaction
from wiki.extensions import db
from wiki.live import store
from wiki.live.models import LiveDraft, LiveUpdate, RevisionCoauthor
from wiki.models import Draft, Revision, Role
from wiki.safety import accounts, protection


@pytest.fixture
def served(app):
    """Serve the test's app on a free local port (threads, like `make run`); yield its URL."""
    with served_on_a_port(app) as url:
        yield url


@pytest.fixture
def join(served, login_as, people):
    """Return a factory of live clients: join(page, "alice") logs alice in and connects."""
    clients = []

    def make(page, who: str, **options) -> LiveClient:
        cookie = login_as(people[who]).get_cookie("session").value
        client = LiveClient(served, page.id, cookie, **options)
        clients.append(client)
        assert client.synced.wait(10), "the room never sent its text"
        return client

    yield make
    for client in clients:
        client.close()


def test_two_people_see_each_others_typing_starting_from_the_latest_text(make_page, join):
    page = make_page("Launch", "Hello world")
    alice = join(page, "alice")
    bob = join(page, "bob")
    assert alice.value() == bob.value() == "Hello world"
    alice.insert(5, ", dear")
    bob.insert(0, "¡Ciao! 😀 ")
    expected = "¡Ciao! 😀 Hello, dear world"
    assert alice.wait(lambda: alice.value() == expected)
    assert bob.wait(lambda: bob.value() == expected)


def test_everyone_sees_who_is_editing_by_account_name_whatever_the_client_claims(make_page, join):
    page = make_page("Launch", "Hello")
    alice = join(page, "alice")
    bob = join(page, "bob")
    bob.announce("the boss", color="red; background: url(//evil.example/x)")
    names = lambda: [s["user"]["name"] for s in alice.presence.values() if s]  # noqa: E731
    assert alice.wait(lambda: names() == ["bob"])
    colors = [s["user"]["color"] for s in alice.presence.values() if s]
    assert all(re.fullmatch(r"#[0-9a-f]{6}", color) for color in colors)
    bob.close()
    assert alice.wait(lambda: names() == [])


def test_the_live_draft_is_kept_in_the_database_and_offered_to_the_next_editor(
    app, make_page, join
):
    page = make_page("Launch", "Hello")
    alice = join(page, "alice")
    alice.insert(5, " there")
    alice.close()
    db.session.rollback()  # see what the server committed
    draft = store.draft_for(page.id)

    def stored() -> str:
        db.session.rollback()
        return store.text_of(store.load_doc(draft.id))

    assert alice.wait(lambda: stored() == "Hello there")
    app.extensions["live"].rooms.clear()  # as after a restart: nothing in memory
    bob = join(page, "bob")
    assert bob.value() == "Hello there"
    assert latest_text("Launch") == "Hello"  # a draft, not a revision


def test_saving_from_the_live_editor_credits_everyone_who_typed(
    app, make_page, join, login_as, people
):
    page = make_page("Launch", "Hello")
    alice = join(page, "alice")
    bob = join(page, "bob")
    carol = join(page, "carol")  # only watches
    bob.insert(5, " from Bob")
    alice.insert(0, "Alice says: ")
    assert alice.wait(lambda: alice.value() == "Alice says: Hello from Bob")
    saver = login_as(people["alice"])
    response = saver.post(
        "/edit/Launch",
        data={
            "text": alice.value(),
            "summary": "together",
            "base_revision": str(latest_id("Launch")),
            "live": "1",
            "action": "save",
        },
    )
    assert response.status_code == 302
    revision = db.session.get(Revision, latest_id("Launch"))
    assert revision.text == "Alice says: Hello from Bob" and revision.summary == "together"
    coauthors = db.session.scalars(
        select(RevisionCoauthor.user_id).where(RevisionCoauthor.revision_id == revision.id)
    ).all()
    assert coauthors == [people["bob"].id]
    saved = {"type": "saved", "revision": revision.id, "by": "alice", "merged": False}
    assert carol.wait(lambda: saved in carol.events)
    assert bob.wait(lambda: saved in bob.events)
    history = saver.get("/history/Launch").get_data(as_text=True)
    assert re.search(r'class="coauthors">with <a class="user" href="[^"]*">bob</a>', history)
    credits = saver.get("/info/Launch").get_data(as_text=True)
    assert ">bob</a>" in credits
    contributions = saver.get("/user/bob").get_data(as_text=True)
    assert "together" in contributions  # the summary of the revision bob co-wrote


def moderator_over_newcomer(page, join, people, typed: str, own: str):
    """With every edit but a reviewer's waiting for review, tom types typed after the
    page's "Hello" in the live editor, then the moderator joins and types own before it;
    return her live client once she has both."""
    from wiki.review.settings import save_settings

    save_settings(people["admin"], "all", 0, 0)
    tom = join(page, "tom")
    tom.insert(5, typed)
    mod = join(page, "mod")
    assert mod.wait(lambda: mod.value() == "Hello" + typed)
    mod.insert(0, own)
    assert mod.wait(lambda: mod.value() == own + "Hello" + typed)
    return mod


def test_a_reviewers_live_save_that_takes_in_a_newcomers_typing_waits_for_review(
    app, make_page, join, login_as, people, client
):
    # Every edit waits for review but a reviewer's: tom's typing left in the shared draft
    # must not reach readers because giulia (a moderator) saved a typo fix on top of it.
    page, other = make_page("Launch", "Hello"), make_page("Pricing", "Prices")
    published = latest_id("Launch")
    mod = moderator_over_newcomer(page, join, people, " CHEAPEST PRICES EVER", "Welcome! ")
    saver = login_as(people["mod"])
    form = {"text": mod.value(), "summary": "typo", "live": "1", "action": "save"}
    response = saver.post("/edit/Launch", data={**form, "base_revision": str(published)})
    assert response.status_code == 302
    assert latest_text("Launch") == "Welcome! Hello CHEAPEST PRICES EVER"
    assert "CHEAPEST" not in client.get("/wiki/Launch").get_data(as_text=True)
    assert "wait for a reviewer" in saver.get("/wiki/Launch").get_data(as_text=True)
    assert "Launch" in saver.get("/review").get_data(as_text=True)
    # The queue lists tom among the authors, and finds the page by his name.
    queue = saver.get("/review?author=tom").get_data(as_text=True)
    assert re.search(r"<td>[^<]*\btom\b[^<]*</td>", queue) and "/review/Launch" in queue
    # The review screen says whose typing the waiting change holds.
    screen = saver.get("/review/Launch").get_data(as_text=True)
    assert re.search(r'class="coauthors">with <a class="user" href="[^"]*">tom</a>', screen)
    # Her live save of her own typing alone is published at once.
    alone = join(other, "mod")
    alone.insert(6, " from 10 €")
    assert alone.wait(lambda: alone.value() == "Prices from 10 €")
    form = {**form, "text": alone.value(), "base_revision": str(latest_id("Pricing"))}
    assert saver.post("/edit/Pricing", data=form).status_code == 302
    assert "from 10 €" in client.get("/wiki/Pricing").get_data(as_text=True)


def test_typing_is_written_as_whose_it_is_before_anyone_sees_it(
    app, make_page, join, login_as, people, client
):
    # A save in any process (its POST may reach another app server than the sockets) reads
    # who typed from the database: the room writes it before it passes the typing on, not
    # at its next flush. So the moment mod sees tom's words, a save of them waits.
    from wiki.review.settings import save_settings

    page = make_page("Launch", "Hello")
    save_settings(people["admin"], "all", 0, 0)
    published = latest_id("Launch")
    mod = join(page, "mod")
    tom = join(page, "tom")
    room = app.extensions["live"].room(page.id)
    with room.lock:  # no flush may write meanwhile: only the typing's own record counts
        room.flushed_at = float("inf")
    tom.insert(5, " CHEAPEST PRICES EVER")
    assert mod.wait(lambda: mod.value() == "Hello CHEAPEST PRICES EVER")
    db.session.rollback()
    assert store.typists(store.draft_id_for(page.id)) == [people["tom"].id]
    assert db.session.scalar(select(func.count()).select_from(LiveUpdate)) <= 1  # not flushed
    saver = login_as(people["mod"])
    form = {"text": mod.value(), "summary": "s", "live": "1", "action": "save"}
    assert saver.post("/edit/Launch", data={**form, "base_revision": str(published)}).status_code
    assert latest_text("Launch") == "Hello CHEAPEST PRICES EVER"
    assert "CHEAPEST" not in client.get("/wiki/Launch").get_data(as_text=True)


def test_a_live_save_sent_to_the_conflict_screen_still_takes_in_everyones_typing(
    app, make_page, join, login_as, people, client
):
    import html as markup

    from wiki.review.settings import save_settings

    text = "Spring is here.\n\nOur launch is on Monday.\n\nJoin us in Milan.\n"
    page = make_page("Plan", text)
    save_settings(people["admin"], "all", 0, 0)
    base = latest_id("Plan")
    tom = join(page, "tom")
    tom.insert(len(text) - 2, " CHEAPEST EVER")
    mod = join(page, "mod")
    assert mod.wait(lambda: "CHEAPEST" in mod.value())
    # An administrator saves the same sentence outside the live editor meanwhile.
    admin = login_as(people["admin"])
    assert edit(admin, "Plan", text.replace("Monday", "Tuesday")).status_code == 302
    assert mod.wait(lambda: "Tuesday" in mod.value())  # merged into the live draft
    saver = login_as(people["mod"])
    mine = mod.value().replace("Tuesday", "Friday")  # sent on the base her editor opened
    sent = {"text": mine, "summary": "date", "live": "1", "action": "save"}
    screen = saver.post("/edit/Plan", data={**sent, "base_revision": str(base)})
    assert screen.status_code == 409
    html = screen.get_data(as_text=True)
    assert 'name="live" value="1"' in html  # the screen's form is still the live draft's
    names = ("base_revision", "merge_base", "offered_sha1", "live")
    form = {name: form_value(html, name) for name in names}
    form["mine"] = markup.unescape(re.search(r'name="mine"[^>]*>(.*?)</textarea>', html, re.S)[1])
    form["text"] = markup.unescape(
        re.search(r'id="editor-text"[^>]*>(.*?)</textarea>', html, re.S)[1]
    )
    [number] = set(re.findall(r'name="choice-(\d+)"', html))
    form |= {"summary": "date", "action": "save", f"choice-{number}": "mine"}
    assert saver.post("/edit/Plan", data=form).status_code == 302
    assert "CHEAPEST" in latest_text("Plan")
    assert "CHEAPEST" not in client.get("/wiki/Plan").get_data(as_text=True)


def test_a_save_made_outside_the_live_editor_is_merged_into_the_live_draft(
    make_page, join, people
):
    page = make_page("Launch", "First line.\n\nSecond line.\n")
    alice = join(page, "alice")
    alice.insert(len("First line."), " Alice typed this.")
    assert alice.wait(lambda: "Alice typed" in alice.value())
    # Bob uses the classic form (or the API, undo, restore): saved from revision 1.
    save("Launch", "First line.\n\nSecond line, improved by Bob.\n", people["bob"])
    expected = "First line. Alice typed this.\n\nSecond line, improved by Bob.\n"
    assert alice.wait(lambda: alice.value() == expected)
    assert alice.wait(lambda: any(e.get("merged") for e in alice.events))


@pytest.mark.parametrize(
    "reason", ["Vandalism", "Pubblicità ripetuta — già avvisato due volte sulla discussione. " * 2]
)
def test_someone_blocked_while_editing_is_shown_why_and_put_out(make_page, join, people, reason):
    page = make_page("Launch", "Hello")
    bob = join(page, "bob")
    accounts.block_user(people["admin"], people["bob"], reason, "1w")
    assert bob.wait_closed(15)
    # Refused, not lost: a close frame's reason holds at most 123 bytes.
    assert bob.close_reason == 4403
    readonly = [e for e in bob.events if e.get("type") == "readonly"]
    assert readonly and reason.strip() in readonly[0]["reason"]


def test_a_protection_set_while_editing_takes_effect_at_once(make_page, join, people):
    page = make_page("Launch", "Hello")
    bob = join(page, "bob")
    protection.protect(people["mod"], parse_title("Launch"), "moderator", "1w", "Launch day")
    assert bob.wait_closed(15) and bob.close_reason == 4403


def test_a_malformed_update_closes_only_that_connection(make_page, join):
    page = make_page("Launch", "Hello")
    alice = join(page, "alice")
    mallory = join(page, "bob")
    mallory.send(ym.sync(ym.SYNC_UPDATE, b"\x05\xff\xff garbage"))
    assert mallory.wait_closed()
    assert mallory.close_reason == 4400
    alice.insert(5, "!")
    assert alice.wait(lambda: alice.value() == "Hello!")
    carol = join(page, "carol")
    # Alice's own copy changes at once; the room has it once her update has arrived.
    assert carol.wait(lambda: carol.value() == "Hello!")


def test_too_many_messages_close_the_connection(app, make_page, join):
    app.config["LIVE_MESSAGE_BURST"] = 5
    app.config["LIVE_MESSAGES_PER_SECOND"] = 1
    page = make_page("Launch", "Hello")
    flood = join(page, "bob")
    for _ in range(20):
        try:
            flood.send(ym.sync(ym.SYNC_STEP1, b"\x00"))
        except (ConnectionClosed, OSError):  # closed: OSError once the reader shut the socket
            break
    assert flood.wait_closed()
    assert flood.close_reason == 1008


@pytest.mark.parametrize(
    ("who", "origin"),
    [("anonymous", None), ("reader", None), ("bob", "http://evil.example")],
)
def test_only_people_who_may_edit_can_join(served, make_page, login_as, people, who, origin):
    page = make_page("Launch", "Hello")
    cookie = None if who == "anonymous" else login_as(people[who]).get_cookie("session").value
    assert handshake_status(served, page.id, cookie, origin or served) == 403
    bob = login_as(people["bob"]).get_cookie("session").value
    assert handshake_status(served, page.id, bob, served) == 101  # the same, allowed


def test_a_plain_request_to_the_socket_address_is_a_clear_400(client, make_page, editor):
    page = make_page("Launch", "Hello")
    response = client.get(f"/live/{page.id}")
    assert response.status_code == 400
    assert "WebSocket" in response.get_data(as_text=True)


def test_stored_updates_are_compacted_when_the_room_closes(make_page, join):
    page = make_page("Launch", "Hello")
    alice = join(page, "alice")
    for i in range(30):
        alice.insert(5 + i, "!")
    assert alice.wait(lambda: alice.value() == "Hello" + "!" * 30)
    alice.close()
    db.session.rollback()  # see what the server committed
    draft = store.draft_for(page.id)

    def rows() -> int:
        db.session.rollback()
        return db.session.scalar(select(func.count()).where(LiveUpdate.draft_id == draft.id))

    expected = "Hello" + "!" * 30
    assert alice.wait(lambda: rows() == 1 and store.text_of(store.load_doc(draft.id)) == expected)


def test_someone_joining_as_the_last_editor_leaves_finds_their_last_typing(
    app, make_page, join, served, login_as, people, monkeypatch
):
    """The last editor leaves (for Preview, say, whose page joins again at once) with typing
    the room has not written yet: whoever joins meanwhile finds it, not the older text."""
    page = make_page("Launch", "Hello")
    live = app.extensions["live"]
    live.write_seconds = 60  # nothing is written until the room empties
    alice = join(page, "alice")
    alice.insert(5, " there")
    assert LiveClient.wait_for(lambda: store.text_of(live.room(page.id).doc) == "Hello there")
    bob_cookie = login_as(people["bob"]).get_cookie("session").value
    joining: list[LiveClient] = []
    write = store.append

    def append_as_bob_joins(draft_id, *taken):
        # Bob's browser connects while the room writes alice's typing on her way out.
        if not joining:
            joining.append(LiveClient(served, page.id, bob_cookie))
            joining[0].synced.wait(1)
        write(draft_id, *taken)

    monkeypatch.setattr(store, "append", append_as_bob_joins)
    alice.close()
    assert LiveClient.wait_for(lambda: joining and joining[0].synced.is_set())
    bob = joining[0]
    try:
        assert bob.wait(lambda: bob.value() == "Hello there"), (bob.value(), bob.events)
    finally:
        bob.close()


def test_only_the_live_editor_page_allows_codemirrors_styles(client, make_page, editor):
    make_page("Launch", "Hello")
    page = client.get("/edit/Launch")
    html = page.get_data(as_text=True)
    policy = page.headers["Content-Security-Policy"]
    nonce = re.search(r'data-nonce="([^"]+)"', html).group(1)
    assert f"style-src 'self' 'nonce-{nonce}'" in policy
    assert "script-src 'self';" in policy and "unsafe-eval" not in policy
    assert 'id="live-editor"' in html and "live.bundle.js" in html
    # The script marks the form live once the shared draft is in it: sent without
    # JavaScript, the textarea holds the saved text, and the save is a classic one.
    assert 'name="live"' not in html
    view = client.get("/wiki/Launch")
    assert "style-src" not in view.headers["Content-Security-Policy"]


def test_new_pages_and_visitors_get_the_classic_editor(client, make_page, editor, app):
    html = client.get("/edit/Brand_new").get_data(as_text=True)
    assert "live.bundle.js" not in html and 'name="text"' in html
    make_page("Launch", "Hello")
    app.config["LIVE_EDITING"] = False
    assert "live.bundle.js" not in client.get("/edit/Launch").get_data(as_text=True)


def left_idle(draft_id: int, days: int = 30) -> None:
    """Make a live draft look untouched, and not open anywhere, for this many days."""
    # The room's last writes may still be finishing: take the write lock as the app does.
    with write_transaction():
        draft = db.session.get(LiveDraft, draft_id)
        draft.updated_at -= timedelta(days=days)
        draft.open_at = draft.open_at and draft.open_at - timedelta(days=days)


def expire_once_idle(app, client: LiveClient, draft_id: int) -> str:
    """Run `flask live-expire` on the draft made to look idle; return its output. The room's
    last write (after it left the process's rooms) can land after left_idle and make the
    draft look used: then it is made idle again and the command run again."""
    outputs = []

    def expired() -> bool:
        left_idle(draft_id)
        result = app.test_cli_runner().invoke(args=["live-expire", "--days", "14"])
        # A run that failed (its transaction meeting the room's last write) said nothing:
        # it expired nothing, as cron's next run would find; only "N live drafts…" counts.
        outputs.append(result.output or repr(result.exception))
        db.session.rollback()
        return re.match(r"[1-9]\d* live drafts", outputs[-1]) is not None

    assert client.wait(expired), outputs
    return outputs[-1]


def test_an_idle_live_draft_becomes_a_draft_its_authors_can_open(
    app, make_page, join, login_as, people
):
    page = make_page("Launch", "Hello")
    alice = join(page, "alice")
    alice.insert(5, " unsaved")
    alice.close()
    db.session.rollback()
    draft = store.draft_for(page.id)

    def written() -> bool:
        db.session.rollback()
        # Typists are noted before their first keystroke spreads: wait for the typing too.
        typed = store.text_of(store.load_doc(draft.id)) == "Hello unsaved"
        return typed and not app.extensions["live"].rooms and bool(store.typists(draft.id))

    assert alice.wait(written)
    assert "1 live drafts" in expire_once_idle(app, alice, draft.id)
    db.session.rollback()
    assert store.draft_for(page.id) is None
    editor = login_as(people["alice"])
    html = editor.get("/edit/Launch").get_data(as_text=True)
    assert "You have an unsaved draft" in html
    restored = editor.get("/edit/Launch?draft=1").get_data(as_text=True)
    assert "Hello unsaved" in restored
    assert latest_text("Launch") == "Hello"


def test_an_idle_live_draft_hands_its_edit_summary_to_the_drafts(
    app, make_page, join, login_as, people
):
    page = make_page("Launch", "Hello")
    alice = join(page, "alice")
    bob = join(page, "bob")
    alice.insert(5, " unsaved")
    assert bob.wait(lambda: bob.value() == "Hello unsaved")
    bob.insert(13, "!")
    summary = "Warmer greeting " + "!" * 600  # longer than a summary may be
    bob.set_summary(summary)
    assert alice.wait(lambda: alice.summary() == summary)
    alice.close()
    bob.close()
    db.session.rollback()
    draft = store.draft_for(page.id)

    def written() -> bool:
        db.session.rollback()
        doc = store.load_doc(draft.id)
        typed = store.text_of(doc) == "Hello unsaved!" and store.summary_of(doc) == summary
        return (
            typed
            and not app.extensions["live"].rooms
            and set(store.typists(draft.id)) == {people["alice"].id, people["bob"].id}
        )

    assert alice.wait(written)
    expire_once_idle(app, alice, draft.id)
    for who in ("alice", "bob"):
        mine = db.session.scalar(select(Draft).where(Draft.user_id == people[who].id))
        assert mine.text == "Hello unsaved!"
        assert mine.summary == summary[: app.config["MAX_SUMMARY_LENGTH"]]
    html = login_as(people["alice"]).get("/edit/Launch").get_data(as_text=True)
    assert "You have an unsaved draft" in html and "Warmer greeting !!!" in html


def test_a_draft_left_open_in_an_editor_is_not_expired_by_the_command_run_elsewhere(
    app, make_page, join, database_url, tmp_path
):
    # `flask live-expire` runs from cron, in a process holding no room: the draft open in
    # alice's editor on an app server must stay, however long she has not typed.
    page = make_page("Launch", "Hello")
    alice = join(page, "alice")
    alice.insert(5, " unsaved")
    db.session.rollback()  # see what the room wrote since the test's last read
    draft_id = store.draft_for(page.id).id
    assert alice.wait(lambda: written_text(draft_id) == "Hello unsaved")
    with write_transaction():
        db.session.get(LiveDraft, draft_id).updated_at -= timedelta(days=30)
    cron = create_app(base_config(tmp_path, database_url))
    with cron.app_context():  # else the command would run in the test's app, alice's
        result = cron.test_cli_runner().invoke(args=["live-expire", "--days", "14"])
    assert "0 live drafts" in result.output
    db.session.rollback()
    assert store.draft_for(page.id).id == draft_id
    alice.insert(13, "!")
    assert alice.wait(lambda: written_text(draft_id) == "Hello unsaved!")
    # Once nobody has had it open for a while, the same command hands it over.
    alice.close()
    assert alice.wait(lambda: not app.extensions["live"].rooms)
    left_idle(draft_id)
    with cron.app_context():
        result = cron.test_cli_runner().invoke(args=["live-expire", "--days", "14"])
        release(cron)
    assert "1 live drafts" in result.output


def written_text(draft_id: int) -> str:
    """Return the text of a live draft as stored."""
    db.session.rollback()
    return store.text_of(store.load_doc(draft_id))


def test_a_live_save_clears_the_shared_summary_and_an_outside_save_keeps_it(
    make_page, join, login_as, people
):
    page = make_page("Launch", "Hello.\n\nEnd.\n")
    alice = join(page, "alice")
    bob = join(page, "bob")
    alice.insert(5, " there")
    alice.set_summary("Greet them")
    assert bob.wait(lambda: bob.summary() == "Greet them")
    save("Launch", "Hello.\n\nThe end.\n", people["carol"])  # outside the live editor
    assert bob.wait(lambda: bob.value() == "Hello there.\n\nThe end.\n")
    assert bob.summary() == "Greet them"  # still the summary of the live draft's edit
    response = login_as(people["bob"]).post(
        "/edit/Launch",
        data={
            "text": bob.value(),
            "summary": bob.summary(),
            "base_revision": str(latest_id("Launch")),
            "live": "1",
            "action": "save",
        },
    )
    assert response.status_code == 302
    assert db.session.get(Revision, latest_id("Launch")).summary == "Greet them"
    assert alice.wait(lambda: alice.summary() == "")
    db.session.rollback()
    assert store.summary_of(store.load_doc(store.draft_for(page.id).id)) == ""
    carol = join(page, "carol")  # the next edit starts without the old summary
    assert carol.summary() == "" and carol.value() == "Hello there.\n\nThe end.\n"


def test_the_side_preview_renders_like_a_page_view_and_stays_safe(client, editor):
    shown = client.post(
        "/live/preview", data={"text": "# Plan\n\n<script>alert(1)</script> [[Nowhere]]"}
    )
    assert shown.status_code == 200
    html = shown.get_json()["html"]
    assert "<h1" in html and "Plan" in html
    assert "<script" not in html and "Nowhere" in html
    too_big = client.post("/live/preview", data={"text": "x" * (1024 * 1024 + 1)})
    assert too_big.status_code == 413 and "too large" in too_big.get_json()["error"]


def draft_event(client: LiveClient) -> dict:
    """Return what the room told a client of the draft when it joined."""
    assert client.wait(lambda: any(e.get("type") == "draft" for e in client.events))
    return next(e for e in client.events if e.get("type") == "draft")


def stored_text(page) -> str:
    """Return the text of the page's live draft as the database holds it now."""
    db.session.rollback()
    return store.text_of(store.load_doc(store.draft_for(page.id).id))


def left_written(app, page, text: str) -> None:
    """Wait until everyone left the page's room and its text is written."""
    done = lambda: not app.extensions["live"].rooms and stored_text(page) == text  # noqa: E731
    assert LiveClient.wait_for(done), "the room never wrote its text"


def test_someone_joining_is_told_whose_unsaved_changes_the_draft_holds_and_since_when(
    app, make_page, join
):
    page = make_page("FAQ", "# FAQ\n")
    bob = join(page, "bob")
    news = draft_event(bob)
    assert news["unsaved"] is False and news["by"] == [] and news["ago"].endswith(" ago")
    bob.insert(6, "## New question\n")
    bob.close()
    left_written(app, page, "# FAQ\n## New question\n")
    with write_transaction():
        draft = store.draft_for(page.id)
        draft.updated_at -= timedelta(minutes=20)
    carla = join(page, "carla")
    assert draft_event(carla) == {
        "type": "draft",
        "unsaved": True,
        "by": ["bob"],
        "blocked": [],
        "ago": "20 minutes ago",
    }
    dave = join(page, "dave")
    carla.insert(0, "Hi. ")
    assert dave.wait(lambda: {"type": "typing", "by": "carla"} in dave.events)
    assert dave.events.count({"type": "typing", "by": "carla"}) == 1  # once, not per keystroke


def test_discarding_puts_the_saved_text_back_for_everyone_editing(
    make_page, join, login_as, people
):
    page = make_page("FAQ", "# FAQ\n")
    bob = join(page, "bob")
    carla = join(page, "carla")  # only watches
    bob.insert(6, "## New question\n")
    bob.set_summary("Bob's question")
    assert carla.wait(lambda: carla.summary() == "Bob's question")
    assert carla.value() == "# FAQ\n## New question\n"
    dave = login_as(people["dave"])
    response = dave.post(f"/live/{page.id}/discard", data={"discard": "all"})
    assert response.status_code == 302 and response.headers["Location"] == "/edit/FAQ"
    discarded = {"type": "discarded", "by": "dave", "revision": latest_id("FAQ")}
    for client in (bob, carla):
        assert client.wait(lambda c=client: c.value() == "# FAQ\n" and c.summary() == "")
        assert client.wait(lambda c=client: discarded in c.events)
    assert stored_text(page) == "# FAQ\n"
    assert store.typists(store.draft_for(page.id).id) == []
    assert latest_text("FAQ") == "# FAQ\n"
    # Bob's typing is not lost: it is his own draft now (carla only watched: none for her).
    drafts = db.session.scalars(select(Draft)).all()
    assert [(d.user_id, d.text, d.summary) for d in drafts] == [
        (people["bob"].id, "# FAQ\n## New question\n", "Bob's question")
    ]
    html = dave.get("/edit/FAQ").get_data(as_text=True)
    assert "The unsaved changes were discarded" in html
    assert "A copy is kept as a personal draft for bob." in html
    erin = join(page, "erin")
    assert erin.value() == "# FAQ\n" and draft_event(erin)["unsaved"] is False
    bob.insert(0, "Again: ")  # typing goes on from the saved text
    assert erin.wait(lambda: erin.value() == "Again: # FAQ\n")


def test_discarding_a_draft_without_changes_says_so(make_page, join, login_as, people):
    page = make_page("FAQ", "# FAQ\n")
    join(page, "bob")
    editor = login_as(people["dave"])
    response = editor.post(f"/live/{page.id}/discard", data={}, follow_redirects=True)
    assert "There were no unsaved changes to discard." in response.get_data(as_text=True)
    never_opened = make_page("Other", "Text")
    response = editor.post(f"/live/{never_opened.id}/discard", data={}, follow_redirects=True)
    assert "There were no unsaved changes to discard." in response.get_data(as_text=True)
    assert editor.post("/live/999999/discard", data={}).status_code == 404


def faq_left_unsaved(make_page, join):
    """Return an FAQ page whose live draft holds bob's unsaved "Unsaved.", and bob."""
    page = make_page("FAQ", "# FAQ\n")
    bob = join(page, "bob")
    bob.insert(6, "Unsaved.")
    assert bob.wait(lambda: stored_text(page) == "# FAQ\nUnsaved.")
    return page, bob


@pytest.mark.parametrize("who", ["reader", "blocked", "protected"])
def test_only_people_who_may_edit_can_discard(make_page, join, login_as, people, who):
    page, _bob = faq_left_unsaved(make_page, join)
    person = people["reader" if who == "reader" else "carla"]
    reason = "Your account can read but not edit"
    if who == "blocked":
        accounts.block_user(people["admin"], person, "Vandalism", "1w")
        reason = "Vandalism"
    elif who == "protected":
        protection.protect(people["mod"], parse_title("FAQ"), "moderator", "1w", "Launch day")
        reason = "Launch day"
    response = login_as(person).post(f"/live/{page.id}/discard", data={})
    assert response.status_code == 403
    html = response.get_data(as_text=True)
    assert "Only people who may edit this page can discard its unsaved changes." in html
    assert reason in html
    assert stored_text(page) == "# FAQ\nUnsaved."


def test_discarding_asks_a_visitor_to_log_in_and_needs_the_forms_token(
    client, make_page, join, login_as, people
):
    page, _bob = faq_left_unsaved(make_page, join)
    response = client.post(f"/live/{page.id}/discard", data={})
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    forged = login_as(people["dave"]).post(
        f"/live/{page.id}/discard", data={"csrf_token": "forged"}
    )
    assert forged.status_code == 400
    assert stored_text(page) == "# FAQ\nUnsaved."


def test_cancel_discards_the_persons_own_changes_and_never_someone_elses(
    app, make_page, join, login_as, people
):
    page = make_page("FAQ", "# FAQ\n")
    bob = join(page, "bob")
    bob.insert(6, "## New question\n")
    assert bob.wait(lambda: stored_text(page) == "# FAQ\n## New question\n")
    leaving = login_as(people["bob"]).post(f"/live/{page.id}/discard", data={"discard": "mine"})
    assert leaving.status_code == 302 and leaving.headers["Location"] == "/wiki/FAQ"
    assert bob.wait(lambda: bob.value() == "# FAQ\n")
    assert stored_text(page) == "# FAQ\n"
    assert db.session.scalars(select(Draft)).all() == []  # his own: no copy kept
    carla = join(page, "carla")
    carla.insert(0, "Carla. ")
    bob.insert(len("Carla. # FAQ\n"), "Bob.")
    assert bob.wait(lambda: bob.value() == "Carla. # FAQ\nBob.")
    refused = login_as(people["bob"]).post(f"/live/{page.id}/discard", data={"discard": "mine"})
    assert refused.status_code == 409
    assert "Someone else has changed this page" in refused.get_data(as_text=True)
    carla.close()
    bob.close()
    left_written(app, page, "Carla. # FAQ\nBob.")


def test_a_close_reason_is_cut_to_what_a_close_frame_holds():
    from wiki.live.views import close_reason

    cut = close_reason("Già " * 60)
    assert len(cut.encode()) <= 123 and "Già Già" in cut
    assert close_reason("Short.") == "Short."


def test_a_blocked_persons_unsaved_typing_is_set_aside_not_left_for_others_to_save(
    make_page, join, people
):
    page = make_page("FAQ", "# FAQ\n")
    alice, bob = join(page, "alice"), join(page, "bob")
    bob.insert(6, "Buy cheap watches\n")
    assert bob.wait(lambda: stored_text(page) == "# FAQ\nBuy cheap watches\n")
    bob.close()  # gone before the block: nothing on his connection notices it
    accounts.block_user(people["admin"], people["bob"], "Spam", "1w")
    # Everyone editing is back at the saved text and told why; bob keeps his as a draft.
    assert alice.wait(lambda: alice.value() == "# FAQ\n")
    assert stored_text(page) == "# FAQ\n"
    told = lambda: any(e.get("type") == "discarded" and e.get("blocked") for e in alice.events)  # noqa: E731
    assert alice.wait(told)  # the event follows the update
    kept = db.session.scalar(select(Draft).where(Draft.user_id == people["bob"].id))
    assert kept is not None and "Buy cheap watches" in kept.text
    carla = join(page, "carla")
    news = next(e for e in carla.events if e.get("type") == "draft")
    assert not news["unsaved"]


def test_typing_on_between_the_block_and_the_editor_closing_adds_to_the_set_aside_draft(
    app, make_page, join, people
):
    app.config["LIVE_RECHECK_SECONDS"] = 2.0  # the default: time to type before the check
    page = make_page("FAQ", "# FAQ\n")
    bob = join(page, "bob")
    bob.insert(6, "Early words\n")
    assert bob.wait(lambda: stored_text(page) == "# FAQ\nEarly words\n")
    accounts.block_user(people["admin"], people["bob"], "Spam", "1w")
    # Set aside at once; his editor takes typing until its next check puts him out.
    assert bob.wait(lambda: bob.value() == "# FAQ\n")
    bob.insert(6, "Late words\n")
    assert bob.wait_closed(15)
    # Put out, what he typed since is set aside too: nobody else may save it.
    assert LiveClient.wait_for(lambda: stored_text(page) == "# FAQ\n")
    db.session.rollback()
    kept = db.session.scalar(select(Draft).where(Draft.user_id == people["bob"].id))
    assert "Early words" in kept.text and "Late words" in kept.text


@pytest.mark.parametrize("withdrawal", ["reader", "approval"])
def test_typing_of_someone_made_unable_to_edit_is_set_aside_too(
    make_page, join, people, withdrawal
):
    page = make_page("FAQ", "# FAQ\n")
    if withdrawal == "approval":
        save_policy(people["admin"], edit="approved")
        for name in ("alice", "bob"):
            accounts.approve(people["admin"], people[name])
    alice, bob = join(page, "alice"), join(page, "bob")
    bob.insert(6, "Unchecked claims\n")
    assert bob.wait(lambda: stored_text(page) == "# FAQ\nUnchecked claims\n")
    bob.close()
    if withdrawal == "reader":
        accounts.set_role(people["admin"], people["bob"], str(int(Role.READER)), "")
    else:
        accounts.approve(people["admin"], people["bob"], approved=False)
    assert alice.wait(lambda: alice.value() == "# FAQ\n")
    kept = db.session.scalar(select(Draft).where(Draft.user_id == people["bob"].id))
    assert kept is not None and "Unchecked claims" in kept.text


def test_saving_a_shared_draft_someone_else_saved_says_who_saved_it(
    make_page, join, people, login_as
):
    page = make_page("FAQ", "# FAQ\n")
    alice, bob = join(page, "alice"), join(page, "bob")
    bob.insert(6, "Bob's answer.\n")
    assert alice.wait(lambda: alice.value() == "# FAQ\nBob's answer.\n")
    form = {"text": "# FAQ\nBob's answer.\n", "base_revision": page.latest_revision_id}
    alice_saves = login_as(people["alice"]).post("/edit/FAQ", data={**form, "live": "1"})
    assert alice_saves.status_code == 302
    assert bob.wait(lambda: any(e.get("type") == "saved" for e in bob.events))
    bob_saves = login_as(people["bob"])
    bob_saves.post("/edit/FAQ", data={**form, "live": "1"})
    told = text(bob_saves.get("/wiki/FAQ"))
    assert "Nothing left to save: alice saved the shared text" in told
    assert "Nothing changed" not in told
    alice.close()
    bob.close()


def test_a_change_that_leaves_editing_allowed_sets_nothing_aside(make_page, join, people):
    page = make_page("FAQ", "# FAQ\n")
    bob = join(page, "bob")
    bob.insert(6, "Good answer\n")
    assert bob.wait(lambda: stored_text(page) == "# FAQ\nGood answer\n")
    accounts.set_role(people["admin"], people["bob"], str(int(Role.MODERATOR)), "")
    accounts.approve(people["admin"], people["bob"], approved=False)  # the policy needs none
    carla = join(page, "carla")
    assert carla.value() == "# FAQ\nGood answer\n"


def test_a_draft_others_typed_in_too_keeps_it_and_says_who_is_blocked(make_page, join, people):
    page = make_page("FAQ", "# FAQ\n")
    alice, bob = join(page, "alice"), join(page, "bob")
    alice.insert(6, "Alice's answer.\n")
    bob.insert(0, "Bob. ")
    assert bob.wait(lambda: stored_text(page) == "Bob. # FAQ\nAlice's answer.\n")
    accounts.block_user(people["admin"], people["bob"], "Spam", "1w")
    assert bob.wait_closed(15)
    carla = join(page, "carla")
    assert carla.value() == "Bob. # FAQ\nAlice's answer.\n"  # alice's typing is not lost
    news = next(e for e in carla.events if e.get("type") == "draft")
    assert news["unsaved"] and news["by"] == ["alice", "bob"] and news["blocked"] == ["bob"]
    # Blocks are in the moderation log: where only staff read it, only staff are told.
    save_policy(people["admin"], log="moderators")
    dave = join(page, "dave")
    assert next(e for e in dave.events if e.get("type") == "draft")["blocked"] == []
    mod = join(page, "mod")
    assert next(e for e in mod.events if e.get("type") == "draft")["blocked"] == ["bob"]


def test_a_reviewer_may_publish_a_newcomers_typing_with_a_live_save(
    app, make_page, join, login_as, people, client
):
    page = make_page("Launch", "Hello")
    published = latest_id("Launch")
    mod = moderator_over_newcomer(page, join, people, " and welcome", "Oh! ")
    # The moderator read tom's unsaved typing and publishes it with her save: nothing of
    # the page waited before, so only her word for tom's typing publishes it.
    saver = login_as(people["mod"])
    form = {"text": mod.value(), "summary": "read it", "live": "1", "action": "save"}
    vouched = {**form, "publish_waiting": "1", "base_revision": str(published)}
    assert saver.post("/edit/Launch", data=vouched).status_code == 302
    assert "Oh! Hello and welcome" in client.get("/wiki/Launch").get_data(as_text=True)
    assert "Launch" not in saver.get("/review").get_data(as_text=True)
    coauthors = db.session.scalars(
        select(RevisionCoauthor.user_id).where(RevisionCoauthor.revision_id == latest_id("Launch"))
    ).all()
    assert coauthors == [people["tom"].id]
