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


TWO = "Our launch is on Monday.\n\nJoin us in Milan.\n"


@pytest.fixture
def two_passages(people, login_as, make_page):
    """Alice changed the day and the city; Carla, who opened the editor before, too."""
    make_page("Launch", TWO)
    alice, carla = login_as(people["alice"]), login_as(people["carla"])
    base = form_value(text(carla.get("/edit/Launch")), "base_revision")
    edit(alice, "Launch", TWO.replace("Monday", "Tuesday").replace("Milan", "Rome"))
    mine = TWO.replace("Monday", "Friday").replace("Milan", "Turin")
    response = edit(carla, "Launch", mine, base=base)
    assert response.status_code == 409
    return carla, text(response)


def editor_fields(html: str) -> dict:
    """Return the fields of the editor without a conflict: its text and its revision."""
    offered = re.search(r'<textarea id="editor-text"[^>]*>(.*?)</textarea>', html, re.S).group(1)
    assert 'name="mine"' not in html and 'name="offered_sha1"' not in html
    text = html_lib.unescape(offered)
    return {"base_revision": form_value(html, "base_revision"), "text": text, "summary": "x"}


def shown_passages(html: str) -> list[str]:
    """Return the legends of the passages the conflict screen asks about."""
    return re.findall(r"<legend>(Passage \d+)</legend>", html)


def message_of(html: str) -> tuple[list[str], list[str]]:
    """Return the error and the other messages shown above the editor."""
    errors = re.findall(r'class="flash flash-error"[^>]*>(.*?)</p>', html, re.S)
    others = re.findall(r'class="flash flash-(?:info|success)"[^>]*>(.*?)</p>', html, re.S)
    return errors, others


def decided_fields(html: str) -> dict:
    """Return the choices the screen keeps as already applied to its text."""
    return dict(re.findall(r'name="(decided-\d+)" value="(\w+)"', html))


def test_apply_after_a_refused_save_applies_the_choice(conflict):
    bob, html = conflict
    refused = bob.post("/edit/Plan", data=fields(html) | {"action": "save"})
    assert refused.status_code == 409
    html = text(refused)
    applied = bob.post("/edit/Plan", data=fields(html) | {"action": "resolve", "choice-0": "both"})
    assert applied.status_code == 200
    html = text(applied)
    both = BASE.replace(
        "Our launch is on Monday.", "Our launch is on Friday. Our launch is on Tuesday."
    )
    assert editor_fields(html)["text"] == both
    errors, others = message_of(html)
    assert errors == [] and any("choices are applied" in message for message in others)
    assert "Choose which version" not in html and shown_passages(html) == []
    assert latest_text("Plan") == BASE.replace("Monday", "Tuesday")  # not saved yet
    saved = bob.post("/edit/Plan", data=editor_fields(html) | {"action": "save"})
    assert saved.status_code == 302
    assert latest_text("Plan") == both


def test_passages_already_decided_are_not_asked_again(two_passages):
    carla, html = two_passages
    assert shown_passages(html) == ["Passage 1", "Passage 2"]
    refused = carla.post("/edit/Launch", data=fields(html) | {"action": "save"})
    html = text(refused)
    data = fields(html) | {"action": "resolve", "choice-0": "both"}
    applied = carla.post("/edit/Launch", data=data)
    assert applied.status_code == 200
    html = text(applied)
    day = "Our launch is on Friday. Our launch is on Tuesday."
    assert fields(html)["text"] == f"{day}\n\nJoin us in Turin.\n"  # the city: still hers
    errors, others = message_of(html)
    assert errors == [] and any("choices are applied" in message for message in others)
    assert shown_passages(html) == ["Passage 2"]  # the day is decided
    assert "your choice is in the text below" in html
    # Saving with the city undecided asks again, about the city only, keeping the day.
    refused = carla.post("/edit/Launch", data=fields(html) | decided_fields(html))
    assert refused.status_code == 409
    html = text(refused)
    assert "Choose which version" in html and shown_passages(html) == ["Passage 2"]
    assert fields(html)["text"].startswith(day)
    data = fields(html) | decided_fields(html) | {"action": "save", "choice-1": "theirs"}
    assert carla.post("/edit/Launch", data=data).status_code == 302
    assert latest_text("Launch") == f"{day}\n\nJoin us in Rome.\n"


def test_apply_after_editing_the_text_keeps_what_was_typed(conflict):
    bob, html = conflict
    typed = BASE.replace("Monday", "Friday, or Tuesday")
    data = fields(html) | {"action": "resolve", "choice-0": "theirs", "text": typed}
    response = bob.post("/edit/Plan", data=data)
    assert response.status_code == 409
    html = text(response)
    assert fields(html)["text"] == typed
    assert "choices were not applied" in html
    data = fields(html) | {"action": "save"}
    assert bob.post("/edit/Plan", data=data).status_code == 302
    assert latest_text("Plan") == typed


def context_of(html: str) -> tuple[str, str]:
    """Return the text shown before and after the first passage in its saved version."""
    theirs = re.search(r'class="conflict-version conflict-theirs">(.*?)</div>', html, re.S)
    before, after = re.findall(r'<span class="context">(.*?)</span>', theirs.group(1), re.S)
    return html_lib.unescape(before), html_lib.unescape(after)


def test_context_around_a_passage_is_cut_between_words(people, login_as, make_page):
    # 80 characters before the passage start inside "can", after it inside "allows".
    before = "# FAQ\n\nWho can edit? Each reader of this handbook should know the full answer "
    before += "by heart now. "
    after = " Nobody else may change the pages of this handbook unless the moderator team allows."
    assert before[-80:].startswith("an edit?") and after[:80].endswith(" all")
    page = f"{before}Editors.{after}\n"
    make_page("Handbook", page)
    alice, bob = login_as(people["alice"]), login_as(people["bob"])
    base = form_value(text(bob.get("/edit/Handbook")), "base_revision")
    edit(alice, "Handbook", page.replace("Editors.", "Members."))
    html = text(edit(bob, "Handbook", page.replace("Editors.", "Moderators."), base=base))
    shown_before, shown_after = context_of(html)
    assert shown_before.startswith("…") and shown_after.endswith("…")
    assert re.search(r"\s" + re.escape(shown_before.removeprefix("…")), page)  # a word's start
    assert re.search(re.escape(shown_after.removesuffix("…")) + r"\s", page)  # a word's end
    assert "…an edit?" not in html and " all…" not in html


def test_a_passage_new_in_both_versions_says_it_was_not_there_before(people, login_as, make_page):
    make_page("Faq", "# FAQ\n\nWho can edit?\n\nMore soon.\n")
    alice, bob = login_as(people["alice"]), login_as(people["bob"])
    base = form_value(text(bob.get("/edit/Faq")), "base_revision")
    edit(alice, "Faq", "# FAQ\n\nWho can edit?\n\nEveryone with an account.\n\nMore soon.\n")
    mine = "# FAQ\n\nWho can edit?\n\nAnyone at all.\n\nMore soon.\n"
    html = text(edit(bob, "Faq", mine, base=base))
    base_column = re.search(r'class="conflict-version conflict-base">(.*?)</div>', html, re.S)
    assert "Not in the version you both started from" in base_column.group(1)
    assert "(nothing)" not in html
