"""Full-text search on both engines: ranking, snippets, words, talk, the index kept current."""

import html
import json
import re

import pytest
import sqlalchemy
from sqlalchemy import func, select

from tests.helpers import text
from wiki.core.titles import parse_title
from wiki.extensions import db
from wiki.models import Page, Role, TextBlob
from wiki.organise import deletion
from wiki.pages.service import save_page
from wiki.search import engines, index, service
from wiki.search.engines import engine_for
from wiki.talk import moderation
from wiki.talk import service as talk


def titles(raw: str, **options) -> list[str]:
    """Return the titles of the results of a search, in order."""
    return [hit.page.title for hit in service.search(raw, **options).hits]


def indexed() -> int:
    return engine_for(db.session).count(db.session)


def test_title_matches_rank_first(make_page):
    make_page("Budget notes", "Spring spring spring spring: the spring budget, spring again.")
    make_page("Spring Campaign", "Plans for the season.")
    make_page("Other", "Nothing about it.")
    assert titles("spring") == ["Spring Campaign", "Budget notes"]


def test_articles_come_before_categories_templates_and_files_among_title_matches(make_page):
    make_page("Category:Campaigns", "Campaign pages.")
    make_page("Template:Campaign brief", "A campaign brief.")
    make_page("Spring Campaign 2026", "Our spring campaign: the plan, the budget and the people.")
    make_page("Launch plan", "The campaign starts in May; the " + "plan " * 40)
    make_page("File:Campaign poster.png", "The campaign poster.")
    found = titles("campaign")
    assert found[0] == "Spring Campaign 2026"  # an article whose title matches, first
    assert set(found[1:4]) == {
        "Category:Campaigns",
        "Template:Campaign brief",
        "File:Campaign poster.png",
    }
    assert found[4] == "Launch plan"  # a title match of any kind before a text match


def test_among_title_matches_pages_in_the_readers_language_come_first(client, make_page):
    make_page("Bottega Studio (IT)", "Bottega Studio è l'edizione ospitata di Bottega.")
    make_page("Bottega Studio", "Bottega Studio is the hosted edition of Bottega.")
    db.session.scalar(select(Page).where(Page.title == "Bottega Studio (IT)")).lang = "it"
    db.session.commit()

    def listed(**headers):
        found = text(client.get("/search?q=studio", headers=headers))
        return re.findall(r'class="search-result-title"[^>]*>([^<]*)<', found)

    assert listed() == ["Bottega Studio", "Bottega Studio (IT)"]
    assert listed(**{"Accept-Language": "it"}) == ["Bottega Studio (IT)", "Bottega Studio"]


def test_a_word_on_many_pages_ranks_a_bounded_set_of_matches(make_page, monkeypatch):
    # Both engines score the title matches and the first RANKED_MATCHES other matches only.
    monkeypatch.setattr(engines, "RANKED_MATCHES", 3)
    for number in range(6):
        make_page(f"Note {number}", "launch " * (number + 1))
    make_page("Launch day", "Plans.")
    found = titles("launch")
    assert found[0] == "Launch day"  # created last, still first: titles are ranked apart
    assert len(found) == 4
    assert set(found[1:]) <= {f"Note {number}" for number in range(6)}


def test_more_relevant_body_ranks_higher(make_page):
    make_page("A", "webinar " + "filler " * 200)
    make_page("B", "webinar webinar webinar about the webinar")
    assert titles("webinar") == ["B", "A"]


def test_italian_and_english_words_match_regardless_of_accents_and_case(make_page):
    make_page("Città", "Perché la QUALITÀ conta. Über naïve café. Dell'anno.")
    for query in ("citta", "CITTÀ", "perche", "Perché", "qualita", "uber", "NAIVE", "anno"):
        assert titles(query) == ["Città"], query


def test_prefixes_phrases_exclusions_and_alternatives(make_page):
    make_page("One", "Our campaigns reach partners.")
    make_page("Two", "The campaign budget for partners.")
    make_page("Three", "A newsletter for the community.")
    assert sorted(titles("campaign")) == ["One", "Two"]
    assert titles('"campaign budget"') == ["Two"]
    assert titles("campaign -budget") == ["One"]
    assert sorted(titles("budget OR newsletter")) == ["Three", "Two"]
    assert titles("partners newsletter") == []


