"""Full-text search on 10,000 pages of ~5 KB, as a multiple of a page view, on both engines.

Pages are bulk-inserted (rows identical to what save_page writes: page, revision,
compressed text, cached HTML), then the search index is built by the real `flask reindex`
code (wiki.search.index.rebuild), which is timed too. The text is plain paragraphs drawn
from a Zipf-distributed vocabulary of English, Italian and made-up words, so some words
are rare and some are everywhere, as in real prose. PostgreSQL runs when
BENCH_POSTGRES_URL (or WIKI_TEST_POSTGRES_URL) is set, in a throwaway schema.
"""

import itertools
import logging
import os
import random
import re
import shutil
import tempfile
import time
import uuid
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import create_engine, insert, text, update

from benchmarks._common import Figure, env_int, heading, interleaved, median, ms, table
from benchmarks._wiki import WORDS, config, sequences_caught_up
from wiki import create_app, renderer
from wiki.core.render import RENDERER_VERSION, render_markdown
from wiki.core.text import byte_size, text_sha1
from wiki.core.titles import parse_title
from wiki.database import write_transaction
from wiki.extensions import db
from wiki.models import Page, RenderedText, Revision, RevisionKind, TextBlob, User
from wiki.search import index
from wiki.search.engines import TABLE, engine_for

BATCH = 500
SYLLABLES = [consonant + vowel for consonant in "bcdflmnrstv" for vowel in "aeio"]


def vocabulary(rng: random.Random, size: int = 30_000) -> tuple[list[str], list[float]]:
    """Return words and cumulative Zipf weights: the real words most frequent."""
    made_up = set()
    while len(made_up) < size - len(WORDS):
        made_up.add("".join(rng.choices(SYLLABLES, k=rng.randint(2, 4))))
    words = list(dict.fromkeys(WORDS)) + sorted(made_up)
    weights = [1 / (rank + 1) ** 1.07 for rank in range(len(words))]
    return words, list(itertools.accumulate(weights))


def page_text(rng: random.Random, words, cumulative, size: int) -> tuple[str, str]:
    """Return the Markdown of a page of plain paragraphs, and its rendered HTML."""
    paragraphs, total = [], 0
    while total < size:
        chosen = rng.choices(words, cum_weights=cumulative, k=rng.randint(30, 90))
        lines, line = [], ""
        for word in chosen:
            if line and len(line) + len(word) > 79:
                lines.append(line)
                line = word
            else:
                line = f"{line} {word}" if line else word
        lines.append(line)
        lines[0] = lines[0].capitalize()
        paragraphs.append("\n".join(lines) + ".")
        total += sum(len(x) + 1 for x in lines) + 2
    markdown = "\n\n".join(paragraphs) + "\n"
    html = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    return markdown, html


def fill(count: int, size: int, seed: int = 5) -> tuple[int, list[str]]:
    """Insert count pages of about size bytes; return the text bytes and the titles."""
    rng = random.Random(seed)
    words, cumulative = vocabulary(rng)
    sample, sample_html = page_text(random.Random(0), words, cumulative, size)
    assert render_markdown(sample).html == sample_html, "the hand-made HTML must match"
    titles, total = [], 0
    with write_transaction() as session:
        user_id = session.scalar(db.select(User.id))
        now = datetime.now(UTC)
        for start in range(0, count, BATCH):
            pages, blobs, revisions, rendered = [], [], [], []
            for n in range(start, min(count, start + BATCH)):
                title = f"{rng.choice(words[:400]).capitalize()} {rng.choice(words)} {n}"
                markdown, html = page_text(rng, words, cumulative, size)
                sha1 = text_sha1(markdown)
                total += byte_size(markdown)
                titles.append(title)
                key = parse_title(title).key
                pages.append({"id": n + 1, "title": title, "key": key, "created_at": now})
                blobs.append({"id": n + 1, "sha1": sha1, "data": zlib.compress(markdown.encode())})
                revisions.append(
                    {
                        **{"id": n + 1, "page_id": n + 1, "parent_id": None},
                        **{"author_id": user_id, "created_at": now, "summary": "Created"},
                        **{"minor": False, "kind": str(RevisionKind.CREATE), "sha1": sha1},
                        **{"size": byte_size(markdown), "size_change": byte_size(markdown)},
                        "text_id": n + 1,
                    }
                )
                rendered.append({"sha1": sha1, "renderer_version": RENDERER_VERSION, "html": html})
            session.execute(insert(Page), pages)
            session.execute(insert(TextBlob), blobs)
            session.execute(insert(Revision), revisions)
            session.execute(insert(RenderedText), rendered)
        # Every page's one revision is its latest and, as after migration 0014, published.
        session.execute(
            update(Page).values(latest_revision_id=Page.id, published_revision_id=Page.id)
        )
        sequences_caught_up(session)
    return total, titles


@contextmanager
def wiki_on(engine: str) -> Iterator:
    """Yield a migrated wiki app on a throwaway SQLite file or PostgreSQL schema."""
    folder = Path(tempfile.mkdtemp(prefix="bottega-bench-search-"))
    # Uncached page views (the fair baseline), and no rate limit on the timed requests.
    # No view counting: its writer would outlive the PostgreSQL schema dropped at the end.
    settings = {
        **config(folder),
        "PAGE_CACHE_SECONDS": 0,
        "RATELIMIT_ENABLED": False,
        "REACH_ENABLED": False,
    }
    admin, schema = None, None
    if engine == "postgresql":
        url = os.environ.get("BENCH_POSTGRES_URL") or os.environ["WIKI_TEST_POSTGRES_URL"]
        schema = f"bench_search_{uuid.uuid4().hex[:10]}"
        admin = create_engine(url)
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        separator = "&" if "?" in url else "?"
        settings["DATABASE_URL"] = f"{url}{separator}options=-csearch_path%3D{schema}"
    app = create_app(settings)
    try:
        with app.app_context():
            logging.disable(logging.INFO)
            try:
                upgrade(revision="heads")
            finally:
                logging.disable(logging.NOTSET)
            db.session.add(User(username="benchbot", key="benchbot", password_hash="x"))
            db.session.commit()
        yield app, folder
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        if admin is not None:
            with admin.begin() as connection:
                connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()
        shutil.rmtree(folder, ignore_errors=True)


