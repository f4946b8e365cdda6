"""Files in Chromium: drop an image into the editor, see its thumbnail, upload a new version."""

import base64
import re

import pytest
from playwright.sync_api import expect

from tests import file_samples as samples
from tests.e2e.helpers import register, serve, unique

DROP = """([data, name]) => {
  const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
  const transfer = new DataTransfer();
  transfer.items.add(new File([bytes], name, { type: "image/png" }));
  const text = document.getElementById("editor-text");
  text.focus();
  text.setSelectionRange(text.value.length, text.value.length);
  for (const kind of ["dragenter", "dragover", "drop"]) {
    const options = { dataTransfer: transfer, bubbles: true, cancelable: true };
    text.dispatchEvent(new DragEvent(kind, options));
  }
}"""
# A file of a given size, dropped into the editor (its bytes are never read when refused).
DROP_SIZED = """([size, name]) => {
  const transfer = new DataTransfer();
  transfer.items.add(new File([new Uint8Array(size)], name, { type: "application/pdf" }));
  const text = document.getElementById("editor-text");
  for (const kind of ["dragenter", "dragover", "drop"]) {
    const options = { dataTransfer: transfer, bubbles: true, cancelable: true };
    text.dispatchEvent(new DragEvent(kind, options));
  }
}"""
LIMIT = 1024 * 1024  # a wiki that takes files of at most 1 MB
PASTE = """([data]) => {
  const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
  const transfer = new DataTransfer();
  transfer.items.add(new File([bytes], "image.png", { type: "image/png" }));
  const text = document.getElementById("editor-text");
  text.focus();
  const options = { clipboardData: transfer, bubbles: true, cancelable: true };
  text.dispatchEvent(new ClipboardEvent("paste", options));
}"""


def test_drop_an_image_save_see_the_thumbnail_then_upload_a_new_version(page, tmp_path):
    register(page, unique("designer"))
    title = unique("Spring_Campaign_")
    name = unique("hero") + ".png"
    page.goto(f"/edit/{title}")
    page.get_by_label("Content").fill("# Spring\n\nOur hero image:\n\n")
    picture = base64.b64encode(samples.png(1200, 800, (200, 90, 20))).decode()
    page.evaluate(DROP, [picture, name])
    expect(page.get_by_role("status").filter(has_text="Uploaded")).to_be_visible(timeout=20000)
    expect(page.get_by_label("Content")).to_have_value(re.compile(rf"!\[[^\]]*\]\(File:{name}\)"))
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(r"/wiki/"))

    image = page.locator(".prose img")
    expect(image).to_have_count(1)
    expect(image).to_have_attribute("srcset", re.compile(r"/thumb/.+ 800w"))
    image.scroll_into_view_if_needed()
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=image.element_handle()
    )
    first_version = image.get_attribute("src")
    assert "/media/" not in first_version

    image.click()  # the image leads to its file page
    expect(page).to_have_url(re.compile(rf"/file/{re.escape(name)}$"))
    expect(page.locator(".file-usage")).to_contain_text(title.replace("_", " "))
    newer = tmp_path / "newer.png"
    newer.write_bytes(samples.png(1200, 800, (20, 90, 200)))
    page.get_by_label("New version", exact=True).set_input_files(str(newer))
    page.get_by_label("What changed").fill("Blue for autumn")
    page.get_by_role("button", name="Upload new version").click()
    expect(page.locator(".flash-success")).to_contain_text("new version")
    rows = page.locator("tr.file-version")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("Blue for autumn")
    expect(page.get_by_role("button", name=re.compile("Revert to the version of"))).to_have_count(
        1
    )

    page.goto(f"/wiki/{title}")
    # The page shows the new version at once: another thumbnail, and it loads (lazily, so
    # it is scrolled to and waited for, as above).
    image = page.locator(".prose img")
    expect(image).not_to_have_attribute("src", first_version)
    image.scroll_into_view_if_needed()
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=image.element_handle()
    )


def test_a_pasted_screenshot_is_named_after_the_page(page):
    register(page, unique("writer"))
    title = unique("Release_Notes_")
    page.goto(f"/edit/{title}")
    page.get_by_label("Content").fill("Before ")
    page.evaluate(PASTE, [base64.b64encode(samples.png(300, 200)).decode()])
    pasted = re.compile(
        rf"Before !\[[^\]]+\]\(File:{title.replace('_', ' ')} [0-9-]+ [0-9-]+\.png\)"
    )
    expect(page.get_by_label("Content")).to_have_value(pasted, timeout=20000)


def test_on_a_phone_pictures_are_picked_from_the_device_into_the_text(new_page, tmp_path):
    phone = new_page()
    phone.set_viewport_size({"width": 390, "height": 844})
    register(phone, unique("walker"))
    title = unique("Beach_")
    photo = tmp_path / "sunset.png"
    photo.write_bytes(samples.png(300, 200, (250, 120, 40)))
    phone.goto(f"/edit/{title}")
    phone.get_by_label("Content").fill("Our view: ")
    with phone.expect_file_chooser() as chosen:
        phone.get_by_role("button", name="Add pictures or files…").click()
    chosen.value.set_files(str(photo))
    embedded = re.compile(r"Our view: !\[sunset\]\(File:sunset[^)]*\.png\)")
    expect(phone.get_by_label("Content")).to_have_value(embedded, timeout=20000)
    expect(
        phone.get_by_role("status").filter(has_text="Type what the picture shows")
    ).to_be_visible()
    # The picture's description is selected: what the person types replaces it.
    phone.keyboard.type("The sun setting over the bay")
    described = re.compile(r"Our view: !\[The sun setting over the bay\]\(File:sunset")
    expect(phone.get_by_label("Content")).to_have_value(described)


