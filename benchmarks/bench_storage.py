"""Bytes on disk per revision for a stream of small edits to a 20 KB page."""

import random
import sqlite3
import zlib
from pathlib import Path

from benchmarks._common import Figure, env_int, heading, table
from benchmarks._wiki import markdown_lines, small_edit, temp_wiki
from wiki.extensions import db

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
        for i in range(edits):
            lines = small_edit(lines, rng, i)
            wiki.save(TITLE, "\n".join(lines), summary=f"Fixed a word ({i})")
        with wiki.app.app_context():
            db.engine.dispose()
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
    ]


if __name__ == "__main__":
    main()
