"""Live co-editing in Chromium across two app server processes sharing a database and Redis.

Three people type at once for a while — at the same place, and at random places, with
Italian accents, emoji and CJK — two through one process and one through a gunicorn
process; each also deletes a line of the starting text. All end with one identical text
holding everything each typed, and one save credits the other two.
"""

import os
import random
import re
import time
from collections import Counter

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.e2e.helpers import log_in, make_account, serve, unique
from tests.helpers import REDIS_URL, redis_or_skip, save, start_gunicorn, stop_gunicorn
from wiki.core.titles import parse_title
from wiki.extensions import db
from wiki.live.models import RevisionCoauthor
from wiki.models import Page, Revision, User

SECONDS = float(os.environ.get("WIKI_LIVE_TYPING_SECONDS", "5"))
WORDS = ["caffè", "perché", "città", "😀", "🎉", "日本語", "中文", "ok"]


@pytest.fixture(scope="module")
def two_processes(tmp_path_factory):
    """Serve one wiki from this process and from a gunicorn process; yield both URLs, app."""
    redis_or_skip()
    with serve(tmp_path_factory.mktemp("live-two"), LIVE_EDITING=True, REDIS_URL=REDIS_URL) as (
        url,
        app,
    ):
        process, served = start_gunicorn(app, WIKI_INSTANCE_PATH=app.instance_path)
        try:
            yield url, served, app
        finally:
            stop_gunicorn(process, seconds=40)  # open editors' sockets end with the worker


def person(browser, base: str, app):
    """Return a new person's name and tab, logged in at one of the servers."""
    name = make_account(app)
    context = browser.new_context(base_url=base)
    context.set_default_timeout(20000)
    tab = context.new_page()
    for _attempt in range(50):  # the gunicorn worker may still be loading the app
        try:
            log_in(tab, name)
            break
        except Exception:  # noqa: BLE001
            time.sleep(0.3)
    return name, tab


def text_of(tab) -> str:
    return tab.evaluate("window.bottegaLiveEditor.view.state.doc.toString()")


def test_three_people_on_two_processes_type_at_once_and_converge(two_processes, browser):
    first_url, second_url, app = two_processes
    title = unique("Campaign")
    start = "Title line\n" + "".join(f"delete me {n}\n" for n in range(3)) + "End line\n"
    with app.app_context():
        owner = db.session.scalar(select(User).where(User.username == make_account(app)))
        save(title, start, owner)
    people = [person(browser, u, app) for u in (first_url, first_url, second_url)]
    try:
        converge_and_save(people, title, start, app)
    finally:
        for _name, tab in people:
            tab.context.close()