def test_the_upload_form_explains_a_refusal_and_keeps_the_description(page, tmp_path):
    register(page, unique("uploader"))
    fake = tmp_path / "cat.png"
    fake.write_bytes(samples.html_as_png())
    page.goto("/upload")
    page.get_by_label("File", exact=True).set_input_files(str(fake))
    page.get_by_label("Description").fill("Our office cat")
    page.get_by_role("button", name="Upload").click()
    expect(page.get_by_role("alert")).to_contain_text("web page")
    expect(page.get_by_label("Description")).to_have_value("Our office cat")

    real = tmp_path / "Office cat.jpg"
    real.write_bytes(samples.jpeg(800, 600))
    name = unique("Office cat ") + ".jpg"
    page.get_by_label("File", exact=True).set_input_files(str(real))
    page.get_by_label("Name").fill(name)
    page.get_by_role("button", name="Upload").click()
    expect(page.locator(".file-description")).to_contain_text("Our office cat")
    expect(page.locator(".file-facts")).to_contain_text("800 × 600 pixels")
    page.goto("/files?kind=image")
    expect(page.locator(".gallery-name").first).to_contain_text("Office cat")

    # The same name again: refused, with the way to a new version of that file a link.
    newer = tmp_path / "newer.jpg"
    newer.write_bytes(samples.jpeg(640, 480))
    page.goto("/upload")
    page.get_by_label("File", exact=True).set_input_files(str(newer))
    page.get_by_label("Name").fill(name)
    page.get_by_role("button", name="Upload").click()
    expect(page.get_by_role("alert")).to_contain_text("already exists")
    page.get_by_role("alert").get_by_role("link", name=f"Upload a new version of {name}").click()
    expect(page.get_by_role("heading", name=f"Upload a new version of {name}")).to_be_visible()
    page.get_by_label("File", exact=True).set_input_files(str(newer))
    page.get_by_role("button", name="Upload").click()
    expect(page.locator(".file-facts")).to_contain_text("640 × 480 pixels")


@pytest.fixture(scope="module")
def small_wiki(tmp_path_factory):
    """Serve a wiki whose files may be at most 1 MB; yield its base URL."""
    with serve(tmp_path_factory.mktemp("small"), FILE_MAX_BYTES=LIMIT) as (url, _app):
        yield url


@pytest.fixture
def small_page(browser, small_wiki):
    """Return a tab on the wiki that takes small files only, and the uploads it sends."""
    context = browser.new_context(base_url=small_wiki)
    context.set_default_timeout(15000)
    page = context.new_page()
    sent = []
    page.on("request", lambda r: sent.append(r.url) if r.method == "POST" else None)
    yield page, sent
    context.close()


def uploads(sent: list[str]) -> list[str]:
    return [url for url in sent if url.endswith("/upload")]


def test_a_file_over_the_limit_is_refused_before_sending_and_the_form_is_kept(small_page):
    page, sent = small_page
    register(page, unique("archivist"))
    page.goto("/upload")
    page.get_by_label("Name").fill("Annual report.pdf")
    page.get_by_label("Description").fill("The annual report, all 105 pages")
    too_big = {"name": "report.pdf", "mimeType": "application/pdf", "buffer": bytes(LIMIT + 1)}
    page.get_by_label("File", exact=True).set_input_files(too_big)
    alert = page.get_by_role("alert")
    expect(alert).to_have_text("The file is too large: a file can be at most 1 MB.")
    page.get_by_role("button", name="Upload").click()
    expect(page.get_by_label("File", exact=True)).to_be_focused()
    assert uploads(sent) == [] and page.url.endswith("/upload")
    expect(page.get_by_label("Description")).to_have_value("The annual report, all 105 pages")
    expect(page.get_by_label("Name")).to_have_value("Annual report.pdf")

    smaller = {"name": "report.pdf", "mimeType": "application/pdf", "buffer": samples.pdf()}
    page.get_by_label("File", exact=True).set_input_files(smaller)
    expect(alert).to_be_hidden()
    page.get_by_role("button", name="Upload").click()
    expect(page.locator(".file-description")).to_contain_text("all 105 pages")
    assert len(uploads(sent)) == 1


def test_the_editor_refuses_a_file_over_the_limit_before_sending_it(small_page, tmp_path):
    page, sent = small_page
    register(page, unique("reporter"))
    page.goto(f"/edit/{unique('Report_')}")
    page.get_by_label("Content").fill("Our report: ")
    page.evaluate(DROP_SIZED, [LIMIT + 1, "report.pdf"])
    refused = "report.pdf: The file is too large: a file can be at most 1 MB."
    expect(page.get_by_role("status").filter(has_text=refused)).to_be_visible()
    big = tmp_path / "scan.pdf"
    big.write_bytes(bytes(LIMIT + 1))
    with page.expect_file_chooser() as chosen:
        page.get_by_role("button", name="Add pictures or files…").click()
    chosen.value.set_files(str(big))
    refused = "scan.pdf: The file is too large: a file can be at most 1 MB."
    expect(page.get_by_role("status").filter(has_text=refused)).to_be_visible()
    expect(page.get_by_label("Content")).to_have_value("Our report: ")
    assert uploads(sent) == []