def uncommon_pair(body: str, common: set[str]) -> str:
    """Return two adjacent words of a text that are not among the most common words."""
    found = re.findall(r"[a-zà-ü]+", body.lower())
    for first, second in itertools.pairwise(found):
        if first not in common and second not in common:
            return f"{first} {second}"
    raise AssertionError("no uncommon pair of words")


def queries(titles: list[str], body: str, words: list[str]) -> dict[str, str]:
    """Return the searches to time: rare and common words, phrases, prefixes, accents."""
    rare_title_word = titles[len(titles) // 2].split()[1]
    return {
        "one common word": "community",
        "two words": "spring campaign",
        "rare word (title)": rare_title_word,
        "phrase": f'"{uncommon_pair(body, set(words[:300]))}"',
        "phrase of two everyday words": '"brand voice"',
        "prefix": "partn",
        "accented": "qualita",
        "a word in nearly every page": "the",
        "with talk": "launch&talk=1",
        # Nothing found: "did you mean" looks up ~230 words one slip away from it.
        "a typing slip (did you mean)": "vocie",
    }


def measure(app, titles: list[str], repeat: int) -> list[list]:
    """Time page views, searches and suggestions interleaved; return table rows."""
    client = app.test_client(use_cookies=False)
    urls = {"page view": "/wiki/" + titles[len(titles) // 3].replace(" ", "_")}
    with app.app_context():
        engine = engine_for(db.session)
        # Document ids are the index's own (not page ids, and not always 1…n): take one a
        # quarter of the way through.
        ids = db.session.execute(
            text(f"SELECT {engine.id_column} FROM {TABLE} ORDER BY {engine.id_column}")
        ).scalars()
        ids = list(ids)
        doc_id = ids[len(ids) // 4]
        body = engine.fetch(db.session, [doc_id])[doc_id].body
    words = vocabulary(random.Random(5))[0]
    for name, query in queries(titles, body, words).items():
        urls[f"search: {name}"] = f"/search?fulltext=1&q={query}"
    urls["suggest: 'spri'"] = "/search/suggest?q=spri"

    def get(url):
        def go():
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            return response

        return go

    hits = {}
    for name, url in urls.items():  # warm up, and count the results shown
        hits[name] = get(url)().get_data(as_text=True).count('class="search-result"')
    times = interleaved({name: get(url) for name, url in urls.items()}, repeat)
    base = median(times["page view"])
    return [
        [name, ms(median(times[name])), f"{median(times[name]) / base:.2f}×", hits[name]]
        for name in urls
    ]


def run(engine: str, count: int, size: int, repeat: int) -> list[Figure]:
    """Build, index and measure one engine; print its tables and return its figures."""
    heading(f"Search on {count:,} pages of ~{size // 1000} KB: {engine}")
    with wiki_on(engine) as (app, folder):
        with app.app_context():
            start = time.perf_counter()
            text_bytes, titles = fill(count, size)
            built = time.perf_counter() - start
            start = time.perf_counter()
            pages, _ = index.rebuild()
            indexed = time.perf_counter() - start
            if engine == "postgresql":
                with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
                    c.execute(text("VACUUM ANALYZE"))
            else:
                with db.engine.connect() as connection:
                    connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            size_bytes = engine_for(db.session).size(db.session)
            db.session.commit()
        rows = measure(app, titles, repeat)
    print(
        f"Inserted {count:,} pages ({text_bytes / 1e6:.1f} MB of text) in {built:.1f} s; "
        f"indexed {pages:,} pages with `flask reindex` code in {indexed:.1f} s."
    )
    print(
        f"Index size: {size_bytes / 1e6:.1f} MB "
        f"({size_bytes / text_bytes:.2f}× the text it indexes, text kept for snippets)."
    )
    table(["request", "median", "÷ page view", "results shown"], rows)
    figures = [
        Figure(f"{engine}: {name} ÷ page view", float(ratio[:-1]), "×", 5.0, digits=2)
        for name, _, ratio, _ in rows[1:]
    ]
    figures.append(Figure(f"{engine}: index size", size_bytes / 1e6, " MB", digits=1))
    return figures


def main() -> list[Figure]:
    """Run on SQLite, and on PostgreSQL when a server is given."""
    count = env_int("SEARCH_PAGES", 10_000)
    size = env_int("SEARCH_PAGE_BYTES", 5_000)
    repeat = env_int("SEARCH_REPEAT", 15)
    engines = ["sqlite"]
    if os.environ.get("BENCH_POSTGRES_URL") or os.environ.get("WIKI_TEST_POSTGRES_URL"):
        engines.append("postgresql")
    else:
        print("PostgreSQL skipped: set BENCH_POSTGRES_URL to include it.")
    try:
        return [figure for engine in engines for figure in run(engine, count, size, repeat)]
    finally:
        renderer.shutdown()


if __name__ == "__main__":
    main()
