"""Starting a page: "New page" in the header, the title form, and the ways to it from a
search without results and from a category whose pages start from a template."""

import re
from urllib.parse import unquote

import pytest

from tests.helpers import PASSWORD, text
from wiki import demo
from wiki.access.policy import save_policy

NEW_PAGE_LINK = re.compile(r'<a href="/new"[^>]*>New page</a>')


def everyone_may_edit(people) -> None:
    """Let visitors without an account edit, as an administrator would."""
    save_policy(people["admin"], edit="everyone")


@pytest.mark.parametrize(
    ("who", "policy", "shown"),
    [
        ("alice", "users", True),
        ("reader", "users", False),
        ("anonymous", "users", False),
        ("anonymous", "everyone", True),
    ],
)
def test_the_header_offers_new_page_to_whoever_may_edit(
    client, people, login_as, make_page, who, policy, shown
):
    make_page("Plan", "The launch is on Monday.")
    if policy == "everyone":
        everyone_may_edit(people)
    browser = client if who == "anonymous" else login_as(people[who])
    html = text(browser.get("/wiki/Plan"))
    assert bool(NEW_PAGE_LINK.search(html)) is shown


def test_the_form_asks_for_a_title_and_opens_the_editor_on_it(client, editor):
    form = client.get("/new")
    assert form.status_code == 200
    html = text(form)
    assert re.search(r'<label for="new-title">Title</label>', html)
    assert 'name="title"' in html and 'method="get"' in html

    sent = client.get("/new", query_string={"title": "Spring launch 2027"})
    assert sent.status_code == 302
    assert sent.headers["Location"] == "/edit/Spring_launch_2027"
    assert client.get(sent.headers["Location"]).status_code == 200


def test_an_invalid_title_shows_the_form_again_with_the_error_and_what_was_typed(client, editor):
    typed = "Plans [draft]"
    response = client.get("/new", query_string={"title": typed})
    assert response.status_code == 400
    html = text(response)
    assert 'value="Plans [draft]"' in html
    assert re.search(r'role="alert" id="title-error">[^<]+</p>', html)
    assert 'aria-invalid="true"' in html and "title-error" in html.split('id="new-title"')[1]

    empty = client.get("/new", query_string={"title": "   "})
    assert empty.status_code == 400
    assert 'id="title-error"' in text(empty)

    # The Italian name of a namespace, with no name after it: the form says so (it opened
    # an editor of "Category:" that could only answer a bare 400).
    bare = client.get("/new", query_string={"title": "Categoria:"})
    assert bare.status_code == 400
    assert 'value="Categoria:"' in text(bare) and 'id="title-error"' in text(bare)


def test_an_existing_title_says_the_page_exists_and_links_to_it_and_its_editor(
    client, editor, make_page
):
    make_page("Brand voice", "How we sound.")
    response = client.get("/new", query_string={"title": "brand  voice"})
    assert response.status_code == 200
    html = text(response)
    notice = html.split('id="page-exists"')[1].split("</p>")[0]
    assert "already exists" in notice
    assert 'href="/wiki/Brand_voice"' in notice
    assert 'href="/edit/Brand_voice"' in notice
    assert 'value="brand  voice"' in html  # the typed title stays in the field


def test_the_form_offers_the_templates_and_keeps_the_one_chosen(client, editor, make_page):
    make_page("Template:Campaign brief", "## Goal\n\n[[Category:Campaigns]]")
    html = text(client.get("/new", query_string={"template": "Template:Campaign_brief"}))
    assert re.search(r'<option value="Template:Campaign brief" selected>', html)
    assert '<option value="">' in html  # an empty page is a choice too

    sent = client.get(
        "/new", query_string={"title": "Autumn", "template": "Template:Campaign brief"}
    )
    assert sent.status_code == 302
    assert unquote(sent.headers["Location"].replace("+", " ")) == (
        "/edit/Autumn?template=Template:Campaign brief"
    )
    assert "## Goal" in text(client.get(sent.headers["Location"]))


