"""The layout on a 390 px phone, on a desktop and in dark mode: a compact top bar whose
links fold into a menu, page actions in a "More" menu, visible focus on text fields, and
no accessibility violations axe-core can find."""

import re

import pytest
from playwright.sync_api import expect

from tests import file_samples as samples
from tests.a11y.axe import axe_violations
from tests.e2e.helpers import make_account, serve, unique
from tests.helpers import PASSWORD, add_user, save, start_topic
from wiki.api.tokens import create_token
from wiki.core.titles import parse_title
from wiki.models import Role, User
from wiki.review.settings import set_page_policy

PHONE = {"width": 390, "height": 844}
TABLET = {"width": 768, "height": 1024}
DESKTOP = {"width": 1280, "height": 800}
#: As long as a title may be with no space in it (what a long file name makes too).
LONG_TITLE = "Spring" + "x" * 234


@pytest.fixture(scope="module")
def wiki(tmp_path_factory):
    """Serve a wiki with a page and an administrator; yield its URL, the admin's name, the app."""
    with serve(tmp_path_factory.mktemp("layout-live")) as (base, app):
        name = make_account(app, Role.ADMIN)
        with app.app_context():
            author = User.query.filter_by(username=name).one()
            save("Plan", "# Plan\n\nThe launch is on Monday.", author)
            save("Plan", "# Plan\n\nThe launch is on Tuesday.", author)
            for number in range(12):  # "Discussion (12)": the longest tab label
                start_topic("Plan", f"Question {number}", "Which day?", author)
            save(LONG_TITLE, "A title of one long word.", author)
            # A summary of one long word, as a vandal or a script may send one.
            save(
                LONG_TITLE, "A title of one long word, edited.", author, summary="Why" + "y" * 497
            )
            create_token(author, "Newsletter sync", ["edit", "talk"])
        yield base, name, app


@pytest.fixture(scope="module")
def served(wiki):
    """Return the served wiki's URL and its administrator's name."""
    return wiki[:2]


@pytest.fixture
def email_on(wiki):
    """Turn email on in the served wiki for one test (nothing is sent by looking)."""
    app = wiki[2]
    app.config["MAIL_SERVER"] = "127.0.0.1"
    yield
    app.config["MAIL_SERVER"] = ""


@pytest.fixture
def tab(browser, served):
    """Return a factory of logged-in tabs: tab(viewport, scheme)."""
    base, name = served
    contexts = []

    def make(viewport=PHONE, scheme="light"):
        context = browser.new_context(base_url=base, viewport=viewport, color_scheme=scheme)
        context.set_default_timeout(15000)
        contexts.append(context)
        page = context.new_page()
        page.goto("/login")
        page.get_by_label("Username").fill(name)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(lambda url: "/login" not in url)
        return page

    yield make
    for context in contexts:
        context.close()


def focused(page) -> str:
    """Return the accessible-ish name of the focused element: its text or aria-label."""
    return page.evaluate(
        "() => { const e = document.activeElement;"
        " return (e.getAttribute('aria-label') || e.textContent || '').trim(); }"
    )


def tab_to(page, name: str, limit: int = 30) -> None:
    """Press Tab from the top of the page until the element named `name` has focus."""
    page.locator("body").focus()
    for _ in range(limit):
        page.keyboard.press("Tab")
        if focused(page) == name:
            return
    raise AssertionError(f"{name!r} cannot be reached with the Tab key")


def lines_of(locator) -> int:
    """Return on how many lines an element's text is drawn."""
    return locator.evaluate(
        "e => { const r = document.createRange(); r.selectNodeContents(e);"
        " return new Set(Array.from(r.getClientRects()).map(b => Math.round(b.top))).size; }"
    )


