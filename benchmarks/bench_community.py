"""Community lists at scale: recent changes, a watchlist and more, against a page view.

Builds a wiki of 100,000 revisions across 2,000 pages (plus talk: topics and comments)
with bulk INSERTs consistent with what save_page and the talk service write (parent
chains, sizes and size changes, SHA-1s, shared text blobs; credits recounted with
`rebuild_credits`), then times each list through Flask's test client as a logged-in
reader, interleaved with a page view of the same reader, and prints each as a multiple of
the page view, with the SQL statements each runs.
"""

import random
import time
import zlib
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, insert, select, update

from benchmarks._common import Figure, env_int, heading, interleaved, median, ms, table
from benchmarks._wiki import author, markdown_page, statements, temp_wiki
from wiki.community.cli import rebuild_credits
from wiki.community.models import Notification, Watch
from wiki.core.text import byte_size, text_sha1
from wiki.database import write_transaction
from wiki.extensions import db
from wiki.identity import UNUSABLE_PASSWORD, user_key
from wiki.integrity import check_all
from wiki.models import Page, Revision, RevisionKind, Role, TextBlob, User
from wiki.talk.models import Comment, Topic

TEXTS = 40
PEOPLE = 200
SPAN = timedelta(days=365)


def _texts() -> list[dict]:
    """Return the distinct page texts revisions share: sha1, size, compressed data."""
    out = []
    for seed in range(TEXTS):
        text = markdown_page(3000, seed=seed + 1)
        data = zlib.compress(text.encode(), 6)
        out.append({"sha1": text_sha1(text), "size": byte_size(text), "data": data})
    return out


def build(revisions: int, pages: int, topics: int, per_topic: int, watched: int) -> dict:
    """Fill the wiki; return what was made."""
    rng = random.Random(5)
    now = datetime.now(UTC)
    start = now - SPAN
    with write_transaction() as session:
        people = [
            {
                "username": f"person{n}",
                "key": user_key(f"person{n}"),
                "password_hash": UNUSABLE_PASSWORD,
                "role": int(Role.EDITOR),
                "created_at": start,
            }
            for n in range(PEOPLE)
        ]
        session.execute(insert(User), people)
        ids = list(session.scalars(select(User.id).where(User.key.like("person%"))))
        me = author().id
        texts = _texts()
        session.execute(insert(TextBlob), [{"sha1": t["sha1"], "data": t["data"]} for t in texts])
        blob_ids = dict(session.execute(select(TextBlob.sha1, TextBlob.id)).all())
        session.execute(
            insert(Page),
            [
                {"title": f"Page {n}", "key": f"page {n}", "created_at": start}
                for n in range(pages)
            ],
        )
        page_ids = list(session.scalars(select(Page.id).order_by(Page.id)))
        first_revision = (session.scalar(select(func.max(Revision.id))) or 0) + 1
        latest: dict[int, tuple[int, int, int]] = {}  # page id: (revision id, text, size)
        rows = []
        step = SPAN / revisions
        for n in range(revisions):
            page_id = page_ids[n] if n < pages else rng.choice(page_ids)
            parent = latest.get(page_id)
            text = rng.randrange(TEXTS)
            if parent is not None and text == parent[1]:
                text = (text + 1) % TEXTS
            size = texts[text]["size"]
            revision_id = first_revision + n
            rows.append(
                {
                    "id": revision_id,
                    "page_id": page_id,
                    "parent_id": parent[0] if parent else None,
                    "author_id": me if n % 97 == 0 else rng.choice(ids),
                    "created_at": start + step * n,
                    "summary": f"Edit {n}",
                    "minor": n % 5 == 0,
                    "kind": str(RevisionKind.EDIT if parent else RevisionKind.CREATE),
                    "size": size,
                    "size_change": size - (parent[2] if parent else 0),
                    "sha1": texts[text]["sha1"],
                    "text_id": blob_ids[texts[text]["sha1"]],
                }
            )
            latest[page_id] = (revision_id, text, size)
            if len(rows) == 10_000:
                session.execute(insert(Revision), rows)
                rows = []
        if rows:
            session.execute(insert(Revision), rows)
        for page_id, (revision_id, _, _) in latest.items():
            session.execute(
                update(Page).where(Page.id == page_id).values(latest_revision_id=revision_id)
            )
        _talk(session, rng, page_ids, ids, start, topics, per_topic)
        mine = rng.sample(page_ids, watched)
        session.execute(insert(Watch), [{"user_id": me, "page_id": p} for p in mine])
        _notifications(session, me, mine)
    return {"credits": rebuild_credits(), "watched": watched}


