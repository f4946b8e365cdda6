"""Pages in several languages: a page's language, translations linked to their source,
outdated marks, /translations, starting a translation beside its source, search."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.helpers import latest_id, page_named, release, text
from tests.i18n_support import ITALIAN, make_app, write_catalogue
from wiki.extensions import db
from wiki.i18n.models import PageTranslation


@pytest.fixture
def app(database_url, tmp_path):
    """An app with a small Italian catalogue, so Italian readers exist."""
    translations = write_catalogue(tmp_path / "translations", "it", ITALIAN)
    app = make_app(database_url, tmp_path, translations)
    with app.app_context():
        yield app
        release(app)


@pytest.fixture
def alice(people, login_as):
    """Return a client logged in as alice, an editor."""
    return login_as(people["alice"])


def prose_attributes(html: str) -> tuple[str, str]:
    """Return the lang and dir of the page's text (the element with class "prose")."""
    tag = re.search(r'<div class="prose"[^>]*>', html).group(0)
    return re.search(r' lang="([^"]+)"', tag).group(1), re.search(r' dir="([^"]+)"', tag).group(1)


def translate(client, source: str, lang: str, title: str, body: str):
    """Start a translation as a person would and save it; return the editor's HTML."""
    started = client.get(f"/translate/{source}?to={lang}&new_title={title}")
    assert started.status_code == 302, text(started)
    editor_url = started.headers["Location"]
    editor = text(client.get(editor_url))
    query = urlsplit(editor_url).query
    revision = re.search(r'name="source_revision" value="(\d+)"', editor).group(1)
    data = {"text": body, "summary": "", "base_revision": ""}
    data |= {"translate_from": parse_qs(query)["translate_from"][0], "to": lang}
    data["source_revision"] = revision
    saved = client.post(f"/edit/{title}", data=data)
    assert saved.status_code == 302, text(saved)
    return editor


def test_a_page_is_in_the_sites_language_until_set(alice, make_page):
    make_page("Plan", "Hello")
    html = text(alice.get("/wiki/Plan"))
    assert prose_attributes(html) == ("en", "ltr")
    response = alice.post("/languages/Plan", data={"action": "language", "content_lang": "it"})
    assert response.status_code == 302
    assert page_named("Plan").lang == "it"
    assert prose_attributes(text(alice.get("/wiki/Plan"))) == ("it", "ltr")


def test_a_right_to_left_page_gets_its_direction(alice, make_page):
    make_page("Shalom", "שלום")
    alice.post("/languages/Shalom", data={"action": "language", "content_lang": "he"})
    assert prose_attributes(text(alice.get("/wiki/Shalom"))) == ("he", "rtl")


def test_a_bad_language_code_is_refused_and_kept(alice, make_page):
    make_page("Plan", "Hello")
    response = alice.post(
        "/languages/Plan", data={"action": "language", "content_lang": "klingonese!"}
    )
    assert response.status_code == 400
    html = text(response)
    assert "is neither a language nor a language code" in html and 'value="klingonese!"' in html


def test_a_translation_starts_beside_its_source(alice, make_page):
    make_page("Launch", "# Launch\n\nWe launch in May.")
    make_page("Template:Brief", "# Brief")  # offered for new pages, not for translations
    assert "Start from a template" in text(alice.get("/edit/Another page"))
    started = alice.get("/translate/Launch?to=it&new_title=Lancio")
    assert started.status_code == 302
    editor = text(alice.get(started.headers["Location"]))
    assert 'class="translation-source"' in editor
    source = editor[editor.index('class="translation-source-text"') :]
    assert "We launch in May." in source[: source.index("</pre>")]
    textarea = re.search(r'<textarea id="editor-text"[^>]*>([^<]*)</textarea>', editor)
    assert "We launch in May." in textarea.group(1)  # it starts from the source text
    assert 'lang="it"' in textarea.group(0)
    assert "Start from a template" not in editor


