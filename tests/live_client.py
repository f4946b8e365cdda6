"""A Python client of the live editor's WebSocket: what a browser does, with pycrdt.

Used by tests/test_live.py and benchmarks/bench_live.py: it syncs a Yjs document with a
room, types into it, announces a cursor (awareness), and records Bottega's own events.
"""

import socket
import threading
import time

from pycrdt import Doc, Map, Text
from simple_websocket import Client, ConnectionClosed

from wiki.core import ymessages as ym


class _Client(Client):
    """simple-websocket's client, sending the port in Host as browsers do (Origin checks)."""

    def handshake(self):
        if ":" not in self.host:
            self.host = f"{self.host}:{self.port}"
        super().handshake()


class LiveClient:
    """One connection to /live/<page id>, holding its own copy of the shared text."""

    def __init__(self, base_url: str, page_id: int, cookie: str | None, origin: str | None = None):
        headers = {"Origin": origin if origin is not None else base_url}
        if cookie:
            headers["Cookie"] = f"session={cookie}"
        url = base_url.replace("http://", "ws://") + f"/live/{page_id}"
        self.doc = Doc(allow_multithreading=True)
        self.text = self.doc.get("content", type=Text)
        self.meta = self.doc.get("meta", type=Map)
        self.lock = threading.Lock()
        self.events: list[dict] = []
        self.presence: dict[int, dict | None] = {}
        self.synced = threading.Event()
        self.changed = threading.Condition()
        self.close_reason: int | None = None
        self.closed = threading.Event()
        self.close_message = ""
        self.ws = _Client(url, headers=headers)
        # Read before the reader starts: the room's first messages may arrive at once, and
        # two threads in one pycrdt document at a time fail ("Transaction is no longer valid").
        state = self.doc.get_state()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self.ws.send(ym.sync(ym.SYNC_STEP1, state))

    def _read(self) -> None:
        try:
            while True:
                data = self.ws.receive()
                if data is None:
                    continue
                self._handle(data)
        except ConnectionClosed:
            self.close_reason = self.ws.close_reason
            self.close_message = self.ws.close_message or ""
        self.closed.set()
        with self.changed:
            self.changed.notify_all()

    def _handle(self, data: bytes) -> None:
        if data[0] == ym.EVENT:
            self.events.append(ym.read_event(data))
            with self.changed:
                self.changed.notify_all()
            return
        message = ym.read(data)
        if message.kind == ym.SYNC and message.step == ym.SYNC_STEP1:
            with self.lock:
                update = self.doc.get_update(message.payload)
            self.send(ym.sync(ym.SYNC_STEP2, update))
        elif message.kind == ym.SYNC:
            with self.lock:
                self.doc.apply_update(message.payload)
            if message.step == ym.SYNC_STEP2:
                self.synced.set()
        elif message.kind == ym.AWARENESS:
            for entry in ym.read_awareness(message.payload):
                self.presence[entry.client_id] = entry.state
        with self.changed:
            self.changed.notify_all()

    def send(self, data: bytes) -> None:
        """Send raw bytes (tests send malformed ones on purpose)."""
        self.ws.send(data)

    def value(self) -> str:
        """Return this client's copy of the text."""
        with self.lock:
            return str(self.text)

    def insert(self, index: int, chunk: str) -> None:
        """Type chunk at a character index, as a browser sends a keystroke."""
        with self.lock:
            before = self.doc.get_state()
            value = str(self.text)
            self.text.insert(len(value[:index].encode()), chunk)
            update = self.doc.get_update(before)
        self.send(ym.sync(ym.SYNC_UPDATE, update))

    def delete(self, start: int, end: int) -> None:
        """Delete characters start..end (character offsets)."""
        with self.lock:
            before = self.doc.get_state()
            value = str(self.text)
            del self.text[len(value[:start].encode()) : len(value[:end].encode())]
            update = self.doc.get_update(before)
        self.send(ym.sync(ym.SYNC_UPDATE, update))

    def summary(self) -> str:
        """Return this client's copy of the edit summary kept beside the text."""
        with self.lock:
            return self.meta.get("summary", "")

    def set_summary(self, summary: str) -> None:
        """Type an edit summary, as the browser does in the summary field."""
        with self.lock:
            before = self.doc.get_state()
            self.meta["summary"] = summary
            update = self.doc.get_update(before)
        self.send(ym.sync(ym.SYNC_UPDATE, update))

    def announce(self, name: str, color: str = "#1d4ed8") -> None:
        """Say who this client is, as y-codemirror.next's awareness does."""
        state = {"user": {"name": name, "color": color}}
        entry = ym.Presence(self.doc.client_id, int(time.time()), state)
        self.send(ym.awareness(ym.write_awareness([entry])))

    def wait(self, condition, timeout: float = 10.0) -> bool:
        """Wait until condition() holds (re-checked on each message); return whether it did."""
        deadline = time.monotonic() + timeout
        with self.changed:
            while not condition():
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self.changed.wait(min(left, 0.2))
        return True

    @staticmethod
    def wait_for(condition, timeout: float = 10.0) -> bool:
        """Wait until condition() holds, checking it every 0.1 s; return whether it did."""
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                return False
            time.sleep(0.1)
        return True

    def wait_closed(self, timeout: float = 10.0) -> bool:
        """Wait until the server closed the connection."""
        return self.closed.wait(timeout)

    def close(self) -> None:
        try:
            self.ws.close()
        except ConnectionClosed:
            pass


def handshake_status(base_url: str, page_id: int, cookie: str | None, origin: str) -> int:
    """Open a WebSocket handshake to /live/<page id>; return the HTTP status it is answered."""
    host = base_url.removeprefix("http://")
    lines = [
        f"GET /live/{page_id} HTTP/1.1",
        f"Host: {host}",
        "Upgrade: websocket",
        "Connection: Upgrade",
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
        "Sec-WebSocket-Version: 13",
        f"Origin: {origin}",
    ]
    if cookie:
        lines.append(f"Cookie: session={cookie}")
    address, port = host.split(":")
    with socket.create_connection((address, int(port)), timeout=10) as connection:
        connection.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        status = connection.makefile("rb").readline().decode()
    return int(status.split()[1])
