"""Images by URL in Chromium: a real PNG served from a second local server loads when
IMAGE_SOURCES allows its origin, and the Content-Security-Policy blocks it when not."""

import io
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from PIL import Image

from tests.e2e.helpers import make_account, serve
from tests.helpers import save
from wiki.models import User


def png_bytes() -> bytes:
    """Return a real 40×20 PNG."""
    buffer = io.BytesIO()
    Image.new("RGB", (40, 20), (200, 80, 40)).save(buffer, format="PNG")
    return buffer.getvalue()


@contextmanager
def image_server():
    """Serve one PNG at /hero.png from another port; yield its URL and the requests seen."""
    body, seen = png_bytes(), []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (the standard library's name)
            seen.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass  # keep the test output quiet

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/hero.png", seen
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def shown_image_width(browser, folder, image_url: str, **config) -> int:
    """Serve a wiki whose page shows the image by URL; return its width as Chromium drew it."""
    with serve(folder, **config) as (base, app):
        name = make_account(app)
        with app.app_context():
            author = User.query.filter_by(username=name).one()
            save("Hero", f"# Hero\n\n![Hero shot]({image_url})\n", author)
        context = browser.new_context(base_url=base)
        try:
            tab = context.new_page()
            tab.goto("/wiki/Hero", wait_until="load")
            image = tab.get_by_role("img", name="Hero shot")
            image.wait_for()
            # complete: the browser has finished with it, loaded or refused.
            tab.wait_for_function("img => img.complete", arg=image.element_handle())
            return image.evaluate("img => img.naturalWidth")
        finally:
            context.close()


def test_an_image_by_url_loads_from_an_allowed_origin(browser, tmp_path):
    with image_server() as (url, seen):
        origin = url.removesuffix("/hero.png")
        width = shown_image_width(browser, tmp_path, url, IMAGE_SOURCES=f"https: {origin}")
    assert width == 40
    assert seen == ["/hero.png"]


def test_with_images_restricted_to_the_wiki_the_browser_never_asks(browser, tmp_path):
    with image_server() as (url, seen):
        width = shown_image_width(browser, tmp_path, url, IMAGE_SOURCES="none")
    assert width == 0
    assert seen == []  # the reader's address never reached the other server