@pytest.mark.parametrize("viewport", [PHONE, TABLET], ids=["phone", "tablet"])
def test_on_a_phone_the_top_bar_is_compact_and_its_menu_works_with_the_keyboard(tab, viewport):
    page = tab(viewport)
    page.goto("/wiki/Plan")
    header = page.locator("header.topbar")
    assert header.bounding_box()["height"] <= 0.15 * PHONE["height"]
    menu = page.get_by_role("button", name="Menu")
    brand = page.get_by_role("link", name="Bottega").bounding_box()
    assert (
        abs(
            menu.bounding_box()["y"]
            + menu.bounding_box()["height"] / 2
            - (brand["y"] + brand["height"] / 2)
        )
        < 4
    )  # one row: the brand and the menu
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(page.get_by_role("button", name="Log out")).to_be_hidden()
    expect(page.get_by_role("combobox", name="Search")).to_be_visible()

    tab_to(page, "Menu")
    page.keyboard.press("Enter")
    expect(menu).to_have_attribute("aria-expanded", "true")
    log_out = page.get_by_role("button", name="Log out")
    expect(log_out).to_be_visible()
    assert lines_of(log_out) == 1
    for link in ("Recent changes", "Community", "Watchlist", "Account"):
        expect(page.get_by_role("link", name=link, exact=True)).to_be_visible()
    page.keyboard.press("Tab")  # into the menu: its first link
    assert focused(page) == "Recent changes"
    page.keyboard.press("Escape")
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(log_out).to_be_hidden()
    assert focused(page) == "Menu"  # focus goes back to the button

    page.keyboard.press("Space")
    expect(menu).to_have_attribute("aria-expanded", "true")
    page.locator("h1.page-title").click()  # a click elsewhere closes it
    expect(menu).to_have_attribute("aria-expanded", "false")


@pytest.mark.parametrize("viewport", [PHONE, TABLET], ids=["phone", "tablet"])
def test_on_a_phone_no_page_action_is_hidden_off_screen(tab, viewport):
    page = tab(viewport)
    page.goto("/wiki/Plan")
    views = page.get_by_role("navigation", name="Page views")
    more = views.get_by_role("button", name="More")
    for name in ("Page", "Edit", "History", "Discussion (12)"):
        box = views.get_by_role("link", name=name, exact=True).bounding_box()
        assert 0 <= box["x"] and box["x"] + box["width"] <= viewport["width"], name
        assert abs(box["y"] - more.bounding_box()["y"]) < 4, name  # one row with "More"
    box = more.bounding_box()
    assert box["x"] + box["width"] <= viewport["width"]
    expect(views.get_by_role("link", name="Move")).to_be_hidden()

    tab_to(page, "More")
    page.keyboard.press("Enter")
    expect(more).to_have_attribute("aria-expanded", "true")
    for name in ("What links here", "Move", "Delete", "Protect"):
        action = views.get_by_role("link", name=name, exact=True)
        expect(action).to_be_in_viewport()
        box = action.bounding_box()
        assert box["x"] + box["width"] <= viewport["width"], name
    expect(views.get_by_role("button", name="Watch")).to_be_in_viewport()
    page.keyboard.press("Escape")
    expect(more).to_have_attribute("aria-expanded", "false")
    assert focused(page) == "More"

    views.get_by_role("button", name="More").click()
    views.get_by_role("link", name="Move").click()
    page.wait_for_url("**/move/Plan")
    # On the move page, "More" is marked as holding the current view.
    expect(page.get_by_role("button", name="More")).to_have_class("tab-more-button has-current")


