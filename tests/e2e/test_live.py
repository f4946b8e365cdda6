"""Live co-editing in real browsers: several people type in one page and end with one text."""

import base64
import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests import file_samples as samples
from tests.e2e.helpers import log_in, make_account, save_edit, serve, unique
from tests.helpers import add_user
from wiki.extensions import db
from wiki.live.models import RevisionCoauthor
from wiki.models import Draft, Page, Revision, Role, User
from wiki.review.settings import save_settings


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """Serve a fresh wiki for this module; yield its base URL and app."""
    with serve(tmp_path_factory.mktemp("live-editing"), LIVE_EDITING=True) as found:
        yield found


@pytest.fixture(scope="module")
def live_server(served):
    return served[0]


def open_editor(new_page, app, title: str):
    """Log a new editor in, in their own browser context, and open the live editor."""
    name = make_account(app)
    tab = new_page()
    log_in(tab, name)
    tab.goto(f"/edit/{title}")
    content = tab.get_by_role("textbox", name="Content")
    expect(content).to_have_attribute("contenteditable", "true")
    return name, tab, content


def typing_left_for_later(new_page, app, title: str, typed: str):
    """Have a new editor type at the end of the page's text, then Cancel and keep it for
    later (it stays in the shared draft); return their name and tab."""
    name, tab, box = open_editor(new_page, app, title)
    box.click()
    tab.keyboard.press("Control+End")
    tab.keyboard.type(typed)
    tab.get_by_role("link", name="Cancel").click()
    tab.get_by_role("button", name="Keep for later").click()
    tab.wait_for_url(re.compile(r"/wiki/"))
    return name, tab


def text_of(tab) -> str:
    """Return the text the live editor shows."""
    return tab.evaluate("window.bottegaLiveEditor.view.state.doc.toString()")


def page_saved(new_page, app, name: str, text: str) -> str:
    """Have a new editor save a page with this text in their own tab; return its title."""
    editor = make_account(app)
    first = new_page()
    log_in(first, editor)
    title = unique(name)
    save_edit(first, title, text)
    return title


def test_three_people_type_at_once_and_end_with_one_text_credited_to_all(served, new_page):
    url, app = served
    title = page_saved(new_page, app, "Launch", "Intro.\n\nBody.\n")
    people = [open_editor(new_page, app, title) for _ in range(3)]
    (giulia, g_tab, g_box), (marco, m_tab, m_box), (sara, s_tab, s_box) = people
    # Each sees the others by name.
    expect(g_tab.locator(".live-people")).to_contain_text(marco)
    expect(g_tab.locator(".live-people")).to_contain_text(sara)
    expect(m_tab.locator(".live-people")).to_contain_text(giulia)

    typed = {g_tab: " Giulia: caffè ☕", m_tab: " Marco: 日本語 😀", s_tab: " Sara: perché"}
    for tab, box in ((g_tab, g_box), (m_tab, m_box), (s_tab, s_box)):
        box.click()
        tab.keyboard.press("Control+Home")
        tab.keyboard.press("End")  # the end of "Intro.": the same place for everyone
    for round_ in range(3):  # interleave the typing of all three
        for tab in typed:
            chunk = typed[tab][round_ * 6 : (round_ + 1) * 6] if round_ < 2 else typed[tab][12:]
            tab.keyboard.type(chunk)
    for chunk in typed.values():
        for tab in typed:
            expect_contains(tab, chunk)
    final = text_of(g_tab)
    for tab in typed:
        expect_same(tab, final)
    for chunk in typed.values():
        assert chunk in final
    assert final.endswith("\n\nBody.\n")

    # Giulia saves: one revision, by her, with Marco and Sara as co-authors.
    g_tab.get_by_label("Edit summary").fill("Launch copy, together")
    g_tab.get_by_role("button", name="Save", exact=True).click()
    g_tab.wait_for_url(re.compile(r"/wiki/"))
    expect(m_tab.locator(".live-status")).to_contain_text(f"{giulia} saved this as revision")
    with app.app_context():
        page = db.session.scalar(select(Page).where(Page.title == title))
        revision = db.session.get(Revision, page.latest_revision_id)
        assert revision.text == final and revision.author.username == giulia
        coauthors = set(
            db.session.scalars(
                select(RevisionCoauthor.user_id).where(RevisionCoauthor.revision_id == revision.id)
            )
        )
        assert len(coauthors) == 2
    history = m_tab.context.new_page()
    history.goto(f"{url}/history/{title}")
    row = history.locator(".coauthors").first
    expect(row).to_contain_text(marco)
    expect(row).to_contain_text(sara)
    # Marco keeps typing after the save; it is kept in the live draft.
    m_box.click()
    m_tab.keyboard.press("Control+End")
    m_tab.keyboard.type("After the save.")
    expect_contains(s_tab, "After the save.")


