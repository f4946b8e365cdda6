"""Word authorship is stored compactly (a delta per revision, chains bounded) and an
existing wiki moves to it and back (migration 0019, `flask compact-texts`) without losing
who wrote what."""

import json
import threading
import time
import zlib

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import func, select
from sqlalchemy import text as sql

from tests.helpers import (
    ENGINES,
    POSTGRES_URL,
    add_user,
    base_config,
    edits,
    page_named,
    private_schema,
    release,
    save,
)
from wiki import create_app
from wiki.anchors import authorship
from wiki.anchors.models import PageAuthorship, RevisionAuthorship
from wiki.database import wait_turn, write_transaction
from wiki.extensions import db
from wiki.integrity import check_all
from wiki.models import Revision, User, kept_texts, reading_storage
from wiki.pages import saving


def attributions() -> dict[int, tuple]:
    """Return each revision's stored runs and word counts, read afresh from storage."""
    db.session.expire_all()
    found = {}
    with reading_storage():
        for revision_id in db.session.scalars(select(Revision.id).order_by(Revision.id)):
            attribution, counts = authorship.stored_with_counts(revision_id)
            found[revision_id] = (attribution.runs, counts)
    db.session.expire_all()
    return found


def stored_bytes() -> int:
    return db.session.scalar(select(func.sum(func.length(RevisionAuthorship.data))))


def write_history(monkeypatch) -> None:
    """Save a page 30 times by three people, with chains of at most 4 deltas."""
    monkeypatch.setattr(authorship, "MAX_DELTA_DEPTH", 4)
    people = [add_user(name) for name in ("giulia", "marco", "ada")]
    for number, text in enumerate(edits(30)):
        save("Caffè", text, people[number % 3])


def check_round_trip(app, monkeypatch) -> None:
    with app.app_context():
        upgrade()
        write_history(monkeypatch)
        before = attributions()
        rows = db.session.scalars(select(RevisionAuthorship)).all()
        assert len(rows) == 30
        # Saves store deltas on the previous revision's record, chains cut at 4.
        assert max(row.depth for row in rows) == 4
        assert sum(1 for row in rows if row.base_id is not None) >= 15
        compact = stored_bytes()

        db.session.remove()
        downgrade(revision="0018")
        old = db.session.execute(sql("SELECT revision_id, runs, words FROM revision_authorship"))
        as_json = {rid: (runs, words) for rid, runs, words in old}
        for revision_id, (runs, counts) in before.items():
            assert json.loads(as_json[revision_id][0]) == [list(run) for run in runs]
            assert {int(k): v for k, v in json.loads(as_json[revision_id][1]).items()} == counts
        db.session.remove()

        upgrade()
        assert attributions() == before
        whole = db.session.scalars(select(RevisionAuthorship)).all()
        assert all(row.base_id is None for row in whole)
        db.session.remove()

        result = app.test_cli_runner().invoke(args=["compact-texts"])
        assert result.exit_code == 0, result.output
        assert "authorship records stored as deltas" in result.output
        assert attributions() == before
        assert stored_bytes() <= compact
        assert app.test_cli_runner().invoke(args=["check"]).exit_code == 0
        # Authorship on top of the compacted history goes on as before.
        ada = db.session.scalar(select(User).where(User.username == "ada"))
        save("Caffè", edits(31)[-1], ada)
        latest = max(attributions().items())[1]
        assert sum(latest[1].values()) > 0
        release(app)


@pytest.mark.parametrize("engine", ENGINES)
def test_authorship_survives_the_migration_both_ways_and_compaction(engine, tmp_path, monkeypatch):
    if engine == "sqlite":
        url = f"sqlite:///{tmp_path / 'wiki.sqlite'}"
        check_round_trip(create_app(base_config(tmp_path, url)), monkeypatch)
        return
    with private_schema(POSTGRES_URL, "bottega_authorship") as url:
        check_round_trip(create_app(base_config(tmp_path, url)), monkeypatch)


def test_a_small_edit_of_a_long_history_stores_a_small_record(app, people):
    texts = edits(40)
    for number, text in enumerate(texts):
        save("Lungo", text, people["giulia"] if number % 2 else people["marco"])
    query = select(RevisionAuthorship).order_by(RevisionAuthorship.revision_id)
    rows = db.session.scalars(query).all()
    # Each small edit stores a delta on the record before it, at most half a whole copy.
    assert all(
        row.base_id == previous.revision_id
        for previous, row in zip(rows[-21:-1], rows[-20:], strict=True)
    )
    whole = len(zlib.compress(rows[-1].form.encode()))
    assert sum(len(row.data) for row in rows[-20:]) < 20 * whole / 2
    assert len(rows[-1].form.splitlines()) > 20  # many runs: the record is not trivial