def test_translations_are_linked_and_shown_with_hreflang(alice, make_page):
    make_page("Launch", "We launch in May.")
    translate(alice, "Launch", "it", "Lancio", "Lanciamo a maggio.")
    lancio = page_named("Lancio")
    assert lancio.lang == "it"
    link = db.session.get(PageTranslation, lancio.id)
    assert link.source_id == page_named("Launch").id
    assert link.synced_revision_id == latest_id("Launch")
    html = text(alice.get("/wiki/Launch"))
    bar = html[html.index('class="page-languages"') :]
    bar = bar[: bar.index("</nav>")]
    assert ">English</strong>" in bar and 'href="/wiki/Lancio"' in bar and ">Italiano</a>" in bar
    assert '<link rel="alternate" hreflang="it" href="http://localhost/wiki/Lancio">' in html
    assert '<link rel="alternate" hreflang="en" href="http://localhost/wiki/Launch">' in html
    assert "outdated" not in bar


def test_a_reader_in_another_language_is_offered_the_translation(client, alice, make_page):
    make_page("Launch", "We launch in May.")
    translate(alice, "Launch", "it", "Lancio", "Lanciamo a maggio.")
    html = text(client.get("/wiki/Launch", headers={"Accept-Language": "it"}))
    offer = html[html.index('class="notice language-offer"') :]
    assert "Questa pagina è anche nella tua lingua:" in offer
    assert 'href="/wiki/Lancio"' in offer[: offer.index("</p>")]
    english = text(client.get("/wiki/Launch", headers={"Accept-Language": "en"}))
    assert "language-offer" not in english


def test_a_changed_source_marks_the_translation_outdated_until_updated(alice, make_page):
    make_page("Launch", "We launch in May.")
    translate(alice, "Launch", "it", "Lancio", "Lanciamo a maggio.")
    synced = latest_id("Launch")
    make_page("Launch", "We launch in June.")
    html = text(alice.get("/wiki/Lancio"))
    notice = html[html.index("translation-outdated") :]
    diff = f'href="/diff/Launch?from={synced}&amp;to={latest_id("Launch")}"'
    assert diff in notice[: notice.index("</p>")]
    overview = text(alice.get("/translations?language=it"))
    assert 'href="/wiki/Lancio"' in overview[overview.index("outdated-translations") :]
    # Updating the translation (the box is ticked) clears the mark.
    editor = text(alice.get("/edit/Lancio"))
    assert "We launch in June." in editor  # the source as it is now, beside the translation
    revision = re.search(r'name="source_revision" value="(\d+)"', editor).group(1)
    base = re.search(r'name="base_revision" value="(\d+)"', editor).group(1)
    saved = alice.post(
        "/edit/Lancio",
        data={
            "text": "Lanciamo a giugno.",
            "base_revision": base,
            "source_revision": revision,
            "translation_synced": "1",
        },
    )
    assert saved.status_code == 302
    assert "translation-outdated" not in text(alice.get("/wiki/Lancio"))
    assert "outdated-translations" not in text(alice.get("/translations?language=it"))


def test_an_edit_that_does_not_catch_up_keeps_the_mark(alice, make_page):
    make_page("Launch", "We launch in May.")
    translate(alice, "Launch", "it", "Lancio", "Lanciamo a maggio.")
    make_page("Launch", "We launch in June.")
    editor = text(alice.get("/edit/Lancio"))
    base = re.search(r'name="base_revision" value="(\d+)"', editor).group(1)
    alice.post("/edit/Lancio", data={"text": "Lanciamo a maggio!", "base_revision": base})
    assert "translation-outdated" in text(alice.get("/wiki/Lancio"))


def test_translations_lists_pages_missing_in_a_language(alice, make_page):
    make_page("Launch", "We launch in May.")
    make_page("Pricing", "Prices")
    translate(alice, "Launch", "it", "Lancio", "Lanciamo a maggio.")
    html = text(alice.get("/translations?language=it"))
    missing = html[html.index("missing-translations") :]
    assert 'href="/wiki/Pricing"' in missing and 'href="/translate/Pricing?to=it"' in missing
    assert 'href="/wiki/Launch"' not in missing and 'href="/wiki/Lancio"' not in missing
    # An Italian page with no English version is missing in English; the translation of an
    # English page is not.
    make_page("Listino", "Prezzi")
    alice.post("/languages/Listino", data={"action": "language", "content_lang": "it"})
    english = text(alice.get("/translations?language=en"))
    missing = english[english.index("missing-translations") :]
    assert 'href="/wiki/Listino"' in missing and 'href="/wiki/Lancio"' not in missing