def test_the_edit_summary_is_shared_kept_and_cleared_by_a_save(served, new_page):
    _url, app = served
    title = page_saved(new_page, app, "Summary", "Start.")
    (_a, a_tab, a_box), (_b, b_tab, _b_box) = [open_editor(new_page, app, title) for _ in range(2)]
    a_box.click()
    a_tab.keyboard.press("Control+End")
    a_tab.keyboard.type(" More.")
    a_tab.get_by_label("Edit summary").click()
    a_tab.keyboard.type("Say more")
    expect(b_tab.get_by_label("Edit summary")).to_have_value("Say more")
    # Closing the tab or reloading keeps it with the live draft.
    a_tab.reload()
    expect(a_tab.get_by_role("textbox", name="Content")).to_have_attribute(
        "contenteditable", "true"
    )
    expect(a_tab.get_by_label("Edit summary")).to_have_value("Say more")
    a_tab.get_by_role("button", name="Save", exact=True).click()
    a_tab.wait_for_url(re.compile(r"/wiki/"))
    with app.app_context():
        page = db.session.scalar(select(Page).where(Page.title == title))
        assert db.session.get(Revision, page.latest_revision_id).summary == "Say more"
    # The next edit starts with an empty summary, here and for whoever is still editing.
    expect(b_tab.get_by_label("Edit summary")).to_have_value("")
    a_tab.goto(f"/edit/{title}")
    expect(a_tab.get_by_role("textbox", name="Content")).to_have_attribute(
        "contenteditable", "true"
    )
    expect_same(a_tab, "Start. More.")
    expect(a_tab.get_by_label("Edit summary")).to_have_value("")


def test_typing_offline_converges_after_reconnecting(served, new_page):
    _url, app = served
    title = page_saved(new_page, app, "Offline", "Start.\n")
    (_a, a_tab, a_box), (_b, b_tab, b_box) = [open_editor(new_page, app, title) for _ in range(2)]
    a_tab.context.set_offline(True)
    a_box.click()
    a_tab.keyboard.press("Control+End")
    a_tab.keyboard.type("Typed offline. ")
    b_box.click()
    b_tab.keyboard.press("Control+Home")
    b_tab.keyboard.type("Typed online. ")
    expect(a_tab.locator(".live-status")).to_contain_text("Connection lost")
    # Offline long enough for the editor to try reconnecting and fail a few times (its
    # longest wait between tries is 2.5 s), typing on.
    a_tab.wait_for_timeout(6000)
    a_tab.context.set_offline(False)
    expect_contains(b_tab, "Typed offline. ")
    expect_contains(a_tab, "Typed online. ")
    expect_same(a_tab, text_of(b_tab))


def test_save_while_offline_keeps_the_text_and_saves_it_once_back(served, new_page):
    _url, app = served
    title = page_saved(new_page, app, "Offline save", "Start.\n")
    _name, tab, box = open_editor(new_page, app, title)
    tab.context.set_offline(True)
    box.click()
    tab.keyboard.press("Control+End")
    tab.keyboard.type("Typed offline.")
    expect(tab.locator(".live-status")).to_contain_text("Connection lost")
    tab.get_by_role("button", name="Save", exact=True).click()
    # Not sent to a page the browser cannot load: the text stays, and the editor says why.
    expect(tab.locator(".live-status")).to_contain_text("You are offline")
    assert "/edit/" in tab.url and "Typed offline." in text_of(tab)
    tab.context.set_offline(False)
    expect(tab.locator(".live-status")).to_contain_text("Connected")
    tab.get_by_role("button", name="Save", exact=True).click()
    expect(tab.locator(".prose")).to_contain_text("Typed offline.")


def test_a_change_making_the_text_too_large_is_refused_with_a_message(served, new_page):
    _url, app = served
    title = page_saved(new_page, app, "Huge", "Start.\n")
    (_a, a_tab, a_box), (_b, b_tab, _b_box) = [open_editor(new_page, app, title) for _ in range(2)]
    limit = app.config["MAX_PAGE_BYTES"]
    a_tab.evaluate(
        "size => window.bottegaLiveEditor.insert('lorem '.repeat(Math.ceil(size / 6) + 10))",
        limit,
    )
    expect(a_tab.locator(".live-status")).to_contain_text("The text is too large")
    assert text_of(a_tab) == "Start.\n"  # as it was: a field's length limit
    # The editor goes on working and sharing.
    a_box.click()
    a_tab.keyboard.press("Control+End")
    a_tab.keyboard.type("Shorter.")
    expect_same(b_tab, "Start.\nShorter.")


