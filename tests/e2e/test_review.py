"""Pending changes in a browser: a newcomer's edit waits, a reviewer accepts it from
/review, a second edit is rejected with a reason its author reads in notifications."""

import re

import pytest
from playwright.sync_api import expect

from tests import file_samples as samples
from tests.a11y.axe import axe_violations
from tests.e2e.helpers import log_in, make_account, save_edit, serve, unique
from wiki.models import Role


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """Serve a wiki reviewing newcomers' edits; yield its base URL and app."""
    with serve(tmp_path_factory.mktemp("review-live"), REVIEW_POLICY="newcomers") as found:
        yield found


def tab(browser, base):
    """Return a tab in a context of its own (its own cookies)."""
    context = browser.new_context(base_url=base)
    context.set_default_timeout(15000)
    return context.new_page()


def test_a_newcomers_edits_are_reviewed_before_the_public_sees_them(browser, served):
    base, app = served
    admin, newcomer = make_account(app, Role.ADMIN), make_account(app)
    reviewer = make_account(app, Role.REVIEWER)
    title = unique("Widget_")
    company, author, checker, reader = (tab(browser, base) for _ in range(4))
    try:
        log_in(company, admin)
        save_edit(company, title, "Our widget is blue.")

        log_in(author, newcomer)
        save_edit(author, title, "Our widget is blue and green.", summary="Colours")
        expect(author.get_by_text("wait for a reviewer")).to_be_visible()
        expect(author.locator(".prose")).to_contain_text("blue and green")
        expect(author.get_by_text("waits for review (made")).to_be_visible()

        reader.goto(f"/wiki/{title}")
        expect(reader.locator(".prose")).to_have_text("Our widget is blue.")

        log_in(checker, reviewer)
        checker.goto("/review")
        expect(checker.locator(".review-count")).to_have_text("1")
        checker.get_by_role("link", name=title.replace("_", " ")).click()
        expect(checker.locator(".review-changes")).to_contain_text(newcomer)
        # What Accept does is said beside it, its lines starting right of the button.
        accept = checker.get_by_role("button", name="Accept").bounding_box()
        said = checker.locator(".review-accept .hint").bounding_box()
        assert said["x"] >= accept["x"] + accept["width"], (accept, said)
        checker.get_by_role("button", name="Accept").click()
        expect(checker.get_by_text("The changes are published.")).to_be_visible()

        reader.reload()
        expect(reader.locator(".prose")).to_have_text("Our widget is blue and green.")

        save_edit(author, title, "Our widget is blue and green. Buy cheap pills!")
        checker.goto("/review")
        checker.get_by_role("link", name=title.replace("_", " ")).click()
        checker.get_by_label("Reason for rejecting").fill("Not about the widget")
        checker.get_by_role("button", name="Reject").click()
        expect(checker.get_by_text("The changes are rejected.")).to_be_visible()

        author.goto("/notifications")
        expect(author.locator(".notification-rejected")).to_contain_text("Not about the widget")
        # The revision that took the edit out is the rejection, not news of an edit.
        expect(author.locator(".notification-edit")).to_have_count(0)
        reader.reload()
        expect(reader.locator(".prose")).to_have_text("Our widget is blue and green.")
        author.goto(f"/history/{title}")
        expect(author.locator(".badge-rejected")).to_be_visible()
        author.goto("/recent?show=pages")
        rejected = author.locator(".change-row", has=author.locator(".badge-rejected"))
        expect(rejected).to_have_count(1)
        expect(rejected).to_contain_text(newcomer)
        expect(rejected.locator(".badge-rejected")).to_have_text("rejected")
        reader.goto("/recent?show=pages")
        expect(reader.locator(".change-row").first).to_be_visible()
        expect(reader.locator(".badge-rejected, .badge-waiting")).to_have_count(0)
    finally:
        for page in (company, author, checker, reader):
            page.context.close()


