"""What a save leaves for after its answer (word authorship, the search index): noted in
the save's transaction, done by a job; a lost job's work is found again by the sweep."""

from collections import Counter
from datetime import UTC, datetime

from sqlalchemy import insert, select, update

from tests.helpers import jobs_lost, page_named, save
from wiki import followups, jobs
from wiki.core.titles import parse_title
from wiki.extensions import db
from wiki.models import PageFollowUp
from wiki.organise.deletion import delete_page
from wiki.search.service import search


def notes() -> dict[tuple[int, str], int]:
    """Return the work noted, (page id, kind) -> how many notes, read afresh."""
    db.session.commit()
    rows = db.session.execute(select(PageFollowUp.page_id, PageFollowUp.kind))
    return Counter((page, kind) for page, kind in rows)


def found(words: str) -> list[str]:
    """Return the titles a search for words finds, read afresh."""
    db.session.commit()
    return [hit.page.title for hit in search(words).hits]


def test_a_save_is_searchable_once_its_follow_up_is_done(app, people):
    with jobs_lost(app):
        save("Listino", "Zafferano di Navelli in offerta.\n", people["giulia"])
        page_id = page_named("Listino").id
        assert found("zafferano") == []  # its job never ran
        assert notes() == {(page_id, "authorship"): 1, (page_id, "search"): 1}
        save("Listino", "Zafferano e lenticchie di Navelli.\n", people["marco"])
        assert notes() == {(page_id, "authorship"): 2, (page_id, "search"): 2}
    assert followups.follow_up(page_id) == ["authorship", "search"]
    assert found("lenticchie") == ["Listino"]
    assert notes() == {}


def test_the_sweep_does_the_work_of_jobs_lost_long_ago(app, people):
    with jobs_lost(app):
        save("Perso", "Un testo con la parola ornitorinco.\n", people["giulia"])
    db.session.execute(update(PageFollowUp).values(noted_at=datetime(2000, 1, 1, tzinfo=UTC)))
    db.session.commit()
    jobs.run_job(app, followups.JOB, [])  # the sweep: the job without a page
    assert found("ornitorinco") == ["Perso"]
    assert notes() == {}


def test_a_page_deleted_before_its_job_ran_stays_out_of_search(app, people):
    with jobs_lost(app):
        save("Spam", "Compra orologi scontatissimi.\n", people["giulia"])
        delete_page(parse_title("Spam"), user=people["admin"], reason="Spam")
    followups.follow_up(page_named("Spam").id)
    assert found("scontatissimi") == []


def test_a_failing_kind_stays_noted_while_the_others_are_done(app, people, monkeypatch):
    with jobs_lost(app):
        save("Guasto", "Una pagina sulla bottarga.\n", people["giulia"])
    page_id = page_named("Guasto").id

    def broken(_page_id: int) -> None:
        raise RuntimeError("the authorship follow-up broke")

    monkeypatch.setitem(followups._WORK, "authorship", broken)
    assert followups.follow_up(page_id) == ["search"]
    assert found("bottarga") == ["Guasto"]
    assert notes() == {(page_id, "authorship"): 1}
    monkeypatch.undo()
    assert followups.follow_up(page_id) == ["authorship"]
    assert notes() == {}


def test_work_noted_again_while_a_job_runs_stays_for_the_next_job(app, people, monkeypatch):
    with jobs_lost(app):
        save("Doppio", "Prima versione.\n", people["giulia"])
    page_id = page_named("Doppio").id
    search_work = followups._WORK["search"]

    def meanwhile_saved(page: int) -> None:
        search_work(page)
        # What a save committing while the job runs does on PostgreSQL: a note of its own.
        db.session.execute(insert(PageFollowUp).values(page_id=page, kind="search"))

    monkeypatch.setitem(followups._WORK, "search", meanwhile_saved)
    assert followups.follow_up(page_id) == ["authorship", "search"]
    assert notes() == {(page_id, "search"): 1}


def test_a_savepoint_neither_queues_the_job_early_nor_forgets_the_page(app, people):
    save("Punto", "Prima versione del testo.\n", people["giulia"])
    page_id = page_named("Punto").id
    with jobs_lost(app) as (redis, queue):
        waiting = f"rq:queue:{queue}"
        page_named("Punto")  # a transaction begins, as a save's
        followups.note("authorship", page_id)
        db.session.begin_nested().commit()  # released, but the transaction goes on
        assert redis.llen(waiting) == 0
        db.session.begin_nested().rollback()  # what it undid was not the save
        db.session.commit()
        assert redis.llen(waiting) == 1
        assert notes() == {(page_id, "authorship"): 1}
        page_named("Punto")  # a transaction begins
        followups.note("search", page_id)
        db.session.rollback()
        db.session.commit()
        assert redis.llen(waiting) == 1  # a save rolled back queues nothing
        assert notes() == {(page_id, "authorship"): 1}  # and notes nothing
