"""Reading, creating and editing pages through real HTTP."""

import re

import pytest

from tests.file_samples import png, upload
from tests.helpers import edit, latest_text
from wiki.api import tokens
from wiki.extensions import db
from wiki.models import Link, Page, Revision, kept_texts


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
        ("Category:", "needs a name after"),
        ("Template:", "needs a name after"),
        ("File:", "needs a name after"),
    ],
)
def test_bad_titles_are_refused_clearly(client, title, message):
    response = client.get(f"/wiki/{title}")
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


@pytest.mark.parametrize("title", ["Category:", "category_:_", "Template:", "File:/Logo"])
def test_a_namespace_with_no_name_cannot_be_created(client, editor, title):
    response = client.post(f"/edit/{title}", data={"text": "Words.", "base_revision": ""})
    assert response.status_code == 400
    assert "needs a name after" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(Page.id))) == 0
    assert 'href="/wiki/Category:"' not in client.get("/special/all").get_data(as_text=True)


@pytest.mark.parametrize("blank", ["", "   ", "\n\n", " \t\r\n  \n"])
def test_a_blank_new_page_is_refused_with_what_was_typed_kept(client, editor, blank):
    response = edit(client, "Empty_Test", blank, summary="my first words")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "The page is empty" in html
    assert "was created" not in html
    assert 'value="my first words"' in html
    assert "Creating Empty Test" in html
    assert db.session.scalar(db.select(db.func.count(Page.id))) == 0
    assert client.get("/wiki/Empty_Test").status_code == 404


@pytest.mark.parametrize("blank", ["", "  \n \n"])
def test_an_existing_page_cannot_be_emptied(client, editor, blank):
    edit(client, "Kept", "Some words.\n")
    response = edit(client, "Kept", blank, summary="clearing")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "cannot be left empty" in html and "delete" in html
    assert 'value="clearing"' in html
    assert db.session.scalar(db.select(db.func.count(Revision.id))) == 1


@pytest.mark.parametrize("kept", [True, False])
@pytest.mark.parametrize("same", ["Some words.", "Some words.\n\n\n", "Some words.  \n \t\n"])
def test_a_change_of_trailing_whitespace_only_makes_no_revision(app, client, editor, same, kept):
    edit(client, "Spaces", "Some words.\n")
    base = str(db.session.scalar(db.select(Revision.id)))
    if not kept:  # as in another app server process: the text is read from its row
        kept_texts().clear()
    response = edit(client, "Spaces", same, base=base)  # the form as the editor gave it
    assert response.status_code == 302
    assert db.session.scalar(db.select(db.func.count(Revision.id))) == 1
    assert "Nothing changed" in client.get("/wiki/Spaces").get_data(as_text=True)


def test_the_api_refuses_blank_pages_too(client, people, make_page):
    _token, raw = tokens.create_token(people["alice"], "CMS", ["edit"])
    headers = {"Authorization": f"Bearer {raw}"}
    created = client.put("/api/v1/pages/Blank", json={"text": " \n "}, headers=headers)
    assert created.status_code == 400
    assert "empty" in created.get_json()["detail"]
    assert db.session.scalar(db.select(db.func.count(Page.id))) == 0
    page = make_page("Full", "Words.\n")
    emptied = client.put(
        "/api/v1/pages/Full",
        json={"text": "", "base_revision": page.latest_revision_id},
        headers=headers,
    )
    assert emptied.status_code == 400
    assert "empty" in emptied.get_json()["detail"]
    assert latest_text("Full") == "Words.\n"


def test_a_file_uploaded_without_a_description_still_gets_its_page(client, editor):
    response = upload(client, png(), "Plain.png")
    assert response.status_code == 302
    assert client.get("/wiki/File:Plain.png").status_code in (200, 302)
    assert latest_text("File:Plain.png").strip() == ""


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


def test_undoing_a_pages_only_revision_cannot_leave_it_empty(client, editor):
    edit(client, "Plan", "Hello world.\n")
    first = db.session.scalar(db.select(Revision.id))
    history = client.get("/history/Plan").get_data(as_text=True)
    assert f"/undo/Plan?rev={first}" not in history  # no undo offered on the creation
    asked = client.get(f"/undo/Plan?rev={first}")  # a link kept from elsewhere
    assert asked.status_code == 302 and asked.location.endswith("/history/Plan")
    said = client.get(asked.location).get_data(as_text=True)
    assert "undoing it would leave the page empty" in said and "delete it" in said
    form = {  # an empty text sent by hand as an undo is still refused
        "text": "",
        "summary": "Undo",
        "base_revision": str(first),
        "kind": "undo",
        "undo_of": str(first),
    }
    response = client.post("/edit/Plan", data=form)
    assert response.status_code == 400
    assert "cannot be left empty" in response.get_data(as_text=True)
    assert latest_text("Plan") == "Hello world.\n"