def test_a_phrase_does_not_run_from_the_title_into_the_text(make_page):
    make_page("Spring Campaign", "Budget approved for the launch.")
    make_page("Autumn", "The campaign budget is ready.")
    assert titles('"campaign budget"') == ["Autumn"]
    assert titles('"spring campaign"') == ["Spring Campaign"]  # within the title
    assert titles('"budget approved"') == ["Spring Campaign"]  # within the text
    assert sorted(titles('campaign -"campaign budget"')) == ["Spring Campaign"]


def test_searches_repeated_on_one_connection_keep_their_answers(make_page):
    # PostgreSQL: after five runs psycopg prepares a statement; searches are planned for
    # their own words each time (SET LOCAL plan_cache_mode), and must answer the same.
    make_page("Voice", "Our brand voice is warm. The brand has one voice.")
    make_page("Brand", "A voice for the brand, in any case.")
    for _ in range(8):
        assert titles('"brand voice"') == ["Voice"]
        assert sorted(titles("voice brand")) == ["Brand", "Voice"]
        if db.session.get_bind().dialect.name == "postgresql":
            setting = sqlalchemy.text("SELECT current_setting('plan_cache_mode')")
            assert db.session.scalar(setting) == "force_custom_plan"
        db.session.commit()


@pytest.mark.engine("postgres")
def test_a_pages_words_are_kept_in_the_search_row_on_postgresql(make_page):
    # A phrase of common words reads the words of every page that has both (migration
    # 0025): kept in the row, not moved out to TOAST once over 2 KB.
    words = " ".join(f"word{n} brand voice" for n in range(400))
    make_page("Long", words)
    options, storage = db.session.execute(
        sqlalchemy.text(
            "SELECT c.reloptions, a.attstorage FROM pg_class c "
            "JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tsv' "
            "WHERE c.oid = to_regclass('search_index')"
        )
    ).one()
    assert options == ["toast_tuple_target=8160"] and storage == "m"
    assert titles('"brand voice"') == ["Long"]


def test_snippets_highlight_the_terms(make_page):
    make_page("Press", "Intro words. " * 50 + "The <b>press kit</b> is ready. " + "More. " * 50)
    hit = service.search("kit").hits[0]
    assert "<mark>kit</mark>" in str(hit.snippet)
    assert "&lt;b&gt;" in str(hit.snippet)


@pytest.mark.parametrize(
    "query",
    [
        '"',
        "*",
        "(",
        ")",
        "NEAR",
        "NEAR(a b)",
        "-",
        ":",
        "a:b",
        "'",
        "\\",
        "%",
        "^",
        "AND",
        "OR",
        "NOT",
        "{title}: x",
        "'; DROP TABLE page; --",
        "a & b | !c",
        "<-> :*A",
        "\x00",
    ],
)
def test_syntax_characters_never_cause_errors(client, make_page, query):
    make_page("Spring", "text")
    service.search(query)
    service.search(query, talk=True)
    service.suggest(query)
    response = client.get("/search", query_string={"q": query, "fulltext": "1"})
    # The site refuses any argument holding a NUL (PostgreSQL can't compare such text).
    assert response.status_code == (400 if "\x00" in query else 200)
    assert client.get("/search/suggest", query_string={"q": query}).status_code in (200, 400)
    assert db.session.scalar(select(Page.id)) is not None


def test_results_are_paginated(make_page):
    for n in range(23):
        make_page(f"Page {n:02}", "shared word")
    first = service.search("shared")
    second = service.search("shared", page=2)
    assert len(first.hits) == 20 and first.has_next
    assert len(second.hits) == 3 and not second.has_next
    assert not {h.page.id for h in first.hits} & {h.page.id for h in second.hits}


def test_index_follows_edits_and_leaves_out_redirects(make_page):
    make_page("Plan", "alpha")
    assert titles("alpha") == ["Plan"]
    make_page("Plan", "beta")
    assert titles("alpha") == [] and titles("beta") == ["Plan"]
    make_page("Plan", "#REDIRECT [[Elsewhere]]")
    assert titles("beta") == [] and titles("elsewhere") == []


def test_index_is_written_in_the_save_transaction(app, make_page, make_user):
    def fail(page, revision):
        raise RuntimeError("after the index was written")

    with pytest.raises(RuntimeError):
        save_page(
            parse_title("Doomed"),
            "vanishing words",
            author=make_user("writer"),
            base_revision_id=None,
            also=fail,
        )
    db.session.rollback()
    assert indexed() == 0 and titles("vanishing") == []