def test_a_newcomers_new_picture_is_reviewed_before_visitors_see_it(browser, served, tmp_path):
    base, app = served
    admin, newcomer = make_account(app, Role.ADMIN), make_account(app)
    reviewer = make_account(app, Role.REVIEWER)
    name = unique("shopfront") + ".png"
    title = unique("Shop_")
    company, author, checker, reader = (tab(browser, base) for _ in range(4))
    first, second = tmp_path / "first.png", tmp_path / "second.png"
    first.write_bytes(samples.png(600, 400, (200, 40, 40)))
    second.write_bytes(samples.png(600, 400, (40, 40, 200)))
    try:
        log_in(company, admin)
        company.goto("/upload")
        company.get_by_label("File", exact=True).set_input_files(str(first))
        company.get_by_label("Name").fill(name)
        company.get_by_role("button", name="Upload").click()
        save_edit(company, title, f"Our shop:\n\n![Shop front](File:{name})")
        reader.goto(f"/wiki/{title}")
        published = reader.locator(".prose img").get_attribute("src")

        log_in(author, newcomer)
        author.goto(f"/file/{name}")
        author.get_by_label("New version", exact=True).set_input_files(str(second))
        author.get_by_role("button", name="Upload new version").click()
        author.goto(f"/wiki/{title}")
        expect(author.locator(".prose img")).not_to_have_attribute("src", published)

        reader.reload()  # a visitor still sees the published picture
        expect(reader.locator(".prose img")).to_have_attribute("src", published)

        log_in(checker, reviewer)
        checker.goto(f"/review/File:{name}")
        uploads = checker.locator(".review-upload img")
        expect(uploads).to_have_count(2)
        expect(checker.locator(".review-uploads")).to_contain_text(newcomer)
        checker.get_by_role("button", name="Accept").click()
        expect(checker.get_by_text("The changes are published.")).to_be_visible()

        reader.reload()
        expect(reader.locator(".prose img")).not_to_have_attribute("src", published)
        expect(reader.locator(".prose img")).to_have_attribute("src", re.compile("/thumb/"))
    finally:
        for page in (company, author, checker, reader):
            page.context.close()


def test_a_newcomers_page_with_their_new_picture_is_published_whole(browser, served, tmp_path):
    base, app = served
    newcomer, reviewer = make_account(app), make_account(app, Role.REVIEWER)
    name = unique("beach") + ".png"
    title = unique("Summer_")
    author, checker, reader = (tab(browser, base) for _ in range(3))
    photo = tmp_path / "beach.png"
    photo.write_bytes(samples.png(600, 400, (240, 200, 60)))
    try:
        log_in(author, newcomer)
        author.goto("/upload")
        author.get_by_label("File", exact=True).set_input_files(str(photo))
        author.get_by_label("Name").fill(name)
        author.get_by_role("button", name="Upload").click()
        expect(author.get_by_text("It waits for review")).to_be_visible()
        save_edit(author, title, f"Our beach:\n\n![The beach](File:{name})")
        # A new page: nothing of it is published, so no published version is offered.
        expect(author.get_by_text("Nothing of this page is published yet.")).to_be_visible()
        expect(author.get_by_role("link", name="Show the published version")).to_have_count(0)
        reader.goto(f"/wiki/{title}")  # a visitor: written, waiting, not "create it"
        expect(reader.get_by_text("waiting for review")).to_be_visible()
        expect(reader.get_by_role("link", name="Log in to create it")).to_have_count(0)

        log_in(checker, reviewer)
        checker.goto(f"/review/{title}")
        waiting_files = checker.get_by_role("region", name="Files this page shows")
        expect(waiting_files.get_by_role("link", name=f"File:{name}")).to_be_visible()
        expect(checker.get_by_label("Publish the file it shows with it")).to_be_checked()
        checker.get_by_role("button", name="Accept").click()
        expect(checker.get_by_text("The file it shows is published too.")).to_be_visible()

        reader.goto(f"/wiki/{title}")  # a visitor sees the picture, not a link to upload it
        expect(reader.locator(".prose img")).to_have_attribute("src", re.compile("/thumb/"))
    finally:
        for page in (author, checker, reader):
            page.context.close()


def test_a_reviewer_publishes_the_first_of_two_waiting_changes(browser, served):
    base, app = served
    admin, newcomer = make_account(app, Role.ADMIN), make_account(app)
    reviewer = make_account(app, Role.REVIEWER)
    title = unique("Gadget_")
    company, author, checker, reader = (tab(browser, base) for _ in range(4))
    try:
        log_in(company, admin)
        save_edit(company, title, "Our gadget is small.")
        log_in(author, newcomer)
        save_edit(author, title, "Our gadget is small and light.")
        save_edit(author, title, "Our gadget is small and light. Cheap pills!")
        log_in(checker, reviewer)
        checker.goto(f"/review/{title}")
        checker.get_by_role("button", name="Publish up to this change").click()
        expect(checker.get_by_text("Later edits still wait for review.")).to_be_visible()
        # The reviewer stays with the page: what is left waits on its screen.
        expect(checker).to_have_url(re.compile(rf"/review/{title}$"))
        expect(checker.locator(".review-changes")).to_contain_text(newcomer)
        # Rejecting needs a reason, asked for before anything is sent.
        checker.get_by_role("button", name="Reject").click()
        reason = checker.get_by_label("Reason for rejecting")
        assert reason.evaluate("e => e.matches(':invalid')")
        expect(checker.get_by_text("The changes are rejected.")).to_have_count(0)
        reader.goto(f"/wiki/{title}")
        expect(reader.locator(".prose")).to_have_text("Our gadget is small and light.")
        # The rest: edited by the reviewer, published with the edit.
        checker.goto(f"/review/{title}")
        checker.get_by_role("link", name="edit, then publish").click()
        expect(checker.get_by_label("Publish the waiting changes with my edit")).to_be_checked()
        checker.get_by_label("Content").fill("Our gadget is small and light. Cheap to run!")
        checker.get_by_role("button", name="Save").click()
        reader.reload()
        expect(reader.locator(".prose")).to_have_text(
            "Our gadget is small and light. Cheap to run!"
        )
    finally:
        for page in (company, author, checker, reader):
            page.context.close()


