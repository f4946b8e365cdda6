"""flask --app wiki backup PATH / restore PATH: consistent copies of a live SQLite database.

PostgreSQL is backed up with its own tools (pg_dump / pg_restore); see the README.
Other parts (uploaded files) register in app.extensions[BACKUP_PARTS] a pair of functions
(backup, restore) taking the database copy's path; they keep their data beside it.
"""

import sqlite3
from pathlib import Path

import click
from flask import Flask, current_app
from sqlalchemy.engine import make_url

from ..extensions import db
from ..memo import BOARD

#: app.extensions key: (backup(path), restore(path)) pairs of other parts of the wiki.
BACKUP_PARTS = "bottega_backup_parts"


def sqlite_path() -> Path:
    """Return the file of the app's SQLite database, or fail saying what to use instead."""
    url = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        raise click.ClickException(
            "backup and restore work on a SQLite database file. For PostgreSQL use "
            "pg_dump --format=custom and pg_restore (see the README)."
        )
    return Path(url.database)


def copy_database(source: Path, target: Path) -> None:
    """Copy one SQLite database into another page by page with SQLite's online backup API.

    Writers may keep writing to the source: the copy is one consistent snapshot.
    """
    with sqlite3.connect(source, timeout=30) as src, sqlite3.connect(target, timeout=30) as dst:
        src.backup(dst, pages=1024)
        # The copy keeps the source's WAL mode; as a file at rest it should be one file,
        # with no -wal or -shm beside it.
        dst.execute("PRAGMA journal_mode=DELETE")
    src.close()
    dst.close()


def remove_sidecars(path: Path) -> None:
    """Delete the -wal, -shm and -journal files SQLite may leave beside a closed file."""
    for suffix in ("-wal", "-shm", "-journal"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)


def check_copy(path: Path) -> None:
    """Raise ClickException unless the file is an intact Bottega database."""
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as connection:
            ok = connection.execute("PRAGMA integrity_check").fetchone()[0]
            tables = {
                row[0]
                for row in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
            }
        connection.close()
    except sqlite3.DatabaseError as error:
        raise click.ClickException(f"{path} is not a SQLite database ({error}).") from error
    if ok != "ok":
        raise click.ClickException(f"{path} is damaged: {ok}")
    if not {"alembic_version", "page", "revision", "user"} <= tables:
        raise click.ClickException(f"{path} is not a Bottega database.")


def register(app: Flask) -> None:
    """Add the backup and restore commands."""

    @app.cli.command("backup")
    @click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
    @click.option("--force", is_flag=True, help="Overwrite PATH if it exists.")
    def backup(path: Path, force: bool) -> None:
        """Copy the live SQLite database to PATH (safe while the wiki runs)."""
        source = sqlite_path()
        if path.exists() and not force:
            raise click.ClickException(f"{path} exists; choose another name or pass --force.")
        if path.resolve() == source.resolve():
            raise click.ClickException("The backup cannot be the database itself.")
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".partial")
        partial.unlink(missing_ok=True)
        try:
            copy_database(source, partial)
            check_copy(partial)
            partial.replace(path)
        finally:
            remove_sidecars(partial)
            partial.unlink(missing_ok=True)
        click.echo(f"Backed up {source} to {path}.")
        for save, _load in current_app.extensions.get(BACKUP_PARTS, []):
            save(path)

    @app.cli.command("restore")
    @click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
    def restore(path: Path, yes: bool) -> None:
        """Replace the wiki's SQLite database with the backup at PATH."""
        target = sqlite_path()
        check_copy(path)
        if not yes:
            click.confirm(
                f"This replaces everything in {target} with {path}. Stop the wiki first. "
                "Continue?",
                abort=True,
            )
        db.session.remove()
        db.engine.dispose()
        # Writing through SQLite (not copying the file) keeps the WAL and locks right.
        copy_database(path, target)
        for _save, load in current_app.extensions.get(BACKUP_PARTS, []):
            load(path)
        board = current_app.extensions.get(BOARD)
        if board is not None:  # a server left running forgets what it remembered
            board.bump()
        click.echo(f"Restored {path} into {target}. Run `flask --app wiki db upgrade heads`.")
