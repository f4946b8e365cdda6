"""Anchored threads and word authorship through the real routes and the save path."""

import re
import threading

import pytest
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from tests.helpers import finish_jobs, page_named, save, text
from wiki.anchors import authorship, threads
from wiki.anchors.models import AnchorPosition, PageAuthorship, RevisionAuthorship, TopicAnchor
from wiki.core.anchors import Quote
from wiki.extensions import db
from wiki.talk import moderation

TEXT = (
    "# Prodotto\n\n"
    "Il nostro caffè è il **leader** del mercato italiano. Lo dicono tutti.\n\n"
    "Costa poco e piace a 🎉 tutti; 東京 lo adora.\n"
)
CLAIM = "il leader del mercato italiano"


def marks(html: str) -> dict[str, str]:
    """Return the highlighted text of each thread in a page."""
    found: dict[str, str] = {}
    for number, inner in re.findall(
        r'<mark class="anchor" data-thread="(\d+)"[^>]*>(.*?)</mark>', html
    ):
        found[number] = found.get(number, "") + re.sub(r"<[^>]+>", "", inner)
    return found


def comment_on(client, title: str, exact: str, body: str, prefix: str = "", suffix: str = ""):
    return client.post(
        f"/anchor/{title}", data={"exact": exact, "prefix": prefix, "suffix": suffix, "body": body}
    )


@pytest.fixture
def product(make_page, people):
    return make_page("Prodotto", TEXT, author=people["giulia"])


def test_a_comment_on_a_selection_opens_a_thread_highlighted_in_the_page(client, editor, product):
    response = comment_on(
        client, "Prodotto", CLAIM, "Serve una fonte, @giulia?", "Il nostro caffè è "
    )
    assert response.status_code == 302
    topic_id = db.session.scalar(select(TopicAnchor.topic_id))
    assert response.headers["Location"].endswith(f"/wiki/Prodotto#thread-{topic_id}")
    page = text(client.get("/wiki/Prodotto"))
    assert marks(page) == {str(topic_id): "il leader del mercato italiano"}
    assert f'id="thread-{topic_id}"' in page and "Serve una fonte" in page
    talk = text(client.get("/talk/Prodotto"))
    assert "“il **leader** del mercato italiano”" in talk and "on a passage" in talk
    topic = text(client.get(f"/talk/Prodotto/{topic_id}"))
    assert "About this passage" in topic


def test_edits_move_shrink_and_grow_the_passage_and_deletion_marks_it_removed(
    client, editor, product, people
):
    comment_on(client, "Prodotto", CLAIM, "Fonte?")
    topic_id = str(db.session.scalar(select(TopicAnchor.topic_id)))
    marco = people["marco"]
    save("Prodotto", "Premessa nuova.\n\n" + TEXT, marco)
    assert marks(text(client.get("/wiki/Prodotto"))) == {
        topic_id: "il leader del mercato italiano"
    }
    save(
        "Prodotto",
        "Premessa nuova.\n\n" + TEXT.replace("mercato italiano", "mercato europeo e italiano"),
        marco,
    )
    assert marks(text(client.get("/wiki/Prodotto"))) == {
        topic_id: "il leader del mercato europeo e italiano"
    }
    latest = page_named("Prodotto").latest.text
    save(
        "Prodotto",
        latest.replace(
            " Il nostro caffè è il **leader** del mercato europeo e italiano.", ""
        ).replace("Il nostro caffè è il **leader** del mercato europeo e italiano. ", ""),
        marco,
    )
    page = text(client.get("/wiki/Prodotto"))
    assert marks(page) == {}
    assert "passage removed" in page and "il **leader** del mercato europeo e italiano" in page
    assert "passage removed" in text(client.get("/talk/Prodotto"))


def test_old_revisions_show_the_threads_that_existed_then(client, editor, product, people):
    first = page_named("Prodotto").latest_revision_id
    comment_on(client, "Prodotto", CLAIM, "Fonte?")
    save("Prodotto", TEXT + "\nAltro.\n", people["marco"])
    assert marks(text(client.get(f"/revision/{first}"))) != {}
    new = page_named("Prodotto").latest_revision_id
    assert list(marks(text(client.get(f"/revision/{new}"))).values()) == [
        "il leader del mercato italiano"
    ]


