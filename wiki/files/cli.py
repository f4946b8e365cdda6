"""flask --app wiki files check | export DIR | import DIR | purge-thumbnails."""

import sys
from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup

from ..safety.backup import BACKUP_PARTS
from . import integrity


def register(app: Flask) -> None:
    """Add the `files` commands, and the files to `flask backup` and `flask restore`."""
    group = AppGroup("files", help="Uploaded files: check, copy out, copy in, thumbnails.")

    @group.command("check")
    def check() -> None:
        """Check that every stored file is there and matches its hash."""
        problems = integrity.check_files()
        for problem in problems:
            click.echo(problem)
        if problems:
            sys.exit(1)
        click.echo("Every stored file matches its hash.")

    @group.command("export")
    @click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
    def export(folder: Path) -> None:
        """Copy every stored original into FOLDER (only what is not there yet)."""
        integrity.export_files(folder, click.echo)

    @group.command("import")
    @click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
    def import_(folder: Path) -> None:
        """Store every original found in FOLDER (e.g. a backup, or another store's export)."""
        integrity.import_files(folder, click.echo)

    @group.command("purge-thumbnails")
    def purge() -> None:
        """Delete every kept thumbnail; each is made again when next shown."""
        click.echo(f"Deleted {integrity.purge_thumbnails()} thumbnail(s).")

    app.cli.add_command(group)
    # flask backup / restore (wiki/safety/backup.py) run these beside the database copy.
    app.extensions.setdefault(BACKUP_PARTS, []).append(
        (
            lambda copy: integrity.export_files(integrity.backup_folder(copy), click.echo),
            lambda copy: _restore(integrity.backup_folder(copy)),
        )
    )


def _restore(folder: Path) -> None:
    """Copy a backup's files back into the store, if the backup has any."""
    if folder.is_dir():
        integrity.import_files(folder, click.echo)
    else:
        click.echo(f"No files folder at {folder}: files left as they are.")
