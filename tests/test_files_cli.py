"""flask check, backup, restore and the files commands, for uploaded files on local disk."""

from pathlib import Path

import pytest
from sqlalchemy import select

from tests import file_samples as samples
from tests.helpers import finish_jobs
from wiki.extensions import db
from wiki.files import storage
from wiki.files.models import FileBlob


def stored(app) -> list[Path]:
    return sorted(
        p for p in (Path(app.instance_path) / "files/originals").rglob("*") if p.is_file()
    )


def test_check_verifies_every_stored_file_against_its_hash(app, client, editor):
    samples.upload(client, samples.png(), "Logo.png")
    runner = app.test_cli_runner()
    good = runner.invoke(args=["check"])
    assert good.exit_code == 0, good.output
    [path] = stored(app)
    path.write_bytes(path.read_bytes()[:-1] + b"!")
    bad = runner.invoke(args=["check"])
    assert bad.exit_code == 1
    assert "do not match their hash" in bad.output and path.name in bad.output
    path.unlink()
    missing = runner.invoke(args=["files", "check"])
    assert missing.exit_code == 1 and "missing" in missing.output


def test_thumbnails_can_be_purged_and_are_made_again(app, client, editor):
    samples.upload(client, samples.jpeg(), "Photo.jpg")
    sha = db.session.scalar(select(FileBlob.sha256))
    first = client.get(f"/thumb/{sha}/320.jpg", buffered=True)
    result = app.test_cli_runner().invoke(args=["files", "purge-thumbnails"])
    assert "Deleted 1 thumbnail" in result.output
    assert not storage.store().exists(storage.thumb_key(sha, 320, ".jpg"))
    again = client.get(f"/thumb/{sha}/320.jpg", buffered=True)
    assert again.status_code == 200 and again.get_data() == first.get_data()


@pytest.mark.engine("sqlite")
def test_backup_and_restore_bring_the_files_back(app, client, editor, tmp_path):
    samples.upload(client, samples.png(), "Logo.png")
    finish_jobs(app)  # as a server stopped for a restore: its background work done
    runner = app.test_cli_runner()
    target = tmp_path / "backups" / "wiki.sqlite"
    result = runner.invoke(args=["backup", str(target)])
    assert result.exit_code == 0, result.output
    copies = list((tmp_path / "backups" / "wiki.sqlite.files").rglob("*"))
    assert [p.name for p in copies if p.is_file()] == [p.name for p in stored(app)]
    for path in stored(app):
        path.unlink()
    assert runner.invoke(args=["check"]).exit_code == 1
    restored = runner.invoke(args=["restore", str(target), "--yes"])
    assert restored.exit_code == 0, restored.output
    assert runner.invoke(args=["check"]).exit_code == 0
