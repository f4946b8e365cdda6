"""Talk pages: a list of 200 topics and a thread of 1,000 comments, vs a page view.

The topics are started through the talk service; the big thread's comments are inserted as
rows identical to what the service writes (the texts rendered once by it), in a random
tree up to 30 levels deep. Every request goes through Flask's test client.
"""

import random
from datetime import timedelta

from werkzeug.security import generate_password_hash

from benchmarks._common import Figure, env_int, heading, interleaved, median, ms, table
from benchmarks._wiki import PASSWORD, author, csrf_token, markdown_page, statements, temp_wiki
from wiki.extensions import db
from wiki.identity import user_key
from wiki.models import Page, Role, User, utcnow
from wiki.talk import service
from wiki.talk.models import Comment, CommentVersion, Topic

PAGE = "Benchmark Page"
MODERATOR = "benchmod"
BODIES = [
    "Agreed, let's keep it.",
    "I think the **tone** is too formal for [[Home]]; see @benchbot's draft.",
    "- one\n- two\n- three\n\n`code` and a [link](https://example.com).",
    "> quoted\n\nAnd my answer, a little longer than the others, to vary the sizes a bit.",
]


def build(topics: int, comments: int) -> tuple[int, int]:
    """Add the topics and the two threads; return the ids of the big and the small topic."""
    rng = random.Random(4)
    writer = author()
    moderator = User(
        username=MODERATOR,
        key=user_key(MODERATOR),
        password_hash=generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000"),
        role=Role.MODERATOR,
    )
    db.session.add(moderator)
    db.session.commit()
    page = db.session.scalar(db.select(Page).where(Page.title == PAGE))
    for n in range(topics):
        service.start_topic(page, f"Topic number {n}", BODIES[n % 4], author=writer)
    prepared = [service.prepare(body) for body in BODIES]
    ids = []
    for size in (comments, 10):
        first = service.start_topic(page, f"A thread of {size}", BODIES[1], author=writer)
        topic_id, added = first.topic_id, [first]
        start = utcnow() - timedelta(minutes=size)
        for n in range(size - 1):
            parent = rng.choice(added) if rng.random() < 0.8 else None
            if parent is not None and parent.depth >= 30:
                parent = None
            body = prepared[n % 4]
            comment = Comment(
                topic_id=topic_id,
                parent_id=parent.id if parent else None,
                author_id=(writer if n % 3 else moderator).id,
                depth=parent.depth + 1 if parent else 1,
                created_at=start + timedelta(minutes=n),
                body=body.body,
                html=body.html,
            )
            db.session.add(comment)
            db.session.flush()
            db.session.add(
                CommentVersion(
                    comment_id=comment.id,
                    body=body.body,
                    html=body.html,
                    edited_at=comment.created_at,
                    editor_id=comment.author_id,
                )
            )
            added.append(comment)
        db.session.get(Topic, topic_id).comment_count = size
        db.session.commit()
        ids.append(topic_id)
    return ids[0], ids[1]


def main() -> list[Figure]:
    """Run the benchmark and return its figures."""
    topics, comments = env_int("TALK_TOPICS", 200), env_int("TALK_COMMENTS", 1000)
    repeat = env_int("TALK_REPEAT", 15)
    heading(f"Talk pages: {topics} topics, a thread of {comments:,} comments, vs a page view")
    with temp_wiki() as wiki:
        wiki.app.config["COMMENT_RATE_PER_MINUTE"] = 0
        wiki.save(PAGE, markdown_page(env_int("PAGE_BYTES", 20_000)))
        with wiki.app.app_context():
            big, small = build(topics, comments)
        anonymous = wiki.app.test_client(use_cookies=False)
        moderator = wiki.app.test_client()
        response = moderator.post(
            "/login",
            data={
                "username": MODERATOR,
                "password": PASSWORD,
                "csrf_token": csrf_token(moderator),
            },
        )
        assert response.status_code == 302
        view, listing = "page view, 20 KB page", f"talk page, {topics} topics"
        thread, as_mod = f"thread, {comments:,} comments", f"thread, {comments:,}, as moderator"
        paths = {
            view: (anonymous, "/wiki/Benchmark_Page"),
            listing: (anonymous, "/talk/Benchmark_Page"),
            thread: (anonymous, f"/talk/Benchmark_Page/{big}"),
            as_mod: (moderator, f"/talk/Benchmark_Page/{big}"),
            "thread, 10 comments": (anonymous, f"/talk/Benchmark_Page/{small}"),
        }
        sizes, queries = {}, {}

        def get(name, client, path):
            def go():
                response = client.get(path)
                assert response.status_code == 200, (path, response.status_code)
                sizes[name] = len(response.data)

            return go

        for name, (client, path) in paths.items():
            queries[name] = statements(wiki.app, client, path)
        times = interleaved({name: get(name, *value) for name, value in paths.items()}, repeat)

    print(f"median of {repeat} interleaved runs, Flask test client, SQLite")
    unit = median(times[view])
    table(
        ["request", "median", "× page view", "SQL statements", "response bytes"],
        [
            [name, ms(median(t)), f"{median(t) / unit:.1f}×", queries[name], f"{sizes[name]:,}"]
            for name, t in times.items()
        ],
    )
    extra = queries[thread] - queries["thread, 10 comments"]
    return [
        Figure(f"{listing} / page view", median(times[listing]) / unit, digits=1),
        Figure(f"{thread} / page view", median(times[thread]) / unit, digits=1),
        Figure(f"{as_mod} / page view", median(times[as_mod]) / unit, digits=1),
        Figure(f"extra SQL, {comments:,} vs 10 comments", extra, unit="", limit=0, digits=0),
    ]