def test_only_articles_are_missing_in_a_language(alice, make_page):
    make_page("Pricing", "Prices")
    make_page("File:Logo.png", "Our logo")
    make_page("Template:Offer", "An offer")
    make_page("Category:Products", "Our products")
    html = text(alice.get("/translations?language=it"))
    missing = html[html.index("missing-translations") :]
    assert 'href="/wiki/Pricing"' in missing
    for title in ("File:Logo.png", "Template:Offer", "Category:Products"):
        assert f'href="/wiki/{title}"' not in missing


def test_an_existing_page_can_be_linked_and_unlinked(alice, make_page):
    make_page("Launch", "We launch in May.")
    make_page("Lancio", "Lanciamo a maggio.")
    refused = alice.post("/languages/Lancio", data={"action": "link", "source": "Launch"})
    assert refused.status_code == 400
    assert "same language" in text(refused)
    alice.post("/languages/Lancio", data={"action": "language", "content_lang": "it"})
    linked = alice.post(
        "/languages/Lancio", data={"action": "link", "source": "Launch", "up_to_date": "1"}
    )
    assert linked.status_code == 302
    assert "translation-outdated" not in text(alice.get("/wiki/Lancio"))
    assert 'href="/wiki/Lancio"' in text(alice.get("/wiki/Launch"))
    missing = alice.post("/languages/Lancio", data={"action": "link", "source": "Nowhere"})
    assert missing.status_code == 400 and "There is no page titled" in text(missing)
    assert alice.post("/languages/Lancio", data={"action": "unlink"}).status_code == 302
    assert "page-languages" not in text(alice.get("/wiki/Launch"))


def test_a_language_has_one_translation_per_source(alice, make_page):
    make_page("Launch", "We launch in May.")
    translate(alice, "Launch", "it", "Lancio", "Lanciamo a maggio.")
    again = alice.get("/translate/Launch?to=it&new_title=Lancio bis")
    assert again.status_code == 400
    assert "Lancio is already the translation in that language" in text(again)
    taken = alice.get("/translate/Launch?to=de&new_title=Lancio")
    assert taken.status_code == 400 and "exists already" in text(taken)


def test_readers_cannot_change_languages(people, login_as, make_page):
    make_page("Plan", "Hello")
    reader = login_as(people["reader"])
    response = reader.post("/languages/Plan", data={"action": "language", "content_lang": "it"})
    assert response.status_code == 403
    assert page_named("Plan").lang is None


def test_search_results_show_the_page_language(alice, make_page):
    make_page("Launch", "Our launch party")
    make_page("Lancio", "La festa del launch")
    alice.post("/languages/Lancio", data={"action": "language", "content_lang": "it"})
    html = text(alice.get("/search?q=launch&fulltext=1"))
    results = html[html.index('class="search-results"') :]
    assert '<p class="search-snippet" lang="it" dir="ltr">' in results
    # Named in the reader's language, as in a sentence ("Italian", not "Italiano").
    assert ">Italian</span>" in results and ">English</span>" in results
    italian = text(alice.get("/search?q=launch&fulltext=1&lang=it"))
    assert ">Inglese</span>" in italian[italian.index('class="search-results"') :]


def test_a_new_page_is_written_in_its_writers_language(alice, make_page):
    editor = text(alice.get("/edit/Lancio", headers={"Accept-Language": "it"}))
    assert '<option value="it" lang="it" selected>' in editor
    english = text(alice.get("/edit/Launch", headers={"Accept-Language": "en"}))
    assert '<option value="en" lang="en" selected>' in english
    data = {"text": "Lanciamo a maggio.", "summary": "", "base_revision": "", "page_lang": "it"}
    preview = text(alice.post("/edit/Lancio", data=data | {"action": "preview"}))
    assert '<option value="it" lang="it" selected>' in preview  # the choice is kept
    assert alice.post("/edit/Lancio", data=data | {"action": "save"}).status_code == 302
    assert page_named("Lancio").lang == "it"
    assert prose_attributes(text(alice.get("/wiki/Lancio"))) == ("it", "ltr")
    # An existing page keeps its language: the editor does not ask again.
    assert 'name="page_lang"' not in text(alice.get("/edit/Lancio"))


