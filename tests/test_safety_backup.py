"""flask backup / restore: a consistent copy of a live SQLite database, and bringing it back."""

import sqlite3
import threading
import time

import pytest

from wiki.extensions import db
from wiki.models import Page
from wiki.safety.backup import sqlite_path

# Backup and restore are about SQLite's own files; PostgreSQL is pointed to pg_dump.
pytestmark = pytest.mark.engine("sqlite")


@pytest.fixture
def sqlite_app(app):
    return app


def test_backup_is_consistent_while_someone_writes(sqlite_app, tmp_path, make_page):
    make_page("Plan", "text")
    live = sqlite_path()
    stop = threading.Event()
    written = []

    def writer():
        connection = sqlite3.connect(live, timeout=30)
        connection.execute("CREATE TABLE IF NOT EXISTS churn (n INTEGER, pad TEXT)")
        number = 0
        while not stop.is_set():
            with connection:  # one transaction: a row and its twin, always together
                connection.execute("INSERT INTO churn VALUES (?, ?)", (number, "x" * 2000))
                connection.execute("INSERT INTO churn VALUES (?, ?)", (-number, "y" * 2000))
            written.append(number)
            number += 1
        connection.close()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        while len(written) < 50:
            time.sleep(0.01)
        target = tmp_path / "backups" / "wiki.sqlite"
        result = sqlite_app.test_cli_runner().invoke(args=["backup", str(target)])
    finally:
        stop.set()
        thread.join()
    assert result.exit_code == 0, result.output
    copy = sqlite3.connect(target)
    try:
        assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        positive, negative = copy.execute("SELECT SUM(n > 0), SUM(n < 0) FROM churn").fetchone()
        assert positive == negative and positive >= 49  # no half-written transaction
        assert copy.execute("SELECT title FROM page").fetchall() == [("Plan",)]
    finally:
        copy.close()


def test_backup_refuses_to_overwrite(sqlite_app, tmp_path):
    target = tmp_path / "exists.sqlite"
    target.write_text("precious")
    result = sqlite_app.test_cli_runner().invoke(args=["backup", str(target)])
    assert result.exit_code != 0 and "exists" in result.output
    assert target.read_text() == "precious"


def test_restore_brings_a_backup_back(sqlite_app, tmp_path, make_page):
    make_page("Before", "text")
    target = tmp_path / "snapshot.sqlite"
    runner = sqlite_app.test_cli_runner()
    assert runner.invoke(args=["backup", str(target)]).exit_code == 0
    make_page("After", "text")
    refused = runner.invoke(args=["restore", str(target)], input="n\n")
    assert refused.exit_code != 0
    # A server left running must not keep showing what it remembered of the replaced wiki.
    sqlite_app.config["PAGE_CACHE_SECONDS"] = 60
    reader = sqlite_app.test_client()
    assert reader.get("/wiki/After").status_code == 200
    assert runner.invoke(args=["restore", str(target), "--yes"]).exit_code == 0
    db.session.remove()
    titles = sorted(db.session.scalars(db.select(Page.title)))
    assert titles == ["Before"]
    assert reader.get("/wiki/After").status_code == 404


def test_restore_refuses_files_that_are_not_bottega_databases(sqlite_app, tmp_path):
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"not a database at all" * 100)
    other = tmp_path / "other.sqlite"
    connection = sqlite3.connect(other)
    connection.execute("CREATE TABLE notes (x)")
    connection.commit()
    connection.close()
    runner = sqlite_app.test_cli_runner()
    for path, message in ((junk, "not a SQLite database"), (other, "not a Bottega database")):
        result = runner.invoke(args=["restore", str(path), "--yes"])
        assert result.exit_code != 0 and message in result.output


@pytest.mark.engine("postgres")
def test_postgres_is_pointed_to_pg_dump(app, tmp_path):
    result = app.test_cli_runner().invoke(args=["backup", str(tmp_path / "x")])
    assert result.exit_code != 0 and "pg_dump" in result.output


def test_a_backup_is_one_file_with_nothing_left_beside_it(sqlite_app, tmp_path, make_page):
    make_page("Plan", "text")
    folder = tmp_path / "backups"
    result = sqlite_app.test_cli_runner().invoke(args=["backup", str(folder / "wiki.sqlite")])
    assert result.exit_code == 0, result.output
    assert sorted(path.name for path in folder.iterdir()) == ["wiki.sqlite"]