def test_check_reports_damaged_or_misfitting_authorship(app, people):
    for number, text in enumerate(edits(4)):
        save("Controllo", text, people["giulia"] if number % 2 else people["marco"])
    assert check_all() == []
    rows = db.session.scalars(select(RevisionAuthorship).order_by(RevisionAuthorship.revision_id))
    first, second = rows.all()[:2]
    damaged_id, misfit_id = second.revision_id, first.revision_id
    second.data = second.data[:-4]
    first.data = zlib.compress(b"3 1\n\n1 1")  # runs covering 3 characters of a longer text
    first.base_id, first.depth = None, 0
    db.session.commit()
    db.session.expunge_all()
    problems = check_all()
    assert any(f"revision {damaged_id} cannot be read back" in line for line in problems)
    assert any(f"revision {misfit_id} does not cover its text" in line for line in problems)


def test_a_save_in_a_fresh_request_succeeds_at_its_first_attempt(app, people, monkeypatch):
    for number, text in enumerate(edits(20)):
        save("Primo", text, people["giulia"] if number % 2 else people["marco"])
    latest = db.session.get(RevisionAuthorship, page_named("Primo").latest_revision_id)
    assert latest.base_id is not None  # reading it needs its chain: a query
    giulia_id = people["giulia"].id
    db.session.expunge_all()  # as a new request of another process: no record read yet
    kept_texts().clear()
    attempts = []
    attempt = saving._attempt_save

    def counted(edit, *, locked, **known):
        attempts.append(locked)
        return attempt(edit, locked=locked, **known)

    monkeypatch.setattr(saving, "_attempt_save", counted)
    save("Primo", edits(21)[-1], db.session.get(User, giulia_id))
    # Nobody else saved: the optimistic attempt must not fail (a failure would be retried
    # with the page locked, hiding a broken save path behind a slower one).
    assert attempts == [False]


def test_what_a_process_kept_of_each_record_is_what_storage_holds(app, people):
    for number, text in enumerate(edits(12)):
        save("Memoria", text, people["giulia"] if number % 3 else people["marco"])
    ids = list(db.session.scalars(select(Revision.id).order_by(Revision.id)))
    kept = {}
    for revision_id in ids:  # as the saves left them in this process
        attribution, counts = authorship.stored_with_counts(revision_id)
        kept[revision_id] = (attribution.runs, counts)
    assert kept == attributions()  # read from storage
    assert len({runs for runs, _counts in kept.values()}) == len(ids)  # each edit moved them


def test_the_memory_kept_save_by_save_is_what_attributing_the_history_again_makes(app, people):
    texts = edits(6)
    # Saves that only add words leave the memory of deleted text as it was; these delete.
    texts += [texts[-1].split("\n", 2)[2], texts[-1]]  # two lines gone, then restored
    texts += [text.replace("\n", " ", 3) for text in edits(9)[6:]]
    for number, text in enumerate(texts):
        save("Memoria", text, people["giulia"] if number % 2 else people["marco"])
    page = page_named("Memoria")
    state = db.session.get(PageAuthorship, page.id)
    kept_memory, kept_revision = state.memory, state.revision_id
    assert kept_revision == page.latest_revision_id
    assert json.loads(kept_memory)  # the deletions were remembered
    again = authorship.backfill_page(page.id)  # from the first revision, afresh
    assert again.revision_id == kept_revision
    assert json.loads(again.memory) == json.loads(kept_memory)
    db.session.rollback()


@pytest.mark.engine("postgres")
def test_compacting_a_pages_records_waits_for_its_authorship_turn(app, other, people):
    """`flask compact-texts` rewrites a page's records under the page's authorship turn, as
    the job attributing its new revisions works: neither rewrites the other's rows."""
    for number, text in enumerate(edits(12)):
        save("Caffè", text, people["alice"] if number % 2 else people["bob"])
    before = attributions()
    for row in db.session.scalars(select(RevisionAuthorship)):  # stored whole, as before 0019
        authorship._set_columns(
            row, row.form, RevisionAuthorship.columns_for(row.form, None, 0, 0)
        )
    db.session.commit()
    page_id = page_named("Caffè").id
    done: list = []

    def compact() -> None:
        with app.app_context():
            done.append(authorship.compact_forms())
            db.session.remove()

    with other.app_context(), write_transaction():
        wait_turn(f"authorship {page_id}")  # another process attributing the page
        worker = threading.Thread(target=compact)
        worker.start()
        with db.engine.connect() as watcher:  # wait until the compaction waits for the turn
            waiting = sql(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
            )
            for _ in range(1000):
                if watcher.execute(waiting).scalar():
                    break
                watcher.rollback()
                time.sleep(0.01)
            else:
                raise AssertionError("the compaction never waited for the page's turn")
        assert worker.is_alive() and not done
    worker.join(30)
    assert done and done[0][0] > 0  # records rewritten as deltas once the turn was free
    assert attributions() == before
    assert check_all() == []
