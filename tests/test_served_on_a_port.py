"""The local server the browser and live tests use closes every response it sends."""

import socket
import struct
import threading
import time

from tests.helpers import served_on_a_port


def test_a_response_is_closed_when_the_browser_hangs_up_right_after_it():
    """A stored picture's open file is closed even if the connection was reset meanwhile."""
    closed = threading.Event()

    class Picture:
        def __iter__(self):
            yield b"\x89PNG" + b"0" * 96

        def close(self):
            closed.set()

    def app(environ, start_response):
        start_response("200 OK", [("Content-Type", "image/png")])
        return Picture()

    with served_on_a_port(app) as url:
        port = int(url.rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port)) as browser:
            browser.sendall(b"GET /picture.png HTTP/1.1\r\nHost: wiki\r\n\r\n")
            time.sleep(0.002)  # the picture is sent; then the browser resets the connection
            browser.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        assert closed.wait(5), "the response was never closed"
