"""Parts of pages drawn once and reused (wiki/fragments.py): each reader still sees their own
language, address, account, form tokens and the page as it is now."""

import re

import pytest
from flask import Flask, render_template_string

from tests.helpers import app_with_translations, text
from tests.i18n_support import ITALIAN, ITALIAN_PLURALS, write_catalogue
from wiki.i18n import preferences
from wiki.i18n.locales import language_of
from wiki.talk import service as talk


@pytest.fixture
def app(database_url, tmp_path) -> Flask:
    """An app with a small Italian catalogue of the test's own."""
    translations = write_catalogue(tmp_path / "translations", "it", ITALIAN, ITALIAN_PLURALS)
    with app_with_translations(database_url, tmp_path, translations) as app:
        yield app


#: A form token in a page: the meta tag scripts read, or a form's hidden field.
TOKEN = re.compile(r'(?:name="csrf_token" value|name="csrf-token" content)="([^"]+)"')


def csrf_tokens(html: str) -> set[str]:
    """Return the form tokens a page holds."""
    return set(TOKEN.findall(html))


def test_the_frame_follows_the_language(app, make_page):
    make_page("Plan", "text")
    english, italian = app.test_client(), app.test_client()
    for _ in range(2):  # the second time from the fragments kept
        assert '<html lang="en"' in text(english.get("/wiki/Plan"))
        html = text(italian.get("/wiki/Plan", headers={"Accept-Language": "it"}))
        assert '<html lang="it"' in html
        assert ">Accedi<" in html and ">Log in<" not in html
        assert "Immagine incollata" in html  # the scripts' messages too
        assert ">Modifica<" in html and "1 autore" in html
    html = text(english.get("/wiki/Plan"))
    assert ">Log in<" in html and "Immagine incollata" not in html and ">Edit<" in html


def test_signing_in_shows_the_persons_own_frame(app, make_page, people, login_as):
    make_page("Plan", "text")
    visitor = app.test_client()
    assert ">Log in<" in text(visitor.get("/wiki/Plan"))
    alice, bob = login_as(people["alice"]), login_as(people["bob"])
    alice_html, bob_html = text(alice.get("/wiki/Plan")), text(bob.get("/wiki/Plan"))
    assert 'class="me">alice<' in alice_html and 'class="me">bob<' in bob_html
    assert ">Log out<" in alice_html and ">Log in<" not in alice_html
    assert csrf_tokens(alice_html) and csrf_tokens(bob_html)
    assert not csrf_tokens(alice_html) & csrf_tokens(bob_html)  # never shared
    html = text(visitor.get("/wiki/Plan"))
    assert ">Log in<" in html and "alice" not in html and "bob" not in html
    assert not csrf_tokens(html)


def test_staff_tabs_are_only_for_staff(app, make_page, people, login_as):
    make_page("Plan", "text")
    moderator = login_as(people["moderator"])
    assert ">Protect<" in text(moderator.get("/wiki/Plan"))
    assert ">Protect<" not in text(app.test_client().get("/wiki/Plan"))
    assert ">Protect<" in text(moderator.get("/wiki/Plan"))


def test_each_address_gets_its_own_links(app, make_page):
    make_page("Plan", "text")
    client = app.test_client()
    plain = text(client.get("/wiki/Plan", base_url="http://one.example/"))
    prefixed = text(client.get("/wiki/Plan", base_url="http://two.example/wiki-site/"))
    assert 'href="/static/css/bottega.css?v=' in plain
    assert 'href="/wiki-site/static/css/bottega.css?v=' in prefixed
    assert '<link rel="canonical" href="http://one.example/wiki/Plan">' in plain
    assert '<link rel="canonical" href="http://two.example/wiki-site/wiki/Plan">' in prefixed
    assert "two.example" not in plain and "one.example" not in prefixed
    assert 'action="/wiki-site/search"' in prefixed


def test_what_the_request_asks_for_is_drawn_each_time(app, make_page):
    make_page("Plan", "text")
    make_page("Budget", "text")
    client = app.test_client()
    assert 'value="alpha"' in text(client.get("/search?q=alpha"))
    assert 'value="beta"' in text(client.get("/search?q=beta"))
    plan, budget = text(client.get("/wiki/Plan")), text(client.get("/wiki/Budget"))
    assert "/login?next=/wiki/Plan" in plan and "/login?next=/wiki/Budget" in budget
    assert 'href="/wiki/Plan?lang=it"' in plan and 'href="/wiki/Budget?lang=it"' in budget
    assert 'href="/wiki/Budget?lang=it"' not in plan
    assert re.search(r'href="/recent" aria-current="page"', text(client.get("/recent")))
    assert not re.search(r'href="/recent" aria-current="page"', plan)


def test_the_page_parts_follow_the_page(app, make_page, people):
    page = make_page("Plan", "First words here.")
    client = app.test_client()
    html = text(client.get("/wiki/Plan"))
    assert ">Discussion<" in html and "First words here." in html
    talk.start_topic(page, "Next steps", "Shall we?", author=people["bob"])
    make_page("Plan", "Second words here.", author=people["carol"])
    html = text(client.get("/wiki/Plan"))
    assert ">Discussion (1)<" in html
    assert 'content="Second words here."' in html  # the link preview's description
    assert ">carol</a>" in html  # last edited by
    assert "2 contributors" in html


def draw(app: Flask, template: str, n: int, **request) -> str:
    """Render template in a request of its own (its own app context, as in production)."""
    with app.app_context(), app.test_request_context("/", **request):
        return render_template_string(template, n=n)


def test_a_fragment_is_drawn_once_per_key(app):
    template = "{% call fragment('probe') %}{{ n }}{% endcall %}"
    assert draw(app, template, 1) == "1"
    assert draw(app, template, 2) == "1"  # its key names no n
    assert draw(app, template, 3, headers={"Accept-Language": "it"}) == "3"  # a language
    assert draw(app, template, 4, base_url="http://other.example/") == "4"  # an address
    assert draw(app, "{% call fragment('probe', n) %}{{ n }}{% endcall %}", 5) == "5"


def test_requests_in_one_app_context_each_get_their_own_address(app):
    # A job, a command or a test may run several requests in one app context (one g).
    template = "{% call fragment('probe-url') %}{{ request.url_root }}{% endcall %}"
    with app.app_context():
        for address in ("http://one.example/", "http://two.example/"):
            with app.test_request_context("/", base_url=address):
                assert render_template_string(template) == address


def test_nothing_is_kept_outside_a_request(app):
    template = app.jinja_env.from_string("{% call fragment('probe') %}{{ n }}{% endcall %}")
    assert template.render(n=1) == "1" and template.render(n=2) == "2"


def test_nothing_is_kept_while_templates_reload(app):
    app.jinja_env.auto_reload = True
    template = "{% call fragment('probe') %}{{ n }}{% endcall %}"
    assert draw(app, template, 1) == "1" and draw(app, template, 2) == "2"


def test_a_message_in_its_readers_language_draws_fragments_in_that_language(app, people):
    alice = people["alice"]
    preferences.save(alice, "it", "")
    template = "{% call fragment('probe') %}{{ _('Log in') }}{% endcall %}"
    with app.test_request_context("/"):
        assert render_template_string(template) == "Log in"
        with language_of(alice.id):  # an email to alice, made during someone's request
            assert render_template_string(template) == "Accedi"
        assert render_template_string(template) == "Log in"
