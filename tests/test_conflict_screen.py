"""The conflict screen: nothing of either person's words is dropped without a choice."""

import html as html_lib
import re

import pytest

from tests.helpers import edit, form_value, latest_text, text

BASE = "Spring is here.\n\nOur launch is on Monday.\n\nJoin us in Milan.\n"


@pytest.fixture
def conflict(people, login_as, make_page):
    """Alice saved "Tuesday"; Bob, who opened the editor before, saves "Friday": conflict."""
    make_page("Plan", BASE)
    alice, bob = login_as(people["alice"]), login_as(people["bob"])
    base = form_value(text(bob.get("/edit/Plan")), "base_revision")
    edit(alice, "Plan", BASE.replace("Monday", "Tuesday"))
    response = edit(bob, "Plan", BASE.replace("Monday", "Friday"), base=base)
    assert response.status_code == 409
    return bob, text(response)


def fields(html: str) -> dict:
    """Return the hidden fields and the text of the conflict screen's form."""
    mine = re.search(r'<textarea name="mine"[^>]*>(.*?)</textarea>', html, re.S).group(1)
    offered = re.search(r'<textarea id="editor-text"[^>]*>(.*?)</textarea>', html, re.S).group(1)
    return {
        "base_revision": form_value(html, "base_revision"),
        "merge_base": form_value(html, "merge_base"),
        "offered_sha1": form_value(html, "offered_sha1"),
        "mine": html_lib.unescape(mine),
        "text": html_lib.unescape(offered),
        "summary": "my date",
    }


def test_save_without_choosing_asks_first_and_keeps_their_words(conflict):
    bob, html = conflict
    response = bob.post("/edit/Plan", data=fields(html) | {"action": "save"})
    assert response.status_code == 409
    assert "Choose which version to keep" in text(response)
    assert latest_text("Plan") == BASE.replace("Monday", "Tuesday")  # nothing was overwritten


def test_save_with_a_choice_for_every_passage_saves_it(conflict):
    bob, html = conflict
    data = fields(html) | {"action": "save", "choice-0": "both"}
    assert bob.post("/edit/Plan", data=data).status_code == 302
    assert latest_text("Plan") == BASE.replace(
        "Our launch is on Monday.", "Our launch is on Friday. Our launch is on Tuesday."
    )


def test_save_after_editing_the_text_saves_what_was_typed(conflict):
    bob, html = conflict
    typed = BASE.replace("Monday", "Friday (moved from Tuesday)")
    data = fields(html) | {"action": "save", "text": typed}
    assert bob.post("/edit/Plan", data=data).status_code == 302
    assert latest_text("Plan") == typed


def test_a_choice_for_every_passage_at_once(people, login_as, make_page):
    """Six hundred conflicting lines, "keep theirs" for all: every line is theirs."""
    lines = [f"Line {n} of the price list." for n in range(600)]
    make_page("Prices", "\n".join(lines) + "\n")
    alice, bob = login_as(people["alice"]), login_as(people["bob"])
    base = form_value(text(bob.get("/edit/Prices")), "base_revision")
    theirs = "\n".join(f"{line} Theirs." for line in lines) + "\n"
    edit(alice, "Prices", theirs)
    mine = "\n".join(f"{line} Mine." for line in lines) + "\n"
    html = text(edit(bob, "Prices", mine, base=base))
    data = fields(html) | {"action": "save", "choice-all": "theirs"}
    assert bob.post("/edit/Prices", data=data).status_code == 302
    assert latest_text("Prices") == theirs
