"""A comment on a passage follows its words while another person edits, in Chromium."""

import io
import re

import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.e2e.helpers import log_in, make_account, save_edit, serve, unique

SENTENCE = "Our coffee is the market leader in Italy."
TEXT = f"# Coffee\n\nWe roast every morning.\n\n{SENTENCE} Everyone says so.\n\nPrices are fair.\n"


@pytest.fixture(scope="module")
def anchors_server(tmp_path_factory):
    """Serve a fresh wiki; yield its base URL and the app."""
    with serve(tmp_path_factory.mktemp("anchors-live")) as served:
        yield served


@pytest.fixture(scope="module")
def live_server(anchors_server):
    """Point the browser fixtures at this module's wiki."""
    return anchors_server[0]


#: A script function: the range of the first place these words are in the page's text.
RANGE_OF_WORDS = """function rangeOf(words) {
    const walker = document.createTreeWalker(
        document.getElementById('page-prose'), NodeFilter.SHOW_TEXT);
    let node;
    while ((node = walker.nextNode())) {
        const at = node.textContent.indexOf(words);
        if (at >= 0) {
            const range = document.createRange();
            range.setStart(node, at);
            range.setEnd(node, at + words.length);
            return range;
        }
    }
    throw new Error('no such words: ' + words);
}"""


def two_people(app, new_page):
    """Return two editors, each logged in in a tab of their own: (name, tab) each."""
    people = []
    for _ in range(2):
        name, tab = make_account(app), new_page()
        log_in(tab, name)
        people.append((name, tab))
    return people


def select_text(page, words: str) -> None:
    """Select words in the page's text as a person dragging the mouse would."""
    page.evaluate(
        f"""(words) => {{
            {RANGE_OF_WORDS}
            const selection = window.getSelection();
            selection.removeAllRanges();
            selection.addRange(rangeOf(words));
            document.dispatchEvent(new MouseEvent('mouseup', {{bubbles: true}}));
        }}""",
        words,
    )


def test_a_comment_on_a_sentence_follows_it_and_outlives_it(anchors_server, new_page):
    app = anchors_server[1]
    (giulia_name, giulia), (marco_name, marco) = two_people(app, new_page)
    title = unique("Coffee_")
    save_edit(giulia, title, TEXT)

    # Giulia selects the sentence and comments on it.
    select_text(giulia, SENTENCE)
    giulia.get_by_role("button", name="Comment", exact=True).click()
    giulia.get_by_label("Comment", exact=True).fill("Can we say leader? We need a source.")
    giulia.get_by_role("button", name="Add comment").click()
    highlight = giulia.locator("mark[data-thread]")
    expect(highlight).to_have_text(SENTENCE)
    thread = giulia.locator(".anchor-thread")
    expect(thread).to_contain_text("We need a source")

    # Marco adds a paragraph above it and a word inside it; the highlight follows.
    grown = SENTENCE.replace("market leader", "undisputed market leader")
    save_edit(marco, title, "Intro by Marco.\n\n" + TEXT.replace(SENTENCE, grown))
    giulia.reload()
    expect(giulia.locator("mark[data-thread]")).to_have_text(grown)

    # The thread is listed on the talk page too.
    giulia.get_by_role("link", name="Discussion").first.click()
    expect(giulia.get_by_role("link", name=f"“{SENTENCE}”")).to_be_visible()

    # On a phone the thread sits below its paragraph.
    phone = new_page()
    phone.set_viewport_size({"width": 390, "height": 800})
    phone.goto(f"/wiki/{title}")
    below = phone.locator("#page-prose p:has(mark[data-thread]) + .anchor-thread")
    expect(below).to_contain_text("We need a source")

    # Marco deletes the sentence: the thread stays, marked, showing what it was about.
    save_edit(marco, title, "Intro by Marco.\n\n" + TEXT.replace(SENTENCE + " ", ""))
    giulia.goto(f"/wiki/{title}")
    expect(giulia.locator("mark[data-thread]")).to_have_count(0)
    removed = giulia.locator(".anchor-thread.anchor-removed")
    expect(removed).to_contain_text("passage removed")
    expect(removed.locator(".anchor-quote")).to_have_text(grown)
    expect(removed).to_contain_text("We need a source")