@pytest.mark.parametrize("width", [390, 1280], ids=["phone", "desktop"])
def test_the_review_queue_is_a_table_that_fits_the_screen_or_scrolls_in_its_own_box(
    browser, served, width
):
    base, app = served
    newcomer, reviewer = make_account(app), make_account(app, Role.REVIEWER)
    title = unique("Minutes_of_the_quarterly_planning_meeting_with_the_regional_teams_")
    author = tab(browser, base)
    checker = tab(browser, base)
    try:
        log_in(author, newcomer)
        save_edit(author, title, "Who came, what was decided.")
        log_in(checker, reviewer)
        checker.set_viewport_size({"width": width, "height": 844})
        checker.goto(f"/review?author={newcomer}")

        # The table scrolls sideways in a region of its own that says what it holds and
        # takes keyboard focus; the page itself never gets wider than the screen.
        region = checker.get_by_role("region", name="Pending changes")
        expect(region).to_be_visible()
        assert region.evaluate("e => e.tabIndex") == 0
        box = region.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width
        wide = checker.evaluate("() => document.documentElement.scrollWidth - innerWidth")
        assert wide <= 0, f"the review queue is {wide}px wider than the screen"

        # Styled as the wiki's other tables: a border, a shaded row of headings.
        table = region.get_by_role("table")
        assert table.evaluate("e => parseFloat(getComputedStyle(e).borderTopWidth)") >= 1
        heading = table.get_by_role("columnheader", name="Page")
        page_bg = checker.evaluate("() => getComputedStyle(document.body).backgroundColor")
        assert heading.evaluate("e => getComputedStyle(e).backgroundColor") != page_bg
        assert heading.evaluate("e => getComputedStyle(e).backgroundColor") != "rgba(0, 0, 0, 0)"

        # The page's name is shown whole, wrapped within the screen; the last column is
        # reached by scrolling the table's region.
        link = region.get_by_role("link", name=title.replace("_", " "))
        box = link.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width
        authors = region.get_by_role("cell", name=newcomer)
        authors.scroll_into_view_if_needed()
        box = authors.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width
        assert checker.evaluate("() => document.documentElement.scrollWidth") <= width
        assert axe_violations(checker) == []
    finally:
        author.context.close()
        checker.context.close()


def test_where_only_reviewers_see_waiting_changes_customers_read_the_published_page(
    browser, tmp_path
):
    with serve(tmp_path, REVIEW_POLICY="newcomers") as (base, app):
        admin, newcomer, customer = (make_account(app, Role.ADMIN), make_account(app),
                                     make_account(app))  # fmt: skip
        title = unique("Gadget_")
        company, author, other = (tab(browser, base) for _ in range(3))
        try:
            log_in(company, admin)
            save_edit(company, title, "Our gadget is red.")
            company.goto("/admin/settings")
            company.get_by_label("Only reviewers see them; each author sees their own").check()
            company.get_by_role("button", name="Save policy").click()
            expect(company.get_by_text("The site policy is saved.")).to_be_visible()

            log_in(author, newcomer)
            save_edit(author, title, "Our gadget is red. Call 555-SPAM!", summary="Offer")
            # The author reads their own change, and edits on from it.
            expect(author.locator(".prose")).to_contain_text("555-SPAM")
            expect(author.get_by_text("waits for review (made")).to_be_visible()
            author.goto(f"/edit/{title}")
            expect(author.get_by_label("Content")).to_have_value(re.compile("555-SPAM"))

            # Another customer with an account reads what is published, and no sign of it.
            log_in(other, customer)
            other.goto(f"/wiki/{title}")
            expect(other.locator(".prose")).to_have_text("Our gadget is red.")
            expect(other.get_by_text("waits for review")).to_have_count(0)
            other.goto(f"/history/{title}")
            expect(other.locator(".history-row")).to_have_count(1)

            # The company's reviewer sees it waiting and is led to review it.
            company.goto(f"/wiki/{title}")
            expect(company.locator(".prose")).to_contain_text("555-SPAM")
            company.locator(".review-notice").get_by_role("link", name="see it").click()
            expect(company).to_have_url(re.compile(r"/review/"))
        finally:
            for opened in (company, author, other):
                opened.context.close()