def test_a_removed_passage_can_be_anchored_again(client, editor, product, people):
    comment_on(client, "Prodotto", "Lo dicono tutti.", "Chi?")
    topic_id = db.session.scalar(select(TopicAnchor.topic_id))
    save("Prodotto", TEXT.replace(" Lo dicono tutti.", ""), people["marco"])
    assert "passage removed" in text(client.get(f"/talk/Prodotto/{topic_id}"))
    response = client.post(f"/reanchor/{topic_id}", data={"passage": "Costa poco"})
    assert response.status_code == 302
    assert marks(text(client.get("/wiki/Prodotto"))) == {str(topic_id): "Costa poco"}


def test_a_restore_brings_a_removed_passage_back(client, editor, product, people):
    comment_on(client, "Prodotto", "Lo dicono tutti.", "Chi?")
    topic_id = str(db.session.scalar(select(TopicAnchor.topic_id)))
    save("Prodotto", "VANDALO\n", people["vandalo"])
    assert marks(text(client.get("/wiki/Prodotto"))) == {}
    save("Prodotto", TEXT, people["marco"])
    assert marks(text(client.get("/wiki/Prodotto"))) == {topic_id: "Lo dicono tutti."}


@pytest.mark.parametrize(
    ("exact", "status", "message"),
    [
        ("parole che non ci sono", 400, "could not be found"),
        ("   ", 400, "Select some words"),
        ("x" * 6000, 400, "too long"),
    ],
)
def test_a_selection_that_cannot_be_anchored_is_refused_keeping_the_comment(
    client, editor, product, exact, status, message
):
    response = comment_on(client, "Prodotto", exact, "Il mio commento lungo")
    assert response.status_code == status
    assert message in text(response) and "Il mio commento lungo" in text(response)
    assert db.session.scalar(select(TopicAnchor)) is None


def test_commenting_needs_an_account_that_may_post(client, product, people, auth):
    assert comment_on(client, "Prodotto", CLAIM, "x").status_code in (302, 403)
    assert db.session.scalar(select(TopicAnchor)) is None
    auth.login(people["reader"])
    assert comment_on(client, "Prodotto", CLAIM, "x").status_code == 403
    assert 'id="anchor-button"' not in text(client.get("/wiki/Prodotto"))


def test_authorship_view_credits_each_word_and_shares(client, people, make_page):
    giulia, marco = people["giulia"], people["marco"]
    save("Listino", "Il caffè costa due euro al chilo.\n", giulia)
    save("Listino", "Il caffè costa due euro al chilo.\n\nMarco aggiunge una riga.\n", marco)
    response = client.get("/authorship/Listino")
    assert response.status_code == 200
    html = text(response)
    runs = re.findall(r'data-revision="(\d+)" data-author="([^"]+)"[^>]*>([^<]*)<', html)
    by_author = {}
    for _rev, author, words in runs:
        by_author[author] = by_author.get(author, "") + words
    assert "caffè costa due euro" in by_author["giulia"]
    assert "Marco aggiunge una riga" in by_author["marco"]
    assert "giulia" in html and "64%" in html and "36%" in html
    info = text(client.get("/info/Listino"))
    assert "giulia wrote 64% of the current text" in info


def test_authorship_survives_vandalism_and_restore(client, people):
    giulia = people["giulia"]
    save("Storia", "La città fu fondata nel 1200 da mercanti.\n", giulia)
    save("Storia", "SPAM SPAM\n", people["vandalo"])
    save("Storia", "La città fu fondata nel 1200 da mercanti.\n", people["marco"])
    shares = authorship.shares(page_named("Storia"))
    assert [(s.name, s.percent) for s in shares] == [("giulia", 100)]


def test_the_backfill_attributes_pages_saved_before_authorship_was_kept(app, people):
    save("Vecchia", "Prima riga di Giulia.\n", people["giulia"])
    save("Vecchia", "Prima riga di Giulia.\nSeconda di Marco.\n", people["marco"])
    finish_jobs(app)
    db.session.execute(RevisionAuthorship.__table__.delete())
    db.session.execute(PageAuthorship.__table__.delete())
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["backfill-authorship"])
    assert "Attributed 1 pages." in result.output
    shares = {s.name: s.words for s in authorship.shares(page_named("Vecchia"))}
    assert shares == {"giulia": 4, "marco": 3}


def test_a_save_after_unrecorded_revisions_catches_up_first(app, people):
    save("Tarda", "Testo di Giulia qui.\n", people["giulia"])
    finish_jobs(app)
    db.session.execute(RevisionAuthorship.__table__.delete())
    db.session.execute(PageAuthorship.__table__.delete())
    db.session.commit()
    save("Tarda", "Testo di Giulia qui.\nE di Marco.\n", people["marco"])
    assert {s.name: s.words for s in authorship.shares(page_named("Tarda"))} == {
        "giulia": 4,
        "marco": 3,
    }