def test_tab_leaves_the_editor_for_the_summary_and_the_focus_ring_shows(served, new_page):
    _url, app = served
    title = page_saved(new_page, app, "Keyboard", "Start.\n")
    _name, tab, box = open_editor(new_page, app, title)
    box.focus()
    tab.keyboard.type("Typed. ")
    ring = box.evaluate("e => getComputedStyle(e.closest('.cm-editor')).outlineStyle")
    assert ring == "solid"  # the wiki's focus ring, not a thin dotted line
    tab.keyboard.press("Tab")
    inside = tab.evaluate("() => !!document.activeElement.closest('.cm-editor')")
    assert not inside, "Tab stayed in the editor"
    assert "\t" not in text_of(tab)


def test_the_editor_keeps_its_tools_and_the_classic_form_without_javascript(served, browser):
    url, app = served
    name = make_account(app)
    context = browser.new_context(base_url=url, java_script_enabled=False)
    try:
        tab = context.new_page()
        tab.goto("/login")
        tab.get_by_label("Username").fill(name)
        tab.get_by_label("Password").fill("correct horse battery")
        tab.get_by_role("button", name="Log in").click()
        title = unique("Classic")
        tab.goto(f"/edit/{title}")
        tab.get_by_label("Content").fill("Made without JavaScript.")
        tab.get_by_role("button", name="Save", exact=True).click()
        expect(tab.locator(".prose")).to_contain_text("Made without JavaScript.")
        tab.goto(f"/edit/{title}")
        expect(tab.locator("textarea[name=text]")).to_have_value("Made without JavaScript.")
    finally:
        context.close()


def test_toolbar_and_shortcuts_format_the_selection(served, new_page):
    _url, app = served
    title = page_saved(new_page, app, "Tools", "word")
    _name, tab, box = open_editor(new_page, app, title)
    box.click()
    tab.keyboard.press("Control+a")
    tab.keyboard.press("Control+b")
    expect_contains(tab, "**word**")
    tab.get_by_role("button", name="Link to a page").click()
    expect_contains(tab, "**[[word]]**")
    tab.keyboard.press("Control+z")
    tab.keyboard.press("Control+z")
    expect_same(tab, "word")


@pytest.mark.parametrize(
    "tool,mark", [("Bulleted list", "- "), ("Heading", "## "), ("Subheading", "### ")]
)
def test_a_line_tool_puts_the_caret_after_its_mark(served, new_page, tool, mark):
    _url, app = served
    title = page_saved(new_page, app, "Marks", "Intro")
    _name, tab, box = open_editor(new_page, app, title)
    box.click()
    tab.keyboard.press("Control+End")
    tab.keyboard.press("Enter")
    tab.keyboard.press("Enter")  # an empty line: what is typed next is the item or heading
    tab.get_by_role("button", name=tool, exact=True).click()
    tab.keyboard.type("XY")
    expect_same(tab, f"Intro\n\n{mark}XY")
    # On a line with text the caret keeps its place in the text, shifted by the mark.
    tab.keyboard.press("ArrowLeft")
    tab.get_by_role("button", name="Heading", exact=True).click()
    tab.keyboard.type("-")
    expect_same(tab, "Intro\n\n## X-Y")


def test_the_table_tool_makes_a_table_of_its_own_whose_first_heading_is_typed(served, new_page):
    _url, app = served
    title = page_saved(new_page, app, "Tables", "Our plans:")
    _name, tab, box = open_editor(new_page, app, title)
    box.click()
    tab.keyboard.press("Control+End")
    tab.keyboard.press("Enter")  # on an empty line just under the text
    tab.get_by_role("button", name="Table").click()
    expect_same(tab, "Our plans:\n\n| Column | Column |\n| --- | --- |\n| | |\n\n")
    tab.keyboard.type("Launch")  # the first heading is selected: typing replaces it
    tab.keyboard.press("Control+End")  # under the table, after a blank line
    tab.keyboard.type("After the table.")
    expect_same(tab, "Our plans:\n\n| Launch | Column |\n| --- | --- |\n| | |\n\nAfter the table.")
    preview = tab.locator(".live-preview")
    expect(preview.locator("table th").first).to_have_text("Launch")
    expect(preview.locator("p").last).to_have_text("After the table.")
    expect(preview.locator("table")).not_to_contain_text("After")


