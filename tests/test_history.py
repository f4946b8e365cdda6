"""History, diffs and old revisions through real HTTP."""

import re

import pytest

from wiki.core.text import text_sha1
from wiki.extensions import db
from wiki.models import Revision


def revision_ids(page) -> list[int]:
    """Return the ids of a page's revisions, oldest first."""
    query = db.select(Revision.id).where(Revision.page_id == page.id).order_by(Revision.id)
    return list(db.session.scalars(query))


def test_history_lists_newest_first_with_details(client, make_user, make_page):
    maria = make_user("maria")
    page = make_page("Campaign", "one", author=maria, summary="first words")
    make_page("Campaign", "one two three", author=maria, summary="more words")
    html = client.get("/history/Campaign").get_data(as_text=True)
    assert html.index("more words") < html.index("first words")
    assert 'href="/user/maria"' in html
    assert re.search(r'class="size size-up[^"]*"[^>]*>\+10<', html)
    first, second = revision_ids(page)
    assert f"from={first}&amp;to={second}" in html
    assert "Compare selected revisions" in html


def test_history_shows_negative_size_change_with_minus(client, make_page):
    make_page("Shrink", "123456", "12")
    html = client.get("/history/Shrink").get_data(as_text=True)
    assert re.search(r'class="size size-down[^"]*"[^>]*>\u22124<', html)


def test_history_is_paginated_by_key(app, client, make_page):
    app.config["HISTORY_PAGE_SIZE"] = 2
    page = make_page("Long", *[f"version {n}" for n in range(5)])
    ids = revision_ids(page)
    first = client.get("/history/Long").get_data(as_text=True)
    assert f"/revision/{ids[4]}" in first and f"/revision/{ids[3]}" in first
    assert f"/revision/{ids[2]}" not in first
    older = re.search(r'href="([^"]*before=\d+)"', first).group(1).replace("&amp;", "&")
    second = client.get(older).get_data(as_text=True)
    assert f"/revision/{ids[2]}" in second and f"/revision/{ids[1]}" in second
    newer = re.search(r'href="([^"]*after=\d+)"', second).group(1).replace("&amp;", "&")
    assert f"/revision/{ids[4]}" in client.get(newer).get_data(as_text=True)


def test_diff_highlights_changed_words_side_by_side(client, make_page):
    page = make_page(
        "Diff", "Perché l'estate è bella\nsame line\n", "Perciò l'estate è bella\nsame line\n"
    )
    first, second = revision_ids(page)
    html = client.get(f"/diff/Diff?from={first}&to={second}").get_data(as_text=True)
    assert 'class="diff diff-split"' in html
    assert '<span class="word-changed">Perché</span>' in html
    assert '<span class="word-changed">Perciò</span>' in html


def test_diff_inline_toggle(client, make_page):
    page = make_page("Inline", "alpha\n", "beta\n")
    first, second = revision_ids(page)
    html = client.get(f"/diff/Inline?from={first}&to={second}&view=inline").get_data(as_text=True)
    assert 'class="diff diff-inline"' in html


def test_diff_header_shows_both_revisions_and_navigation(client, make_user, make_page):
    luca = make_user("luca")
    page = make_page("Nav", "a", "b", author=luca, summary="tweak")
    make_page("Nav", "c", author=luca, summary="third")
    ids = revision_ids(page)
    html = client.get(f"/diff/Nav?from={ids[1]}&to={ids[2]}").get_data(as_text=True)
    assert "Older edit" in html and "third" in html and 'href="/user/luca"' in html
    assert f"from={ids[0]}&amp;to={ids[1]}" in html
    assert "Newer edit" not in html


