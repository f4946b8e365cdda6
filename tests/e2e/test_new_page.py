"""Starting a page in Chromium: "New page" in the menu, from a search that found nothing,
and from a category whose pages start from a template."""

import re
from datetime import UTC, datetime

from playwright.sync_api import expect

from tests.e2e.helpers import register, save_edit, unique
from tests.helpers import PASSWORD

PHONE = {"width": 390, "height": 844}


def test_new_page_from_the_menu_on_a_phone_asks_for_a_title_then_opens_the_editor(
    new_page,
):
    page = new_page()
    page.set_viewport_size(PHONE)
    register(page, unique("starter"))
    expect(page.get_by_role("button", name="Log out")).to_be_hidden()  # folded in the menu
    page.get_by_role("button", name="Menu").click()
    page.get_by_role("link", name="New page").click()
    expect(page.get_by_role("heading", name="New page")).to_be_visible()

    title = page.get_by_label("Title")
    title.fill("Plans [draft]")
    page.get_by_role("button", name="Open the editor").click()
    expect(page.get_by_role("alert")).to_be_visible()
    expect(title).to_have_value("Plans [draft]")  # what was typed is kept
    expect(title).to_have_attribute("aria-invalid", "true")

    name = unique("Autumn launch ")
    title.fill(name)
    page.get_by_role("button", name="Open the editor").click()
    expect(page).to_have_url(re.compile(rf"/edit/{name.replace(' ', '_')}$"))
    page.get_by_label("Content").fill("# Autumn\n\nWe launch in October.\n")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".prose h1")).to_have_text(re.compile("Autumn"))

    page.goto("/new")
    page.get_by_label("Title").fill(name.lower())
    page.get_by_role("button", name="Open the editor").click()
    expect(page.get_by_role("status").filter(has_text="already exists")).to_be_visible()
    page.get_by_role("link", name=name, exact=True).click()
    expect(page.locator(".prose")).to_contain_text("We launch in October.")


def test_a_visitor_searching_for_a_missing_page_logs_in_and_lands_in_its_editor(new_page):
    writer = new_page()
    name = unique("finder")
    register(writer, name)
    visitor = new_page()
    query = unique("xyzzyqq")
    visitor.goto(f"/search?q={query}")
    visitor.get_by_role("link", name=re.compile(rf"Log in to create .*{query}")).click()
    visitor.get_by_label("Username").fill(name)
    visitor.get_by_label("Password").fill(PASSWORD)
    visitor.get_by_role("button", name="Log in").click()
    expect(visitor).to_have_url(re.compile(rf"/edit/{query}$"))
    expect(visitor.get_by_label("Content")).to_be_visible()


def test_a_category_leads_to_a_new_page_started_from_its_template(page):
    register(page, unique("planner"))
    category = unique("Launches")
    template = unique("Launch brief ")
    save_edit(page, f"Category:{category}", "Every launch. Start one from the launch brief.")
    save_edit(page, f"Template:{template}", f"## Goal\n\n## Dates\n\n[[Category:{category}]]")

    page.goto(f"/wiki/Category:{category}")
    page.get_by_role("link", name=re.compile(rf"New page from the .*{template}")).click()
    expect(page.get_by_label("Start from")).to_have_value(f"Template:{template}")
    name = unique("Winter launch ")
    page.get_by_label("Title").fill(name)
    page.get_by_role("button", name="Open the editor").click()
    expect(page.get_by_label("Content")).to_have_value(re.compile("## Goal"))
    page.get_by_role("button", name="Save").click()
    page.goto(f"/wiki/Category:{category}")
    members = page.locator(".category-members")
    expect(members.get_by_role("link", name=name, exact=True)).to_be_visible()


def test_a_new_pages_editor_has_the_formatting_tools_and_the_preview_beside_it(page):
    page.set_viewport_size({"width": 1280, "height": 900})
    register(page, unique("former"))
    page.goto(f"/edit/{unique('Toolbox ')}")
    box = page.get_by_label("Content")
    box.fill("word")
    box.select_text()
    page.keyboard.press("Control+b")
    expect(box).to_have_value("**word**")
    tools = page.get_by_role("toolbar", name="Formatting")
    tools.get_by_role("button", name="Link to a page").click()
    expect(box).to_have_value("**[[word]]**")
    page.keyboard.press("Control+z")
    expect(box).to_have_value("**word**")  # each tool is one step of the browser's undo
    box.press("End")
    tools.get_by_role("button", name="Heading", exact=True).click()
    expect(box).to_have_value("## **word**")
    box.press("End")
    box.press_sequentially("\n\nSee [[Elsewhere]].")
    preview = page.get_by_role("region", name="Preview")
    expect(preview.locator("h2 strong")).to_have_text("word")
    expect(preview.locator("a.wikilink")).to_have_text("Elsewhere")
    box.focus()
    page.keyboard.press("Tab")  # on to the form's fields, not through the preview's links
    assert page.evaluate("() => !document.activeElement.closest('.live-preview')")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".prose h2 strong")).to_have_text("word")


def test_a_new_pages_editor_on_a_phone_has_the_tools_but_no_preview_beside_the_text(page):
    page.set_viewport_size(PHONE)
    register(page, unique("thumbs"))
    page.goto(f"/edit/{unique('Pocket ')}")
    box = page.get_by_label("Content")
    box.fill("one\ntwo")
    box.select_text()
    page.get_by_role("toolbar", name="Formatting").get_by_role(
        "button", name="Bulleted list"
    ).click()
    expect(box).to_have_value("- one\n- two")
    expect(page.locator(".live-preview")).to_be_hidden()