def _talk(session, rng, page_ids, people, start, topics: int, per_topic: int) -> None:
    """Add topics with comments, spread over the year, as the talk service writes them."""
    step = SPAN / max(topics * per_topic, 1)
    moment = start
    for n in range(topics):
        topic = Topic(
            page_id=rng.choice(page_ids),
            subject=f"Topic {n}",
            author_id=rng.choice(people),
            created_at=moment,
            last_activity_at=moment,
            comment_count=per_topic,
        )
        session.add(topic)
        session.flush()
        comments = []
        for c in range(per_topic):
            comments.append(
                {
                    "topic_id": topic.id,
                    "parent_id": None,
                    "author_id": topic.author_id if c == 0 else rng.choice(people),
                    "depth": 1,
                    "created_at": moment,
                    "body": f"Comment {c} on topic {n}: what do you think?",
                    "html": f"<p>Comment {c} on topic {n}: what do you think?</p>",
                    "hidden_reason": "",
                }
            )
            moment += step
        session.execute(insert(Comment), comments)
        topic.last_activity_at = comments[-1]["created_at"]


def _notifications(session, me: int, watched: list[int]) -> None:
    """Give the reader the edit notifications their watched pages would have caused."""
    edits = session.execute(
        select(
            Revision.id,
            Revision.page_id,
            Revision.parent_id,
            Revision.author_id,
            Revision.created_at,
        )
        .where(Revision.page_id.in_(watched), Revision.author_id != me)
        .order_by(Revision.id)
    ).all()
    session.execute(
        insert(Notification),
        [
            {
                "user_id": me,
                "kind": "edit",
                "dedupe_key": f"r{rid}",
                "actor_id": actor,
                "page_id": page_id,
                "revision_id": rid,
                "base_revision_id": parent,
                "created_at": at,
                "read_at": at + timedelta(hours=1),
            }
            for rid, page_id, parent, actor, at in edits
        ],
    )


def main() -> list[Figure]:
    """Build the wiki, time the lists against a page view, print the table."""
    revisions = env_int("COMMUNITY_REVISIONS", 100_000)
    pages = env_int("COMMUNITY_PAGES", 2_000)
    topics, per_topic = env_int("COMMUNITY_TOPICS", 500), env_int("COMMUNITY_COMMENTS", 10)
    watched, repeat = env_int("COMMUNITY_WATCHED", 50), env_int("COMMUNITY_REPEAT", 30)
    heading(f"Community lists: {revisions:,} revisions across {pages:,} pages")
    with temp_wiki() as wiki:
        started = time.perf_counter()
        with wiki.app.app_context():
            made = build(revisions, pages, topics, per_topic, watched)
            problems = check_all()
            count = db.session.scalar(select(func.count(Revision.id)))
        print(
            f"built {count:,} revisions, {topics * per_topic:,} comments, "
            f"{made['credits']:,} page credits in {time.perf_counter() - started:.1f} s; "
            f"integrity check: {'ok' if not problems else problems[:3]}"
        )
        reader = wiki.client()
        busiest = "person7"
        urls = {
            "page view": "/wiki/Page_7",
            "recent changes": "/recent",
            "recent, 1 day, hide minor": "/recent?days=1&hideminor=1",
            "recent, one person": f"/recent?user={busiest}",
            "recent, new pages only": "/recent?newpages=1",
            f"watchlist ({watched} pages)": "/watchlist",
            "notifications": "/notifications",
            "recent changes feed": "/recent.atom",
            "profile": f"/user/{busiest}",
            "page information": "/info/Page_7",
            "community page": "/community",
        }

        def get(url):
            def go():
                response = reader.get(url)
                assert response.status_code == 200, (url, response.status_code)

            return go

        for url in urls.values():
            get(url)()  # warm up: caches, templates, the page's rendering
        counts = {name: statements(wiki.app, reader, url) for name, url in urls.items()}
        times = interleaved({name: get(url) for name, url in urls.items()}, repeat)
    base = median(times["page view"])
    rows, figures = [], []
    limits = {"recent changes": 3.0, f"watchlist ({watched} pages)": 3.0}
    for name in urls:
        value = median(times[name])
        rows.append([name, ms(value), f"{value / base:.2f}×", counts[name]])
        if name != "page view":
            figures.append(Figure(f"{name} ÷ page view", value / base, limit=limits.get(name)))
    print(
        f"median of {repeat} interleaved runs each, Flask test client, logged in (so the "
        "page view is not served from the anonymous page cache)"
    )
    table(["view", "median", "÷ page view", "SQL statements"], rows)
    return figures


if __name__ == "__main__":
    main()
