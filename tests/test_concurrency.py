"""Saves under contention and a save killed half-way: nothing acknowledged is ever lost."""

import sqlite3
import subprocess
import sys
import textwrap
import threading
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine, event, text
from sqlalchemy.exc import OperationalError

from wiki import database
from wiki.core.titles import parse_title
from wiki.database import tune_engine
from wiki.extensions import db
from wiki.integrity import check_all
from wiki.models import Revision
from wiki.pages.service import EditConflict, get_page, save_page

WRITERS = 8
SAVES_EACH = 25


def test_concurrent_writers_lose_nothing(app, make_user, make_page):
    """8 writers × 25 saves, each changing its own line: every acknowledged save is kept."""
    lines = [f"writer {n}: 0" for n in range(WRITERS)]
    make_page("Busy", "\n".join(lines) + "\n")
    users = [make_user(f"writer{n}").id for n in range(WRITERS)]
    acknowledged: dict[int, list[int]] = {n: [] for n in range(WRITERS)}
    failures: list[BaseException] = []
    start = threading.Barrier(WRITERS)

    def writer(number: int) -> None:
        with app.app_context():
            from wiki.models import User

            user = db.session.get(User, users[number])
            start.wait()
            for step in range(1, SAVES_EACH + 1):
                try:
                    page = get_page(parse_title("Busy"))
                    base = page.latest
                    text = base.text.replace(
                        f"writer {number}: {step - 1}\n", f"writer {number}: {step}\n"
                    )
                    result = save_page(
                        parse_title("Busy"), text, author=user, base_revision_id=base.id
                    )
                    assert result.revision is not None
                    acknowledged[number].append(result.revision.id)
                except BaseException as error:  # noqa: BLE001 - reported below
                    failures.append(error)
                    return
                finally:
                    db.session.rollback()
            db.session.remove()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not failures, failures
    db.session.rollback()  # end the test's read snapshot, taken before the writers ran
    final = get_page(parse_title("Busy")).latest.text
    assert final == "".join(f"writer {n}: {SAVES_EACH}\n" for n in range(WRITERS))
    saved = set(db.session.scalars(db.select(Revision.id)))
    for number in range(WRITERS):
        assert len(acknowledged[number]) == SAVES_EACH
        assert set(acknowledged[number]) <= saved
    assert db.session.scalar(db.select(db.func.count(Revision.id))) == 1 + WRITERS * SAVES_EACH
    assert check_all() == []


def test_stale_writer_merges_instead_of_overwriting(app, make_user, make_page):
    alice = make_user("alice")
    page = make_page("Race", "a\nb\nc\n")
    base = page.latest_revision_id
    save_page(parse_title("Race"), "A\nb\nc\n", author=alice, base_revision_id=base)
    result = save_page(parse_title("Race"), "a\nb\nC\n", author=alice, base_revision_id=base)
    assert result.merged_with is not None
    assert result.revision.text == "A\nb\nC\n"


KILLED_SAVE = """
import os, sys
from wiki import create_app
from wiki.core.titles import parse_title
from wiki.extensions import db
from wiki.models import User
from wiki.pages import content, service

app = create_app({"DATABASE_URL": sys.argv[1], "SECRET_KEY": "x", "INSTANCE_PATH": sys.argv[2]})
with app.app_context():
    def die(*args, **kwargs):
        # The revision row is written and the pointer moved, but nothing is committed.
        os._exit(9)
    content.keep_rendered = die
    user = db.session.scalar(db.select(User))
    page = service.get_page(parse_title("Crash"))
    service.save_page(parse_title("Crash"), "half-saved", author=user,
                      base_revision_id=page.latest_revision_id)
"""


def test_save_killed_midway_leaves_no_partial_revision(app, make_page, database_url, tmp_path):
    make_page("Crash", "safe text")
    db.session.commit()
    db.session.remove()
    code = textwrap.dedent(KILLED_SAVE)
    process = subprocess.run(
        [sys.executable, "-c", code, database_url, str(tmp_path)], capture_output=True, timeout=120
    )
    assert process.returncode == 9, process.stderr.decode()
    page = get_page(parse_title("Crash"))
    assert page.latest.text == "safe text"
    assert db.session.scalar(db.select(db.func.count(Revision.id))) == 1
    assert check_all() == []
    # The page is still editable afterwards.
    assert save_page(
        parse_title("Crash"), "next", author=page.latest.author, base_revision_id=page.latest.id
    ).revision


def test_check_command_reports_problems_in_words(app, make_page):
    page = make_page("Broken", "one", "two")
    first = db.session.scalar(db.select(Revision).order_by(Revision.id))
    db.session.execute(db.update(Revision).where(Revision.id == first.id).values(sha1="0" * 40))
    db.session.execute(
        db.text("UPDATE page SET latest_revision_id = :r WHERE id = :p"),
        {"r": first.id, "p": page.id},
    )
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["check"])
    assert result.exit_code == 1
    assert f"Revision {first.id} points at text that is not its own." in result.output
    assert "points at revision" in result.output and "but its newest revision is" in result.output


def test_check_command_passes_on_a_healthy_wiki(app, make_page):
    make_page("Fine", "one", "two")
    result = app.test_cli_runner().invoke(args=["check"])
    assert result.exit_code == 0
    assert "consistent" in result.output


GUESSERS = 40


