"""Build a large wiki quickly with bulk INSERTs: python -m benchmarks.large_wiki [options].

The rows are those save_page writes (pages, revisions with parent chains and sizes, texts
stored once per content, links, the search index), so requests on it cost what they would
on a wiki that grew by saves, without spending hours saving a million revisions. Each page
alternates between a few versions of its own text, so texts are distinct per page but few.
Users, talk and notifications are added too, in proportion.

    python -m benchmarks.large_wiki --pages 100000 --revisions 1000000 --engine sqlite \\
        --out /tmp/bottega-large

A built wiki is kept (SQLite: a file in --out; PostgreSQL: a schema named after the
sizes) and reused by benchmarks/bench_scale.py while its sizes match.
"""

import argparse
import random
import time
import zlib
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, insert, select, text, update

from benchmarks._wiki import WORDS, sequences_caught_up
from wiki.core.text import byte_size, text_sha1
from wiki.database import write_transaction
from wiki.extensions import db
from wiki.identity import UNUSABLE_PASSWORD, user_key
from wiki.models import Link, Page, Revision, RevisionKind, Role, TextBlob, User
from wiki.search.engines import Doc, engine_for
from wiki.talk.models import Comment, Topic

VERSIONS = 3  # distinct texts per page that its revisions take in turn
BATCH = 20_000
SPAN = timedelta(days=3 * 365)


def page_text(rng: random.Random, number: int, version: int) -> str:
    """Return one version of a page's Markdown: a heading, paragraphs, links to others."""
    words = [rng.choice(WORDS) for _ in range(180)]
    words[rng.randrange(len(words))] = f"topic{number}"
    paragraphs = [" ".join(words[i : i + 30]).capitalize() + "." for i in range(0, 180, 30)]
    links = f"See [[Page {(number * 7 + 1) % 1000}]] and [[Page {(number * 13 + 5) % 1000}]]."
    return f"# Page {number}\n\n" + "\n\n".join(paragraphs) + f"\n\n{links} (v{version})\n"