def test_threads_service_reports_positions_per_revision(app, people, product):
    comment = threads.start_thread(product, Quote("Costa poco"), "Davvero?", author=people["ada"])
    positions = db.session.scalars(select(AnchorPosition)).all()
    assert [(p.topic_id, TEXT[p.start : p.end]) for p in positions] == [
        (comment.topic_id, "Costa poco")
    ]


def test_the_diff_shows_threads_on_changed_passages(client, editor, product, people):
    comment_on(client, "Prodotto", CLAIM, "Fonte?")
    comment_on(client, "Prodotto", "Costa poco", "Quanto?")
    before = page_named("Prodotto").latest_revision_id
    save("Prodotto", TEXT.replace("mercato italiano", "mercato") + "\nCoda.\n", people["marco"])
    after = page_named("Prodotto").latest_revision_id
    html = text(client.get(f"/diff/Prodotto?from={before}&to={after}"))
    section = html[html.index("Comments on changed passages") :]
    assert "passage changed" in section and "il **leader** del mercato</blockquote>" in section
    assert "Costa poco" not in section  # untouched passages are not listed


# Re-anchoring by selecting words (issue 20: "a person can re-anchor it").


def removed_thread(client, people) -> int:
    """Comment on a sentence, then let Marco delete it; return the thread's topic id."""
    comment_on(client, "Prodotto", "Lo dicono tutti.", "Chi?")
    topic_id = db.session.scalar(select(TopicAnchor.topic_id))
    save("Prodotto", TEXT.replace(" Lo dicono tutti.", ""), people["marco"])
    return topic_id


def test_a_removed_passage_offers_re_anchoring_by_selecting_words(client, editor, product, people):
    topic_id = removed_thread(client, people)
    page = text(client.get("/wiki/Prodotto"))
    assert "passage removed" in page and f'href="/reanchor/{topic_id}"' in page
    assert f'href="/reanchor/{topic_id}"' in text(client.get(f"/talk/Prodotto/{topic_id}"))
    choose = client.get(f"/reanchor/{topic_id}")
    assert choose.status_code == 200
    html = text(choose)
    # The page's text to select in, the passage it was about, and the typed fallback.
    assert 'id="page-prose"' in html and "Costa poco" in html and "Lo dicono tutti." in html
    assert f'data-moving="{topic_id}"' in html and 'name="exact"' in html
    assert 'name="passage"' in html

    # The selection as the page sends it: rendered words with their rendered context.
    response = client.post(
        f"/reanchor/{topic_id}",
        data={"exact": "il leader del mercato", "prefix": "Il nostro caffè è ", "suffix": " ital"},
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/wiki/Prodotto#thread-{topic_id}")
    page = text(client.get("/wiki/Prodotto"))
    assert marks(page) == {str(topic_id): "il leader del mercato"}
    assert "passage removed" not in page
    row = db.session.get(TopicAnchor, topic_id)
    assert row.removed_revision_id is None and row.exact == "il **leader** del mercato"


def test_any_anchored_thread_can_be_moved_and_each_move_is_logged(client, editor, product, people):
    comment_on(client, "Prodotto", CLAIM, "Fonte?")
    topic_id = db.session.scalar(select(TopicAnchor.topic_id))
    assert f'href="/reanchor/{topic_id}"' in text(client.get(f"/talk/Prodotto/{topic_id}"))
    assert client.post(f"/reanchor/{topic_id}", data={"exact": "Costa poco"}).status_code == 302
    # The typed fallback is recorded the same way.
    assert client.post(f"/reanchor/{topic_id}", data={"passage": "Lo dicono"}).status_code == 302
    assert marks(text(client.get("/wiki/Prodotto"))) == {str(topic_id): "Lo dicono"}
    topic = text(client.get(f"/talk/Prodotto/{topic_id}"))
    assert topic.count("Anchored again by alice") == 2
    assert "<q>Costa poco</q>" in topic and "<q>il **leader** del mercato italiano</q>" in topic
    log = text(client.get("/log?action=reanchor"))
    assert "Thread anchored to another passage" in log
    assert "<q>Costa poco</q> → <q>Lo dicono</q>" in log
    assert "<q>il **leader** del mercato italiano</q> → <q>Costa poco</q>" in log


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"exact": "parole che non ci sono", "prefix": "x", "suffix": "y"}, "could not be found"),
        ({"passage": "parole che non ci sono"}, "could not be found"),
        ({"exact": "  "}, "Select some words"),
        ({"passage": "x" * 6000}, "too long"),
    ],
)
def test_words_not_in_the_page_are_refused_and_the_thread_keeps_its_passage(
    client, editor, product, people, data, message
):
    topic_id = removed_thread(client, people)
    response = client.post(f"/reanchor/{topic_id}", data=data)
    assert response.status_code == 400
    html = text(response)
    assert message in html
    # Nothing lost: the words sent are back in the form, the thread is as it was.
    sent = (data.get("exact") or data.get("passage")).strip()
    if sent and len(sent) < 100:
        assert f'value="{sent}"' in html
    row = db.session.get(TopicAnchor, topic_id)
    assert row.removed_revision_id is not None and row.exact == "Lo dicono tutti."
    assert "Anchored again" not in text(client.get(f"/talk/Prodotto/{topic_id}"))