def test_a_comparison_across_several_edits_says_how_many_and_whose(client, make_user, make_page):
    maria, luca, sam = make_user("maria"), make_user("luca"), make_user("sam")
    make_page("Plan", "one", "two", author=maria)
    make_page("Plan", "three", author=luca)
    make_page("Plan", "four", "five", author=sam)
    make_page("Plan", "six", author=maria)
    ids = revision_ids(make_page("Plan", "seven", author=maria))
    html = client.get(f"/diff/Plan?from={ids[1]}&to={ids[5]}").get_data(as_text=True)
    assert "These versions are 4 edits apart, made by sam, luca, maria." in html
    assert f'href="/history/Plan?before={ids[5] + 1}"' in html
    one = client.get(f"/diff/Plan?from={ids[4]}&to={ids[5]}").get_data(as_text=True)
    assert "edits apart" not in one  # one edit: its author is in the header


def test_a_comparison_across_very_many_edits_counts_and_names_only_the_latest(
    client, make_user, make_page, monkeypatch
):
    from wiki.history import service as history

    monkeypatch.setattr(history, "COUNTED_EDITS", 2)  # stands for 10,000
    maria, luca, sam = make_user("maria"), make_user("luca"), make_user("sam")
    make_page("Plan", "one", "two", author=maria)
    make_page("Plan", "three", author=luca)
    make_page("Plan", "four", "five", author=sam)
    ids = revision_ids(make_page("Plan", "six", author=maria))
    html = client.get(f"/diff/Plan?from={ids[1]}&to={ids[5]}").get_data(as_text=True)
    said = "These versions are more than 2 edits apart; the latest 2 were made by maria, sam."
    assert said in html


def test_diff_defaults_to_last_edit(client, make_page):
    make_page("Last", "old words\n", "new words\n")
    html = client.get("/diff/Last").get_data(as_text=True)
    assert '<span class="word-changed">new</span>' in html


def test_diff_of_revisions_from_another_page_is_404(client, make_page):
    other = make_page("Other", "x")
    make_page("Here", "y", "z")
    response = client.get(f"/diff/Here?from={other.latest_revision_id}")
    assert response.status_code == 404


@pytest.mark.parametrize("bad", ["abc", "-3", "1e9", "99999999999999999999999"])
def test_diff_with_bad_revision_number_is_400(client, make_page, bad):
    make_page("Bad", "x", "y")
    response = client.get(f"/diff/Bad?from={bad}")
    assert response.status_code == 400
    assert "must be a revision number" in response.get_data(as_text=True)


def test_old_revision_shows_notice_and_link_to_current(client, make_page):
    page = make_page("Old", "first *text*", "second text")
    first, _ = revision_ids(page)
    html = client.get(f"/revision/{first}").get_data(as_text=True)
    assert "This is an old revision" in html
    assert "<em>text</em>" in html
    assert 'href="/wiki/Old"' in html


def test_missing_revision_is_404(client):
    assert client.get("/revision/424242").status_code == 404


def test_history_of_missing_page_is_404(client):
    assert client.get("/history/Nowhere").status_code == 404


def test_only_current_texts_keep_their_rendered_html(client, make_page):
    from wiki.models import RenderedText

    page = make_page("Cache", "one", "two", "three")
    kept = {row.sha1 for row in db.session.scalars(db.select(RenderedText))}
    assert kept == {page.latest.sha1}
    first = revision_ids(page)[0]
    assert "one" in client.get(f"/revision/{first}").get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(RenderedText)) == 1


def test_a_text_another_page_still_shows_keeps_its_rendered_html(make_page):
    from wiki.models import RenderedText

    twin = make_page("Twin", "Shared words of two pages.")
    page = make_page("Cache", "Shared words of two pages.", "Words of its own.")
    kept = {row.sha1 for row in db.session.scalars(db.select(RenderedText))}
    assert kept == {twin.latest.sha1, page.latest.sha1}  # Twin still shows the shared text
    make_page("Twin", "Twin moves on too.")
    kept = {row.sha1 for row in db.session.scalars(db.select(RenderedText))}
    assert kept == {page.latest.sha1, text_sha1("Twin moves on too.")}