def test_on_a_desktop_everything_stays_in_the_bar_and_the_tabs(tab):
    page = tab(DESKTOP)
    page.goto("/wiki/Plan")
    expect(page.get_by_role("button", name="Menu")).to_be_hidden()
    expect(page.get_by_role("button", name="More")).to_be_hidden()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    expect(page.get_by_role("link", name="Move")).to_be_visible()
    expect(page.get_by_role("link", name="Recent changes")).to_be_visible()
    assert lines_of(page.get_by_role("button", name="Log out")) == 1


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_text_fields_show_a_focus_ring_like_links(tab, viewport):
    page = tab(viewport)
    page.goto("/edit/Plan")
    for field in (page.get_by_role("combobox", name="Search"), page.get_by_label("Content")):
        field.focus()
        ring = field.evaluate(
            "e => { const s = getComputedStyle(e); return [s.outlineStyle, s.outlineWidth]; }"
        )
        assert ring == ["solid", "2px"]


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_axe_finds_no_violations(tab, served, scheme, viewport):
    page = tab(viewport, scheme)
    pages = ["/wiki/Plan", "/edit/Plan", "/history/Plan", "/search?q=launch", "/admin/users"]
    pages += ["/new", "/search?q=xyzzyqq"]
    pages.append(f"/user/{served[1]}")
    found = {}
    for url in pages:
        page.goto(url)
        for button in page.locator("button[data-menu]:visible").all():
            button.click()  # open menus are checked too (their colours, their names)
        if violations := axe_violations(page):
            found[url] = violations
    assert found == {}


def test_at_every_width_nothing_scrolls_sideways_and_log_out_stays_on_one_line(tab):
    page = tab(DESKTOP)
    page.goto("/wiki/Plan")
    for width in range(320, 1441, 40):
        page.set_viewport_size({"width": width, "height": 900})
        shown = page.evaluate(
            """() => {
              const tabs = document.querySelector('.tabs');
              return {page: document.documentElement.scrollWidth - innerWidth,
                      tabs: tabs.scrollWidth - tabs.clientWidth};
            }"""
        )
        assert shown == {"page": 0, "tabs": 0}, width
        log_out = page.get_by_role("button", name="Log out")
        if log_out.is_visible():
            assert lines_of(log_out) == 1, width


def upload_logo(page, versions: int = 2) -> str:
    """Upload a PNG (and a new version of it) through the forms; return the file page's path."""
    name = unique("logo_test") + ".png"
    for number in range(versions):
        picture = {
            "name": name,
            "mimeType": "image/png",
            "buffer": samples.png(640, 480, (30 * number, 120, 200)),
        }
        if number == 0:
            page.goto("/upload")
            page.get_by_label("File", exact=True).set_input_files(picture)
            page.get_by_role("button", name="Upload", exact=True).click()
        else:
            page.get_by_label("New version", exact=True).set_input_files(picture)
            page.get_by_label("What changed").fill("A brighter blue for the spring campaign")
            page.get_by_role("button", name="Upload new version").click()
        page.wait_for_url(f"**/file/{name}")
    expect(page.locator("tr.file-version")).to_have_count(versions)
    return f"/file/{name}"


def test_on_a_phone_a_file_page_with_its_history_fits_the_screen(tab):
    page = tab(PHONE)
    address = upload_logo(page)
    page.goto(address)
    wide = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert wide <= 0, f"the file page is {wide}px wider than the phone"
    # The history table scrolls sideways in its own region, which says what it holds and
    # can be scrolled with the keyboard.
    region = page.get_by_role("region", name=re.compile(r"^Versions of logo.test"))
    expect(region).to_be_visible()
    assert region.evaluate("e => e.tabIndex") == 0
    box = region.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    revert = region.get_by_role("button", name=re.compile("Revert to the version of"))
    revert.scroll_into_view_if_needed()  # the last column is reached by scrolling the table
    box = revert.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    assert axe_violations(page) == []


def test_on_a_phone_a_file_history_cut_at_the_edge_shows_the_next_column_fading(tab):
    page = tab(PHONE)
    address = upload_logo(page)
    for language in ("en", "it"):  # the columns' widths differ with their words
        page.context.set_extra_http_headers({"Accept-Language": language})
        page.goto(address)
        region = page.locator(".file-versions .table-scroll")
        shown = region.evaluate(
            """r => {
              const edge = r.getBoundingClientRect().right;
              const cut = [...r.querySelectorAll('thead th')]
                .find(th => th.getBoundingClientRect().right > edge + 1);
              return {
                shown: cut && edge - cut.getBoundingClientRect().left,
                mask: getComputedStyle(r).maskImage,
                previews: [...r.querySelectorAll('img')].map(i => i.getBoundingClientRect().width),
              };
            }"""
        )
        # Small previews, so that the first column past the edge starts well inside it,
        # where the fade shows it: "more this way".
        assert max(shown["previews"]) <= 64, language
        assert shown["shown"] and shown["shown"] >= 40, language
        assert "gradient" in shown["mask"], language
        revert = region.get_by_role("button").last  # the last column, reached by scrolling
        revert.scroll_into_view_if_needed()
        box = revert.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], language