def test_a_pages_language_is_named_in_the_readers_language(alice, make_page):
    make_page("Plan", "Hello")
    link = re.compile(r'class="page-language-link">([^<]+)</a>')
    assert link.search(text(alice.get("/wiki/Plan"))).group(1) == "English"
    assert link.search(text(alice.get("/wiki/Plan?lang=it"))).group(1) == "inglese"
    assert "inglese" in text(alice.get("/languages/Plan?lang=it"))
    # Where languages are offered to choose from, each keeps its own name.
    assert ">Italiano</option>" in text(alice.get("/languages/Plan?lang=it"))


@pytest.mark.parametrize("typed", ["Italiano", "italian", "ITALIANO "])
def test_a_language_may_be_given_by_its_name(alice, make_page, typed):
    make_page("Launch", "# Launch")
    started = alice.get("/translate/Launch", query_string={"to": typed, "new_title": "Lancio"})
    assert started.status_code == 302 and "to=it" in started.headers["Location"]
    response = alice.post("/languages/Launch", data={"action": "language", "content_lang": typed})
    assert response.status_code == 302 and page_named("Launch").lang == "it"


def test_a_language_is_named_as_the_readers_language_names_it(alice, make_page):
    make_page("Launch", "# Launch")
    response = alice.post(
        "/languages/Launch?lang=it", data={"action": "language", "content_lang": "tedesco"}
    )
    assert response.status_code == 302 and page_named("Launch").lang == "de"


@pytest.mark.parametrize(
    "typed",
    ["Klingon", "Unknown language", "Multiple languages", "en@abcdefghijklmnopqrstuvwxyz0"],
)
def test_names_and_tags_the_wiki_cannot_write_about_are_refused(alice, make_page, typed):
    make_page("Launch", "# Launch")
    response = alice.post("/languages/Launch", data={"action": "language", "content_lang": typed})
    assert response.status_code == 400 and "neither a language" in text(response)
    assert page_named("Launch").lang is None
    assert alice.get("/wiki/Launch").status_code == 200
    started = alice.get("/translate/Launch", query_string={"to": typed, "new_title": "X"})
    assert started.status_code == 400


def test_translations_follow_the_published_source_not_changes_waiting_for_review(
    app, alice, make_page, people, client
):
    """A translator translates what readers read: a waiting edit (here spam) is not offered,
    and rejecting it leaves the translation up to date (no "outdated" for a text that did
    not change, with a link visitors could not open)."""
    from wiki.review import publishing

    make_page("Launch", "We launch in May.")
    translate(alice, "Launch", "it", "Lancio", "Lanciamo a maggio.")
    app.config["REVIEW_POLICY"] = "all"
    make_page("Launch", "We launch in May. Buy cheap pills!", author=people["bob"])
    spam = latest_id("Launch")
    editor = text(alice.get("/edit/Lancio"))
    assert "cheap pills" not in editor[editor.index("translation-source-text") :]
    assert "translation-outdated" not in text(client.get("/wiki/Lancio"))
    publishing.reject(people["admin"], page_named("Launch"), spam, "Spam")
    for reader in (client, alice):
        assert "translation-outdated" not in text(reader.get("/wiki/Lancio"))
    assert "outdated-translations" not in text(alice.get("/translations?language=it"))
    # An accepted change is what translations catch up with.
    make_page("Launch", "We launch in June.", author=people["bob"])
    publishing.accept(people["admin"], page_named("Launch"), latest_id("Launch"))
    html = text(client.get("/wiki/Lancio"))
    assert "translation-outdated" in html
    link = re.search(r'href="(/diff/Launch\?[^"]+)"', html[html.index("translation-outdated") :])
    assert client.get(link.group(1).replace("&amp;", "&")).status_code == 200


def test_translating_starts_from_the_page_with_the_other_language_and_a_title_offered(
    alice, make_page
):
    make_page("Launch", "We launch in May.")
    page = text(alice.get("/wiki/Launch"))
    assert re.search(
        r'<a href="/translate/Launch" class="page-translate-link">Translate</a>', page
    )
    form = text(alice.get("/translate/Launch"))
    assert 'id="to" name="to" type="text" list="language-codes" value="it"' in form
    assert 'value="Launch (Italiano)"' in form
    # What the translator typed stays as typed.
    typed = text(alice.get("/translate/Launch?to=it&new_title="))
    assert 'id="new_title" name="new_title" type="text" value=""' in typed