def test_deleted_pages_leave_search_and_come_back(make_page, make_user):
    make_page("Secret", "hidden treasure")
    moderator = make_user("mod", role=Role.MODERATOR)
    deletion.delete_page(parse_title("Secret"), user=moderator, reason="spam")
    assert titles("treasure") == []
    deletion.undelete_page(parse_title("Secret"), user=moderator, reason="")
    assert titles("treasure") == ["Secret"]


def test_talk_is_searched_only_when_asked(make_page, make_user):
    page = make_page("Launch", "The page text.")
    author = make_user("talker")
    first = talk.start_topic(page, "Tone of voice", "Too formal for Bottega?", author=author)
    talk.reply(first.topic_id, "I like the warmth", author=author, parent_id=None)
    assert titles("warmth") == []
    results = service.search("warmth", talk=True)
    assert [(h.page.title, h.subject) for h in results.hits] == [("Launch", "Tone of voice")]
    assert service.search("tone", talk=True).hits[0].comment_id == first.id


def test_hidden_and_edited_comments_update_the_index(make_page, make_user):
    page = make_page("Launch", "text")
    author = make_user("talker")
    moderator = make_user("mod", role=Role.MODERATOR)
    comment = talk.start_topic(page, "Subject", "original wording", author=author)
    talk.edit_comment(comment.id, "revised wording", editor=author)
    assert titles("original", talk=True) == [] and titles("revised", talk=True) == ["Launch"]
    moderation.hide_comment(comment.id, "rude", moderator=moderator)
    assert titles("revised", talk=True) == []


def test_talk_of_deleted_pages_is_not_found(make_page, make_user):
    page = make_page("Gone", "text")
    talk.start_topic(page, "Subject", "findable remark", author=make_user("talker"))
    deletion.delete_page(
        parse_title("Gone"), user=make_user("mod", role=Role.MODERATOR), reason="x"
    )
    assert titles("findable", talk=True) == []


def test_reindex_rebuilds_everything(app, make_page, make_user):
    page = make_page("Rebuilt", "some words [[Category:Campaigns]]")
    talk.start_topic(page, "Subject", "comment words", author=make_user("talker"))
    engine_for(db.session).clear(db.session)
    db.session.commit()
    assert titles("words", talk=True) == []
    result = app.test_cli_runner().invoke(args=["reindex"])
    assert result.exit_code == 0, result.output
    assert "1 pages, 1 talk comments" in result.output
    assert titles("words", talk=True) == ["Rebuilt", "Rebuilt"]


def test_search_view_goes_to_an_exact_title(client, make_page):
    make_page("Spring Campaign", "x")
    response = client.get("/search?q=spring+CAMPAIGN")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/wiki/Spring_Campaign")
    listing = text(client.get("/search?q=spring+campaign&fulltext=1"))
    assert "There is a page with this title" in listing


def test_search_view_lists_results_with_snippets_and_pages(client, make_page):
    for n in range(21):
        make_page(f"Note {n:02}", f"The launch plan number {n}.")
    html = text(client.get("/search?q=launch"))
    assert html.count('class="search-result"') == 20
    assert "<mark>launch</mark>" in html
    assert "page=2" in html
    assert (
        text(client.get("/search?q=launch&fulltext=1&page=2")).count('class="search-result"') == 1
    )


def test_search_view_with_nothing_or_nothing_found(client, make_user, auth):
    assert client.get("/search").status_code == 200
    assert client.get("/search?q=").status_code == 200
    assert "No page matches “zebra”." in text(client.get("/search?q=zebra"))
    # A query that is one quoted phrase is not put in quotes again; one with more is.
    phrase = html.unescape(text(client.get('/search?q="zebra crossing"')))
    assert 'No page matches "zebra crossing".' in phrase and '“"' not in phrase
    mixed = html.unescape(text(client.get('/search?q=zebra "crossing now"')))
    assert 'No page matches “zebra "crossing now"”.' in mixed
    make_user("alice")
    auth.login("alice")
    assert "Create the page “zebra”" in text(client.get("/search?q=zebra"))


