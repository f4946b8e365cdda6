"""Checking stored files against their hashes, and copying them out of and into the store.

`flask check` reads every stored original and compares its SHA-256 with the one recorded
at upload. Backups copy the originals to a folder beside the database copy (thumbnails
are left out: they are made again on demand); restore copies them back into the store.
"""

import hashlib
import os
import shutil
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import select

from ..extensions import db
from . import storage
from .models import FileBlob, FileVersion

CHUNK = 1024 * 1024


def _digest(stream) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    while chunk := stream.read(CHUNK):
        digest.update(chunk)
        size += len(chunk)
    return digest.hexdigest(), size


def check_files() -> list[str]:
    """Return a description of every stored file that is missing or not what was uploaded."""
    problems = []
    store = storage.store()
    for blob in db.session.scalars(select(FileBlob).order_by(FileBlob.sha256)):
        key = storage.original_key(blob.sha256)
        try:
            with store.open(key) as stream:
                sha256, size = _digest(stream)
        except storage.MissingObject:
            problems.append(f"File bytes {blob.sha256} are missing from the store.")
            continue
        if sha256 != blob.sha256 or size != blob.size:
            problems.append(
                f"File bytes {blob.sha256} do not match their hash (the stored copy is damaged)."
            )
    orphans = db.session.scalars(
        select(FileVersion.id).where(FileVersion.sha256.not_in(select(FileBlob.sha256)))
    ).all()
    problems += [f"File version {version} has no stored bytes." for version in orphans]
    return problems


def export_files(folder: Path, say: Callable[[str], None] = print) -> int:
    """Copy every original the wiki uses into folder (the store's layout); return how many
    were copied (those already there with the right size are skipped)."""
    store = storage.store()
    copied = 0
    for blob in db.session.scalars(select(FileBlob).order_by(FileBlob.sha256)):
        key = storage.original_key(blob.sha256)
        target = folder / key
        if target.is_file() and target.stat().st_size == blob.size:
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(target.name + ".partial")
        with store.open(key) as source, partial.open("wb") as out:
            shutil.copyfileobj(source, out, CHUNK)
            out.flush()
            os.fsync(out.fileno())
        partial.replace(target)
        copied += 1
    say(f"Copied {copied} stored file(s) to {folder}.")
    return copied


def import_files(folder: Path, say: Callable[[str], None] = print) -> int:
    """Put every original found in folder into the store, checking each against its hash;
    return how many were stored."""
    store = storage.store()
    stored = 0
    for path in sorted((folder / "originals").rglob("*")):
        if not path.is_file() or path.name.endswith(".partial"):
            continue
        with path.open("rb") as stream:
            sha256, _size = _digest(stream)
        if sha256 != path.name:
            say(f"Skipped {path}: its content does not match its name.")
            continue
        blob = db.session.get(FileBlob, sha256)
        key = storage.original_key(sha256)
        if not store.exists(key):
            store.put(key, path, blob.media_type if blob else "application/octet-stream")
            stored += 1
    say(f"Stored {stored} file(s) from {folder}.")
    return stored


def purge_thumbnails() -> int:
    """Delete every kept thumbnail (they are made again when next asked for)."""
    store = storage.store()
    removed = 0
    for key in list(store.keys("thumbs/")):
        store.delete(key)
        removed += 1
    return removed


def backup_folder(database_copy: Path) -> Path:
    """Return the folder a backup's files go in, beside the database copy."""
    return database_copy.with_name(database_copy.name + ".files")
