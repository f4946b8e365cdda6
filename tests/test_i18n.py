"""The site in the reader's language: how it is chosen, what follows it (lang, dir, times,
numbers, scripts' messages, system summaries), and the language preference."""

import re
from datetime import datetime

import pytest
from babel.dates import format_datetime
from flask import Flask

from tests.helpers import CSRFClient, app_with_translations, base_config, form_value, release, text
from tests.i18n_support import ITALIAN, ITALIAN_PLURALS, make_app, write_catalogue
from wiki import create_app
from wiki.config import ConfigError
from wiki.extensions import db
from wiki.models import Revision


@pytest.fixture
def translations(tmp_path):
    """Return a folder of catalogues holding a small Italian one."""
    return write_catalogue(tmp_path / "translations", "it", ITALIAN, ITALIAN_PLURALS)


@pytest.fixture
def app(database_url, tmp_path, translations) -> Flask:
    """An app whose catalogues are the test's (the real Italian one is checked apart)."""
    with app_with_translations(database_url, tmp_path, translations) as app:
        yield app


def html_attributes(html: str) -> str:
    """Return the <html ...> tag."""
    start = html.index("<html")
    return html[start : html.index(">", start) + 1]


def test_english_by_default(client, make_page):
    make_page("Plan", "text")
    html = text(client.get("/wiki/Plan"))
    assert html_attributes(html) == '<html lang="en" dir="ltr">'
    assert ">Edit<" in html


def test_the_browser_language_is_followed(client, make_page):
    make_page("Plan", "text")
    html = text(client.get("/wiki/Plan", headers={"Accept-Language": "it-IT,it;q=0.9,en;q=0.5"}))
    assert 'lang="it"' in html_attributes(html)
    assert ">Modifica<" in html and ">Cronologia<" in html and "Discussione" in html


def test_a_language_chosen_with_lang_is_remembered(client, make_page):
    make_page("Plan", "text")
    assert 'lang="it"' in html_attributes(text(client.get("/wiki/Plan?lang=it")))
    again = text(client.get("/wiki/Plan", headers={"Accept-Language": "en"}))
    assert 'lang="it"' in html_attributes(again)  # the choice beats the browser's
    back = text(client.get("/wiki/Plan?lang=en"))
    assert 'lang="en"' in html_attributes(back)
    assert 'lang="en"' in html_attributes(text(client.get("/wiki/Plan")))


def test_an_unknown_language_is_ignored(client, make_page):
    make_page("Plan", "text")
    response = client.get("/wiki/Plan?lang=xx", headers={"Accept-Language": "it"})
    assert response.status_code == 200
    assert 'lang="it"' in html_attributes(text(response))


def test_the_footer_switches_language(client, make_page):
    make_page("Plan", "text")
    html = text(client.get("/wiki/Plan?redirect=no"))
    switcher = html[html.index('class="language-switcher"') :]
    assert 'href="/wiki/Plan?redirect=no&amp;lang=it"' in switcher
    assert ">Italiano</a>" in switcher and ">English</strong>" in switcher


def test_the_site_default_language(database_url, tmp_path, translations):
    config = base_config(tmp_path, database_url) | {
        "TRANSLATIONS_PATH": str(translations),
        "DEFAULT_LOCALE": "it",
    }
    app = create_app(config)
    with app.app_context():
        html = text(app.test_client().get("/login"))
        assert 'lang="it"' in html_attributes(html) and ">Accedi<" in html
        release(app)


def test_a_default_language_without_catalogue_is_refused(database_url, tmp_path, translations):
    config = base_config(tmp_path, database_url) | {
        "TRANSLATIONS_PATH": str(translations),
        "DEFAULT_LOCALE": "de",
    }
    with pytest.raises(ConfigError, match="DEFAULT_LOCALE"):
        create_app(config)


def test_the_preference_wins_and_sets_the_time_zone(client, make_page, auth, people):
    people["alice"]
    make_page("Plan", "text")
    auth.login("alice")
    response = client.post(
        "/preferences/language", data={"locale": "it", "timezone": "Asia/Kolkata"}
    )
    assert response.status_code == 302
    html = text(client.get("/wiki/Plan", headers={"Accept-Language": "en"}))
    assert 'lang="it"' in html_attributes(html)
    created = db.session.scalar(db.select(Revision.created_at))
    # The exact time shown on hover is in the person's zone (India is 5h30 ahead of UTC).
    exact = format_datetime(created, "medium", tzinfo=_zone("Asia/Kolkata"), locale="it")
    assert f'title="{exact}"' in html
    preferences = text(client.get("/preferences"))
    assert form_selected(preferences, "locale") == "it"
    assert form_selected(preferences, "timezone") == "Asia/Kolkata"


def _zone(name):
    import pytz

    return pytz.timezone(name)