def test_search_offers_to_create_the_plain_words_never_the_search_syntax(
    client, make_user, make_page, auth
):
    make_page("Launch day", "text")
    make_user("alice")
    auth.login("alice")
    html = text(client.get('/search?q="every change is kept"'))
    assert "Create the page “every change is kept”" in html
    assert "/edit/every_change_is_kept" in html
    assert "&#34;every" not in html.split("search-create", 1)[1].split("</p>", 1)[0]
    for query in ("webinar OR bakery", "webinar -bakery", 'webinar -"bakery day"'):
        html = text(client.get("/search", query_string={"q": query}))
        assert "No page matches" in html
        assert "Create the page" not in html and "/edit/" not in html
    # Quoted, the title of a page that exists is that page, not an offer to create it.
    html = text(client.get('/search?q="launch day"'))
    assert "There is a page with this title" in html and "Create the page" not in html


def test_search_view_includes_talk_with_a_link_to_the_comment(client, make_page, make_user):
    page = make_page("Launch", "text")
    comment = talk.start_topic(page, "Tone", "a distinctive remark", author=make_user("t"))
    html = text(client.get("/search?q=distinctive&talk=1"))
    assert f"/talk/Launch/{comment.topic_id}#comment-{comment.id}" in html


def test_suggestions_are_titles_as_json(client, make_page):
    make_page("Spring Campaign 2026", "x")
    make_page("Campaigns/Spring press", "x")
    make_page("Autumn", "spring is not in the title")
    response = client.get("/search/suggest?q=spring")
    assert response.mimetype == "application/json"
    assert json.loads(response.data) == ["Spring Campaign 2026", "Campaigns/Spring press"]
    assert json.loads(client.get("/search/suggest?q=").data) == []
    assert json.loads(client.get('/search/suggest?q="(*').data) == []


def test_the_top_bar_search_box_suggests_and_posts_to_search(client):
    html = text(client.get("/search"))
    assert 'action="/search"' in html and 'list="search-suggestions"' in html
    assert 'data-suggest-url="/search/suggest"' in html and "js/search.js" in html


def test_reindexing_reads_delta_texts_and_leaves_the_indexes_as_they_were(make_page):
    text = "\n".join(f"Line {n} about the spring campaign and its budget." for n in range(80))
    make_page("Edited", text, text + "\nA partner wrote more.", text + "\nA partner wrote it.")
    make_page("Plain", "Nothing about allies here: we wrote nothing.")
    assert db.session.scalar(select(func.max(TextBlob.depth))) > 0  # the edits are deltas
    before = {query: titles(query) for query in ("partner", "wrote", "budget")}
    assert index.rebuild() == (2, 0)
    assert {query: titles(query) for query in before} == before
    assert titles("partner") == ["Edited"]
    if db.session.get_bind().dialect.name == "postgresql":
        # Rebuilt in bulk through the GIN pending lists, which searches must not keep reading.
        for name in engines.PostgresEngine.GIN_INDEXES:
            options = db.session.scalar(
                sqlalchemy.text("SELECT reloptions FROM pg_class WHERE oid = to_regclass(:name)"),
                {"name": name},
            )
            assert options == ["fastupdate=off"], name


def test_index_size_is_reported(make_page):
    make_page("Sized", "some text to index")
    assert engine_for(db.session).size(db.session) > 0


def test_the_search_table_is_invisible_to_the_orm_but_present(app):
    assert "search_index" not in db.metadata.tables
    assert db.session.execute(sqlalchemy.text("SELECT count(*) FROM search_index")).scalar() == 0
    index.rebuild()


def test_a_search_with_a_typing_slip_offers_the_word_most_pages_hold(client, make_page):
    make_page("Spring Campaign", "The campaign has a spring budget.")
    make_page("Autumn", "Another campaign, in autumn.")
    make_page("Camping", "Our campsite partners.")
    html = text(client.get('/search?q=campain+"spring+budgte"+-autumn&fulltext=1'))
    assert "No page matches" in html
    offered = re.search(r'Did you mean <a href="([^"]+)">(.*?)</a>\?', html)
    assert offered, html
    assert offered.group(2) == ("<em>campaign</em> &#34;spring <em>budget</em>&#34; -autumn")
    followed = text(client.get(offered.group(1).replace("&amp;", "&")))
    assert "Spring Campaign" in followed and "Did you mean" not in followed


def test_no_respelling_is_offered_when_the_words_exist_or_nothing_is_near(client, make_page):
    make_page("Spring", "The campaign budget.")
    make_page("Autumn", "Leaves.")
    for query in ("campaign+leaves", "camp+leaves", "zqxwv", "abc"):
        html = text(client.get(f"/search?q={query}&fulltext=1"))
        assert "No page matches" in html and "Did you mean" not in html, query