def test_a_thread_whose_passage_was_removed_is_anchored_again_by_selecting_words(
    anchors_server, new_page
):
    app = anchors_server[1]
    (giulia_name, giulia), (marco_name, marco) = two_people(app, new_page)
    title = unique("Roast_")
    save_edit(giulia, title, TEXT)
    select_text(giulia, SENTENCE)
    giulia.get_by_role("button", name="Comment", exact=True).click()
    giulia.get_by_label("Comment", exact=True).fill("Is this still true?")
    giulia.get_by_role("button", name="Add comment").click()
    expect(giulia.locator("mark[data-thread]")).to_have_text(SENTENCE)

    # Marco deletes the sentence: the thread says so and offers to anchor it again.
    save_edit(marco, title, TEXT.replace(SENTENCE + " ", ""))
    giulia.goto(f"/wiki/{title}")
    removed = giulia.locator(".anchor-thread.anchor-removed")
    expect(removed).to_contain_text("passage removed")
    removed.get_by_role("link", name="Re-anchor").click()
    # "Anchor here" appears on a selection once anchors.js runs; a selection made before
    # that goes unseen and the button stays hidden.
    giulia.wait_for_url(re.compile(r"/reanchor/\d+$"))  # waits for "load": scripts have run

    # The page's text, in re-anchor mode: Giulia selects other words and confirms.
    expect(
        giulia.get_by_role("heading", name="Choose the passage this thread is about")
    ).to_be_visible()
    select_text(giulia, "Everyone says so.")
    giulia.get_by_role("button", name="Anchor here").click()
    expect(giulia.locator("#anchor-form-quote")).to_have_text("Everyone says so.")
    giulia.get_by_role("button", name="Confirm the new passage").click()

    # Back on the page, the highlight is on the new words and the thread is no longer removed.
    expect(giulia.locator("mark[data-thread]")).to_have_text("Everyone says so.")
    expect(giulia.locator(".anchor-thread.anchor-removed")).to_have_count(0)
    expect(giulia.locator(".anchor-thread")).to_contain_text("Is this still true?")


# Threads beside their passages: on a wide screen each card is level with its passage.

FILLER = (
    "We roast every morning in our Turin workshop and ship the same day to the bars and "
    "shops that ask for it, with a care that customers recognise. "
)
SECTIONS = ("Obiettivi", "Pubblico", "Messaggi", "Canali", "Calendario", "Immagini")
PHOTO = "https://images.example/photo.png"
LONG_PASSAGE = f"Obiettivi, first paragraph: {FILLER.strip()}"


def long_page() -> str:
    """Return a page of six sections, with a photo (no size given) near the top."""
    parts = ["A long page for the spring campaign."]
    for name in SECTIONS:
        parts.append(f"## {name}")
        if name == "Obiettivi":
            parts.append(f"![A photo of the roastery]({PHOTO})")
        parts.append(f"{name}, first paragraph: {FILLER * 3}Key sentence about {name}.")
        parts.append(f"{name}, second paragraph: {FILLER * 3}")
    return "\n\n".join(parts) + "\n"


def png(width: int, height: int) -> bytes:
    """Return a real PNG of this size."""
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (120, 80, 40)).save(buffer, format="PNG")
    return buffer.getvalue()


def comment_on(page, words: str, body: str) -> str:
    """Comment on the words through the page; return the new thread's id."""
    select_text(page, words)
    page.get_by_role("button", name="Comment", exact=True).click()
    page.get_by_label("Comment", exact=True).fill(body)
    page.get_by_role("button", name="Add comment").click()
    page.wait_for_url(re.compile(r"#thread-\d+$"))
    return page.url.rsplit("-", 1)[1]


def top_of_words(page, words: str) -> float:
    """Return where the first line of these words of the text starts (viewport pixels)."""
    return page.evaluate(
        f"(words) => {{ {RANGE_OF_WORDS}; return rangeOf(words).getClientRects()[0].top; }}",
        words,
    )


def card(page, thread: str):
    return page.locator(f"#thread-{thread}")


def passage(page, thread: str):
    return page.locator(f"mark[data-thread='{thread}']").first