def form_selected(html: str, name: str) -> str:
    """Return the value of the selected option of a <select>."""
    start = html.index(f'name="{name}"')
    chunk = html[start : html.index("</select>", start)]
    marker = chunk.index(" selected")
    return chunk[:marker].rsplit('value="', 1)[1].split('"', 1)[0]


def test_a_bad_preference_is_refused_clearly(client, auth, people):
    people["alice"]
    auth.login("alice")
    response = client.post("/preferences/language", data={"locale": "xx", "timezone": ""})
    assert response.status_code == 400
    assert "not available in that language" in text(response)
    response = client.post("/preferences/language", data={"locale": "", "timezone": "Mars/Base"})
    assert response.status_code == 400
    assert "no time zone with that name" in text(response)


def test_numbers_and_plurals_follow_the_language(client, make_page):
    make_page("Plan", "x" * 1234)
    history = text(client.get("/history/Plan?lang=it"))
    assert "+1.234" in history  # the Italian thousands separator
    assert "+1,234" in text(client.get("/history/Plan?lang=en"))
    assert "1 autore" in text(client.get("/wiki/Plan?lang=it"))


def test_scripts_get_their_messages_in_the_language(client, make_page):
    make_page("Plan", "text")
    html = text(client.get("/wiki/Plan?lang=it"))
    meta = html[html.index('name="js-messages"') :]
    assert "Immagine incollata" in meta[: meta.index(">")]


def test_a_restore_summary_says_who_restored_in_the_readers_language(
    client, auth, make_page, people
):
    people["alice"]
    page = make_page("Plan", "first", "second")
    first = db.session.scalar(db.select(Revision.id).where(Revision.page_id == page.id))
    auth.login("alice")
    assert client.post(f"/restore/{first}", data={}).status_code == 302
    newest = db.session.scalar(db.select(Revision).order_by(Revision.id.desc()).limit(1))
    assert newest.summary == f"alice restored revision {first} (written by pagebot)"
    assert newest.summary_key == "restore"
    italian = text(client.get("/history/Plan?lang=it"))
    assert f"alice ha ripristinato la versione {first} (scritta da pagebot)" in italian
    english = text(client.get("/history/Plan?lang=en"))
    assert f"alice restored revision {first} (written by pagebot)" in english
    assert f"alice ha ripristinato la versione {first}" in text(client.get("/recent?lang=it"))


def test_an_undo_summary_is_kept_as_a_key_unless_the_person_changes_it(
    client, auth, make_page, people
):
    people["alice"]
    make_page("Plan", "one", "one two", "one two three")
    second = db.session.scalars(db.select(Revision.id).order_by(Revision.id)).all()[1]
    auth.login("alice")
    editor = text(client.get(f"/undo/Plan?rev={second}&lang=it"))
    offered = re.search(r'name="summary"[^>]*value="([^"]*)"', editor).group(1)
    assert offered == f"Annullata la modifica {second} di pagebot"
    form = {
        "text": re.search(r'name="text"[^>]*>([^<]*)</textarea>', editor).group(1),
        "summary": offered,
        "base_revision": form_value(editor, "base_revision"),
        "kind": "undo",
        "undo_of": str(second),
    }
    assert client.post("/edit/Plan", data=form).status_code == 302
    newest = db.session.scalar(db.select(Revision).order_by(Revision.id.desc()).limit(1))
    assert (newest.summary_key, newest.summary) == ("undo", f"Undo revision {second} by pagebot")
    assert f"Undo revision {second} by pagebot" in text(client.get("/history/Plan?lang=en"))
    # A summary the person rewrote is theirs: stored and shown as typed.
    form |= {"text": "changed", "summary": "my own words", "base_revision": str(newest.id)}
    assert client.post("/edit/Plan", data=form).status_code == 302
    newest = db.session.scalar(db.select(Revision).order_by(Revision.id.desc()).limit(1))
    assert (newest.summary_key, newest.summary) == (None, "my own words")


def test_summaries_saved_before_keys_show_as_they_were(client, make_page):
    make_page("Plan", "text", summary="Restored revision 19 by Giulia")
    assert "Restored revision 19 by Giulia" in text(client.get("/history/Plan?lang=it"))


def test_a_move_summary_is_shown_in_the_readers_language(client, auth, make_page, people):
    people["alice"]
    make_page("Old", "text")
    auth.login("alice")
    assert client.post("/move/Old", data={"new_title": "New"}).status_code == 302
    assert "Spostata da Old a New" in text(client.get("/history/New?lang=it"))
    assert "Moved from Old to New" in text(client.get("/history/New?lang=en"))


