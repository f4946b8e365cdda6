"""An administrator gives the wiki its company's name, tagline, main page and logo."""

import re

import pytest
from playwright.sync_api import expect

from tests import file_samples as samples
from tests.a11y.axe import axe_violations
from tests.e2e.helpers import log_in, make_account, serve
from tests.helpers import PASSWORD, save
from wiki.models import Role, User


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """Serve a wiki of its own (the journey renames it); yield its URL and the admin."""
    with serve(tmp_path_factory.mktemp("site-identity")) as (base, app):
        name = make_account(app, Role.ADMIN)
        with app.app_context():
            author = User.query.filter_by(username=name).one()
            save("Home", "# Home\n\nThe wiki's first page.", author)
            save("Welcome", "# Welcome, partners\n\nWrite with us.", author)
        yield base, name


def admin_tab(browser, base: str, admin: str):
    """Return a tab of its own, logged in as the administrator."""
    context = browser.new_context(base_url=base)
    context.set_default_timeout(15000)
    page = context.new_page()
    log_in(page, admin)
    return page


def loaded(page, image) -> None:
    """Wait until an image has been fetched and decoded."""
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=image)


def test_an_admin_brands_the_wiki_and_a_visitor_sees_it(browser, served, tmp_path):
    base, admin = served
    page = admin_tab(browser, base, admin)
    context = page.context
    logo = tmp_path / "acme.png"
    logo.write_bytes(samples.png(400, 100, (230, 80, 20)))
    page.goto("/upload")
    page.get_by_label("File", exact=True).set_input_files(str(logo))
    page.get_by_label("Name", exact=False).first.fill("Acme logo.png")
    page.get_by_role("button", name="Upload").click()
    page.wait_for_url(re.compile(r"/file/"))

    page.goto("/admin/users")
    page.get_by_role("navigation", name="Administration").get_by_role(
        "link", name="Name and logo"
    ).click()
    expect(page.get_by_role("heading", name="Name and logo")).to_be_visible()
    expect(page.get_by_label("Site name")).to_have_value("Bottega")
    # The logo field offers the pictures uploaded as one types.
    expect(page.locator("#site-logo-pictures option[value='Acme logo.png']")).to_have_count(1)
    expect(page.get_by_role("banner").locator(".brand-mark")).to_have_text("B")

    # Mistakes first: both are named, nothing typed is lost.
    page.get_by_label("Site name").fill("   ")
    page.get_by_label("Tagline").fill("Where our partners write.")
    page.get_by_label("Main page").fill("welcome")
    page.get_by_label("Logo").fill("Acme.png")
    page.get_by_role("button", name="Save").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("2 things need fixing")
    expect(alert).to_contain_text("The site needs a name.")
    expect(alert).to_contain_text("no published file called “Acme.png”")
    expect(page.get_by_label("Logo")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Tagline")).to_have_value("Where our partners write.")
    expect(page.get_by_label("Main page")).to_have_value("welcome")
    assert axe_violations(page) == []

    page.get_by_label("Site name").fill("Acme Partners")
    page.get_by_label("Logo").fill("Acme logo.png")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status").filter(has_text="are saved")).to_be_visible()
    expect(page.get_by_label("Main page")).to_have_value("Welcome")
    brand = page.get_by_role("banner").get_by_role("link", name="Acme Partners")
    expect(brand).to_be_visible()
    loaded(page, brand.locator("img").element_handle())
    expect(page).to_have_title(re.compile(r" · Acme Partners$"))
    expect(page.get_by_role("contentinfo")).to_contain_text(
        "Acme Partners — Where our partners write."
    )
    assert axe_violations(page) == []  # the logo in the header, and its preview

    # A visitor without an account: the brand opens the new main page, logo and all.
    visitor = browser.new_context(base_url=base).new_page()
    visitor.goto("/search")
    visitor_brand = visitor.get_by_role("banner").get_by_role("link", name="Acme Partners")
    loaded(visitor, visitor_brand.locator("img").element_handle())
    visitor_brand.click()
    visitor.wait_for_url(re.compile(r"/wiki/Welcome$"))
    expect(visitor.get_by_role("heading", name="Welcome, partners")).to_be_visible()
    expect(visitor).to_have_title("Welcome · Acme Partners")
    visitor.context.close()

    # The longest name the form takes, with the wide logo, on a phone: cut, never wider.
    page.goto("/admin/site")
    page.get_by_label("Site name").fill(
        "Acme Worldwide Marketing and Communications Knowledge Hub"
    )
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status").filter(has_text="are saved")).to_be_visible()
    phone = browser.new_context(base_url=base, viewport={"width": 390, "height": 844})
    small = phone.new_page()
    for address in ("/wiki/Welcome", "/login"):
        small.goto(address)
        expect(small.get_by_role("banner").locator(".brand-name")).to_be_visible()
        assert small.evaluate("document.documentElement.scrollWidth") <= 390, address
        # The menu button stays beside the cut name, not on a row of its own.
        brand = small.get_by_role("banner").locator(".brand").bounding_box()
        menu = small.get_by_role("button", name="Menu").bounding_box()
        assert menu["y"] < brand["y"] + brand["height"], address
    # The sign-in card no longer shows the wiki's own "B" tile.
    tile = small.evaluate(
        "getComputedStyle(document.querySelector('.auth h1'), '::before').display"
    )
    assert tile == "none"
    phone.close()
    context.close()


def read_policy(page, choice: str) -> None:
    """Set who may read the wiki (Administration → settings) and wait until it is saved."""
    page.goto("/admin/settings")
    page.get_by_role("group", name="Who may read", exact=True).get_by_label(choice).check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status").first).to_be_visible()


def test_a_private_wiki_shows_a_visitor_the_way_in_and_nothing_else(browser, served):
    base, admin = served
    page = admin_tab(browser, base, admin)
    context = page.context
    read_policy(page, "Only logged-in users")
    try:
        phone = browser.new_context(base_url=base, viewport={"width": 390, "height": 844})
        visitor = phone.new_page()
        visitor.goto("/wiki/Welcome")
        visitor.wait_for_url(re.compile(r"/login\?next="))
        expect(visitor.get_by_text("is private: log in to read it.")).to_be_visible()
        # No search, no menus, no footer links that would only lead back here.
        expect(visitor.get_by_role("search")).to_have_count(0)
        expect(visitor.get_by_role("button", name="Menu")).to_have_count(0)
        expect(visitor.get_by_role("link", name="Recent changes")).to_have_count(0)
        expect(visitor.get_by_role("link", name="Random page")).to_have_count(0)
        banner = visitor.get_by_role("banner")
        expect(banner.get_by_role("link", name="Log in")).to_be_visible()
        assert visitor.evaluate("document.documentElement.scrollWidth") <= 390
        assert axe_violations(visitor) == []
        # Logging in leads where the visitor was going, with the whole wiki in reach again.
        visitor.get_by_label("Username").fill(admin)
        visitor.get_by_label("Password").fill(PASSWORD)
        visitor.get_by_role("main").get_by_role("button", name="Log in").click()
        visitor.wait_for_url(re.compile(r"/wiki/Welcome$"))
        expect(visitor.get_by_role("search")).to_be_visible()
        visitor.get_by_role("button", name="Menu").click()
        expect(visitor.get_by_role("link", name="Recent changes")).to_be_visible()
        phone.close()
    finally:
        read_policy(page, "Everyone")
        context.close()


def test_uploading_from_the_logo_field_comes_back_to_it_filled_in(browser, served, tmp_path):
    base, admin = served
    page = admin_tab(browser, base, admin)
    context = page.context
    page.goto("/admin/site")
    page.get_by_role("link", name="Upload a file").click()
    page.wait_for_url(re.compile(r"/upload\?next="))
    mark = tmp_path / "mark.png"
    mark.write_bytes(samples.png(64, 64, (20, 120, 220)))
    page.get_by_label("File", exact=True).set_input_files(str(mark))
    page.get_by_label("Name", exact=False).first.fill("Round mark.png")
    page.get_by_role("button", name="Upload").click()
    page.wait_for_url(re.compile(r"/admin/site\?file="))
    expect(page.get_by_label("Logo")).to_have_value("Round mark.png")
    expect(page.get_by_role("status").filter(has_text="The file was uploaded.")).to_be_visible()
    context.close()