def wait_level(page, thread: str, within: float = 40) -> None:
    """Wait until the thread's card is level with its passage (laid out after a change)."""
    page.wait_for_function(
        """([id, within]) => {
            const card = document.getElementById('thread-' + id);
            const mark = document.querySelector(`mark[data-thread="${id}"]`);
            const gap = card.getBoundingClientRect().top - mark.getBoundingClientRect().top;
            return Math.abs(gap) <= within;
        }""",
        arg=[thread, within],
        timeout=5000,
    )


def assert_beside(page, level: list[str], pushed: list[str]) -> None:
    """Cards in level start within 40 px of their passage's top, those in pushed just below
    the card before them; no two visible cards of the margin overlap."""
    for thread in level:
        gap = card(page, thread).bounding_box()["y"] - passage(page, thread).bounding_box()["y"]
        assert abs(gap) <= 40, f"card {thread} is {gap:.0f} px from its passage"
    boxes = [
        item.bounding_box()
        for item in page.locator(".anchor-threads > .anchor-thread, .anchor-threads > .anchor-new")
        .filter(visible=True)
        .all()
    ]
    for above, below in zip(boxes, boxes[1:], strict=False):
        assert below["y"] >= above["y"] + above["height"] - 0.5, "cards overlap"
    for thread in pushed:
        own = card(page, thread).bounding_box()
        above = card(page, thread).locator("xpath=preceding-sibling::*[1]").bounding_box()
        assert own["y"] > passage(page, thread).bounding_box()["y"]
        assert own["y"] - (above["y"] + above["height"]) <= 40, f"card {thread} pushed too far"


def test_threads_sit_level_with_their_passages_on_a_wide_screen(anchors_server, new_page):
    app = anchors_server[1]
    giulia_name, marco_name = make_account(app), make_account(app)
    giulia, marco = new_page(), new_page()
    photo = png(600, 400)
    giulia.route(PHOTO, lambda route: route.fulfill(body=photo, content_type="image/png"))
    log_in(giulia, giulia_name)
    log_in(marco, marco_name)
    title = unique("Campagna_")
    save_edit(giulia, title, long_page())
    top = comment_on(giulia, LONG_PASSAGE, "Which goals? We need numbers.")
    images = comment_on(giulia, "Key sentence about Immagini.", "Who owns the rights?")
    near = comment_on(giulia, "Immagini, second paragraph", "Too close to the other one.")

    # Marco reads the page at 1280 px; the photo arrives only once the margin is laid out.
    marco.set_viewport_size({"width": 1280, "height": 900})
    held = []
    marco.route(PHOTO, lambda route: held.append(route))
    marco.goto(f"/wiki/{title}", wait_until="domcontentloaded")  # the scripts have run
    while not held:
        marco.wait_for_timeout(20)
    assert_beside(marco, level=[top, images], pushed=[near])

    # The photo loads above every passage: the cards follow their passages down.
    before = passage(marco, images).bounding_box()["y"]
    held[0].fulfill(body=photo, content_type="image/png")
    marco.wait_for_function("() => document.querySelector('#page-prose img').naturalWidth > 0")
    wait_level(marco, images)
    assert passage(marco, images).bounding_box()["y"] > before + 200
    assert_beside(marco, level=[top, images], pushed=[near])

    # Each card quotes its passage, on two lines at most; the cards keep the passages' order.
    quote = card(marco, top).locator(".anchor-quote")
    expect(quote).to_have_text(LONG_PASSAGE)
    line = quote.evaluate("q => parseFloat(getComputedStyle(q).lineHeight)")
    assert quote.bounding_box()["height"] <= 2 * line + 1
    expect(card(marco, images).locator(".anchor-quote")).to_have_text(
        "Key sentence about Immagini."
    )
    cards = marco.locator(".anchor-threads > .anchor-thread")
    assert [c.get_attribute("data-thread") for c in cards.all()] == [top, images, near]

    # Clicking a card highlights its passage and brings the card level with it.
    card(marco, near).locator(".anchor-comment").click()
    expect(passage(marco, near)).to_have_class(re.compile(r"\bactive\b"))
    expect(card(marco, near)).to_have_class(re.compile(r"\bactive\b"))
    assert_beside(marco, level=[near], pushed=[])
    # ... and clicking a passage highlights its card.
    passage(marco, images).click()
    expect(card(marco, images)).to_have_class(re.compile(r"\bactive\b"))
    expect(passage(marco, near)).not_to_have_class(re.compile(r"\bactive\b"))
    assert_beside(marco, level=[images], pushed=[near])

    # The form for a new comment opens level with the selected words, among the cards in
    # the order of the passages, with the keyboard in it.
    select_text(marco, "Key sentence about Canali.")
    marco.get_by_role("button", name="Comment", exact=True).click()
    form = marco.locator("#anchor-form")
    expect(marco.get_by_label("Comment", exact=True)).to_be_focused()
    gap = form.bounding_box()["y"] - top_of_words(marco, "Key sentence about Canali.")
    assert abs(gap) <= 40, f"the form is {gap:.0f} px from the selection"
    order = marco.locator(".anchor-threads > *").evaluate_all("items => items.map(i => i.id)")
    assert order == [f"thread-{top}", "anchor-form", f"thread-{images}", f"thread-{near}"]
    assert_beside(marco, level=[top, images], pushed=[near])
    marco.get_by_role("button", name="Cancel").click()
    expect(form).to_be_hidden()

    # A narrower window: laid out again.
    marco.set_viewport_size({"width": 1000, "height": 900})
    wait_level(marco, top)
    assert_beside(marco, level=[top, images], pushed=[near])

    # On a phone each card follows its paragraph, as before.
    marco.set_viewport_size({"width": 390, "height": 800})
    expect(marco.locator(".anchored.anchor-placed")).to_have_count(0)
    below = marco.locator(f"#page-prose p:has(mark[data-thread='{images}']) + .anchor-thread")
    expect(below).to_have_attribute("id", f"thread-{images}")
    paragraph = marco.locator(f"#page-prose p:has(mark[data-thread='{images}'])")
    box = paragraph.bounding_box()
    assert card(marco, images).bounding_box()["y"] >= box["y"] + box["height"]