def test_on_a_phone_page_information_scrolls_its_contributors_in_their_own_box(tab):
    page = tab(PHONE)
    page.context.set_extra_http_headers({"Accept-Language": "it"})  # longer words
    page.goto("/info/Plan")
    table = page.locator("table.contributors")
    expect(table).to_be_visible()
    wide = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert wide <= 0, f"the page information is {wide}px wider than the phone"
    region = page.get_by_role("region", name="Autori")  # "Contributors", its heading
    expect(region).to_have_attribute("tabindex", "0")  # scrolled with the keyboard too
    assert region.evaluate("e => e.scrollWidth > e.clientWidth + 1"), "the table fits: no test"
    assert "gradient" in region.evaluate("e => getComputedStyle(e).maskImage")
    last = table.locator("th").last
    last.scroll_into_view_if_needed()
    box = last.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]


def test_on_a_phone_comment_actions_and_suggested_names_are_finger_sized(tab, served):
    page = tab(PHONE)
    _, name = served
    page.goto("/talk/Plan")
    page.get_by_role("link", name="Question 4").click()
    actions = page.locator(".comment-actions").first
    targets = [
        actions.get_by_role("link", name="Reply"),
        actions.get_by_role("link", name="Edit"),
        actions.get_by_role("button", name="Delete"),
        actions.locator("summary"),  # Moderate
    ]
    boxes = [target.bounding_box() for target in targets]
    for target, box in zip(targets, boxes, strict=True):
        assert box["height"] >= 44, f"{target.text_content()} is {box['height']}px tall"
    for before, after in zip(boxes, boxes[1:], strict=False):  # side by side, not overlapping
        assert before["x"] + before["width"] <= after["x"] + 0.5
        assert abs(before["y"] - after["y"]) < 1
    box = page.locator("textarea[data-mention-url]").last
    box.press_sequentially("Thanks @" + name[:4])
    options = page.get_by_role("option")
    expect(options.first).to_be_visible()
    for option in options.all():
        assert option.bounding_box()["height"] >= 40


def test_in_dark_mode_the_publish_time_and_token_scopes_look_like_the_other_fields(tab, wiki):
    _, name, app = wiki
    title = unique("Waiting")
    with app.app_context():
        admin = User.query.filter_by(username=name).one()
        save(title, "First.", admin)
        set_page_policy(admin, parse_title(title), "all")
        save(title, "First, then more.", add_user(unique("writer")))
    page = tab(DESKTOP, "dark")
    page.goto(f"/review/{title}")
    look = (
        "e => { const s = getComputedStyle(e); return [s.backgroundColor, s.color,"
        " s.borderTopStyle, s.borderTopColor, s.borderTopLeftRadius, s.minHeight]; }"
    )
    when = page.get_by_label(re.compile("Publish at"))
    assert when.evaluate(look) == page.get_by_label("Reason for rejecting").evaluate(look)
    page.goto("/preferences")
    scopes = page.get_by_role("group", name="What it may do")
    card = page.locator("section.preferences-group").filter(has=scopes)
    border = "e => { const s = getComputedStyle(e); return [s.borderTopStyle, s.borderTopColor]; }"
    assert scopes.evaluate(border) == card.evaluate(border)  # not the browser's grooved line
    assert scopes.evaluate("e => getComputedStyle(e).borderTopLeftRadius") != "0px"


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_lists_with_a_long_unbroken_title_or_summary_fit_the_screen(tab, served, viewport):
    page = tab(viewport)
    _, name = served
    for path in (
        "/recent",
        "/community",
        "/special/all",
        f"/user/{name}",
        "/watchlist",
        "/preferences/tokens",
        "/wiki/" + LONG_TITLE,
        "/history/" + LONG_TITLE,
    ):
        page.goto(path)
        wide = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        assert wide <= 0, f"{path} is {wide}px wider than the screen"


