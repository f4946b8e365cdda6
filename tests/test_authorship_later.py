"""A save's words are attributed after its answer (a background job); whoever shows
authorship first catches up, from the last revision attributed, never from the first."""

import threading

from sqlalchemy import select

from tests.helpers import (
    edit,
    edits,
    finish_jobs,
    jobs_lost,
    page_named,
    save,
)
from wiki.anchors import authorship
from wiki.anchors.models import PageAuthorship, RevisionAuthorship
from wiki.database import write_transaction
from wiki.extensions import db
from wiki.models import Revision


def records() -> dict[int, RevisionAuthorship]:
    """Return the stored authorship record of each revision, read afresh."""
    db.session.commit()  # end the read snapshot: see what jobs and other processes wrote
    rows = db.session.scalars(select(RevisionAuthorship)).all()
    return {row.revision_id: row for row in rows}


def test_a_save_queues_the_attribution_which_the_job_stores(app, login_as, people):
    client = login_as(people["giulia"])
    save("Listino", "Il caffè costa due euro al chilo.\n", people["giulia"])
    first = page_named("Listino").latest_revision_id
    response = edit(client, "Listino", "Il caffè costa due euro al chilo.\n\nUna riga in più.\n")
    assert response.status_code == 302
    finish_jobs(app)
    latest = page_named("Listino").latest_revision_id
    assert latest != first and latest in records()
    assert db.session.get(PageAuthorship, page_named("Listino").id).revision_id == latest


def test_unattributed_revisions_are_caught_up_from_the_last_one_attributed(app, people):
    giulia, marco = people["giulia"], people["marco"]
    texts = edits(34)
    for text in texts[:30]:
        save("Lungo", text, giulia)
    before = records()
    # Most are deltas on the record before: attributing them again would store them whole.
    assert len(before) == 30 and sum(row.base_id is not None for row in before.values()) >= 10
    stored_before = {rid: (bytes(row.data), row.base_id) for rid, row in before.items()}
    with jobs_lost(app):
        for text in texts[30:]:
            save("Lungo", text, marco)
        assert len(records()) == 30  # nobody ran the jobs
        shares = {s.name: s.words for s in authorship.shares(page_named("Lungo"))}
    after = records()
    assert len(after) == 34
    # The first thirty records were not attributed again.
    assert {rid: (bytes(after[rid].data), after[rid].base_id) for rid in before} == stored_before
    # Marco's four edits each added one word; the rest is Giulia's.
    assert shares["marco"] == 4 and shares["giulia"] > 200
    page = page_named("Lungo")
    assert db.session.get(PageAuthorship, page.id).revision_id == page.latest_revision_id


def test_caught_up_at_once_or_save_by_save_the_records_are_the_same(app, people):
    texts = edits(6)
    texts += [texts[-1].split("\n", 2)[2], texts[-1]]  # two lines deleted, then restored
    writers = [people["giulia"], people["marco"], people["ada"]]
    for number, text in enumerate(texts):
        save("Uno", text, writers[number % 3])
    with jobs_lost(app):
        for number, text in enumerate(texts):
            save("Due", text, writers[number % 3])
    with write_transaction():
        authorship.catch_up(page_named("Due").id)

    def attributed(title: str) -> list[list]:
        """Each revision's runs with revisions numbered within the page (1, 2, …)."""
        ids = list(
            db.session.scalars(
                select(Revision.id)
                .where(Revision.page_id == page_named(title).id)
                .order_by(Revision.id)
            )
        )
        number = {rid: n for n, rid in enumerate(ids, 1)}
        found = []
        for rid in ids:
            runs = authorship.stored(rid).runs
            found.append([(start, end, number[r]) for start, end, r in runs])
        return found

    assert attributed("Due") == attributed("Uno")
    restored = attributed("Due")[-1]
    assert {r for *_span, r in restored} == {1, 2, 3, 4, 5, 6}  # the restored lines kept theirs


def test_two_processes_catching_up_one_page_at_once_store_each_record_once(app, other, people):
    giulia = people["giulia"]
    with jobs_lost(app):
        for text in edits(15):
            save("Conteso", text, giulia)
    page_id = page_named("Conteso").id
    errors = []

    def catch_up(which) -> None:
        with which.app_context():
            try:
                with write_transaction():
                    authorship.catch_up(page_id)
            except Exception as error:  # reported below, with the other's outcome
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=catch_up, args=(which,)) for which in (app, other)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert len(records()) == 15
    shares = authorship.shares(page_named("Conteso"))
    assert [s.name for s in shares] == ["giulia"]


def test_the_authorship_and_info_pages_catch_up_when_no_job_has_run(app, client, people):
    save("Listino", "Il caffè costa due euro al chilo.\n", people["giulia"])
    with jobs_lost(app):
        save(
            "Listino",
            "Il caffè costa due euro al chilo.\n\nMarco aggiunge una riga.\n",
            people["marco"],
        )
        page = client.get("/authorship/Listino").get_data(as_text=True)
        assert "Marco aggiunge una riga" in page and "36%" in page
        info = client.get("/info/Listino").get_data(as_text=True)
        assert "giulia wrote 64% of the current text" in info
    finish_jobs(app)


def test_the_backfill_command_catches_a_page_up_without_attributing_it_again(app, people):
    texts = edits(32)
    for text in texts[:30]:
        save("Indietro", text, people["giulia"])
    before = {rid: (bytes(row.data), row.base_id) for rid, row in records().items()}
    with jobs_lost(app):
        for text in texts[30:]:
            save("Indietro", text, people["marco"])  # their jobs are lost
    result = app.test_cli_runner().invoke(args=["backfill-authorship"])
    assert "Attributed 1 pages." in result.output
    after = records()
    assert len(after) == 32
    assert {rid: (bytes(after[rid].data), after[rid].base_id) for rid in before} == before


def test_the_information_screen_never_attributes_a_whole_history(app, client, people):
    save("Vecchia", "Prima riga di Giulia.\n", people["giulia"])
    save("Vecchia", "Prima riga di Giulia.\nSeconda di Marco.\n", people["marco"])
    db.session.execute(RevisionAuthorship.__table__.delete())
    db.session.execute(PageAuthorship.__table__.delete())
    db.session.commit()  # as a page saved before authorship was kept
    info = client.get("/info/Vecchia").get_data(as_text=True)
    assert "of the current text" not in info
    assert records() == {}
    assert "Seconda di Marco" in client.get("/authorship/Vecchia").get_data(as_text=True)
    info = client.get("/info/Vecchia").get_data(as_text=True)
    assert "giulia wrote 57% of the current text" in info