def test_a_page_view_is_cached_per_language(database_url, tmp_path, translations, people):
    config = base_config(tmp_path, database_url) | {
        "TRANSLATIONS_PATH": str(translations),
        "PAGE_CACHE_SECONDS": 60,
    }
    app = create_app(config)
    app.test_client_class = CSRFClient  # a request context of its own per request
    with app.app_context():
        from tests.helpers import save

        save("Plan", "text", _bot())
        client = app.test_client()
        italian = client.get("/wiki/Plan", headers={"Accept-Language": "it"})
        english = client.get("/wiki/Plan", headers={"Accept-Language": "en"})
        assert ">Modifica<" in text(italian) and ">Edit<" in text(english)
        assert "Accept-Language" in english.headers.get("Vary", "")
        release(app)


def _bot():
    from tests.helpers import add_user

    return add_user("pagebot")


def test_all_pages_and_the_account_menu_speak_the_readers_language(database_url, tmp_path):
    words = {"redirect": "rinvio", "Account": "Profilo", "All pages": "Tutte le pagine"}
    folder = write_catalogue(tmp_path / "own", "it", words)
    with app_with_translations(database_url, tmp_path, folder) as app:
        from tests.helpers import log_in, save

        bot = _bot()
        save("Plan", "text", bot)
        save("Old plan", "#REDIRECT [[Plan]]", bot)
        client = app.test_client()
        listing = text(client.get("/special/all?lang=it"))
        assert "Tutte le pagine" in listing
        assert "(rinvio)" in listing and "(redirect)" not in listing
        log_in(client, bot.username)
        menu = text(client.get("/special/all")).split('class="account"', 1)[1]
        assert ">Profilo</a>" in menu and ">Account<" not in menu


def test_outside_a_request_the_site_language_applies(app):
    from flask_babel import get_locale

    assert str(get_locale()) == "en"
    assert isinstance(datetime.now(), datetime)


def test_two_apps_keep_their_own_catalogues(database_url, tmp_path):
    # Flask-Babel caches catalogues per process by language alone; each app has its own.
    first = write_catalogue(tmp_path / "a", "it", {"Log in": "Accedi"})
    second = write_catalogue(tmp_path / "b", "it", {"Log in": "Entra"})
    for folder, word in ((first, "Accedi"), (second, "Entra")):
        other = make_app(database_url, tmp_path, folder)
        with other.app_context():
            assert f">{word}<" in text(other.test_client().get("/login?lang=it"))
            release(other)


def test_an_email_is_in_the_recipients_language(app, client, auth, people, make_page):
    from tests.helpers import finish_jobs, smtp_inbox, start_topic
    from wiki.community.watch import preferences
    from wiki.database import write_transaction
    from wiki.i18n import preferences as language
    from wiki.signin import emails

    bob = people["bob"]
    with write_transaction() as session:
        emails.add_verified(session, bob.id, "bob@example.test")
    preferences.save(bob, preferences.Choices("", "", True, {"reply": "immediate"}))
    language.save(bob, "it", "Europe/Rome")
    make_page("Plan", "v0", author=people["alice"])
    opening = start_topic("Plan", "Tone", "Too formal?", bob)
    with smtp_inbox(app) as inbox:
        app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=inbox.port, MAIL_FROM="w@b.test")
        auth.login(people["alice"])
        reply = {"body": "Not at all.", "parent": str(opening.id), "action": "save"}
        response = client.post(f"/talk/Plan/{opening.topic_id}/reply", data=reply)
        assert response.status_code == 302
        finish_jobs(app)
        [message] = inbox.wait_for(1)
    assert inbox.body(message).startswith("Ciao bob,")
    # alice, who caused it, still reads the site in English.
    assert 'lang="en"' in html_attributes(text(client.get("/wiki/Plan")))


def test_template_messages_format_as_jinja_newstyle_does(app):
    """The quick template gettext (wiki/i18n) keeps Jinja's newstyle rules."""
    with app.test_request_context("/"):
        render = app.jinja_env.from_string
        assert render("{{ _('Edit') }}").render() == "Edit"
        assert render("{{ _('100%%') }}").render() == "100%"  # always a format string
        assert render("{{ _('%(x)s & y', x='<b>') }}").render() == "&lt;b&gt; & y"  # args escaped
        assert render("{{ _('a', string='s') }}").render() == "a"
        plural = "{{ ngettext('%(num)s page', '%(num)s pages', n, num=n) }}"
        assert render(plural).render(n=2) == "2 pages"
        assert render("{{ ngettext('%(num)s page', '%(num)s pages', 1) }}").render() == "1 page"


def test_file_sizes_read_as_people_write_them(app):
    from flask_babel import force_locale

    from wiki.i18n.display import file_size

    with app.test_request_context("/"):
        with force_locale("en"):
            assert [file_size(n) for n in (1, 193, 1500)] == ["1 byte", "193 bytes", "1.5 kB"]
        with force_locale("it"):
            assert [file_size(n) for n in (193, 1500)] == ["193 byte", "1,5 kB"]
