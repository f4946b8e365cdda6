"""Talk pages through real HTTP: what a person sees and can do, with and without JavaScript."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, func, select

from tests.helpers import count_queries, text
from wiki import create_app
from wiki.extensions import db
from wiki.models import Role
from wiki.talk.models import Comment, Topic
from wiki.templating import reltime

FETCH = {"X-Requested-With": "fetch", "Accept": "text/html+fragment"}


@pytest.fixture
def page(make_page):
    return make_page("Spring Launch", "We launch in spring.")


def start(client, subject="Tone of voice", body="Is it too formal?", title="Spring_Launch"):
    """Start a topic through the form; return the response."""
    return client.post(f"/talk/{title}", data={"subject": subject, "body": body})


def reply(client, topic_id, body, parent="", headers=None, title="Spring_Launch", action="save"):
    """Post a reply through the form; return the response."""
    data = {"body": body, "parent": str(parent), "action": action}
    return client.post(f"/talk/{title}/{topic_id}/reply", data=data, headers=headers or {})


def ids() -> list[int]:
    return list(db.session.scalars(select(Comment.id).order_by(Comment.id)))


def test_discussion_tab_shows_the_comment_count(client, page, editor):
    html = text(client.get("/wiki/Spring_Launch"))
    assert re.search(r'<a href="/talk/Spring_Launch"\s*>Discussion</a>', html)
    start(client)
    reply(client, db.session.scalar(select(Topic.id)), "Yes")
    html = text(client.get("/wiki/Spring_Launch"))
    assert re.search(r'<a href="/talk/Spring_Launch"\s*>Discussion \(2\)</a>', html)
    assert "Discussion (2)" in text(client.get("/history/Spring_Launch"))


def test_discussion_tab_costs_one_query(client, page, editor):
    with count_queries() as statements:
        client.get("/wiki/Spring_Launch")
    # Anchored threads (wiki/anchors) ask their own tables whether the page has any.
    assert len([s for s in statements if "topic" in s and "anchor" not in s]) == 1


def test_talk_page_of_a_missing_page_is_404_with_a_message(client):
    response = client.get("/talk/Nowhere")
    assert response.status_code == 404
    assert "There is no page “Nowhere”, so there is no discussion of it." in text(response)


def test_empty_talk_page_invites_to_start_a_topic(client, page, editor):
    html = text(client.get("/talk/Spring_Launch"))
    assert "No one has started a topic about this page yet." in html
    assert '<label for="subject" class="field-label">Subject</label>' in html
    assert '<label for="body" class="field-label">Comment</label>' in html
    assert ">Add topic</button>" in html and ">Preview</button>" in html
    assert 'aria-current="page">Discussion' in html


def test_anonymous_readers_see_topics_but_cannot_post(client, page, make_user, auth):
    make_user("alice")
    auth.login("alice")
    start(client)
    auth.logout()
    html = text(client.get("/talk/Spring_Launch"))
    assert "Tone of voice" in html
    # One invitation with both ways in (it said "Log in or create an account to take
    # part" and then "Log in to start a topic").
    join = re.search(r'<p class="talk-join">(.*?)</p>', html, re.S).group(1)
    assert "To start a topic, log in or create an account." in join
    assert 'href="/login?next=/talk/Spring_Launch"' in join and 'href="/register"' in join
    assert html.count("log in") + html.count("Log in") <= 3  # the header's, and this one
    assert 'name="subject"' not in html
    response = start(client, subject="Spam")
    assert response.status_code == 403
    assert db.session.scalar(select(func.count(Topic.id))) == 1


def test_starting_a_topic_leads_to_its_thread(client, page, editor):
    response = start(client, body="Is it *too* formal, @alice?")
    topic_id, comment_id = db.session.scalar(select(Topic.id)), ids()[0]
    assert response.status_code == 302
    assert response.headers["Location"] == f"/talk/Spring_Launch/{topic_id}#comment-{comment_id}"
    html = text(client.get(f"/talk/Spring_Launch/{topic_id}"))
    assert '<h1 class="page-title topic-subject">Tone of voice</h1>' in html
    assert "<em>too</em>" in html
    assert '<a class="mention" href="/user/alice">@alice</a>' in html
    assert f'id="comment-{comment_id}"' in html
    assert '<a class="user" href="/user/alice">alice</a>' in html
    # The comment's time links to it, with the exact moment in a machine-readable attribute
    # (the words, "… ago", depend on the clock and the Babel release).
    stamp = re.search(
        rf'href="#comment-{comment_id}"><time datetime="([^"]+)" title="[^"]+"><span', html
    )
    assert stamp, "no <time> linking to the comment"
    posted = db.session.get(Comment, comment_id).created_at
    assert datetime.fromisoformat(stamp.group(1)) == posted


def test_topic_list_shows_subject_author_count_activity_and_status(client, page, editor):
    start(client, subject="First")
    start(client, subject="Second")
    first, second = db.session.scalars(select(Topic.id).order_by(Topic.id)).all()
    reply(client, first, "bump")
    client.post(f"/topic/{second}/resolve", data={})
    html = text(client.get("/talk/Spring_Launch"))
    rows = re.findall(r'<tr class="topic-row[^"]*">(.*?)</tr>', html, re.S)
    assert "First" in rows[0] and "Second" in rows[1]  # newest activity first
    assert '<td class="topic-count">2</td>' in rows[0]
    assert "open" in rows[0] and "resolved" in rows[1]
    assert 'href="/user/alice"' in rows[0] and "<time" in rows[0]


def test_preview_shows_the_comment_without_saving(client, page, editor):
    data = {"subject": "S", "body": "Hello **there**", "action": "preview"}
    html = text(client.post("/talk/Spring_Launch", data=data))
    assert "<strong>there</strong>" in html and "not posted yet" in html
    assert ">Hello **there**</textarea>" in html and 'value="S"' in html
    assert db.session.scalar(select(func.count(Topic.id))) == 0


def test_reply_without_javascript_nests_under_the_comment(client, page, editor):
    start(client)
    topic_id, first = db.session.scalar(select(Topic.id)), ids()[0]
    html = text(client.get(f"/talk/Spring_Launch/{topic_id}"))
    assert f'href="/talk/Spring_Launch/{topic_id}?reply={first}#reply-form"' in html
    form = text(client.get(f"/talk/Spring_Launch/{topic_id}?reply={first}"))
    assert f'name="parent" value="{first}"' in form and "replying to" in form
    response = reply(client, topic_id, "Not at all.", parent=first)
    second = ids()[1]
    assert response.headers["Location"].endswith(f"#comment-{second}")
    html = text(client.get(f"/talk/Spring_Launch/{topic_id}"))
    nested = re.search(r'<ol class="replies">\s*<li[^>]*>\s*<article[^>]*id="comment-(\d+)"', html)
    assert nested and int(nested.group(1)) == second


def test_reply_with_javascript_gets_just_the_new_comment(client, page, editor):
    start(client)
    topic_id, first = db.session.scalar(select(Topic.id)), ids()[0]
    response = reply(client, topic_id, "Inline **reply**", parent=first, headers=FETCH)
    assert response.status_code == 201
    fragment = text(response)
    assert fragment.startswith('<li class="comment-item comment-level-2" data-level="2">')
    assert "<strong>reply</strong>" in fragment and "<html" not in fragment
    refused = reply(client, topic_id, "   ", parent=first, headers=FETCH)
    assert refused.status_code == 400
    assert refused.content_type.startswith("text/plain")
    assert text(refused) == "The comment is empty. Write something before posting."
    preview = reply(client, topic_id, "*p*", headers=FETCH, parent=first, action="preview")
    assert (preview.status_code, text(preview)) == (
        200,
        '<div class="comment-body prose"><p><em>p</em></p></div>',
    )


@pytest.mark.parametrize(
    ("make_parent", "status", "words"),
    [
        (lambda other, mine: other, 400, "belongs to another topic"),
        (lambda other, mine: 9999, 404, "does not exist"),
        (lambda other, mine: "x1", 400, "form is damaged"),
    ],
)
def test_bad_replies_are_refused(client, page, editor, make_parent, status, words):
    start(client, subject="Mine")
    start(client, subject="Other")
    mine, other = ids()
    topic_id = db.session.get(Comment, mine).topic_id
    response = reply(client, topic_id, "my text", parent=make_parent(other, mine))
    assert response.status_code == status
    assert words in text(response)


def test_a_too_long_reply_keeps_the_text(app, client, page, editor):
    app.config["MAX_COMMENT_BYTES"] = 1024
    start(client)
    topic_id = db.session.scalar(select(Topic.id))
    response = reply(client, topic_id, "long " * 300)
    assert response.status_code == 413
    html = text(response)
    assert "it has 1499 characters" in html and ("long " * 300).strip() in html
    # The page opens on the message: the form may be far down a long thread.
    assert re.search(r'<p class="flash flash-error" role="alert" tabindex="-1" autofocus>', html)


def test_locked_topic_refuses_replies_with_a_message(client, page, editor, make_user, auth):
    start(client)
    topic_id = db.session.scalar(select(Topic.id))
    make_user("mod", role=Role.MODERATOR)
    auth.login("mod")
    assert client.post(f"/topic/{topic_id}/lock", data={}).status_code == 302
    auth.login("alice")
    html = text(client.get(f"/talk/Spring_Launch/{topic_id}"))
    assert "This topic is locked: it takes no new replies." in html
    assert 'id="reply-form"' not in html and ">Reply</a>" not in html
    response = reply(client, topic_id, "let me in")
    assert response.status_code == 403 and "locked" in text(response)
    # A moderator is told why the reply box is there; a visitor is not asked to log in.
    auth.login("mod")
    html = text(client.get(f"/talk/Spring_Launch/{topic_id}"))
    assert "only moderators can reply" in html and 'id="reply-form"' in html
    auth.logout()
    html = text(client.get(f"/talk/Spring_Launch/{topic_id}"))
    assert "it takes no new replies" in html and "Log in to reply" not in html


def test_editing_marks_the_comment_and_keeps_the_earlier_text(client, page, editor):
    start(client, body="First words")
    comment_id = ids()[0]
    form = text(client.get(f"/comment/{comment_id}/edit"))
    assert ">First words</textarea>" in form and ">Save</button>" in form
    response = client.post(f"/comment/{comment_id}/edit", data={"body": "Better words"})
    assert response.status_code == 302 and response.headers["Location"].endswith(
        f"#comment-{comment_id}"
    )
    topic_id = db.session.scalar(select(Topic.id))
    html = text(client.get(f"/talk/Spring_Launch/{topic_id}"))
    assert "Better words" in html and "First words" not in html
    assert f'href="/comment/{comment_id}/versions"' in html and ">edited</a>" in html
    versions = text(client.get(f"/comment/{comment_id}/versions"))
    assert versions.index("Better words") < versions.index("First words")


def test_only_the_author_edits_or_deletes(client, page, editor, make_user, auth):
    start(client)
    comment_id = ids()[0]
    make_user("bob")
    auth.login("bob")
    html = text(client.get(f"/talk/Spring_Launch/{db.session.scalar(select(Topic.id))}"))
    assert "comment-edit-link" not in html and ">Delete</button>" not in html
    assert client.get(f"/comment/{comment_id}/edit").status_code == 403
    assert client.post(f"/comment/{comment_id}/edit", data={"body": "mine"}).status_code == 403
    assert client.post(f"/comment/{comment_id}/delete", data={}).status_code == 403
    auth.logout()
    assert "/login" in client.get(f"/comment/{comment_id}/edit").headers["Location"]


def test_deleting_leaves_a_placeholder_and_keeps_replies(client, page, editor):
    start(client)
    topic_id, first = db.session.scalar(select(Topic.id)), ids()[0]
    reply(client, topic_id, "An answer", parent=first)
    client.post(f"/comment/{first}/delete", data={})
    html = text(client.get(f"/talk/Spring_Launch/{topic_id}"))
    assert "This comment was deleted." in html and "Is it too formal?" not in html
    assert "An answer" in html
    assert "Discussion (1)" in html


def test_moderator_hides_with_a_reason_and_can_unhide(client, page, editor, make_user, auth):
    start(client, body="Buy cheap pills")
    topic_id, comment_id = db.session.scalar(select(Topic.id)), ids()[0]
    assert client.post(f"/comment/{comment_id}/hide", data={"reason": "spam"}).status_code == 403
    make_user("mod", role=Role.MODERATOR)
    auth.login("mod")
    client.post(f"/comment/{comment_id}/hide", data={"reason": "spam"})
    html = text(client.get(f"/talk/Spring_Launch/{topic_id}"))
    assert "Hidden by a moderator: spam" in html
    assert "Buy cheap pills" in html and ">Unhide</button>" in html  # inside <details>
    make_user("bob")
    auth.login("bob")  # the author, alice, may read it (tests/test_talk_hidden.py)
    html = text(client.get(f"/talk/Spring_Launch/{topic_id}"))
    assert "Hidden by a moderator: spam" in html and "Buy cheap pills" not in html
    assert client.get(f"/comment/{comment_id}/versions").status_code == 403
    auth.login("mod")
    client.post(f"/comment/{comment_id}/unhide", data={})
    auth.logout()
    assert "Buy cheap pills" in text(client.get(f"/talk/Spring_Launch/{topic_id}"))


def test_author_resolves_and_reopens_topic(client, page, editor):
    start(client)
    topic_id = db.session.scalar(select(Topic.id))
    html = text(client.get(f"/talk/Spring_Launch/{topic_id}"))
    assert ">Mark resolved</button>" in html and ">Lock</button>" not in html
    client.post(f"/topic/{topic_id}/resolve", data={})
    html = text(client.get(f"/talk/Spring_Launch/{topic_id}"))
    assert '<span class="badge badge-resolved">resolved</span>' in html
    client.post(f"/topic/{topic_id}/reopen", data={})
    assert not db.session.get(Topic, topic_id).resolved


def test_following_a_topic_and_a_talk_page(client, page, editor):
    start(client)
    topic_id = db.session.scalar(select(Topic.id))
    html = text(client.get(f"/talk/Spring_Launch/{topic_id}"))
    assert ">Stop following</button>" in html  # the author follows their topic
    client.post(f"/topic/{topic_id}/unsubscribe", data={})
    assert ">Follow</button>" in text(client.get(f"/talk/Spring_Launch/{topic_id}"))
    client.post("/subscribe/talk/Spring_Launch", data={})
    assert ">Stop following new topics</button>" in text(client.get("/talk/Spring_Launch"))


def test_every_change_needs_a_csrf_token(client, page, editor):
    start(client)
    topic_id, comment_id = db.session.scalar(select(Topic.id)), ids()[0]
    for url, data in [
        ("/talk/Spring_Launch", {"subject": "x", "body": "y"}),
        (f"/talk/Spring_Launch/{topic_id}/reply", {"body": "y"}),
        (f"/comment/{comment_id}/edit", {"body": "y"}),
        (f"/comment/{comment_id}/delete", {}),
        (f"/topic/{topic_id}/resolve", {}),
        ("/subscribe/talk/Spring_Launch", {}),
    ]:
        assert client.post(url, data={**data, "csrf_token": "forged"}).status_code == 400
    assert ids() == [comment_id]
    assert client.get(f"/comment/{comment_id}/delete").status_code == 405


def test_deep_replies_stay_at_the_deepest_level_and_say_whom_they_answer(client, page, editor):
    start(client)
    topic_id = db.session.scalar(select(Topic.id))
    parent = ids()[0]
    for n in range(8):
        reply(client, topic_id, f"level {n + 2}", parent=parent)
        parent = ids()[-1]
    html = text(client.get(f"/talk/Spring_Launch/{topic_id}"))
    assert html.count('<ol class="replies">') == 5
    assert html.count("comment-level-6") == 4
    assert html.count('class="comment-reply-to"') == 3
    assert f'replying to <a href="#comment-{ids()[-2]}">@alice</a>' in html


def test_a_thread_view_takes_the_same_queries_for_few_or_many_comments(client, page, editor):
    start(client)
    topic_id, first = db.session.scalar(select(Topic.id)), ids()[0]

    def listen():
        seen = []

        def count(*args):
            seen.append(1)

        event.listen(db.engine, "before_cursor_execute", count)
        client.get(f"/talk/Spring_Launch/{topic_id}")
        event.remove(db.engine, "before_cursor_execute", count)
        return len(seen)

    listen()  # the first view fills what is remembered until the content changes (wiki.memo)
    few = listen()
    author = db.session.get(Comment, first).author_id
    db.session.add_all(
        Comment(
            topic_id=topic_id,
            parent_id=first if n % 2 else None,
            author_id=author,
            depth=2 if n % 2 else 1,
            body="x",
            html="<p>x</p>",
        )
        for n in range(50)
    )
    db.session.commit()
    assert listen() == few


def test_a_subpage_named_like_a_topic_number_keeps_its_talk_page(client, make_page, editor):
    make_page("Campaigns", "all campaigns")
    make_page("Campaigns/2026", "this year")
    assert "Discussion of Campaigns/2026" in text(client.get("/talk/Campaigns/2026"))
    start(client, subject="Budget", title="Campaigns/2026")
    topic = db.session.scalar(select(Topic))
    assert topic.page.title == "Campaigns/2026"
    assert client.get("/talk/Campaigns/999").status_code == 404


def test_talk_urls_redirect_to_the_page_title_as_written(client, page, editor):
    start(client)
    topic_id = db.session.scalar(select(Topic.id))
    assert client.get("/talk/spring_launch").headers["Location"] == "/talk/Spring_Launch"
    location = client.get(f"/talk/spring launch/{topic_id}").headers["Location"]
    assert location == f"/talk/Spring_Launch/{topic_id}"
    assert (
        client.get(f"/comment/{ids()[0]}")
        .headers["Location"]
        .endswith(f"/talk/Spring_Launch/{topic_id}#comment-{ids()[0]}")
    )


def test_subjects_and_bodies_are_escaped(client, page, editor):
    start(client, subject="<script>x</script>", body="<img src=x onerror=alert(1)>")
    topic_id = db.session.scalar(select(Topic.id))
    html = text(client.get(f"/talk/Spring_Launch/{topic_id}"))
    assert "<script>x" not in html and "&lt;script&gt;x&lt;/script&gt;" in html
    assert "onerror" not in html or "&lt;img" in html


@pytest.mark.parametrize(("locale", "zone"), [("en", "UTC"), ("fr", "Europe/Rome")])
def test_times_are_time_elements_in_the_readers_language(tmp_path, locale, zone):
    app = create_app(
        {
            "SECRET_KEY": "x",
            "DATABASE_URL": "sqlite://",
            "INSTANCE_PATH": str(tmp_path),
            "BABEL_DEFAULT_LOCALE": locale,
            "BABEL_DEFAULT_TIMEZONE": zone,
        }
    )
    now = datetime.now(UTC)
    shown = {}
    with app.test_request_context("/"):
        for ago in (timedelta(hours=3), timedelta(days=2, hours=5), timedelta(days=400)):
            moment = now - ago
            html = str(reltime(moment))
            assert html.startswith(f'<time datetime="{moment.isoformat()}" title="')
            shown[ago] = html
        assert reltime(None) == ""
    assert len(set(shown.values())) == 3


def test_english_and_french_say_the_same_moment_differently(tmp_path):
    moment = datetime.now(UTC) - timedelta(days=2)
    said = {}
    # A language is offered once it has a catalogue (README "Languages"): an empty one here.
    (tmp_path / "translations" / "fr" / "LC_MESSAGES").mkdir(parents=True)
    (tmp_path / "translations" / "fr" / "LC_MESSAGES" / "messages.po").write_text(
        'msgid ""\nmsgstr ""\n"Language: fr\\n"\n'
    )
    for locale in ("en", "fr"):
        app = create_app(
            {
                "SECRET_KEY": "x",
                "DATABASE_URL": "sqlite://",
                "INSTANCE_PATH": str(tmp_path / locale),
                "DEFAULT_LOCALE": locale,
                "TRANSLATIONS_PATH": str(tmp_path / "translations"),
            }
        )
        with app.test_request_context("/"):
            said[locale] = str(reltime(moment))
    assert said["en"] != said["fr"]


def test_ids_beyond_any_row_are_not_found_not_errors(client, page, editor):
    start(client)
    topic_id, huge = db.session.scalar(select(Topic.id)), "99999999999"
    assert client.get(f"/talk/Spring_Launch/{huge}").status_code == 404
    assert client.get(f"/comment/{huge}").status_code == 404
    assert client.post(f"/comment/{huge}/delete", data={}).status_code == 404
    assert client.post(f"/topic/{huge}/lock", data={}).status_code == 404
    assert reply(client, topic_id, "x", parent=huge).status_code == 400
    assert reply(client, topic_id, "x", parent="2147483647").status_code == 404


def test_a_long_discussion_is_shown_a_page_at_a_time(client, page, editor, monkeypatch):
    from wiki.talk import reading

    monkeypatch.setattr(reading, "COMMENTS_PER_PAGE", 4)
    start(client, subject="Long one", body="First words")
    topic_id = db.session.scalar(select(Topic.id))
    first = ids()[0]
    # The first comment gets six replies, then three more comments answer the topic: in
    # display order the first page ends inside the replies to the first comment.
    for n in range(6):
        reply(client, topic_id, f"Answer {n}", parent=first)
    for n in range(3):
        reply(client, topic_id, f"Later point {n}")
    url = f"/talk/Spring_Launch/{topic_id}"
    html = text(client.get(url))
    assert html.count('class="comment"') == 4
    assert "Answer 2" in html and "Answer 3" not in html
    assert f'href="{url}?page=2"' in html and "Later point 0" not in html
    second = text(client.get(f"{url}?page=2"))
    # A reply whose parent is on an earlier page says whom it answers and links there.
    assert "Answer 3" in second and "First words" not in second
    assert f'href="/comment/{first}"' in second
    last = text(client.get(f"{url}?page=3"))
    assert "Later point 2" in last and f'href="{url}?page=2"' in last
    assert client.get(f"{url}?page=4").status_code == 404
    assert client.get(f"{url}?page=0").status_code == 400
    # A link to a comment leads to the page it is on.
    later = db.session.scalar(select(Comment.id).where(Comment.body == "Later point 2"))
    assert (
        client.get(f"/comment/{later}")
        .headers["Location"]
        .endswith(f"{url}?page=3#comment-{later}")
    )
    assert client.get(f"/comment/{first}").headers["Location"].endswith(f"{url}#comment-{first}")