def test_on_a_phone_in_italian_the_tabs_keep_one_row_and_the_current_admin_tab_shows(tab):
    page = tab(PHONE)
    page.context.set_extra_http_headers({"Accept-Language": "it"})
    page.goto("/wiki/Plan")
    expect(page.get_by_role("link", name="Cronologia")).to_be_visible()
    tabs = page.locator(".tabs").first
    one_row = page.get_by_role("link", name="Pagina", exact=True).bounding_box()["height"]
    assert tabs.bounding_box()["height"] < 1.5 * one_row  # "Altro" did not wrap
    page.goto("/admin/settings")
    current = page.locator('.admin-tabs a[aria-current="page"]')
    expect(current).to_have_text("Regole del sito")
    box = current.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]


def test_in_italian_the_bell_stays_with_the_account_links_and_the_name_is_not_cut(tab):
    """An administrator's account links in Italian do not fit beside the search at 1024 px:
    they move to a row of their own with the bell, not leaving it alone up beside the
    search; where the links fold into the menu (768 px) the search gives way to the name."""
    page = tab(DESKTOP)
    page.context.set_extra_http_headers({"Accept-Language": "it"})
    page.goto("/wiki/Plan")
    middle = "el => { const box = el.getBoundingClientRect(); return box.top + box.height / 2; }"
    for width in (1024, 1280):
        page.set_viewport_size({"width": width, "height": 800})
        bell = page.locator(".topbar a.bell").evaluate(middle)
        me = page.locator(".account a.me").evaluate(middle)
        assert abs(bell - me) < 8, width
    page.set_viewport_size({"width": 768, "height": 800})
    name = page.locator(".brand-name")
    name.evaluate("el => { el.textContent = 'Acme Marketing'; }")  # a longer wiki name
    assert name.evaluate("el => el.scrollWidth <= el.clientWidth")


def test_on_a_phone_every_column_of_a_table_of_choices_is_there(tab, served, email_on):
    page = tab(PHONE)
    page.goto("/preferences")
    choices = page.locator("table.email-choices")
    for heading in ("No email", "At once", "Daily summary"):
        expect(choices.get_by_role("columnheader", name=heading)).to_be_visible()
    replies = choices.get_by_role("row", name=re.compile("Replies to my comments"))
    expect(replies.get_by_role("radio")).to_have_count(3)
    for radio in replies.get_by_role("radio").all():
        expect(radio).to_be_visible()
    page.goto("/info/Plan")  # who wrote the page: the second column is how much
    expect(page.locator("table.contributors th").nth(1)).to_be_visible()
    page.goto("/talk/Plan")  # the topic list keeps to what fits: subject and replies
    expect(page.get_by_role("link", name="Question 3")).to_be_visible()


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_a_table_cut_off_at_the_right_fades_there_until_scrolled_to_its_end(tab, viewport):
    page = tab(viewport)
    page.goto("/admin/users")
    table = page.locator("table.admin-table")
    expect(table).to_be_visible()
    mask = "e => getComputedStyle(e).maskImage || getComputedStyle(e).webkitMaskImage"
    cut = table.evaluate("e => e.scrollWidth > e.clientWidth + 1")
    if viewport is PHONE:
        assert cut, "the people table fits the phone: this test no longer shows a cut table"
        assert "gradient" in table.evaluate(mask)  # "more this way"
        table.evaluate("e => { e.scrollLeft = e.scrollWidth; }")
        page.wait_for_function(
            f"() => !({mask})(document.querySelector('table.admin-table')).includes('gradient')"
        )
    else:
        assert not cut and "gradient" not in table.evaluate(mask)  # nothing hidden to hint at


