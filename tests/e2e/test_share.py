"""Sharing and connecting in a browser: share links, copying the link, a click-to-load video,
personal access tokens made in the preferences and used by a program, webhooks set up by
an administrator."""

import json
import re
import urllib.error
import urllib.request
from datetime import datetime

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import log_in, make_account, save_edit, serve, unique
from wiki.models import Role

VIDEO_HOST = "https://www.youtube-nocookie.com/"


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """Serve a fresh wiki for this module; yield its base URL and app."""
    with serve(tmp_path_factory.mktemp("share-live")) as found:
        yield found


@pytest.fixture(scope="module")
def live_server(served):
    return served[0]


def api(base: str, method: str, path: str, token: str, body: dict | None = None):
    """Call the API as a program would; return the status and the JSON answer."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(
        base + path,
        data=data,
        method=method,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_share_links_and_copying_the_page_link(browser, served):
    base, app = served
    context = browser.new_context(base_url=base)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base)
    page = context.new_page()
    try:
        name, title = make_account(app), unique("Launch_")
        log_in(page, name)
        save_edit(page, title, "# Launch\n\nOur launch, in one paragraph.")
        outside = []
        page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(base) else None)
        page.reload()
        share = page.get_by_role("region", name="Share this page")
        address = f"{base}/wiki/{title}"
        for label, start in (
            ("Email", "mailto:?subject="),
            ("X", "https://x.com/intent/post?"),
            ("LinkedIn", "https://www.linkedin.com/sharing/share-offsite/?"),
            ("Facebook", "https://www.facebook.com/sharer/sharer.php?"),
            ("WhatsApp", "https://wa.me/?"),
        ):
            href = share.get_by_role("link", name=label, exact=True).get_attribute("href")
            assert href.startswith(start), href
        share.get_by_role("button", name="Copy link").click()
        expect(share.get_by_role("status")).to_have_text("Link copied")
        assert page.evaluate("navigator.clipboard.readText()") == address
        assert outside == []  # no third-party script, pixel or font
    finally:
        context.close()


def test_a_video_loads_only_when_the_reader_clicks(new_page, served):
    base, app = served
    page = new_page()
    asked = []

    def fake_player(route):
        asked.append(route.request.url)
        route.fulfill(status=200, content_type="text/html", body="<p>player</p>")

    page.route(f"{VIDEO_HOST}**", fake_player)
    title = unique("Video_")
    log_in(page, make_account(app))
    save_edit(page, title, "# Video\n\nhttps://www.youtube.com/watch?v=dQw4w9WgXcQ&t=30\n\nAfter.")
    box = page.locator(".prose div.embed")
    expect(box).to_be_visible()
    expect(box.locator("iframe")).to_have_count(0)
    assert asked == []
    box.get_by_role("button", name=re.compile("Play the video")).click()
    frame = box.locator("iframe")
    expect(frame).to_have_attribute("src", re.compile(r"^https://www\.youtube-nocookie\.com/"))
    assert "dQw4w9WgXcQ?start=30" in frame.get_attribute("src")
    page.wait_for_timeout(200)
    assert asked and asked[0].startswith(VIDEO_HOST + "embed/dQw4w9WgXcQ")


def test_a_token_made_in_the_preferences_lets_a_program_edit_until_revoked(new_page, served):
    base, app = served
    page = new_page()
    log_in(page, make_account(app))
    page.goto("/preferences")
    page.get_by_label("Token name").fill("CMS sync")
    page.get_by_label("Edit pages").check()
    expect(page.get_by_label("Expires")).to_have_value("90")  # unless one chooses
    page.get_by_label("Expires").select_option(label="In 30 days")
    page.get_by_role("button", name="Create token").click()
    token = page.locator("#new-token").inner_text().strip()
    assert token.startswith("bot_")
    row = page.get_by_role("row").filter(has=page.get_by_role("cell", name="CMS sync", exact=True))
    created, expires = (
        datetime.fromisoformat(t)
        for t in row.locator("time").evaluate_all(
            "times => times.map(time => time.getAttribute('datetime'))"
        )
    )
    assert (expires - created).days == 30

    title = unique("From_CMS_")
    status, body = api(base, "PUT", f"/api/v1/pages/{title}", token, {"text": "# From the CMS"})
    assert status == 201, body
    page.goto(f"/wiki/{title}")
    expect(page.get_by_role("heading", name="From the CMS")).to_be_visible()

    page.goto("/preferences/tokens")
    expect(page.locator("#new-token")).to_have_count(0)  # shown once only
    questions = []
    page.once("dialog", lambda dialog: (questions.append(dialog.message), dialog.dismiss()))
    page.get_by_role("button", name="Revoke CMS sync").click()  # asked first: not yet
    expect(page.get_by_role("button", name="Revoke CMS sync")).to_be_visible()
    assert questions and "CMS sync" in questions[0]
    status, _body = api(base, "GET", f"/api/v1/pages/{title}", token)
    assert status == 200
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Revoke CMS sync").click()
    expect(page.get_by_text("is revoked")).to_be_visible()
    status, body = api(base, "GET", f"/api/v1/pages/{title}", token)
    assert status == 401 and "revoked" in body["detail"]


def test_an_empty_token_name_is_explained_and_the_scopes_kept(new_page, served):
    base, app = served
    page = new_page()
    log_in(page, make_account(app))
    page.goto("/preferences/tokens")
    page.get_by_label("Start topics and comment").check()
    page.get_by_label("Token name").fill("   ")
    page.get_by_role("button", name="Create token").click()
    expect(page.get_by_role("alert")).to_contain_text("Give the token a name")
    expect(page.get_by_label("Start topics and comment")).to_be_checked()


def test_an_administrator_adds_a_webhook_and_sees_its_deliveries(new_page, served):
    base, app = served
    page = new_page()
    log_in(page, make_account(app, Role.ADMIN))
    page.goto("/admin/webhooks")
    page.get_by_label("Payload URL").fill("http://127.0.0.1:9/hook")
    page.get_by_role("button", name="Add webhook").click()
    expect(page.get_by_role("alert")).to_contain_text("local or private address")
    expect(page.get_by_label("Payload URL")).to_have_value("http://127.0.0.1:9/hook")
    page.get_by_label(re.compile("Allow addresses on local")).check()
    page.get_by_role("button", name="Add webhook").click()
    expect(page.get_by_label("Webhook secret")).to_be_visible()
    page.get_by_role("button", name="Send a test event").click()
    expect(page.get_by_role("cell", name=re.compile("ping"))).to_be_visible()
    for _ in range(50):  # the job sends it in the background; nothing listens on port 9
        if page.get_by_text("no answer").count():
            break
        page.wait_for_timeout(100)
        page.reload()
    expect(page.get_by_text("no answer").first).to_be_visible()
