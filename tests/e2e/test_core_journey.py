"""The core journey in Chromium: register, create, edit twice, history, compare, old revision."""

import re

from playwright.sync_api import expect

from tests.e2e.helpers import register, save_edit, unique


def test_register_create_edit_compare_and_read_old_revision(page):
    user = unique("writer")
    title = unique("Launch_Plan_")
    register(page, user)
    expect(page.get_by_role("button", name="Log out")).to_be_visible()

    page.goto(f"/wiki/{title}")
    expect(page.get_by_text("This page does not exist yet.")).to_be_visible()
    page.get_by_role("link", name="Create this page").click()
    page.get_by_label("Content").fill("# Launch\n\nWe launch in spring.\n")
    page.get_by_label("Edit summary").fill("First draft")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".prose h1")).to_have_text(re.compile("Launch"))

    save_edit(page, title, "# Launch\n\nWe launch in early spring.\n", "Earlier")
    save_edit(page, title, "# Launch\n\nWe launch in early summer.\n\nWith partners.\n", "Later")

    page.get_by_role("link", name="History").click()
    rows = page.locator(".history-row")
    expect(rows).to_have_count(3)
    expect(rows.first).to_contain_text("Later")
    # The author's name is a link to their profile, and looks like one.
    author = rows.first.locator("a.user")
    author_color = author.evaluate("a => getComputedStyle(a).color")
    text_color = rows.first.evaluate("row => getComputedStyle(row).color")
    assert author_color != text_color
    page.get_by_label(re.compile(r"Compare from revision")).nth(2).check()
    page.get_by_label(re.compile(r"Compare to revision")).nth(0).check()
    page.get_by_role("button", name="Compare selected revisions").first.click()

    expect(page).to_have_url(re.compile(r"/diff/[^?]+\?(?=.*from=\d+)(?=.*to=\d+)"))
    changed = page.locator(".word-changed")
    expect(changed.filter(has_text="summer")).to_have_count(1)
    expect(changed.filter(has_text="spring")).to_have_count(1)

    page.get_by_role("link", name="Inline").click()
    expect(page.locator("table.diff-inline")).to_be_visible()

    page.goto(f"/history/{title}")
    page.locator(".history-row").last.locator("a.rev-time").click()
    expect(page.get_by_text("This is an old revision")).to_be_visible()
    expect(page.locator(".prose")).to_contain_text("We launch in spring.")
    page.get_by_role("link", name="Current version", exact=True).click()
    expect(page.locator(".prose")).to_contain_text("early summer")


def test_preview_and_show_changes_do_not_save(page):
    register(page, unique("previewer"))
    title = unique("Preview_")
    save_edit(page, title, "Hello world", "start")
    page.goto(f"/edit/{title}")
    page.get_by_label("Content").fill("Hello *brave* world")
    page.get_by_role("button", name="Preview").click()
    expect(page.locator(".preview em")).to_have_text("brave")
    expect(page.get_by_label("Content")).to_have_value("Hello *brave* world")
    page.get_by_role("button", name="Show changes").click()
    expect(page.locator(".changes .word-changed").first).to_be_visible()
    page.goto(f"/wiki/{title}")
    expect(page.locator(".prose")).to_have_text("Hello world")


def test_red_link_leads_to_creating_the_page(page):
    register(page, unique("linker"))
    title = unique("Hub_")
    target = unique("Target ")
    save_edit(page, title, f"See [[{target}]].", "link")
    red = page.locator("a.wikilink.new")
    expect(red).to_have_text(target)
    red.click()
    page.get_by_role("link", name="Create this page").click()
    page.get_by_label("Content").fill("Now it exists.")
    page.get_by_role("button", name="Save").click()
    page.goto(f"/wiki/{title}")
    expect(page.locator("a.wikilink")).not_to_have_class(re.compile(r"\bnew\b"))


def test_typing_before_the_editor_scripts_run_keeps_the_focus(page):
    """Someone who taps the text and types before the editor's scripts ran (a slow phone)
    kept typing into nothing: the script moving the text box beside its preview took the
    focus away (and a fill under load lost the whole text, a flaky test found)."""
    register(page, unique("early"))
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    held = []
    page.route(re.compile(r"/static/js/toolbar\.js(\?|$)"), lambda route: held.append(route))
    page.goto(f"/edit/{unique('Early_')}", wait_until="commit")
    text = page.get_by_label("Content")
    text.click()
    page.keyboard.type("Typed early. ")
    for _ in range(750):  # 15 s at most
        if held:
            break
        page.wait_for_timeout(20)
    held[0].continue_()
    expect(page.locator(".live-toolbar")).to_have_count(1)
    page.keyboard.type("Typed later.")
    expect(text).to_have_value("Typed early. Typed later.")


def test_the_next_page_is_drawn_without_asking_again_for_stylesheets_and_scripts(page):
    """Each file's address names its content: the browser keeps it, and a reader's next
    page costs one request, not one more for every stylesheet and script."""
    page.goto("/login")
    expect(page.get_by_role("button", name="Log in")).to_be_visible()
    assert all(size > 0 for _name, size in static_files_loaded(page))  # the first time
    page.goto("/register")
    expect(page.get_by_role("button", name="Create account")).to_be_visible()
    loaded = static_files_loaded(page)
    assert any(name.endswith("/static/css/bottega.css") for name, _size in loaded)
    assert [name for name, size in loaded if size > 0] == []  # all from the browser's cache


def static_files_loaded(page) -> list[tuple[str, int]]:
    """Return the page's stylesheets and scripts with the bytes each took from the network
    (0: the browser had it), as the page's own performance timeline records them. (Not the
    icon: Chromium asks for it again whatever the cache says.)"""
    return page.evaluate(
        r"""() => performance.getEntriesByType("resource")
            .filter((entry) => /^\/static\/.*\.(css|js)$/.test(new URL(entry.name).pathname))
            .map((entry) => [new URL(entry.name).pathname, entry.transferSize])"""
    )