def test_the_tools_put_in_words_in_the_editors_language(served, new_page):
    _url, app = served
    title = page_saved(new_page, app, "Parole", "Testo")
    _name, tab, _box = open_editor(new_page, app, title)
    tab.context.set_extra_http_headers({"Accept-Language": "it"})
    tab.reload()
    box = tab.get_by_role("textbox", name="Contenuto")
    expect(box).to_have_attribute("contenteditable", "true")
    box.click()
    tab.keyboard.press("Control+End")
    tab.keyboard.press("Enter")
    tab.locator(".live-tool-wikilink").click()  # "Collegamento a una pagina"
    expect_same(tab, "Testo\n[[Pagina]]")


#: Markdown with every kind of mark the editor colours: headings, links and addresses,
#: titles, escapes, entities, code, a rule, a quote, inline HTML and a comment.
COLOURED = (
    "# Launch\n\n"
    '![the studio](File:studio-pro.png "Our studio") and [[Pricing]], **bold**, _em_, '
    "`code`, \\*not emphasis\\* &amp; <https://example.com>\n\n"
    "- an item\n\n> a quote\n\n---\n\n"
    "```python\nprint('hi')\n```\n\n"
    '<b class="note">tag</b> <!-- a comment -->\n'
)


def test_in_dark_mode_the_editors_text_caret_and_selection_are_readable(served, new_page):
    _url, app = served
    title = page_saved(new_page, app, "Dark", COLOURED)
    tab = new_page()
    tab.emulate_media(color_scheme="dark")
    log_in(tab, make_account(app))
    tab.goto(f"/edit/{title}")
    box = tab.get_by_role("textbox", name="Content")
    expect(box).to_have_attribute("contenteditable", "true")
    box.click()
    tab.keyboard.press("Control+Home")
    tab.keyboard.press("Shift+End")  # "# Launch" selected
    # CodeMirror draws the caret and the selection in a layer of their own, a frame later.
    expect(tab.locator(".cm-editor .cm-cursor").first).to_be_attached()
    expect(tab.locator(".cm-editor .cm-selectionBackground").first).to_be_attached()
    shown = tab.evaluate(
        """() => {
          const editor = document.querySelector('.cm-editor');
          const colour = (e, p) => getComputedStyle(e)[p];
          const spans = [...editor.querySelectorAll('.cm-line span')]
            .filter(e => e.textContent.trim());
          return {
            background: colour(editor, 'backgroundColor'),
            text: colour(editor, 'color'),
            spans: spans.map(e => [e.textContent, colour(e, 'color')]),
            caret: colour(editor.querySelector('.cm-cursor'), 'borderLeftColor'),
            selection: colour(editor.querySelector('.cm-selectionBackground'), 'backgroundColor'),
          };
        }"""
    )
    background = shown["background"]
    assert luminance(background) < 0.05  # the dark theme, or this test shows nothing
    marks = {text for text, _ in shown["spans"]}
    assert {"File:studio-pro.png", "#", "**", "&amp;", "python"} <= marks
    for text, colour in shown["spans"]:
        assert contrast(colour, background) >= 4.5, f"{text!r} is {colour} on {background}"
    assert contrast(shown["caret"], background) >= 3
    assert contrast(shown["text"], shown["selection"]) >= 4.5


