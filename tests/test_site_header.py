"""The header's account links: logging in comes back to the same address, and the links of
the logged-in (preferences, the moderation log) say what they lead to."""

import re

from tests.helpers import text


def login_link(html: str) -> str:
    """Return the address of the header's "Log in" link."""
    account = html.split('<nav class="account"')[1].split("</nav>")[0]
    return re.search(r'<a href="([^"]+)">Log in</a>', account).group(1).replace("&amp;", "&")


def account_links(html: str) -> dict[str, str]:
    """Return the header's account links by their text."""
    account = html.split('<nav class="account"')[1].split("</nav>")[0]
    return {
        label.strip(): href
        for href, label in re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', account)
    }


def test_log_in_comes_back_to_the_page_without_a_stray_question_mark(client, make_page):
    make_page("FAQ", "Questions.")
    assert login_link(text(client.get("/wiki/FAQ"))) == "/login?next=/wiki/FAQ"
    with_query = login_link(text(client.get("/wiki/FAQ?stable=1")))
    assert with_query.startswith("/login?next=/wiki/FAQ") and with_query.endswith("stable%3D1")


def test_the_moderation_log_pill_is_named_for_what_it_shows(client, people, auth, make_page):
    make_page("FAQ", "Questions.")
    auth.login(people["admin"])
    links = account_links(text(client.get("/wiki/FAQ")))
    assert links.get("Moderation log") == "/log"
    assert "Log" not in links  # a bare "Log" says nothing to a person


def test_preferences_are_in_the_account_links_beside_account(client, editor, make_page):
    make_page("FAQ", "Questions.")
    links = account_links(text(client.get("/wiki/FAQ")))
    assert links.get("Preferences") == "/preferences"
    assert links.get("Account") == "/account"
    assert list(links).index("Preferences") < list(links).index("Account")


def test_every_way_to_log_in_comes_back_without_a_stray_question_mark(client, make_page):
    make_page("FAQ", "Questions.")
    # A page only a logged-in person opens sends the visitor to log in and back.
    watchlist = client.get("/watchlist")
    assert watchlist.status_code == 302
    assert watchlist.headers["Location"].endswith("/login?next=/watchlist")
    # The talk page's invitation to log in and start a topic.
    talk = text(client.get("/talk/FAQ"))
    assert "/login?next=/talk/FAQ&#34;" not in talk
    assert re.search(r'href="/login\?next=/talk/FAQ"', talk)