def test_a_visitor_who_may_not_edit_is_asked_to_log_in(client, people):
    response = client.get("/new")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=/new")
    assert NEW_PAGE_LINK.search(text(client.get("/new", follow_redirects=True))) is None


def test_a_reader_may_not_start_pages(client, people, login_as):
    reader = login_as(people["reader"])
    assert reader.get("/new").status_code == 403


# A search without results


def test_a_search_without_results_asks_a_visitor_to_log_in_to_create_the_page(
    client, people, make_page
):
    make_page("Plan", "The launch is on Monday.")
    html = text(client.get("/search", query_string={"q": "xyzzyqq"}))
    link = re.search(r'<p class="search-create"><a href="([^"]+)">([^<]+)</a>', html)
    assert link, "no way to create the page is offered"
    assert "Log in" in link.group(2) and "xyzzyqq" in link.group(2)
    target = link.group(1).replace("&amp;", "&")
    assert target == "/login?next=/edit/xyzzyqq"
    # Logging in there leads to the editor of the page.
    people["alice"]  # an account to log in with
    arrived = client.post(target, data={"username": "alice", "password": PASSWORD})
    assert arrived.status_code == 302
    assert arrived.headers["Location"] == "/edit/xyzzyqq"


def test_a_search_without_results_offers_the_editor_to_whoever_may_edit(client, people, login_as):
    alice = login_as(people["alice"])
    html = text(alice.get("/search", query_string={"q": "xyzzyqq"}))
    assert '<p class="search-create"><a href="/edit/xyzzyqq">' in html

    everyone_may_edit(people)
    html = text(client.get("/search", query_string={"q": "xyzzyqq"}))
    assert '<p class="search-create"><a href="/edit/xyzzyqq">' in html
    assert "/login?next=/edit" not in html


def test_a_reader_is_offered_no_way_to_create_from_a_search(people, login_as):
    reader = login_as(people["reader"])
    assert "search-create" not in text(reader.get("/search", query_string={"q": "xyzzyqq"}))


# A category whose pages start from a template


def test_a_category_links_to_a_new_page_from_its_template(client, editor, make_page):
    make_page(
        "Category:Campaigns",
        "To start a new one, create a page and choose the **Campaign brief** template.",
    )
    make_page("Template:Campaign brief", "## Goal\n\n[[ category : Campaigns | brief ]]")
    make_page("Template:Press release", "## Headline\n\n[[Category:Press]]")
    html = text(client.get("/wiki/Category:Campaigns"))
    links = re.findall(r'<a class="button button-small" href="(/new\?[^"]+)">([^<]+)</a>', html)
    assert len(links) == 1, links
    href, label = links[0]
    assert "Campaign brief" in label
    assert unquote(href.replace("+", " ")) == "/new?template=Template:Campaign brief"
    form = text(client.get(href.replace("&amp;", "&")))
    assert re.search(r'<option value="Template:Campaign brief" selected>', form)


def test_a_category_offers_no_new_page_to_a_visitor_who_may_not_edit(client, make_page):
    make_page("Category:Campaigns", "Every campaign.")
    make_page("Template:Campaign brief", "## Goal\n\n[[Category:Campaigns]]")
    assert "/new?template" not in text(client.get("/wiki/Category:Campaigns"))


def test_the_demo_campaigns_page_links_to_a_brief_started_from_its_template(app, client, editor):
    demo.load(only_if_empty=False)
    html = text(client.get("/wiki/Category:Campaigns"))
    [href] = re.findall(r'<a href="(/new\?template=[^"]+)">', html)
    form = text(client.get(href.replace("&amp;", "&")))
    assert re.search(r'<option value="Template:Campaign brief" selected>', form)


def test_the_offer_to_create_follows_the_results_when_there_are_some(client, editor, make_page):
    """The page looked for is most likely among the results: they come first."""
    make_page("Studio guide", "All about the studio.")
    html = text(client.get("/search", query_string={"q": "studio", "fulltext": "1"}))
    assert html.index('class="search-results"') < html.index('class="search-create"')
    none = text(client.get("/search", query_string={"q": "xyzzyqq", "fulltext": "1"}))
    assert 'class="search-create"' in none and 'class="search-results"' not in none