def test_on_a_phone_the_api_page_code_examples_scroll_in_their_box(tab):
    page = tab(PHONE)
    page.goto("/api/v1/docs")
    expect(page.locator("pre").first).to_be_visible()
    wide = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert wide <= 0, f"the API page is {wide}px wider than the phone"
    box = page.locator("pre").first.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]


def test_a_picture_floated_beside_the_text_stays_above_the_sharing_links(tab):
    page = tab(DESKTOP)
    name = upload_logo(page, versions=1).removeprefix("/file/")
    title = unique("Floated")
    page.goto(f"/edit/{title}")
    page.get_by_label("Content").fill(f"Short text.\n\n[[File:{name}|thumb|300px|right|Sea]]")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"**/wiki/{title}")
    picture = page.locator(".prose .file-embed").first
    expect(picture).to_be_visible()
    bottom = picture.bounding_box()["y"] + picture.bounding_box()["height"]
    assert page.locator(".share").first.bounding_box()["y"] >= bottom


#: The sections of /preferences, by the name a screen reader gives them.
PREFERENCE_SECTIONS = [
    ("group", "Your profile"),
    ("group", "Watching"),
    ("group", "Email"),
    ("region", "Language and time zone"),
    ("region", "Ways to log in"),
    ("region", "Email addresses"),
    ("region", "Two-factor authentication"),
    ("region", "Feeds"),
    ("region", "API tokens"),
]


@pytest.mark.parametrize("mail", ["email off", "email on"])
@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_preference_sections_line_up_and_save_preferences_closes_its_own_box(
    tab, request, viewport, mail
):
    if mail == "email on":  # the Email section holds a table of choices
        request.getfixturevalue("email_on")
    page = tab(viewport)
    page.goto("/preferences")
    boxes = {}
    for role, name in PREFERENCE_SECTIONS:
        section = page.get_by_role(role, name=name, exact=True)
        expect(section).to_be_visible()
        boxes[name] = section.bounding_box()
    # One column of sections, one width: no box juts out on the right.
    edges = {name: (round(b["x"]), round(b["x"] + b["width"])) for name, b in boxes.items()}
    assert len(set(edges.values())) == 1, edges
    right = next(iter(edges.values()))[1]
    assert right <= viewport["width"]
    # Their headings are of one size, whether a fieldset's legend or a section's heading.
    sizes = page.locator(".preferences-group > :is(legend, h2)").evaluate_all(
        "es => es.map(e => getComputedStyle(e).fontSize)"
    )
    assert len(sizes) == len(PREFERENCE_SECTIONS) and len(set(sizes)) == 1, sizes

    # "Save preferences" ends the box of the sections it saves (profile, watching, email):
    # a bar drawn right under the last of them, closing that box, apart from the next one.
    save = page.get_by_role("button", name="Save preferences")
    bar = page.locator(".editor-actions", has=save)
    saved = bar.bounding_box()
    email = boxes["Email"]
    assert abs(saved["y"] - (email["y"] + email["height"])) < 1.5
    assert (round(saved["x"]), round(saved["x"] + saved["width"])) == edges["Email"]
    assert bar.evaluate("e => parseFloat(getComputedStyle(e).borderBottomWidth)") >= 1
    button = save.bounding_box()
    assert saved["y"] <= button["y"]
    assert button["y"] + button["height"] <= saved["y"] + saved["height"]
    gap = boxes["Language and time zone"]["y"] - (saved["y"] + saved["height"])
    assert gap >= 16, "the next section is a box of its own"
    for above, below in (("Your profile", "Watching"), ("Watching", "Email")):
        bottom = boxes[above]["y"] + boxes[above]["height"]
        assert abs(bottom - boxes[below]["y"]) < 1.5, f"{above} and {below} share one box"
    wide = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert wide <= 0, f"/preferences is {wide}px wider than the screen"
