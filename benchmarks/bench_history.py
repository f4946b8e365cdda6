"""History cost vs history length: a page with 10,000 revisions against one with 10."""

import itertools
import random
import time
import zlib
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, insert, select, update

from benchmarks._common import Figure, env_int, heading, interleaved, median, ms, table
from benchmarks._wiki import author, csrf_token, markdown_lines, small_edit, temp_wiki
from wiki.core.text import byte_size, text_sha1
from wiki.core.titles import parse_title
from wiki.database import write_transaction
from wiki.extensions import db
from wiki.integrity import check_all
from wiki.models import Page, Revision, RevisionKind, TextBlob

#: Revisions saved through save_page at the end of each page, so the newest are real.
REAL_TAIL = 5


def bulk_revisions(title: str, lines: list[str], count: int, rng: random.Random) -> list[str]:
    """Append count small-edit revisions to the page with plain INSERTs; return the last lines.

    The rows are what save_page would write (parent chain, size and size change, SHA-1,
    one compressed blob per text), without rendering or per-save commits; `flask check`'s
    integrity check verifies them afterwards.
    """
    with write_transaction() as session:
        page = session.scalar(select(Page).where(Page.key == parse_title(title).key))
        latest, author_id = page.latest, author().id
        blob_id = session.scalar(select(func.max(TextBlob.id))) + 1
        revision_id = session.scalar(select(func.max(Revision.id))) + 1
        parent_id, parent_size = latest.id, latest.size
        start = datetime.now(UTC) - timedelta(minutes=count + 1)
        blobs, revisions = [], []
        for i in range(count):
            lines = small_edit(lines, rng, i)
            text = "\n".join(lines)
            sha1, size = text_sha1(text), byte_size(text)
            blobs.append(
                {"id": blob_id + i, "sha1": sha1, "data": zlib.compress(text.encode(), 6)}
            )
            revisions.append(
                {
                    "id": revision_id + i,
                    "page_id": page.id,
                    "parent_id": parent_id,
                    "author_id": author_id,
                    "created_at": start + timedelta(minutes=i),
                    "summary": f"Small edit {i}",
                    "minor": i % 3 == 0,
                    "kind": str(RevisionKind.EDIT),
                    "size": size,
                    "size_change": size - parent_size,
                    "sha1": sha1,
                    "text_id": blob_id + i,
                }
            )
            parent_id, parent_size = revision_id + i, size
        session.execute(insert(TextBlob), blobs)
        session.execute(insert(Revision), revisions)
        session.execute(
            update(Page).where(Page.id == page.id).values(latest_revision_id=parent_id)
        )
    return lines


def build(wiki, title: str, revisions: int, size: int, via_save: bool) -> list[str]:
    """Create the page with this many revisions; return the lines of its latest text."""
    rng = random.Random(revisions)
    lines = markdown_lines(size, seed=7)
    wiki.save(title, "\n".join(lines), summary="Created")
    middle = 0 if via_save else max(revisions - 1 - REAL_TAIL, 0)
    if middle:
        with wiki.app.app_context():
            lines = bulk_revisions(title, lines, middle, rng)
    for i in range(middle, revisions - 1):
        lines = small_edit(lines, rng, i)
        wiki.save(title, "\n".join(lines), summary=f"Small edit {i}")
    return lines


def main() -> list[Figure]:
    """Run the benchmark and return its figures."""
    many, few = env_int("HISTORY_REVISIONS", 10_000), env_int("HISTORY_FEW", 10)
    size, repeat = env_int("HISTORY_PAGE_BYTES", 4_000), env_int("HISTORY_REPEAT", 40)
    via_save = env_int("HISTORY_VIA_SAVE", 0) == 1
    heading(f"History cost: a page with {many:,} revisions vs one with {few}")
    with temp_wiki() as wiki:
        start = time.perf_counter()
        full = wiki.app.config["HISTORY_PAGE_SIZE"]  # rows on one history page
        pages = {
            "few": ("Few Revisions", few),
            "full": ("One Full History Page", full),
            "many": ("Many Revisions", many),
        }
        texts = {key: build(wiki, title, n, size, via_save) for key, (title, n) in pages.items()}
        with wiki.app.app_context():
            problems = check_all()
            counts = {
                key: db.session.scalar(
                    select(func.count(Revision.id))
                    .join(Page, Page.id == Revision.page_id)
                    .where(Page.title == title)
                )
                for key, (title, _) in pages.items()
            }
        how = "all through save_page" if via_save else f"bulk INSERTs + last {REAL_TAIL} saves"
        how = "all through save_page" if via_save else f"bulk INSERTs + last {REAL_TAIL} saves"
        built = ", ".join(f"{counts[key]:,}" for key in pages)
        print(
            f"built pages of {built} revisions ({size // 1000} KB text) in "
            f"{time.perf_counter() - start:.1f} s ({how}); "
            f"integrity check: {'ok' if not problems else problems[:3]}"
        )
        visitor, editor = wiki.app.test_client(use_cookies=False), wiki.client()

        def get(path):
            def go():
                response = visitor.get(path)
                assert response.status_code == 200, (path, response.status_code)

            return go

        ops = {}
        for key, (title, _) in pages.items():
            url = title.replace(" ", "_")
            ops[f"view {key}"] = get(f"/wiki/{url}")
            ops[f"history {key}"] = get(f"/history/{url}")
        times = interleaved(ops, repeat)

        def save(key):
            title = pages[key][0]
            rng, numbers = random.Random(key), itertools.count(1_000_000)

            def go():
                texts[key] = small_edit(texts[key], rng, next(numbers))
                form = {
                    "text": "\n".join(texts[key]),
                    "summary": "Benchmark save",
                    "base_revision": str(wiki.latest_id(title)),
                    "csrf_token": csrf_token(editor),
                    "action": "save",
                }
                start = time.perf_counter()
                response = editor.post(f"/edit/{title.replace(' ', '_')}", data=form)
                elapsed = time.perf_counter() - start
                assert response.status_code == 302, response.status_code
                return elapsed

            return go

        savers = {key: save(key) for key in pages}
        for i in range(repeat):
            for key in list(pages) if i % 2 == 0 else list(pages)[::-1]:
                times.setdefault(f"save {key}", []).append(savers[key]())

    rows, figures = [], []
    for op, label in (("history", "first history page"), ("save", "save"), ("view", "page view")):
        few_t, full_t, many_t = (median(times[f"{op} {key}"]) for key in pages)
        rows.append(
            [
                label,
                ms(few_t),
                ms(full_t),
                ms(many_t),
                f"{many_t / few_t:.2f}×",
                f"{many_t / full_t:.2f}×",
            ]
        )
        if op == "history":
            # The short page shows fewer rows than a full history page: the cost of a long
            # history is measured against a page showing as many rows (the short one is
            # reported).
            figures.append(Figure(f"{label}: {many:,} ÷ {few} revisions", many_t / few_t))
            figures.append(
                Figure(f"{label}: {many:,} ÷ {full} revisions", many_t / full_t, limit=1.5)
            )
        else:
            figures.append(
                Figure(f"{label}: {many:,} ÷ {few} revisions", many_t / few_t, limit=1.5)
            )
    print(
        f"median of {repeat} interleaved runs each, Flask test client; a history page shows "
        f"up to {full} rows, so the {few}-revision page shows fewer. Saves come last and "
        f"add {repeat} revisions to every page."
    )
    headers = [f"{n:,} revisions" for _, n in pages.values()]
    table(["operation", *headers, f"{many:,} ÷ {few}", f"{many:,} ÷ {full}"], rows)
    return figures


if __name__ == "__main__":
    main()