def test_an_old_revision_shows_its_threads_beside_their_passages(anchors_server, new_page):
    app = anchors_server[1]
    giulia = new_page()
    log_in(giulia, make_account(app))
    title = unique("Vecchia_")
    save_edit(giulia, title, long_page())
    thread = comment_on(giulia, "Key sentence about Immagini.", "Who owns the rights?")
    save_edit(giulia, title, long_page() + "\nOne more line.\n")
    giulia.goto(f"/history/{title}")
    giulia.locator(".history-row a[href^='/revision/']").last.click()  # the first version
    expect(giulia.get_by_text("This is an old revision of this page")).to_be_visible()
    giulia.set_viewport_size({"width": 1280, "height": 900})
    expect(giulia.locator(".anchored.anchor-placed")).to_have_count(1)
    wait_level(giulia, thread)
    expect(card(giulia, thread).locator(".anchor-quote")).to_have_text(
        "Key sentence about Immagini."
    )


def test_right_after_a_save_the_information_screen_says_who_wrote_what(anchors_server, new_page):
    app = anchors_server[1]
    (giulia_name, giulia), (marco_name, marco) = two_people(app, new_page)
    title = unique("Listino_")
    first = "Il caffè costa due euro al chilo.\n"
    save_edit(giulia, title, first)
    save_edit(marco, title, first + "\nMarco aggiunge una riga.\n")

    # Straight from the page his save led to, Marco opens the page's information: the words
    # are attributed after the save's answer, and the screen shows them all the same.
    marco.get_by_role("link", name="2 contributors").click()
    credits = marco.locator(".authorship-credits")
    expect(credits).to_contain_text(f"{giulia_name} wrote 64% of the current text")
    expect(credits).to_contain_text(f"{marco_name} wrote 36% of the current text")
    marco.get_by_role("link", name="See who wrote each word").click()
    expect(
        marco.get_by_role("heading", name=f"Who wrote {title.replace('_', ' ')}")
    ).to_be_visible()
    expect(marco.locator(f'[data-author="{marco_name}"]')).to_contain_text("Marco aggiunge")
    expect(marco.locator(f'[data-author="{giulia_name}"]').first).to_contain_text("caffè costa")
