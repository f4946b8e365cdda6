"""Protection follows a page through moves; moves cannot carry a protected page out of it."""

import pytest

from wiki.access.permissions import edit_refusal
from wiki.core.titles import parse_title
from wiki.models import Role
from wiki.organise import moves
from wiki.pages.service import get_page
from wiki.problems import NotAllowed
from wiki.safety import protection


@pytest.fixture
def moderator(make_user):
    return make_user("mod", role=Role.MODERATOR)


@pytest.fixture
def editor(make_user):
    return make_user("ed")


def move(old, new, user, **options):
    return moves.move_page(parse_title(old), parse_title(new), user=user, **options)


def test_a_protected_subpage_stops_a_move_with_subpages(make_page, moderator, editor):
    make_page("P", "parent")
    make_page("P/Child", "child")
    protection.protect(moderator, parse_title("P/Child"), "moderator", "never", "Launch copy")
    with pytest.raises(NotAllowed) as refused:
        move("P", "PX", editor, move_subpages=True)
    assert "P/Child" in str(refused.value.params)
    assert get_page(parse_title("P/Child")) is not None
    assert get_page(parse_title("PX/Child")) is None
    assert edit_refusal(editor, parse_title("P/Child")) is not None


def test_a_moderator_moves_a_protected_page_and_the_protection_follows(
    make_page, moderator, editor
):
    make_page("Pricing", "prices")
    protection.protect(moderator, parse_title("Pricing"), "moderator", "never", "Exact prices")
    move("Pricing", "Pricing 2027", moderator)
    assert edit_refusal(editor, parse_title("Pricing 2027")) is not None
    # The redirect left at the old title stays protected too: it must not become spam.
    assert edit_refusal(editor, parse_title("Pricing")) is not None


def test_a_title_protected_against_creation_refuses_moves_onto_it(make_page, moderator, editor):
    make_page("Draft offer", "text")
    protection.protect(moderator, parse_title("Reserved"), "moderator", "never", "Kept free")
    with pytest.raises(NotAllowed):
        move("Draft offer", "Reserved", editor)
    assert get_page(parse_title("Reserved")) is None
    move("Draft offer", "Reserved", moderator)
    assert get_page(parse_title("Reserved")).title == "Reserved"


def test_the_move_form_says_why_a_protected_subpage_stops_it(
    client, make_page, moderator, editor, auth
):
    make_page("P", "parent")
    make_page("P/Child", "child")
    protection.protect(moderator, parse_title("P/Child"), "moderator", "never", "Launch copy")
    auth.login("ed")
    form = {"new_title": "PX", "reason": "", "move_subpages": "1", "leave_redirect": "1"}
    response = client.post("/move/P", data=form)
    assert response.status_code == 403
    html = response.get_data(as_text=True)
    assert "P/Child" in html and "Launch copy" in html


def test_the_move_screen_of_a_protected_page_says_it_is_protected(
    make_page, moderator, editor, login_as
):
    make_page("Launch", "Hello")
    protection.protect(moderator, parse_title("Launch"), "moderator", "1w", "Launch day")
    refused = login_as(editor).get("/move/Launch")
    assert refused.status_code == 403
    assert "protected" in refused.get_data(as_text=True)