def test_only_people_who_may_take_part_in_the_thread_may_move_it(client, product, people, auth):
    auth.login(people["giulia"])
    comment_on(client, "Prodotto", CLAIM, "Fonte?")
    topic_id = db.session.scalar(select(TopicAnchor.topic_id))
    auth.logout()
    assert client.get(f"/reanchor/{topic_id}").status_code == 302  # to the login form
    assert client.post(f"/reanchor/{topic_id}", data={"exact": "Costa"}).status_code == 302
    auth.login(people["reader"])
    assert client.get(f"/reanchor/{topic_id}").status_code == 403
    assert client.post(f"/reanchor/{topic_id}", data={"exact": "Costa"}).status_code == 403
    assert f"/reanchor/{topic_id}" not in text(client.get(f"/talk/Prodotto/{topic_id}"))
    auth.logout()
    # A locked topic: only moderators may change its passage.
    moderation.lock_topic(topic_id, True, moderator=people["mod"])
    auth.login(people["marco"])
    assert client.get(f"/reanchor/{topic_id}").status_code == 403
    refused = client.post(f"/reanchor/{topic_id}", data={"exact": "Costa"})
    assert refused.status_code == 403 and "locked" in text(refused)
    assert f"/reanchor/{topic_id}" not in text(client.get(f"/talk/Prodotto/{topic_id}"))
    assert db.session.get(TopicAnchor, topic_id).exact == "il **leader** del mercato italiano"
    auth.logout()
    auth.login(people["mod"])
    assert client.post(f"/reanchor/{topic_id}", data={"exact": "Costa"}).status_code == 302
    assert client.get("/reanchor/999999").status_code == 404


def test_reanchor_service_finds_the_words_in_the_current_text(app, people, product):
    comment = threads.start_thread(product, Quote("Costa poco"), "Davvero?", author=people["ada"])
    save("Prodotto", "Premessa.\n\n" + TEXT, people["marco"])
    page = threads.reanchor(comment.topic_id, Quote("東京 lo adora"), user=people["marco"])
    row = db.session.get(TopicAnchor, comment.topic_id)
    assert page.latest.text[row.start : row.end] == "東京 lo adora"
    assert row.revision_id == page.latest_revision_id
    assert [e.facts["after"] for e in threads.moves_of(comment.topic)] == ["東京 lo adora"]


def test_a_save_writes_its_revision_and_anchors_in_one_flush_and_authorship_after(
    app, client, editor, product, people
):
    comment_on(client, "Prodotto", CLAIM, "Fonte?")
    marco, flushes = people["marco"], []
    saving_thread = threading.current_thread()

    def listener(session, _context) -> None:
        if threading.current_thread() is saving_thread:  # not the authorship job's
            flushes.append(1)

    event.listen(Session, "after_flush", listener)
    try:
        # A link and a category: rows of their own beside the revision's.
        save("Prodotto", "Premessa.\n\n" + TEXT + "\n[[Listino]] [[Category:Caffè]]\n", marco)
    finally:
        event.remove(Session, "after_flush", listener)
    # One flush for the revision with its text and what the receivers added: a flush each
    # cost a save the unit of work's fixed work five times over before.
    assert len(flushes) == 1
    db.session.expire_all()
    latest = page_named("Prodotto").latest
    assert db.session.scalar(select(TopicAnchor.revision_id)) == latest.id
    # The words are attributed by the job the save queued, after its answer.
    finish_jobs(app)
    assert db.session.get(RevisionAuthorship, latest.id) is not None
    assert db.session.get(PageAuthorship, latest.page_id).revision_id == latest.id
    page = text(client.get("/wiki/Prodotto"))
    assert marks(page) and 'class="new"' in page and "Caffè" in page
