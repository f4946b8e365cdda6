"""Bytes on disk per revision for a stream of small edits to a 20 KB page."""

import random
import shutil
import sqlite3
import subprocess
import tempfile
import time
import zlib
from pathlib import Path

from benchmarks._common import Figure, env_int, heading, table
from benchmarks._wiki import markdown_lines, small_edit, temp_wiki
from wiki.extensions import db
from wiki.models import Revision

TITLE = "Storage Page"


def compact(path: Path) -> tuple[int, dict[str, int]]:
    """Checkpoint the log, VACUUM, and return the file size and bytes per table and index."""
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        connection.execute("VACUUM")
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        tables = dict(connection.execute("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name"))
    connection.close()
    return path.stat().st_size, tables


def checkpointed_size(path: Path) -> int:
    """Return the file size after moving the log into it, before any VACUUM."""
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    return path.stat().st_size


def main() -> list[Figure]:
    """Run the benchmark and return its figures."""
    size, edits = env_int("STORAGE_PAGE_BYTES", 20_000), env_int("STORAGE_EDITS", 500)
    heading(f"Storage: {edits} small edits to a {size // 1000} KB page")
    rng = random.Random(5)
    lines = markdown_lines(size, seed=5)
    text = "\n".join(lines)
    with temp_wiki() as wiki:
        wiki.save(TITLE, text, summary="Created")
        with wiki.app.app_context():
            db.engine.dispose()  # VACUUM needs no other connection in a transaction
        before, tables_before = compact(wiki.db_path)
        texts = [text]
        for i in range(edits):
            lines = small_edit(lines, rng, i)
            texts.append("\n".join(lines))
            wiki.save(TITLE, texts[-1], summary=f"Fixed a word ({i})")
        with wiki.app.app_context():
            db.engine.dispose()
            slowest_read = slowest_revision_read()
        grown = checkpointed_size(wiki.db_path)
        after, tables_after = compact(wiki.db_path)

    raw = len(text.encode())
    compressed = len(zlib.compress(text.encode(), 6))
    per_revision = (after - before) / edits
    print(f"SQLite file: {before:,} B with the page created, {after:,} B after {edits} edits")
    table(
        ["measure", "bytes", "× raw text"],
        [
            ["raw text of the page (UTF-8)", f"{raw:,}", "1.00"],
            ["one text zlib-compressed (level 6)", f"{compressed:,}", f"{compressed / raw:.2f}"],
            ["per revision, after VACUUM", f"{per_revision:,.0f}", f"{per_revision / raw:.2f}"],
            [
                "per revision, checkpointed, no VACUUM",
                f"{(grown - before) / edits:,.0f}",
                f"{(grown - before) / edits / raw:.2f}",
            ],
        ],
    )
    text_bytes = (
        sum(
            tables_after.get(name, 0) - tables_before.get(name, 0)
            for name in ("text_blob", "sqlite_autoindex_text_blob_1")
        )
        / edits
    )
    git_bytes = git_packed_per_edit(texts)
    print(f"texts: {text_bytes:,.0f} B per edit; git, the same edits packed: {git_bytes:,.0f} B")
    print(f"slowest read of any revision's text (fresh session): {slowest_read * 1000:.2f} ms")
    names = sorted(set(tables_after) | set(tables_before))
    growth = {name: tables_after.get(name, 0) - tables_before.get(name, 0) for name in names}
    rows = [
        [name, f"{delta / edits:,.0f}", f"{delta / max(after - before, 1):.0%}"]
        for name, delta in sorted(growth.items(), key=lambda item: -item[1])
        if delta
    ]
    print("where the bytes go (dbstat, after VACUUM):")
    table(["table or index", "bytes per revision", "share"], rows)
    return [
        Figure("bytes on disk per small edit ÷ raw text size", per_revision / raw),
        Figure("bytes on disk per small edit", per_revision, " B", digits=0),
        # Everything a revision adds (metadata, indexes, search index, word authorship), which
        # git has no counterpart for beyond its commit object: reported, not a target.
        Figure("bytes on disk per small edit ÷ git's packed bytes", per_revision / git_bytes),
        Figure(
            "text bytes per small edit ÷ git's packed bytes", text_bytes / git_bytes, limit=1.0
        ),
        Figure("slowest read of an old revision", slowest_read * 1000, " ms", limit=2.0, digits=2),
    ]


def slowest_revision_read() -> float:
    """Return the longest time reading one revision's text takes, each in a fresh session
    (the best of three tries per revision: the machine is shared and noisy)."""
    ids = list(db.session.scalars(db.select(Revision.id)))
    db.session.remove()
    times = []
    for revision_id in ids:
        tries = []
        for _ in range(3):
            start = time.perf_counter()
            assert db.session.get(Revision, revision_id).text
            tries.append(time.perf_counter() - start)
            db.session.remove()
        times.append(min(tries))
    times.sort()
    print(
        f"reading a revision's text: median {times[len(times) // 2] * 1000:.2f} ms, "
        f"99th percentile {times[int(len(times) * 0.99)] * 1000:.2f} ms"
    )
    return times[-1]


def git_packed_per_edit(texts: list[str]) -> float:
    """Return git's bytes per edit for the same texts: one commit each, then packed (gc)."""
    folder = Path(tempfile.mkdtemp(prefix="bottega-git-"))
    try:
        run = lambda *args: subprocess.run(  # noqa: E731
            ["git", "-c", "user.name=b", "-c", "user.email=b@x", *args],
            cwd=folder,
            check=True,
            capture_output=True,
        )
        run("init", "-q")
        page = folder / "page.md"
        sizes = []
        for number, text in enumerate(texts):
            page.write_text(text, encoding="utf-8")
            run("add", "page.md")
            run("commit", "-q", "-m", f"edit {number}")
            if number == 0:
                run("gc", "-q", "--aggressive")
                sizes.append(_pack_bytes(folder))
        run("gc", "-q", "--aggressive")
        return (_pack_bytes(folder) - sizes[0]) / (len(texts) - 1)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _pack_bytes(folder: Path) -> int:
    """Return the bytes of git's object store (packs and loose objects)."""
    return sum(p.stat().st_size for p in (folder / ".git" / "objects").rglob("*") if p.is_file())


if __name__ == "__main__":
    main()