def converge_and_save(people, title: str, start: str, app) -> None:
    """Type at once in every tab, check they converge, save from the last one."""
    boxes = []
    for _name, tab in people:
        tab.goto(f"/edit/{title}")
        box = tab.get_by_role("textbox", name="Content")
        expect(box).to_have_attribute("contenteditable", "true")
        boxes.append(box)
    for _name, tab in people:
        tab.wait_for_function("() => document.querySelectorAll('.live-person').length === 2")

    rng = random.Random(19)
    typed: dict[int, list[str]] = {0: [], 1: [], 2: []}
    deadline, turn = time.monotonic() + SECONDS, 0
    while time.monotonic() < deadline or turn < 12:
        who = turn % 3
        _name, tab = people[who]
        boxes[who].click()
        token = f"<{who}.{turn}{rng.choice(WORDS)}>"
        where = rng.random()
        tab.keyboard.press("Control+Home")
        if where < 0.4:
            tab.keyboard.press("End")  # the same place for everyone: the end of line 1
        elif where < 0.7:
            tab.keyboard.press("Control+End")
        else:
            for _ in range(rng.randint(0, 9)):
                tab.keyboard.press("ArrowRight")
        tab.keyboard.insert_text(token)
        typed[who].append(token)
        if turn < 3:  # each deletes one line of the starting text, while the others type
            tab.keyboard.press("Control+Home")
            for _ in range(who + 1):
                tab.keyboard.press("ArrowDown")
            tab.keyboard.press("Home")
            tab.keyboard.press("Shift+End")
            tab.keyboard.press("Backspace")
        turn += 1

    # Others may type inside a token, so count characters: the text holds every character
    # of the start that nobody deleted and every character anyone typed, and nothing else.
    expected = Counter(start) - Counter("".join(f"delete me {n}" for n in range(3)))
    expected += Counter("".join(token for tokens in typed.values() for token in tokens))
    deadline = time.monotonic() + 30
    texts = [text_of(tab) for _name, tab in people]
    while time.monotonic() < deadline and not (
        len(set(texts)) == 1 and Counter(texts[0]) == expected
    ):
        time.sleep(0.3)
        texts = [text_of(tab) for _name, tab in people]
    assert len(set(texts)) == 1, texts
    final = texts[0]
    assert Counter(final) == expected
    for n in range(3):
        assert f"delete me {n}" not in final
    assert "\nEnd line\n" in final

    saver, tab = people[2]  # saves through the gunicorn process
    tab.get_by_label("Edit summary").fill("Written together")
    tab.get_by_role("button", name="Save", exact=True).click()
    tab.wait_for_url(re.compile(r"/wiki/"))
    expect(people[0][1].locator(".live-status")).to_contain_text(f"{saver} saved this as revision")
    with app.app_context():
        page = db.session.scalar(select(Page).where(Page.key == parse_title(title).key))
        revision = db.session.get(Revision, page.latest_revision_id)
        assert revision.text == final and revision.summary == "Written together"
        coauthors = db.session.scalars(
            select(User.username)
            .join(RevisionCoauthor, RevisionCoauthor.user_id == User.id)
            .where(RevisionCoauthor.revision_id == revision.id)
        ).all()
        assert sorted(coauthors) == sorted([people[0][0], people[1][0]])


def test_unsaved_changes_discarded_through_one_process_go_for_editors_on_the_other(
    two_processes, browser
):
    first_url, second_url, app = two_processes
    title = unique("Questions")
    with app.app_context():
        owner = db.session.scalar(select(User).where(User.username == make_account(app)))
        save(title, "# FAQ\n", owner)
    (bob, b_tab), (carla, c_tab), (dave, d_tab) = people = [
        person(browser, url, app) for url in (second_url, first_url, second_url)
    ]
    try:
        for _name, tab in people:
            tab.goto(f"/edit/{title}")
            box = tab.get_by_role("textbox", name="Content")
            expect(box).to_have_attribute("contenteditable", "true")
        b_tab.get_by_role("textbox", name="Content").click()
        b_tab.keyboard.press("Control+End")
        b_tab.keyboard.type("## New question")
        d_tab.wait_for_function(
            "() => window.bottegaLiveEditor?.view.state.doc.toString().includes('New question')"
        )
        b_tab.goto(f"/wiki/{title}")  # bob leaves them (others are here: Cancel just leaves)
        c_tab.reload()
        expect(c_tab.locator(".live-draft")).to_contain_text(f"Unsaved changes by {bob}")
        expect(c_tab.locator(".live-people")).to_contain_text(dave, timeout=5000)
        c_tab.get_by_role("button", name="Discard the draft’s changes").click()
        question = c_tab.get_by_role("dialog", name="Discard the unsaved changes?")
        expect(question).to_contain_text(f"Editing now: {dave}.")
        question.get_by_role("button", name="Discard", exact=True).click()
        c_tab.wait_for_url(re.compile(r"/edit/"))
        d_tab.wait_for_function(
            "() => window.bottegaLiveEditor?.view.state.doc.toString() === '# FAQ\\n'"
        )
        expect(d_tab.locator(".live-status")).to_contain_text(f"{carla} discarded")
        c_tab.wait_for_function(
            "() => window.bottegaLiveEditor?.view.state.doc.toString() === '# FAQ\\n'"
        )
    finally:
        for _name, tab in people:
            tab.context.close()
