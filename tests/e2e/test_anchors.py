"""A comment on a passage follows its words while another person edits, in Chromium."""

import re

import pytest
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


def select_text(page, words: str) -> None:
    """Select words in the page's text as a person dragging the mouse would."""
    page.evaluate(
        """(words) => {
            const prose = document.getElementById('page-prose');
            const walker = document.createTreeWalker(prose, NodeFilter.SHOW_TEXT);
            let node;
            while ((node = walker.nextNode())) {
                const at = node.textContent.indexOf(words);
                if (at >= 0) {
                    const range = document.createRange();
                    range.setStart(node, at);
                    range.setEnd(node, at + words.length);
                    const selection = window.getSelection();
                    selection.removeAllRanges();
                    selection.addRange(range);
                    document.dispatchEvent(new MouseEvent('mouseup', {bubbles: true}));
                    return;
                }
            }
            throw new Error('no such words: ' + words);
        }""",
        words,
    )


def test_a_comment_on_a_sentence_follows_it_and_outlives_it(anchors_server, new_page):
    app = anchors_server[1]
    giulia_name, marco_name = make_account(app), make_account(app)
    giulia, marco = new_page(), new_page()
    log_in(giulia, giulia_name)
    log_in(marco, marco_name)
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
    giulia_name, marco_name = make_account(app), make_account(app)
    giulia, marco = new_page(), new_page()
    log_in(giulia, giulia_name)
    log_in(marco, marco_name)
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