def luminance(colour: str) -> float:
    """Return the relative luminance (WCAG) of a CSS rgb()/rgba() colour."""
    channels = [int(float(n)) / 255 for n in re.findall(r"[\d.]+", colour)[:3]]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(one: str, other: str) -> float:
    """Return the contrast ratio (WCAG) of two CSS colours."""
    lighter, darker = sorted((luminance(one), luminance(other)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def test_preview_and_show_changes_keep_the_live_text(served, new_page):
    _url, app = served
    title = page_saved(new_page, app, "Preview", "Start.")
    _name, tab, box = open_editor(new_page, app, title)
    box.click()
    tab.keyboard.press("Control+End")
    tab.keyboard.type(" Added live.")
    tab.get_by_role("button", name="Preview").click()
    expect(tab.locator(".preview .prose")).to_contain_text("Start. Added live.")
    expect(tab.get_by_role("textbox", name="Content")).to_have_attribute("contenteditable", "true")
    expect_same(tab, "Start. Added live.")
    tab.get_by_role("button", name="Show changes").click()
    expect(tab.locator(".changes")).to_contain_text("Added live.")
    with app.app_context():
        page = db.session.scalar(select(Page).where(Page.title == title))
        assert db.session.get(Revision, page.latest_revision_id).text == "Start."


def test_a_preview_beside_the_text_follows_the_typing(served, new_page):
    _url, app = served
    title = page_saved(new_page, app, "Side", "Start.")
    _name, tab, box = open_editor(new_page, app, title)
    box.click()
    tab.keyboard.press("Control+End")
    tab.keyboard.type("\n\n## A heading typed live\n\nSee [[Start]] and [[Side]].")
    expect(tab.locator(".live-preview h2")).to_contain_text("A heading typed live")
    expect(tab.locator(".live-preview a.wikilink")).to_have_count(2)
    # Tab goes on from the text past the preview's links, to the fields of the form.
    box.focus()
    tab.keyboard.press("Tab")
    assert tab.evaluate("() => !document.activeElement.closest('.live-preview, .cm-editor')")


def test_typing_double_brackets_offers_page_titles(served, new_page):
    _url, app = served
    editor = make_account(app)
    first = new_page()
    log_in(first, editor)
    target = unique("Pricing")
    save_edit(first, target, "Our prices.")
    title = unique("Links")
    save_edit(first, title, "See ")
    _name, tab, box = open_editor(new_page, app, title)
    box.click()
    tab.keyboard.press("Control+End")
    tab.keyboard.type("[[" + target[:9])
    option = tab.get_by_role("option", name=target)
    expect(option).to_be_visible()
    option.click()
    expect_contains(tab, f"[[{target}]]")
    assert text_of(tab).count("]]") == 1


def test_typing_at_offers_account_names_to_mention(served, new_page):
    _url, app = served
    with app.app_context():
        add_user("giulia")
    title = page_saved(new_page, app, "Mentions", "Thanks")
    _name, tab, box = open_editor(new_page, app, title)
    box.click()
    tab.keyboard.press("Control+End")
    tab.keyboard.type(" @gi")
    option = tab.get_by_role("option", name="giulia")
    expect(option).to_be_visible()
    # CodeMirror ignores Enter for 75 ms after the list opens, so that someone typing fast
    # gets the new line they meant; a person reads the name first, and so does the test.
    tab.wait_for_timeout(400)
    tab.keyboard.press("Enter")
    expect_contains(tab, "Thanks @giulia")
    tab.keyboard.type("and @GI")
    option = tab.get_by_role("option", name="giulia")
    expect(option).to_be_visible()
    option.click()
    expect_same(tab, "Thanks @giulia and @giulia ")


def test_on_a_phone_the_suggested_names_are_rows_a_finger_can_pick(served, new_page):
    _url, app = served
    name = unique("phonebook")
    with app.app_context():
        add_user(name)
    title = page_saved(new_page, app, "Phone", "Thanks")
    _name, tab, box = open_editor(new_page, app, title)
    tab.set_viewport_size({"width": 390, "height": 844})
    box.click()
    tab.keyboard.press("Control+End")
    tab.keyboard.type(" @" + name[:7])
    option = tab.get_by_role("option", name=name)
    expect(option).to_be_visible()
    assert option.bounding_box()["height"] >= 40


def test_cancel_offers_to_discard_your_own_unsaved_changes(served, new_page):
    _url, app = served
    title = page_saved(new_page, app, "FAQ", "# FAQ\n")
    _bob, b_tab, b_box = open_editor(new_page, app, title)
    b_box.click()
    b_tab.keyboard.press("Control+End")
    b_tab.keyboard.type("## New question")
    b_tab.get_by_role("link", name="Cancel").click()
    question = b_tab.get_by_role("dialog", name="Discard your unsaved changes?")
    expect(question).to_be_visible()
    expect(question).to_contain_text("whoever opens the editor next finds them")
    question.get_by_role("button", name="Discard", exact=True).click()
    b_tab.wait_for_url(re.compile(r"/wiki/"))
    expect(b_tab.locator(".flash")).to_contain_text("The unsaved changes were discarded.")
    expect_next_editor_finds(new_page, app, title, "# FAQ\n")


def test_changes_left_behind_say_whose_they_are_and_anyone_can_discard_them(served, new_page):
    _url, app = served
    title = page_saved(new_page, app, "FAQ", "# FAQ\n")
    bob, b_tab = typing_left_for_later(new_page, app, title, "## New question")

    carla, c_tab, _c_box = open_editor(new_page, app, title)
    expect_same(c_tab, "# FAQ\n## New question")
    notice = c_tab.locator(".live-draft")
    expect(notice).to_contain_text(f"Unsaved changes by {bob}, ")
    expect(notice).to_contain_text(" ago.")
    # Review is off on this wiki: saving them waits for nothing, and the notice says none.
    expect(notice).to_contain_text("Saving includes them in your edit; “Show changes”")
    expect(notice).not_to_contain_text("review")
    c_tab.get_by_role("button", name="Show changes").click()
    heading = c_tab.locator("#changes-title")
    expect(heading).to_have_text("Unsaved changes in this draft")
    expect(c_tab.locator(".changes")).to_contain_text("New question")

    dave, d_tab, _d_box = open_editor(new_page, app, title)  # editing when carla discards
    expect(c_tab.locator(".live-people")).to_contain_text(dave)
    # The editor's "Save" stays the one button a tool finds by that name (the contract).
    expect(c_tab.get_by_role("button", name="Save")).to_have_count(1)
    c_tab.get_by_role("button", name="Discard the draft’s changes").click()
    question = c_tab.get_by_role("dialog", name="Discard the unsaved changes?")
    expect(question).to_contain_text("goes back to the saved version for everyone")
    expect(question).to_contain_text(f"A copy is kept as a personal draft for {bob}.")
    expect(question).to_contain_text(f"Editing now: {dave}.")
    question.get_by_role("button", name="Discard", exact=True).click()
    c_tab.wait_for_url(re.compile(r"/edit/"))
    expect(c_tab.locator(".flash").first).to_contain_text("The unsaved changes were discarded")
    expect_same(c_tab, "# FAQ\n")
    expect_same(d_tab, "# FAQ\n")
    expect(d_tab.locator(".live-status")).to_contain_text(f"{carla} discarded the unsaved changes")
    expect(c_tab.locator(".live-draft")).to_be_hidden()
    # Bob finds his text again as his own draft.
    b_tab.goto(f"/edit/{title}")
    expect(b_tab.get_by_text("You have an unsaved draft")).to_be_visible()


def test_cancel_alone_among_others_changes_asks_before_leaving_them_in_the_draft(served, new_page):
    _url, app = served
    title = page_saved(new_page, app, "FAQ", "# FAQ\n")
    bob, _b_tab = typing_left_for_later(new_page, app, title, "## Bob asks")

    _carla, c_tab, c_box = open_editor(new_page, app, title)
    expect_same(c_tab, "# FAQ\n## Bob asks")
    c_box.click()
    c_tab.keyboard.press("Control+End")
    c_tab.keyboard.type("\n## Carla asks")
    # Nobody else is editing: leaving would leave both people's typing for the next one.
    c_tab.get_by_role("link", name="Cancel").click()
    question = c_tab.get_by_role("dialog", name="Discard the unsaved changes?")
    expect(question).to_contain_text(f"A copy is kept as a personal draft for {bob}.")
    question.get_by_role("button", name="Keep for later").click()
    c_tab.wait_for_url(re.compile(r"/wiki/"))

    _dora, d_tab, d_box = open_editor(new_page, app, title)
    expect_same(d_tab, "# FAQ\n## Bob asks\n## Carla asks")
    d_box.click()
    d_tab.keyboard.press("Control+End")
    d_tab.keyboard.type("\n## Dora asks")
    d_tab.get_by_role("link", name="Cancel").click()
    question = d_tab.get_by_role("dialog", name="Discard the unsaved changes?")
    question.get_by_role("button", name="Discard", exact=True).click()
    d_tab.wait_for_url(re.compile(r"/wiki/"))  # discarded, she leaves as Cancel does
    expect(d_tab.locator(".flash").first).to_contain_text("The unsaved changes were discarded")
    expect_next_editor_finds(new_page, app, title, "# FAQ\n")


def test_cancel_is_a_plain_link_without_javascript(served, new_page, browser):
    url, app = served
    title = page_saved(new_page, app, "Plain", "Text.")
    context = browser.new_context(base_url=url, java_script_enabled=False)
    try:
        tab = context.new_page()
        log_in(tab, make_account(app))
        tab.goto(f"/edit/{title}")
        expect(tab.locator(".live-draft")).to_be_hidden()
        tab.get_by_role("link", name="Cancel").click()
        tab.wait_for_url(re.compile(f"/wiki/{title}$"))
        expect(tab.locator(".prose")).to_contain_text("Text.")
    finally:
        context.close()


PASTE_IMAGE = """([data]) => {
  const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
  const transfer = new DataTransfer();
  transfer.items.add(new File([bytes], "image.png", { type: "image/png" }));
  const content = document.querySelector(".cm-content");
  content.focus();
  const options = { clipboardData: transfer, bubbles: true, cancelable: true };
  content.dispatchEvent(new ClipboardEvent("paste", options));
}"""


def test_a_pasted_image_is_uploaded_and_its_markdown_shared(served, new_page):
    _url, app = served
    title = page_saved(new_page, app, "Pictures", "Before")
    (_a, a_tab, a_box), (_b, b_tab, _b_box) = [open_editor(new_page, app, title) for _ in range(2)]
    a_box.click()
    a_tab.keyboard.press("Control+End")
    a_tab.evaluate(PASTE_IMAGE, [base64.b64encode(samples.png(120, 80)).decode()])
    expect_contains(b_tab, "](File:")
    assert "\ufffd" not in text_of(b_tab)  # the bytes were uploaded, not read as text


def test_the_image_tool_adds_a_picture_from_the_device_for_everyone(served, new_page, tmp_path):
    _url, app = served
    title = page_saved(new_page, app, "Tool picture", "Before")
    (_a, a_tab, a_box), (_b, b_tab, _b_box) = [open_editor(new_page, app, title) for _ in range(2)]
    photo = tmp_path / "harbour.png"
    photo.write_bytes(samples.png(160, 90, (30, 90, 160)))
    a_box.click()
    a_tab.keyboard.press("Control+End")
    with a_tab.expect_file_chooser() as chosen:
        a_tab.get_by_role("button", name="Image").click()
    chosen.value.set_files(str(photo))
    expect_contains(b_tab, "](File:harbour")
    assert "File:name.png" not in text_of(a_tab)  # no placeholder to fill in by hand
    # Its description is selected in the uploader's editor: typing replaces it for everyone.
    a_tab.keyboard.type("The harbour at dawn")
    expect_contains(b_tab, "![The harbour at dawn](File:harbour")


CARET_TOP = """() => {
  const view = window.bottegaLiveEditor.view;
  const at = view.coordsAtPos(view.state.selection.main.head);
  return at ? at.top : -1;  // a line far out of view is not drawn at all
}"""


def test_a_picture_added_from_below_the_text_is_shown_where_it_went(served, new_page, tmp_path):
    """The picker sits under the text: with the caret at its start and the window scrolled
    down to the button, the inserted Markdown and its selected words come into view."""
    _url, app = served
    lines = "\n\n".join(f"Paragraph {n} of the coast guide." for n in range(60))
    title = page_saved(new_page, app, "Coast guide", lines)
    _name, tab, box = open_editor(new_page, app, title)
    box.click()
    tab.keyboard.press("Control+Home")
    button = tab.get_by_role("button", name="Add pictures or files…")
    button.scroll_into_view_if_needed()
    assert tab.evaluate(CARET_TOP) < 0  # the start of the text is above the window
    photo = tmp_path / "lighthouse.png"
    photo.write_bytes(samples.png(200, 120, (20, 60, 90)))
    with tab.expect_file_chooser() as chosen:
        button.click()
    chosen.value.set_files(str(photo))
    expect_contains(tab, "![lighthouse](File:lighthouse")
    tab.wait_for_function(f"() => ({CARET_TOP})() >= 0")
    assert tab.evaluate(CARET_TOP) <= tab.evaluate("window.innerHeight") - 20


def test_someone_blocked_while_editing_is_told_why_and_the_editor_stops(served, new_page):
    _url, app = served
    title = page_saved(new_page, app, "Blocked", "Start.")
    name, tab, box = open_editor(new_page, app, title)
    box.click()
    tab.keyboard.press("Control+End")
    tab.keyboard.type(" Mine.")
    reason = "Spam links again, after two warnings on the talk page — see the moderation log"
    person_id = block(app, name, reason)
    status = tab.locator(".live-status")
    expect(status).to_contain_text(reason)
    save = tab.get_by_role("button", name="Save", exact=True)
    expect(save).to_be_disabled()
    expect(tab.get_by_role("button", name="Add pictures or files…")).to_be_disabled()
    assert float(save.evaluate("b => getComputedStyle(b).opacity")) < 1  # and looks it
    expect(box).to_have_attribute("contenteditable", "false")
    # It stays said: no "connection lost" replaces it while the browser would retry.
    tab.wait_for_timeout(3000)
    expect(status).to_contain_text(reason)
    # Nobody else saves what they typed: it is set aside, kept as their personal draft.
    with app.app_context():
        kept = db.session.scalar(select(Draft).where(Draft.user_id == person_id))
        assert kept is not None and "Mine." in kept.text
    expect_next_editor_finds(new_page, app, title, "Start.")


def test_a_draft_shared_with_someone_blocked_says_so_to_the_next_editor(served, new_page):
    _url, app = served
    title = page_saved(new_page, app, "Shared draft", "Start.")
    (_a, a_tab, a_box), (b_name, b_tab, b_box) = [
        open_editor(new_page, app, title) for _ in range(2)
    ]
    a_box.click()
    a_tab.keyboard.press("Control+End")
    a_tab.keyboard.type(" Useful.")
    b_box.click()
    b_tab.keyboard.press("Control+Home")
    b_tab.keyboard.type("Spam. ")
    expect_same(a_tab, "Spam. Start. Useful.")
    a_tab.close()
    block(app, b_name, "Spam")
    expect(b_tab.locator(".live-status")).to_contain_text("Spam")
    _c, c_tab, _c_box = open_editor(new_page, app, title)
    notice = c_tab.locator(".live-draft")
    expect(notice).to_contain_text(f"{b_name} may no longer edit here (blocked)")
    expect_same(c_tab, "Spam. Start. Useful.")  # the other person's typing is not lost


def block(app, name: str, reason: str) -> int:
    """Have a new administrator block this person for a week; return their account's id."""
    from wiki.safety import accounts

    with app.app_context():
        admin = add_user(unique("warden"), role=Role.ADMIN)
        person = db.session.scalar(select(User).where(User.username == name))
        accounts.block_user(admin, person, reason, "1w")
        return person.id


def expect_next_editor_finds(new_page, app, title: str, text: str) -> None:
    """Open the editor as someone new: it holds text, and no notice of unsaved changes."""
    _name, tab, _box = open_editor(new_page, app, title)
    expect_same(tab, text)
    expect(tab.locator(".live-draft")).to_be_hidden()


def expect_contains(tab, chunk: str) -> None:
    """Wait until the tab's live editor holds chunk (once it is built)."""
    tab.wait_for_function(
        "chunk => window.bottegaLiveEditor?.view.state.doc.toString().includes(chunk)", arg=chunk
    )


def expect_same(tab, text: str) -> None:
    """Wait until the tab's live editor holds exactly text (once it is built)."""
    tab.wait_for_function(
        "text => window.bottegaLiveEditor?.view.state.doc.toString() === text", arg=text
    )


def test_changes_left_by_someone_and_you_are_said_so_in_one_sentence(served, new_page):
    """Not "by Bob and you" assembled from a list: in Italian that read "di Bob e te"."""
    _url, app = served
    title = page_saved(new_page, app, "Terms", "# Terms\n")
    bob, b_tab, b_box = open_editor(new_page, app, title)
    b_box.click()
    b_tab.keyboard.press("Control+End")
    b_tab.keyboard.type("\nBob's line.")
    b_tab.context.close()
    carla, c_tab, c_box = open_editor(new_page, app, title)
    expect_same(c_tab, "# Terms\n\nBob's line.")
    c_box.click()
    c_tab.keyboard.press("Control+End")
    c_tab.keyboard.type(" Carla's words.")
    expect_same(c_tab, "# Terms\n\nBob's line. Carla's words.")
    # The typing is in the shared draft already: carla comes back to it, reading Italian.
    c_tab.goto(f"/edit/{title}?lang=it")
    notice = c_tab.locator(".live-draft")
    expect(notice).to_contain_text(f"Modifiche non salvate di {bob} e tue, ")


def test_a_reviewer_publishes_a_newcomers_unsaved_typing_with_her_save(served, new_page):
    _url, app = served
    title = page_saved(new_page, app, "Offer", "# Offer\n")
    with app.app_context():
        admin_id = add_user(unique("admin"), Role.ADMIN).id
        save_settings(db.session.get(User, admin_id), "all", 0, 0)  # only reviewers' go out
    try:
        tom, _t_tab = typing_left_for_later(new_page, app, title, "Ten percent off this week.")

        # A moderator opens the editor, reads Tom's typing and publishes it with her save.
        mod = make_account(app, Role.MODERATOR)
        m_tab = new_page()
        log_in(m_tab, mod)
        m_tab.goto(f"/edit/{title}")
        expect_same(m_tab, "# Offer\nTen percent off this week.")
        expect(m_tab.locator(".live-draft")).to_contain_text(f"Unsaved changes by {tom}, ")
        vouch = m_tab.get_by_label("Publish their changes with my edit")
        vouch.check()
        m_tab.get_by_role("button", name="Save").click()
        m_tab.wait_for_url(re.compile(r"/wiki/"))

        visitor = new_page()
        visitor.goto(f"/wiki/{title}")
        expect(visitor.locator("#page-prose")).to_contain_text("Ten percent off this week.")
    finally:
        with app.app_context():
            save_settings(db.session.get(User, admin_id), "off", 0, 0)
