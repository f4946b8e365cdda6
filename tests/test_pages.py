"""Reading, creating and editing pages through real HTTP."""

import re

import pytest

from tests.helpers import edit
from wiki.extensions import db
from wiki.models import Link, Page, Revision


def test_root_redirects_to_main_page(client):
    assert client.get("/").headers["Location"].endswith("/wiki/Home")


def test_missing_page_answers_404_and_offers_creation(client, editor):
    response = client.get("/wiki/Brand_New_Page")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "does not exist yet" in html
    assert 'href="/edit/Brand_New_Page"' in html


def test_create_then_view_page(client, editor):
    response = edit(client, "Spring_Launch", "# Launch\n\nHello **world**", summary="Start")
    assert response.status_code == 302
    html = client.get("/wiki/Spring_Launch").get_data(as_text=True)
    assert "<strong>world</strong>" in html
    assert "Spring Launch" in html
    revision = db.session.scalar(db.select(Revision))
    assert (revision.summary, revision.kind, revision.size) == ("Start", "create", 25)


def test_saving_identical_text_makes_no_revision(client, editor):
    edit(client, "Same", "one")
    response = edit(client, "Same", "one")
    assert response.status_code == 302
    assert db.session.scalar(db.select(db.func.count(Revision.id))) == 1
    assert "Nothing changed" in client.get("/wiki/Same").get_data(as_text=True)


def test_revision_records_parent_size_change_and_minor(client, editor):
    edit(client, "Sizes", "12345")
    edit(client, "Sizes", "123", summary="trim", minor=True)
    first, second = db.session.scalars(db.select(Revision).order_by(Revision.id)).all()
    assert second.parent_id == first.id
    assert (second.size, second.size_change, second.minor) == (3, -2, True)
    assert len(second.sha1) == 40 and second.sha1 != first.sha1


def test_preview_renders_without_saving(client, editor):
    response = edit(client, "Draft", "Some *emphasis*", action="preview")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<em>emphasis</em>" in html
    assert "Some *emphasis*</textarea>" in html
    assert db.session.scalar(db.select(db.func.count(Page.id))) == 0


def test_show_changes_diffs_against_current_text(client, editor):
    edit(client, "Diffed", "The quick fox")
    response = edit(client, "Diffed", "The slow fox", action="changes")
    html = response.get_data(as_text=True)
    assert '<span class="word-changed">quick</span>' in html
    assert '<span class="word-changed">slow</span>' in html
    assert db.session.scalar(db.select(db.func.count(Revision.id))) == 1


@pytest.mark.parametrize("base", ["abc", "-1", "1.5", "9" * 40])
def test_malformed_base_revision_is_400_with_text_kept(client, editor, base):
    edit(client, "Base", "first")
    response = edit(client, "Base", "kept text", base=base)
    assert response.status_code == 400
    assert "kept text</textarea>" in response.get_data(as_text=True)


def test_base_revision_of_another_page_is_400(client, editor, make_page):
    other = make_page("Other", "x")
    edit(client, "Mine", "first")
    response = edit(client, "Mine", "kept text", base=str(other.latest_revision_id))
    assert response.status_code == 400
    assert "not a revision of this page" in response.get_data(as_text=True)


def test_text_over_limit_is_413_with_text_kept(app, client, editor):
    app.config["MAX_PAGE_BYTES"] = 1000
    response = edit(client, "Huge", "é" * 600)
    assert response.status_code == 413
    html = response.get_data(as_text=True)
    assert "too large" in html
    assert "é" * 600 in html


def test_control_characters_are_removed(client, editor):
    edit(client, "Clean", "a\x00b\x07c\r\nd\te")
    revision = db.session.scalar(db.select(Revision))
    assert revision.text == "abc\nd\te"


def test_titles_with_same_key_are_one_page(client, editor):
    edit(client, "Straße", "german")
    response = client.get("/wiki/STRASSE")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/wiki/Stra%C3%9Fe")
    edit(client, "Ｓｔｒａｓｓｅ", "german, again")
    assert db.session.scalar(db.select(db.func.count(Page.id))) == 1


@pytest.mark.parametrize(
    ("title", "message"),
    [
        ("a/../b", "between slashes"),
        ("x/", "slash"),
        ("Bad%09Tab", "control characters"),
        ("a" * 256, "255"),
        ("a|b", "cannot contain"),
    ],
)
def test_bad_titles_are_refused_clearly(client, title, message):
    response = client.get(f"/wiki/{title}")
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


def test_wikilinks_to_missing_pages_are_red(client, editor, make_page):
    make_page("Exists", "here")
    edit(client, "Links", "[[Exists]] and [[Missing Page|the label]]")
    html = client.get("/wiki/Links").get_data(as_text=True)
    assert re.search(r'<a class="wikilink"[^>]* href="/wiki/Exists"', html)
    assert re.search(r'<a class="wikilink new"[^>]* href="/wiki/Missing_Page">the label</a>', html)
    targets = {link.target_key for link in db.session.scalars(db.select(Link))}
    assert targets == {"exists", "missing page"}


def test_red_link_turns_blue_when_page_is_created_without_rerender(client, editor, make_page):
    edit(client, "Links", "[[Later]]")
    assert "wikilink new" in client.get("/wiki/Links").get_data(as_text=True)
    make_page("Later", "now here")
    assert "wikilink new" not in client.get("/wiki/Links").get_data(as_text=True)


def test_raw_html_is_shown_as_text(client, editor):
    edit(client, "Html", "<script>alert(1)</script> <b onclick=x>bold</b>")
    html = client.get("/wiki/Html").get_data(as_text=True)
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_anonymous_visitor_is_sent_to_login_to_edit(client):
    response = client.get("/edit/Anything")
    assert response.status_code == 302
    assert "/login?next=" in response.headers["Location"]


def test_post_without_csrf_token_is_refused_and_text_kept(app, client, editor):
    response = client.post(
        "/edit/Csrf", data={"text": "precious", "csrf_token": "forged", "base_revision": ""}
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "session expired" in html
    assert "precious</textarea>" in html
    assert db.session.scalar(db.select(db.func.count(Page.id))) == 0


def test_long_page_gets_table_of_contents(client, editor):
    edit(client, "Toc", "# One\n\ntext\n\n## Two\n\ntext\n\n## Three\n\ntext\n")
    html = client.get("/wiki/Toc").get_data(as_text=True)
    assert 'class="toc"' in html
    assert 'href="#two"' in html


def test_search_goes_to_exact_title_or_lists_matches(client, make_page):
    make_page("Spring Campaign", "x")
    make_page("Spring Sale", "x")
    exact = client.get("/search?q=spring campaign")
    assert exact.headers["Location"].endswith("/wiki/Spring_Campaign")
    listing = client.get("/search?q=spring").get_data(as_text=True)
    assert "Spring Campaign" in listing and "Spring Sale" in listing