def people_for(revisions: int) -> int:
    """Return how many people write a wiki of this many revisions: 1,000, but fewer in a
    small wiki, so that each has a full page of contributions there too (about 100 edits:
    a profile then shows 50 rows in the small and in the large wiki alike)."""
    return min(1000, max(10, revisions // 100))


def build(pages: int, revisions: int, people: int | None = None, progress=print) -> None:
    """Fill an empty, migrated wiki (inside an app context) with the given sizes."""
    people = people_for(revisions) if people is None else people
    started = time.perf_counter()
    rng = random.Random(11)
    now = datetime.now(UTC)
    start = now - SPAN
    with write_transaction() as session:
        session.execute(
            insert(User),
            [
                {
                    "username": f"person{n}",
                    "key": user_key(f"person{n}"),
                    "password_hash": UNUSABLE_PASSWORD,
                    "role": int(Role.EDITOR),
                    "created_at": start,
                }
                for n in range(people)
            ],
        )
    user_ids = list(db.session.scalars(select(User.id).order_by(User.id)))
    per_page = max(1, revisions // pages)
    for first in range(0, pages, BATCH // per_page or 1):
        last = min(pages, first + max(1, BATCH // per_page))
        _pages(rng, range(first, last), per_page, user_ids, start, step=SPAN / revisions)
        progress(f"  {last:,} of {pages:,} pages ({time.perf_counter() - started:.0f} s)")
    _talk(rng, pages, user_ids, start)
    with write_transaction() as session:
        sequences_caught_up(session)
    progress(f"built in {time.perf_counter() - started:.0f} s")


def _pages(rng, numbers, per_page: int, user_ids, start, step) -> None:
    """Insert a batch of pages with their revisions, texts, links and index entries."""
    with write_transaction() as session:
        texts = {}
        for number in numbers:
            for version in range(VERSIONS):
                body = page_text(rng, number, version)
                texts[number, version] = (body, text_sha1(body), byte_size(body))
        session.execute(
            insert(TextBlob),
            [
                {"sha1": sha1, "data": zlib.compress(body.encode(), 6), "depth": 0}
                for body, sha1, _size in texts.values()
            ],
        )
        shas = [sha1 for _body, sha1, _size in texts.values()]
        found = session.execute(select(TextBlob.sha1, TextBlob.id).where(TextBlob.sha1.in_(shas)))
        blob_ids = dict(found.all())
        session.execute(
            insert(Page),
            [{"title": f"Page {n}", "key": f"page {n}", "created_at": start} for n in numbers],
        )
        keys = [f"page {n}" for n in numbers]
        page_ids = dict(session.execute(select(Page.key, Page.id).where(Page.key.in_(keys))).all())
        next_id = (session.scalar(select(func.max(Revision.id))) or 0) + 1
        rows, latest, links, docs = [], {}, [], []
        for number in numbers:
            page_id, parent, previous_size = page_ids[f"page {number}"], None, 0
            for k in range(per_page):
                body, sha1, size = texts[number, k % VERSIONS]
                rows.append(
                    {
                        "id": next_id,
                        "page_id": page_id,
                        "parent_id": parent,
                        "author_id": rng.choice(user_ids),
                        "created_at": start + step * next_id,
                        "summary": f"Edit {k} of page {number}",
                        "minor": k % 5 == 4,
                        "kind": str(RevisionKind.EDIT if parent else RevisionKind.CREATE),
                        "size": size,
                        "size_change": size - previous_size,
                        "sha1": sha1,
                        "text_id": blob_ids[sha1],
                    }
                )
                parent, previous_size, next_id = next_id, size, next_id + 1
            latest[page_id] = parent
            body = texts[number, (per_page - 1) % VERSIONS][0]
            for target in (f"Page {(number * 7 + 1) % 1000}", f"Page {(number * 13 + 5) % 1000}"):
                links.append(
                    {"page_id": page_id, "target_key": target.lower(), "target_title": target}
                )
            docs.append(Doc(id=page_id, page_id=page_id, title=f"Page {number}", body=body))
        session.execute(insert(Revision), rows)
        newest = select(func.max(Revision.id)).where(Revision.page_id == Page.id).scalar_subquery()
        session.execute(
            update(Page)
            .where(Page.id.in_(list(latest)))
            .values(latest_revision_id=newest, published_revision_id=newest)
        )
        unique_links = {(link["page_id"], link["target_key"]): link for link in links}
        session.execute(insert(Link), list(unique_links.values()))
        engine_for(session).upsert(session, docs)


def _talk(rng, pages: int, user_ids, start) -> None:
    """Add one topic with three comments for every hundred pages."""
    with write_transaction() as session:
        page_ids = list(session.scalars(select(Page.id).order_by(Page.id).limit(pages)))
        for n, page_id in enumerate(page_ids[::100]):
            topic = Topic(
                page_id=page_id,
                subject=f"Topic {n}",
                author_id=rng.choice(user_ids),
                created_at=start,
                last_activity_at=start,
                comment_count=3,
            )
            session.add(topic)
            session.flush()
            session.execute(
                insert(Comment),
                [
                    {
                        "topic_id": topic.id,
                        "parent_id": None,
                        "author_id": rng.choice(user_ids),
                        "depth": 1,
                        "created_at": start,
                        "body": f"Comment {c} on topic {n}.",
                        "html": f"<p>Comment {c} on topic {n}.</p>",
                        "hidden_reason": "",
                    }
                    for c in range(3)
                ],
            )


def built_sizes() -> tuple[int, int, int]:
    """Return (pages, revisions, people) of the wiki in the current app context."""
    pages = db.session.scalar(select(func.count(Page.id)))
    revisions = db.session.scalar(select(func.count(Revision.id)))
    people = db.session.scalar(select(func.count(User.id)).where(User.username.like("person%")))
    return pages or 0, revisions or 0, people or 0


def analyze() -> None:
    """Refresh the query planner's statistics after a bulk load."""
    with write_transaction() as session:
        session.execute(text("ANALYZE"))


def main() -> None:
    """Build a large wiki from the command line."""
    from benchmarks._scale import open_wiki

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=100_000)
    parser.add_argument("--revisions", type=int, default=1_000_000)
    parser.add_argument("--engine", choices=["sqlite", "postgres"], default="sqlite")
    args = parser.parse_args()
    with open_wiki(args.engine, args.pages, args.revisions) as wiki:
        print(f"ready: {wiki.description}")


if __name__ == "__main__":
    main()