def test_the_table_tool_makes_a_table_under_a_line_of_text(page):
    page.set_viewport_size({"width": 1280, "height": 900})
    register(page, unique("tabler"))
    page.goto(f"/edit/{unique('Plans ')}")
    box = page.get_by_label("Content")
    box.fill("Our plans:\n")
    box.press("Control+End")
    page.get_by_role("button", name="Table").click()
    expect(box).to_have_value(re.compile(r"^Our plans:\n\n\| Column \| Column \|"))
    expect(page.get_by_role("region", name="Preview").locator("table")).to_be_visible()


def test_after_the_table_tool_the_heading_is_typed_and_what_follows_is_not_a_row(page):
    page.set_viewport_size({"width": 1280, "height": 900})
    register(page, unique("tabler"))
    page.goto(f"/edit/{unique('Plans ')}")
    box = page.get_by_label("Content")
    box.fill("Our plans:")
    box.press("Control+End")  # at the end of a line of text
    page.get_by_role("button", name="Table").click()
    page.keyboard.type("Launch")  # the first heading is selected: typing replaces it
    box.press("Control+End")  # under the table, after a blank line
    box.press_sequentially("See [[Dates]].")
    table = "| Launch | Column |\n| --- | --- |\n| | |"
    expect(box).to_have_value(f"Our plans:\n\n{table}\n\nSee [[Dates]].")
    preview = page.get_by_role("region", name="Preview")
    expect(preview.locator("table th").first).to_have_text("Launch")
    expect(preview.locator("p a.wikilink")).to_have_text("Dates")
    expect(preview.locator("table")).not_to_contain_text("Dates")
    # Over a line with text below it, the table is set apart from that line too.
    box.fill("Intro\n\nMore.")
    box.evaluate("e => e.setSelectionRange(0, 0)")
    page.get_by_role("button", name="Table").click()
    expect(box).to_have_value(f"Intro\n\n{table.replace('Launch', 'Column')}\n\nMore.")


def test_a_line_tool_puts_the_caret_after_its_mark_and_keeps_its_place_in_the_text(page):
    register(page, unique("marker"))
    page.goto(f"/edit/{unique('Marks ')}")
    box = page.get_by_label("Content")
    tools = page.get_by_role("toolbar", name="Formatting")
    box.fill("Intro\n\n")
    box.press("Control+End")  # an empty line: what is typed next is the item
    tools.get_by_role("button", name="Bulleted list").click()
    box.press_sequentially("XY")
    expect(box).to_have_value("Intro\n\n- XY")
    box.press("ArrowLeft")  # in the text: the caret stays between X and Y
    tools.get_by_role("button", name="Heading", exact=True).click()
    box.press_sequentially("-")
    expect(box).to_have_value("Intro\n\n## X-Y")


def test_the_tools_put_in_words_in_the_pages_language(page):
    register(page, unique("scrittore"))
    page.context.set_extra_http_headers({"Accept-Language": "it"})
    page.goto(f"/edit/{unique('Piani ')}")
    box = page.locator("textarea[name=text]")
    tools = page.get_by_role("toolbar")
    tools.get_by_role("button", name="Collegamento a una pagina").click()
    expect(box).to_have_value("[[Pagina]]")  # "Page", in Italian


def test_the_formatting_toolbar_is_one_tab_stop_with_arrow_keys_inside(page):
    register(page, unique("keys"))
    page.goto(f"/edit/{unique('Keyboard ')}")
    tools = page.get_by_role("toolbar", name="Formatting")
    tools.get_by_role("button", name="Heading", exact=True).focus()
    page.keyboard.press("ArrowRight")
    expect(tools.get_by_role("button", name="Subheading")).to_be_focused()
    page.keyboard.press("End")
    expect(tools.get_by_role("button", name="Image")).to_be_focused()
    page.keyboard.press("Tab")  # out of the toolbar at once, on to the text
    expect(page.get_by_label("Content")).to_be_focused()
    page.keyboard.press("Shift+Tab")  # back to the button last used, the only stop
    expect(tools.get_by_role("button", name="Image")).to_be_focused()
    assert tools.locator("button[tabindex='0']").count() == 1


def test_the_preview_beside_the_text_shows_the_page_as_the_editor_opens(page):
    """No pause in typing is waited for first: with the page's timers stopped, the preview
    of the text the editor opened with is there."""
    register(page, unique("reader"))
    title = unique("Opening_")
    save_edit(page, title, "# Autumn plan\n\nWe start in [[September]], not ~~August~~.\n")
    expect(page.locator(".prose del")).to_have_text("August")  # struck through
    page.set_viewport_size({"width": 1280, "height": 800})
    # The page's clock stands still: no timer fires, only what runs at once can fill it.
    page.clock.install(time=datetime(2026, 1, 1, tzinfo=UTC))
    page.clock.pause_at(datetime(2026, 1, 2, tzinfo=UTC))
    page.goto(f"/edit/{title}")
    preview = page.get_by_role("region", name="Preview")
    expect(preview.locator("h1")).to_contain_text("Autumn plan")
    expect(preview.locator("a.wikilink")).to_have_text("September")
    expect(preview.locator("del")).to_have_text("August")
