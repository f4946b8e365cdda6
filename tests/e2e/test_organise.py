"""Finding and reorganising in Chromium: search, follow a result, rename, follow an old link."""

import re

from playwright.sync_api import expect

from tests.e2e.helpers import register, save_edit, unique


def test_search_follow_a_result_rename_and_follow_an_old_link(page):
    register(page, unique("organiser"))
    word = unique("zest")  # a word no other test writes
    old = unique("Launch_notes_")
    hub = unique("Hub_")
    save_edit(page, old, f"# Notes\n\nThe {word} of our spring launch.\n")
    save_edit(page, hub, f"Read the [[{old.replace('_', ' ')}]] first.\n")

    # Suggestions while typing (the datalist is filled by search.js), then a full search.
    box = page.locator("#search-q")
    box.fill(old.replace("_", " ")[:-3])
    expect(page.locator("#search-suggestions option")).to_have_count(1)
    box.fill(word)
    box.press("Enter")
    expect(page).to_have_url(re.compile(r"/search\?q="))
    result = page.locator(".search-result")
    expect(result).to_have_count(1)
    expect(result.locator("mark")).to_have_text(word)
    # A phrase is marked as one: its words in a row, not each word wherever it stands.
    page.locator("#search-q").fill(f'"{word} of our"')
    page.locator("#search-q").press("Enter")
    expect(result.locator("mark")).to_have_text(f"{word} of our")
    result.get_by_role("link").click()
    expect(page.locator(".prose")).to_contain_text("spring launch")

    # Rename the page from its Move tab.
    new = unique("Spring launch ")
    page.get_by_role("link", name="Move").click()
    page.get_by_label("New title").fill(new)
    page.get_by_label("Reason").fill("clearer name")
    page.get_by_role("button", name="Move page").click()
    expect(page.locator("h1.page-title")).to_have_text(new)
    expect(page.get_by_text("was moved to")).to_be_visible()

    # The old link on the hub page still leads to the page, saying where it came from.
    page.goto(f"/wiki/{hub}")
    page.get_by_role("link", name=old.replace("_", " ")).click()
    expect(page.locator("h1.page-title")).to_have_text(new)
    expect(page.locator(".redirected-from")).to_contain_text(old.replace("_", " "))
    expect(page.locator(".prose")).to_contain_text("spring launch")

    page.get_by_role("link", name="History").click()
    expect(page.locator(".history-row").first).to_contain_text("clearer name")


def test_search_form_works_without_javascript(browser, live_server):
    context = browser.new_context(base_url=live_server, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto("/search")
        page.get_by_label("Search for").fill("nothing-like-this-exists")
        page.get_by_role("button", name="Search").click()
        expect(page.get_by_text("No page matches")).to_be_visible()
    finally:
        context.close()


def test_a_typing_slip_in_a_search_is_offered_corrected(page):
    register(page, unique("speller"))
    # A word of letters only, no other test writes: "did you mean" respells words alone.
    word = "quill" + "".join(chr(ord("a") + int(c, 16) % 26) for c in unique("")[:6])
    title = unique("Glossary_")
    save_edit(page, title, f"# Glossary\n\nA {word} is our favourite pen.\n")
    slip = word[:2] + word[3] + word[2] + word[4:]  # two letters swapped
    page.locator("#search-q").fill(slip)
    page.locator("#search-q").press("Enter")
    expect(page.get_by_text("No page matches")).to_be_visible()
    offer = page.locator(".search-respelled")
    expect(offer).to_contain_text("Did you mean")
    expect(offer.locator("em")).to_have_text(word)
    offer.get_by_role("link").click()
    result = page.locator(".search-result")
    expect(result).to_have_count(1)
    expect(result.locator("mark")).to_have_text(word)
    expect(page.locator(".search-respelled")).to_have_count(0)


def test_the_footer_leads_to_a_random_page_and_talk_links_to_discussions(page):
    register(page, unique("wanderer"))
    title = unique("Roadmap_")
    save_edit(page, title, f"# Roadmap\n\nSee [[Talk:{title}|what people say]].\n")
    page.get_by_role("contentinfo").get_by_role("link", name="Random page").click()
    expect(page).to_have_url(re.compile(r"/wiki/"))
    expect(page.locator("h1.page-title")).to_be_visible()
    page.goto(f"/wiki/{title}")
    page.get_by_role("link", name="what people say").click()
    expect(page).to_have_url(re.compile(rf"/talk/{title}$"))