def test_guesses_sent_at_once_get_no_more_tries_than_one_by_one(app, make_user):
    """40 wrong passwords at the same moment: only the free tries reach the password check."""
    from wiki.people import service as people

    make_user("target")
    outcomes: list[int] = []
    start = threading.Barrier(GUESSERS)

    def guess(number: int) -> None:
        with app.app_context():
            start.wait()
            try:
                people.log_in("target", f"wrong guess {number}", "198.51.100.7")
            except people.AccountError as refused:
                outcomes.append(refused.status)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(GUESSERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    free = app.config["LOGIN_FREE_FAILURES"]
    assert outcomes.count(401) == free
    assert outcomes.count(429) == GUESSERS - free


def _save_meanwhile(app, monkeypatch, title: str, text: str, base_id: int, user_id: int):
    """Make the next render (a save's unlocked one) first let another person save title."""
    from wiki.models import User
    from wiki.pages import content

    render = content.render_soon
    done: list[int] = []
    started: list[bool] = []

    def other_save() -> None:
        with app.app_context():
            bob = db.session.get(User, user_id)
            result = save_page(parse_title(title), text, author=bob, base_revision_id=base_id)
            done.append(result.revision.id)
            db.session.remove()

    def render_after_another_save(text_to_render: str):
        if not started:  # only the first render: the other save renders too
            started.append(True)
            thread = threading.Thread(target=other_save)
            thread.start()
            thread.join(timeout=60)
        return render(text_to_render)

    monkeypatch.setattr(content, "render_soon", render_after_another_save)
    return done


def test_save_merges_again_when_the_page_moves_after_its_unlocked_merge(
    app, make_user, make_page, monkeypatch
):
    """Someone saves between a save's unlocked merge and its lock: both edits are kept."""
    alice, bob = make_user("alice"), make_user("bob")
    page = make_page("Moving", "a\nb\nc\n")
    base = page.latest_revision_id
    done = _save_meanwhile(app, monkeypatch, "Moving", "a\nb\nC\n", base, bob.id)
    result = save_page(parse_title("Moving"), "A\nb\nc\n", author=alice, base_revision_id=base)
    assert len(done) == 1
    assert result.revision.text == "A\nb\nC\n"
    assert result.merged_with.id == done[0]
    assert result.revision.parent_id == done[0]
    assert result.revision.kind == "merge"


def test_save_conflicting_with_a_save_made_meanwhile_is_refused_with_the_text_kept(
    app, make_user, make_page, monkeypatch
):
    """A save made between the unlocked merge and the lock changed the same words: 409."""
    alice, bob = make_user("alice"), make_user("bob")
    page = make_page("Clash", "a\nb\nc\n")
    base = page.latest_revision_id
    done = _save_meanwhile(app, monkeypatch, "Clash", "a\nB by bob\nc\n", base, bob.id)
    try:
        save_page(parse_title("Clash"), "a\nB by alice\nc\n", author=alice, base_revision_id=base)
    except EditConflict as conflict:
        assert conflict.status == 409
        assert conflict.mine == "a\nB by alice\nc\n"
        assert conflict.latest.id == done[0]
    else:
        raise AssertionError("the save was not refused")
    db.session.rollback()
    assert get_page(parse_title("Clash")).latest.text == "a\nB by bob\nc\n"


def test_a_write_that_cannot_take_the_sqlite_lock_raises_sqlalchemys_error(tmp_path):
    # Callers wait on SQLAlchemy's OperationalError ("database is locked"), whichever
    # statement met the lock: BEGIN IMMEDIATE is sent straight to the driver.
    path = tmp_path / "locked.sqlite"
    engine = create_engine(f"sqlite:///{path}")
    tune_engine(engine)
    event.listen(engine, "connect", lambda dbapi, _record: dbapi.execute("PRAGMA busy_timeout=50"))
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE t (x INTEGER)"))
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with writing(), pytest.raises(OperationalError):
            with engine.begin() as connection:
                connection.execute(text("INSERT INTO t VALUES (1)"))
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    with writing(), engine.begin() as connection:  # usable again
        connection.execute(text("INSERT INTO t VALUES (2)"))
        assert connection.execute(text("SELECT x FROM t")).scalars().all() == [2]
    engine.dispose()


@contextmanager
def writing():
    """Mark the block as writing, as write_transaction() does (BEGIN IMMEDIATE)."""
    token = database._writing.set(True)
    try:
        yield
    finally:
        database._writing.reset(token)


@pytest.mark.engine("postgres")
def test_a_save_waits_only_for_saves_of_its_own_wiki(app, database_url, tmp_path):
    """Advisory locks belong to the whole PostgreSQL database: two wikis in schemas of one
    database must not make each other's saves of the same title wait."""
    from tests.helpers import POSTGRES_URL, base_config, private_schema, release
    from wiki import create_app

    def taken_in(url: str, folder: str) -> bool:
        other = create_app(base_config(tmp_path / folder, url))
        with other.app_context():
            try:
                return database.turn_taken("page:plan")
            finally:
                release(other)

    with database.write_transaction():
        database.wait_turn("page:plan")  # this wiki is saving its "Plan"
        with private_schema(POSTGRES_URL, "bottega_neighbour") as neighbour:
            assert not taken_in(neighbour, "neighbour")  # the other wiki's "Plan" is free
        assert taken_in(database_url, "same")  # another process of this wiki waits
