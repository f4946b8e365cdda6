"""Pending changes: what waiting changes cost readers and reviewers.

An anonymous page view of a page with 50 changes waiting for review against one with
none (goal: the same — the public reads the published revision by its pointer), with the
anonymous page cache off so the view itself is measured; and /review listing 1,000 pages
with waiting changes against a logged-in page view.
"""

import zlib
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, insert, select, update

from benchmarks._common import Figure, env_int, heading, interleaved, median, ms, table
from benchmarks._wiki import author, markdown_page, statements, temp_wiki
from wiki.core.text import byte_size, text_sha1
from wiki.database import write_transaction
from wiki.models import Page, Revision, RevisionKind, Role, TextBlob
from wiki.review.models import WAITING, RevisionReview


def waiting_pages(count: int) -> None:
    """Add count pages, each with a published revision and one waiting on top (bulk)."""
    now = datetime.now(UTC)
    me = author().id
    texts = [markdown_page(3000, seed=seed) for seed in (11, 12)]
    with write_transaction() as session:
        session.execute(
            insert(TextBlob),
            [{"sha1": text_sha1(t), "data": zlib.compress(t.encode(), 6)} for t in texts],
        )
        blobs = [
            session.scalar(select(TextBlob.id).where(TextBlob.sha1 == text_sha1(t))) for t in texts
        ]
        session.execute(
            insert(Page),
            [
                {"title": f"Queue {n}", "key": f"queue {n}", "created_at": now}
                for n in range(count)
            ],
        )
        page_ids = list(
            session.scalars(select(Page.id).where(Page.key.like("queue %")).order_by(Page.id))
        )
        first = (session.scalar(select(func.max(Revision.id))) or 0) + 1
        rows = []
        for number, page_id in enumerate(page_ids):
            for step, text in enumerate(texts):
                size = byte_size(text)
                rows.append(
                    {
                        "id": first + 2 * number + step,
                        "page_id": page_id,
                        "parent_id": first + 2 * number if step else None,
                        "author_id": me,
                        "created_at": now - timedelta(minutes=count - number),
                        "summary": "",
                        "minor": False,
                        "kind": str(RevisionKind.EDIT if step else RevisionKind.CREATE),
                        "size": size,
                        "size_change": size - (byte_size(texts[0]) if step else 0),
                        "sha1": text_sha1(text),
                        "text_id": blobs[step],
                    }
                )
        session.execute(insert(Revision), rows)
        for number, page_id in enumerate(page_ids):
            session.execute(
                update(Page)
                .where(Page.id == page_id)
                .values(
                    published_revision_id=first + 2 * number,
                    latest_revision_id=first + 2 * number + 1,
                )
            )
        session.execute(
            insert(RevisionReview),
            [
                {
                    "revision_id": first + 2 * number + 1,
                    "page_id": page_id,
                    "state": WAITING,
                    "created_at": now - timedelta(minutes=count - number),
                    "reason": "",
                }
                for number, page_id in enumerate(page_ids)
            ],
        )


def main() -> list[Figure]:
    waiting, queued = env_int("REVIEW_WAITING", 50), env_int("REVIEW_QUEUE", 1_000)
    repeat = env_int("REVIEW_REPEAT", 40)
    heading(f"Pending changes: a page with {waiting} waiting changes; /review of {queued:,}")
    with temp_wiki(PAGE_CACHE_SECONDS=0, REVIEW_POLICY="off", REACH_ENABLED=False) as wiki:
        text = markdown_page(20_000, seed=3)
        wiki.save("Calm", text)
        wiki.save("Busy", text)
        wiki.app.config["REVIEW_POLICY"] = "all"  # the author's edits now wait
        for number in range(waiting):
            wiki.save("Busy", text + f"\n\nWaiting change {number}.")
        with wiki.app.app_context():
            waiting_pages(queued)
            with write_transaction():
                author().role = Role.REVIEWER
        visitor, reviewer = wiki.app.test_client(), wiki.client()
        urls = {
            "anonymous view, no waiting changes": (visitor, "/wiki/Calm"),
            f"anonymous view, {waiting} waiting changes": (visitor, "/wiki/Busy"),
            "logged-in page view": (reviewer, "/wiki/Calm"),
            f"/review with {queued:,} waiting pages": (reviewer, "/review"),
        }

        def get(client, url):
            def go():
                response = client.get(url)
                assert response.status_code == 200, (url, response.status_code)
                assert b"Waiting change" not in response.data or client is reviewer

            return go

        for client, url in urls.values():
            get(client, url)()
        counts = {name: statements(wiki.app, c, url) for name, (c, url) in urls.items()}
        times = interleaved({name: get(c, url) for name, (c, url) in urls.items()}, repeat)
    names = list(urls)
    rows = [[name, ms(median(times[name])), counts[name]] for name in names]
    print(f"median of {repeat} interleaved runs each, Flask test client, page cache off")
    table(["view", "median", "SQL statements"], rows)
    calm, busy = median(times[names[0]]), median(times[names[1]])
    view, review = median(times[names[2]]), median(times[names[3]])
    return [
        Figure(f"anonymous view, {waiting} waiting ÷ none", busy / calm, limit=1.2),
        Figure(f"/review ({queued:,} pages) ÷ logged-in page view", review / view, limit=3.0),
    ]


if __name__ == "__main__":
    main()
