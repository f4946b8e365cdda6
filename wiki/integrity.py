"""Consistency checks over all pages and revisions, reported in words."""

import hashlib
import zlib

from sqlalchemy import select

from .anchors.models import RevisionAuthorship
from .core.authorship import from_stored_form
from .core.delta import DeltaError
from .extensions import db
from .models import Page, Revision, TextBlob, reading_storage


def check_all() -> list[str]:
    """Return a description of every inconsistency found; an empty list means all is well."""
    with reading_storage():
        return _problems()


def _problems() -> list[str]:
    """Return every inconsistency, reading each text from its stored bytes."""
    problems: list[str] = []
    # Whole texts first, then deltas by depth: each delta's base is rebuilt (and kept in
    # the session) before it is needed.
    blobs = {b.id: b for b in db.session.scalars(select(TextBlob).order_by(TextBlob.depth))}
    lengths: dict[str, int] = {}  # the length of each text that reads back, by hash
    for blob in blobs.values():
        found = _check_blob(blob, blobs)
        problems.extend(found)
        if not found:
            lengths[blob.sha1] = len(blob.text)
    revisions: dict[int, list[Revision]] = {}
    for revision in db.session.scalars(select(Revision).order_by(Revision.id)):
        revisions.setdefault(revision.page_id, []).append(revision)
        blob = blobs.get(revision.text_id)
        if blob is None or blob.sha1 != revision.sha1:
            problems.append(f"Revision {revision.id} points at text that is not its own.")
    for page in db.session.scalars(select(Page)):
        problems.extend(_check_page(page, revisions.get(page.id, [])))
    problems.extend(_check_authorship(lengths))
    return problems


def _check_authorship(lengths: dict[str, int]) -> list[str]:
    """Return the problems of the stored word authorship: records that cannot be read back,
    or whose runs do not cover their revision's text exactly."""
    problems = []
    rows = select(RevisionAuthorship).order_by(RevisionAuthorship.depth)
    records = {row.revision_id: row for row in db.session.scalars(rows)}
    for revision_id, row in records.items():
        name = f"The word authorship of revision {revision_id}"
        base = records.get(row.base_id) if row.base_id is not None else None
        if row.base_id is not None and (base is None or base.depth != row.depth - 1):
            problems.append(f"{name} is a delta on a record that is not its base.")
            continue
        try:
            runs, _counts = from_stored_form(row.form)
        except (DeltaError, ValueError):
            problems.append(f"{name} cannot be read back.")
            continue
        length = lengths.get(row.sha1)
        if length is not None and (runs[-1][1] if runs else 0) != length:
            problems.append(f"{name} does not cover its text.")
    return problems


def _check_blob(blob: TextBlob, blobs: dict[int, TextBlob]) -> list[str]:
    """Return the problems of one stored text: unreadable, wrong hash, broken chain."""
    if blob.base_id is not None:
        base = blobs.get(blob.base_id)
        if base is None or base.depth != blob.depth - 1:
            return [f"Text {blob.id} is a delta on text {blob.base_id}, which is not its base."]
    try:
        data = blob.text.encode("utf-8")
    except (zlib.error, UnicodeDecodeError, DeltaError):
        return [f"Text {blob.id} cannot be read back."]
    if hashlib.sha1(data).hexdigest() != blob.sha1:
        return [f"Text {blob.id} does not match its content hash."]
    return []


def _check_page(page: Page, revisions: list[Revision]) -> list[str]:
    """Return the problems of one page's revision chain."""
    name = f"Page “{page.title}” (id {page.id})"
    if not revisions:
        return [f"{name} has no revisions."] if page.latest_revision_id else []
    problems = []
    if page.latest_revision_id != revisions[-1].id:
        problems.append(
            f"{name} points at revision {page.latest_revision_id} as its latest, "
            f"but its newest revision is {revisions[-1].id}."
        )
    previous = None
    for revision in revisions:
        expected = previous.id if previous else None
        if revision.parent_id != expected:
            problems.append(
                f"{name}: revision {revision.id} follows revision {revision.parent_id}, "
                f"expected {expected}."
            )
        expected_change = revision.size - (previous.size if previous else 0)
        if revision.size_change != expected_change:
            problems.append(f"{name}: revision {revision.id} records a wrong size change.")
        previous = revision
    return problems
