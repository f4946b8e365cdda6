"""Journeys in Italian and across languages, in Chromium.

The first is the core journey (register, write a page, its history, its talk page) with the
browser asking for Italian; it reads the labels of the real Italian catalogue
(wiki/translations/it), the words Italian wikis use.
"""

import re

from playwright.sync_api import expect

from tests.e2e.helpers import PASSWORD, register, save_edit, unique


def html_lang(page) -> str:
    return page.locator("html").get_attribute("lang")


def test_a_person_uses_the_site_in_italian_from_register_to_talk_page(browser, live_server):
    context = browser.new_context(base_url=live_server, locale="it-IT")
    context.set_default_timeout(15000)
    page = context.new_page()
    try:
        user, title = unique("scrittrice"), unique("Piano_")
        page.goto("/register")
        assert html_lang(page) == "it"
        page.get_by_label("Nome utente").fill(user)
        page.get_by_label("Password", exact=True).fill(PASSWORD)
        page.get_by_label("Conferma password").fill(PASSWORD)
        page.get_by_role("button", name="Registrati").click()
        expect(page.get_by_role("button", name="Esci")).to_be_visible()

        page.goto(f"/wiki/{title}")
        expect(page.get_by_text("Questa pagina non esiste ancora.")).to_be_visible()
        page.get_by_role("link", name="Crea questa pagina").click()
        page.get_by_label("Contenuto").fill("# Lancio\n\nLanciamo in primavera.\n")
        page.get_by_label("Oggetto della modifica").fill("Prima bozza")
        page.get_by_role("button", name="Salva").click()
        expect(page.get_by_text("La pagina è stata creata.")).to_be_visible()
        expect(page.locator("nav.tabs")).to_contain_text("Modifica")
        expect(page.locator("nav.tabs")).to_contain_text("Cronologia")
        expect(page.locator("nav.tabs")).to_contain_text("Discussione")

        save_edit_italian(page, title, "# Lancio\n\nLanciamo in estate.\n", "Più tardi")
        page.locator("nav.tabs").get_by_role("link", name="Cronologia").click()
        assert html_lang(page) == "it"
        expect(page.locator(".history-row")).to_have_count(2)
        expect(page.locator(".history-row").first).to_contain_text("Più tardi")

        page.locator("nav.tabs").get_by_role("link", name=re.compile("^Discussione")).click()
        expect(page.get_by_role("heading", name="Inizia una nuova discussione")).to_be_visible()
        page.get_by_label("Oggetto").fill("Primavera o estate?")
        page.get_by_label("Commento").fill("Diciamo *estate*?")
        page.get_by_role("button", name="Aggiungi discussione").click()
        expect(page.locator(".comment").first).to_contain_text("Diciamo estate?")
        assert html_lang(page) == "it"

        # The footer switches to English, and the choice is remembered.
        page.locator(".language-switcher").get_by_role("link", name="English").click()
        assert html_lang(page) == "en"
        page.goto(f"/wiki/{title}")
        assert html_lang(page) == "en"
        expect(page.locator("nav.tabs")).to_contain_text("History")
    finally:
        context.close()


def save_edit_italian(page, title: str, text: str, summary: str) -> None:
    """Edit a page through the Italian editor and wait for the saved page."""
    page.goto(f"/edit/{title}")
    page.get_by_label("Contenuto").fill(text)
    page.get_by_label("Oggetto della modifica").fill(summary)
    page.get_by_role("button", name="Salva").click()
    page.wait_for_url(re.compile(r"/wiki/"))


def test_a_language_chosen_with_lang_and_a_preference(page):
    register(page, unique("reader"))
    page.goto("/special/all?lang=it")
    assert html_lang(page) == "it"
    page.goto("/preferences")
    assert html_lang(page) == "it"  # remembered
    page.locator("#locale").select_option("en")
    page.locator("#timezone").select_option("Europe/Rome")
    page.locator("#language form button[type=submit]").click()
    assert html_lang(page) == "en"
    expect(page.locator("#locale")).to_have_value("en")
    expect(page.locator("#timezone")).to_have_value("Europe/Rome")
    page.goto("/special/all")
    assert html_lang(page) == "en"  # the preference wins over the remembered choice


def test_a_page_is_translated_beside_its_source_and_kept_up_to_date(page):
    register(page, unique("translator"))
    source, translation = unique("Launch_"), unique("Lancio_")
    save_edit(page, source, "# Launch\n\nWe launch in spring.\n", "start")
    page.goto(f"/translate/{source}")
    page.get_by_label("Into the language").fill("it")
    page.get_by_label("Title of the translation").fill(translation)
    page.get_by_role("button", name="Translate").click()

    expect(page.locator(".translation-source-text")).to_contain_text("We launch in spring.")
    expect(page.get_by_label("Content")).to_have_value(re.compile("We launch in spring."))
    expect(page.get_by_label("Content")).to_have_attribute("lang", "it")
    page.get_by_label("Content").fill("# Lancio\n\nLanciamo in primavera.\n")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(rf"/wiki/{translation}"))
    expect(page.locator(".prose")).to_have_attribute("lang", "it")
    languages = page.get_by_role("navigation", name="This page in other languages")
    expect(languages).to_contain_text("English")
    expect(languages).to_contain_text("Italiano")

    save_edit(page, source, "# Launch\n\nWe launch in summer.\n", "later")
    page.goto(f"/wiki/{translation}")
    notice = page.locator(".translation-outdated")
    expect(notice).to_be_visible()
    notice.get_by_role("link", name="See what changed in the source").click()
    expect(page.locator(".word-changed").filter(has_text="summer")).to_have_count(1)

    page.goto(f"/edit/{translation}")
    expect(page.locator(".translation-source-text")).to_contain_text("We launch in summer.")
    page.get_by_label("Content").fill("# Lancio\n\nLanciamo in estate.\n")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(rf"/wiki/{translation}"))
    expect(page.locator(".translation-outdated")).to_have_count(0)

    page.goto("/translations?language=it")
    expect(page.locator(".outdated-translations")).to_have_count(0)
