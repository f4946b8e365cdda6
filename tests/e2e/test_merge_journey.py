"""Two people edit one page in two browsers: a merge, then a conflict resolved by choice."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import register, save_edit, unique

BASE = "Spring is here.\n\nOur launch is in April.\n\nJoin us in Milan.\n"


@pytest.fixture
def page_without_script(browser, live_server):
    """Return a browser tab with JavaScript turned off, in its own context."""
    context = browser.new_context(base_url=live_server, java_script_enabled=False)
    context.set_default_timeout(15000)
    yield context.new_page()
    context.close()


def test_second_editor_sees_merge_then_resolves_conflict(new_page):
    alice, bob = new_page(), new_page()
    register(alice, unique("alice"))
    register(bob, unique("bob"))
    title = unique("Shared_")
    save_edit(alice, title, BASE, "start")

    # Both open the editor on the same revision; Alice saves first.
    alice.goto(f"/edit/{title}")
    bob.goto(f"/edit/{title}")
    alice.get_by_label("Content").fill(BASE.replace("April", "May"))
    alice.get_by_role("button", name="Save").click()
    bob.get_by_label("Content").fill(BASE.replace("Milan", "Turin"))
    bob.get_by_label("Edit summary").fill("new city")
    bob.get_by_role("button", name="Save").click()
    expect(bob.get_by_text("Your edit was merged")).to_be_visible()
    expect(bob.locator(".prose")).to_contain_text("in May")
    expect(bob.locator(".prose")).to_contain_text("in Turin")
    bob.get_by_role("link", name="See what your edit changed").click()
    expect(bob.locator(".word-changed").filter(has_text="Turin")).to_have_count(1)

    # Now both change the same word.
    alice.goto(f"/edit/{title}")
    bob.goto(f"/edit/{title}")
    alice.get_by_label("Content").fill(BASE.replace("April", "June").replace("Milan", "Turin"))
    alice.get_by_role("button", name="Save").click()
    bob.get_by_label("Content").fill(BASE.replace("April", "July").replace("Milan", "Turin"))
    bob.get_by_role("button", name="Save").click()
    expect(bob.get_by_text("1 passage was changed by both of you")).to_be_visible()
    passage = bob.locator(".conflict-passage")
    expect(passage.locator(".conflict-theirs mark")).to_have_text("June")
    expect(passage.locator(".conflict-mine mark")).to_have_text("July")
    expect(bob.get_by_label("Content")).to_have_value(re.compile("in July"))

    # A reload loses nothing: the text is kept as a draft.
    bob.goto(f"/edit/{title}")
    expect(bob.get_by_text("You have an unsaved draft")).to_be_visible()
    bob.get_by_role("link", name="Restore draft").click()
    expect(bob.get_by_label("Content")).to_have_value(re.compile("in July"))
    bob.get_by_role("button", name="Save").click()
    bob.get_by_label("Keep theirs").check()
    bob.get_by_role("button", name="Apply choices").click()
    expect(bob.get_by_label("Content")).to_have_value(re.compile("in June"))
    bob.get_by_role("button", name="Save").click()
    expect(bob.locator(".prose")).to_contain_text("in June")


def test_saving_from_an_older_tab_keeps_ones_newer_text(new_page):
    first = new_page()
    register(first, unique("carla"))
    title = unique("Tabs_")
    save_edit(first, title, BASE, "start")
    second = first.context.new_page()  # the same person, a second tab
    first.goto(f"/edit/{title}")
    second.goto(f"/edit/{title}")
    first.get_by_label("Content").fill(BASE.replace("April", "May").replace("Milan", "Turin"))
    first.get_by_role("button", name="Save").click()
    expect(first.get_by_text("Your changes were saved")).to_be_visible()
    # Someone else changes another passage meanwhile: still no conflict with herself.
    other = new_page()
    dario = unique("dario")
    register(other, dario)
    save_edit(
        other,
        title,
        BASE.replace("April", "May").replace("Milan", "Turin") + "\nAll welcome.\n",
        "welcome",
    )
    second.get_by_label("Content").fill(BASE.replace("April", "June"))
    second.get_by_role("button", name="Save").click()
    notice = second.locator(".flash-success")
    expect(notice).to_contain_text(f"Someone saved while you were editing ({dario})")
    expect(notice).to_contain_text("this newer text was kept")
    expect(second.locator(".prose")).to_contain_text("in June")
    expect(second.locator(".prose")).to_contain_text("in Turin")
    expect(second.locator(".prose")).to_contain_text("All welcome.")


def test_editor_autosaves_a_draft(page):
    register(page, unique("drafter"))
    title = unique("Autosave_")
    save_edit(page, title, "Original text.", "start")
    page.goto(f"/edit/{title}")
    page.get_by_label("Content").fill("Original text, and my unsaved thoughts.")
    expect(page.locator(".draft-status")).to_have_text("Draft saved", timeout=10000)
    page.goto(f"/wiki/{title}")
    page.goto(f"/edit/{title}")
    expect(page.get_by_text("You have an unsaved draft")).to_be_visible()
    page.get_by_role("link", name="Restore draft").click()
    expect(page.get_by_label("Content")).to_have_value("Original text, and my unsaved thoughts.")


def test_undo_and_restore_from_history(page):
    register(page, unique("undoer"))
    title = unique("Undo_")
    save_edit(page, title, "alpha\n\nbeta\n", "one")
    save_edit(page, title, "alpha\n\nBETA\n", "two")
    save_edit(page, title, "ALPHA\n\nBETA\n", "three")
    page.goto(f"/history/{title}")
    # The creation offers no undo (it would leave the page empty: deleting is the way).
    creation = page.locator(".history-row").last
    expect(creation.get_by_role("link", name="undo", exact=True)).to_have_count(0)
    page.locator(".history-row").nth(1).get_by_role("link", name="undo", exact=True).click()
    expect(page.get_by_label("Content")).to_have_value("ALPHA\n\nbeta\n")
    expect(page.get_by_label("Edit summary")).to_have_value(re.compile(r"^Undo revision \d+ by "))
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".prose")).to_contain_text("beta")
    page.goto(f"/history/{title}")
    expect(page.locator(".history-row").first.locator(".badge-undo")).to_be_visible()
    page.locator(".history-row").last.locator("a.rev-time").click()
    page.get_by_role("button", name="Restore this version").click()
    expect(page.locator(".prose")).to_contain_text("alpha")
    page.goto(f"/history/{title}")
    expect(page.locator(".history-row").first.locator(".badge-restore")).to_be_visible()


def test_conflict_choices_without_javascript_apply_after_a_refused_save(
    new_page, page_without_script
):
    alice, carla = new_page(), page_without_script
    register(alice, unique("alice"))
    register(carla, unique("carla"))
    title = unique("Faq_")
    save_edit(alice, title, "Who can edit? Editors.\n\nWhere? In Milan.\n", "start")
    carla.goto(f"/edit/{title}")
    save_edit(alice, title, "Who can edit? Members.\n\nWhere? In Rome.\n", "alice")
    carla.get_by_label("Content").fill("Who can edit? Anyone.\n\nWhere? In Turin.\n")
    carla.get_by_role("button", name="Save").click()
    expect(carla.get_by_text("2 passages were changed by both of you")).to_be_visible()

    # Save without choosing is refused; then one choice is applied, not saved.
    carla.get_by_role("button", name="Save").click()
    expect(carla.locator(".flash-error")).to_contain_text("Choose which version")
    carla.locator(".conflict-passage").first.get_by_label("Keep both (mine first)").check()
    carla.get_by_role("button", name="Apply choices").click()
    expect(carla.locator(".flash-error")).to_have_count(0)
    expect(carla.get_by_text("Your choices are applied to the text below")).to_be_visible()
    content = carla.get_by_label("Content")
    expect(content).to_have_value("Who can edit? Anyone. Members.\n\nWhere? In Turin.\n")
    expect(carla.locator(".conflict-passage legend")).to_have_text(["Passage 2"])
    alice.goto(f"/wiki/{title}")
    expect(alice.locator(".prose")).not_to_contain_text("Anyone")

    # The last choice applied: the whole text to check, then saved.
    carla.get_by_label("Keep theirs").check()
    carla.get_by_role("button", name="Apply choices").click()
    expect(carla.locator(".conflict-passage")).to_have_count(0)
    expect(carla.get_by_text("Your choices are applied below")).to_be_visible()
    expect(content).to_have_value("Who can edit? Anyone. Members.\n\nWhere? In Rome.\n")
    carla.get_by_role("button", name="Save").click()
    expect(carla.locator(".prose")).to_contain_text("Who can edit? Anyone. Members.")
    expect(carla.locator(".prose")).to_contain_text("In Rome.")


def test_back_to_the_editor_the_box_holds_the_draft_and_it_is_not_offered_again(page):
    register(page, unique("backer"))
    title = unique("Back_")
    page.goto(f"/edit/{title}")
    typed = "A new page, typed and autosaved: caffè, 東京 🎉."
    page.get_by_label("Content").fill(typed)
    expect(page.locator(".draft-status")).to_have_text("Draft saved", timeout=10000)
    page.goto("/recent")
    page.go_back()
    # The browser puts the text back in the box: the draft is not offered as if it were not.
    expect(page.get_by_label("Content")).to_have_value(typed)
    expect(page.get_by_text("You have an unsaved draft")).to_be_hidden()
    # Opened afresh, the box holds the page's text (a new page: none): the draft is offered.
    page.goto(f"/edit/{title}")
    expect(page.get_by_label("Content")).to_have_value("")
    expect(page.get_by_text("You have an unsaved draft")).to_be_visible()
