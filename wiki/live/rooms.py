"""Rooms: the people editing one page in this process, its Yjs document, and fan-out.

Each WebSocket connection runs in its own thread (the dev server's and gunicorn's gthread
workers); a room's lock orders what they do to the shared document. Updates go to the
room's other connections at once, to other processes through the fan-out, and to the
database in small batches (store.append), so a draft survives a restart.
"""

import json
import re
import threading
import time

from pycrdt import Doc

from ..core import ymessages as ym
from ..core.ymessages import Malformed, Presence
from . import store

#: How often a process with a room open says so in the database (store.mark_open), for
#: `flask live-expire`, which runs elsewhere and sees no room.
OPEN_EVERY_SECONDS = 60.0


_COLOR = re.compile(r"#[0-9a-fA-F]{6}([0-9a-fA-F]{2})?")


def _user_field(claimed, username: str) -> dict:
    """Return the awareness "user" of a connection: its account name, and its colours if
    they are plain hex colours (they end up in style attributes of everyone's editor)."""
    claimed = claimed if isinstance(claimed, dict) else {}
    user = {"name": username, "color": "#1d4ed8", "colorLight": "#1d4ed833"}
    for key in ("color", "colorLight"):
        value = claimed.get(key)
        if isinstance(value, str) and _COLOR.fullmatch(value):
            user[key] = value
    return user


class Connection:
    """One browser (or client) in a room: its socket, who it is, its awareness ids."""

    def __init__(self, ws, user_id: int, username: str) -> None:
        self.ws = ws
        self.user_id = user_id
        self.username = username
        self.client_ids: set[int] = set()
        self._send_lock = threading.Lock()
        self.open = True
        #: Whether this connection changed the text (a block sets its typing aside).
        self.typed = False

    def send(self, data: bytes) -> None:
        """Send a message; a connection that fails is marked closed (its thread ends it)."""
        if not self.open:
            return
        try:
            with self._send_lock:
                self.ws.send(data)
        except Exception:  # noqa: BLE001 (any socket error means this client is gone)
            self.open = False


class Room:
    """One page's live document in this process and the connections editing it."""

    def __init__(self, hub, page_id: int, draft_id: int, doc: Doc) -> None:
        self.hub = hub
        self.page_id = page_id
        self.draft_id = draft_id
        self.doc = doc
        self.lock = threading.RLock()
        self.connections: set[Connection] = set()
        self.presence: dict[int, Presence] = {}
        self.pending: list[bytes] = []
        self.typists: set[int] = set()
        #: Names of everyone known to have typed in the draft since its last save or
        #: discard, here or in another process (each is announced once: "typing").
        self.announced: set[str] = set()
        self.flushed_at = time.monotonic()
        self.marked_open_at: float | None = None
        #: Who is written in the database as having typed since the last save or discard.
        self.recorded: set[int] = set()

    def join(self, conn: Connection) -> None:
        """Add a connection and send it the server's state vector and who is here."""
        with self.lock:
            self.connections.add(conn)
            conn.send(ym.sync(ym.SYNC_STEP1, self.doc.get_state()))
            if self.presence:
                conn.send(ym.awareness(ym.write_awareness(list(self.presence.values()))))

    def leave(self, conn: Connection) -> bool:
        """Remove a connection and its presence; return whether the room is now empty."""
        with self.lock:
            self.connections.discard(conn)
            gone = [
                Presence(cid, self.presence.pop(cid).clock + 1, None)
                for cid in conn.client_ids
                if cid in self.presence
            ]
            if gone:
                self._spread(ym.AWARENESS, ym.write_awareness(gone), None)
            return not self.connections

    def handle(self, conn: Connection, data: bytes) -> None:
        """Act on one message from a connection; raise Malformed for a broken one."""
        message = ym.read(data)
        if message.kind == ym.QUERY_AWARENESS:
            with self.lock:
                conn.send(ym.awareness(ym.write_awareness(list(self.presence.values()))))
        elif message.kind == ym.AWARENESS:
            self._presence_from(conn, message.payload)
        elif message.step == ym.SYNC_STEP1:
            with self.lock:
                try:
                    update = self.doc.get_update(message.payload)
                except ValueError:
                    raise Malformed("bad state vector") from None
            conn.send(ym.sync(ym.SYNC_STEP2, update))
        else:
            self._update_from(conn, message.payload, typed=message.step == ym.SYNC_UPDATE)

    def _update_from(self, conn: Connection, update: bytes, *, typed: bool) -> None:
        """Apply a client's update, pass it on, and keep it for the database."""
        if update == b"\x00\x00":  # the empty update: nothing to do
            return
        if typed:
            self._record(conn)
        with self.lock:
            before = None if typed else store.text_of(self.doc)
            try:
                self.doc.apply_update(update)
            except ValueError:
                raise Malformed("bad update") from None
            self.pending.append(update)
            # A reconnecting browser sends its offline typing as "step 2": credit it only if
            # the text changed (step 2 also repeats every deletion it knows of).
            if typed or store.text_of(self.doc) != before:
                if not typed:
                    self._record(conn)  # rare: held under the lock, as it must come first
                self.typists.add(conn.user_id)
                conn.typed = True
                if conn.username not in self.announced:
                    # Everyone editing learns who has changed the draft (Cancel offers to
                    # discard only changes that are the person's own).
                    self._tell({"type": "typing", "by": conn.username}, conn)
            self._spread(ym.SYNC, update, conn)

    def _record(self, conn: Connection) -> None:
        """Write that the person typed in the draft before their typing reaches anyone, once
        per save: a save in any process then knows whose text it takes in (review weighs
        them; the flush every LIVE_WRITE_SECONDS came too late for a save made meanwhile)."""
        if conn.user_id in self.recorded:
            return
        store.add_typist(self.draft_id, conn.user_id)
        with self.lock:
            self.recorded.add(conn.user_id)

    def _presence_from(self, conn: Connection, payload: bytes) -> None:
        """Keep a client's cursor and name (the name is the account's, whatever it sent)."""
        entries = []
        for entry in ym.read_awareness(payload):
            if entry.client_id not in conn.client_ids and entry.client_id in self.presence:
                continue  # another connection's id: not this client's to change
            conn.client_ids.add(entry.client_id)
            state = entry.state
            if state is not None:
                state = {**state, "user": _user_field(state.get("user"), conn.username)}
            entries.append(Presence(entry.client_id, entry.clock, state))
        with self.lock:
            self._remember(entries)
            if entries:
                self._spread(ym.AWARENESS, ym.write_awareness(entries), conn)

    def _remember(self, entries: list[Presence]) -> None:
        for entry in entries:
            if entry.state is None:
                self.presence.pop(entry.client_id, None)
            else:
                self.presence[entry.client_id] = entry

    def _spread(self, kind: int, payload: bytes, source: Connection | None) -> None:
        """Send to this room's other connections and publish to other processes."""
        self.send_local(kind, payload, source)
        self.hub.publish(self.page_id, kind, payload)

    def send_local(self, kind: int, payload: bytes, source: Connection | None = None) -> None:
        """Send an update or awareness change to every local connection but its source."""
        data = ym.sync(ym.SYNC_UPDATE, payload) if kind == ym.SYNC else ym.awareness(payload)
        for other in list(self.connections):
            if other is not source:
                other.send(data)

    def remote(self, kind: int, payload: bytes) -> None:
        """Take in an update or awareness change another process published."""
        with self.lock:
            if kind == ym.SYNC:
                try:
                    self.doc.apply_update(payload)
                except ValueError:
                    return
            else:
                try:
                    self._remember(ym.read_awareness(payload))
                except Malformed:
                    return
            self.send_local(kind, payload)

    def announce(self, data: dict, source: Connection | None = None) -> None:
        """Send one of Bottega's own messages to every local connection but its source (and
        keep what it says about who has changed the draft)."""
        kind = data.get("type")
        with self.lock:
            if kind == "typing" and isinstance(data.get("by"), str):
                self.announced.add(data["by"])
            elif kind == "discarded" or (kind == "saved" and not data.get("merged")):
                self.announced.clear()  # saved or gone: nobody's changes are pending
                self.recorded.clear()  # and the database's record of who typed is gone
                # Credited by the save (made in any process) or gone with the discard: not
                # to be written again as typists of the next save. Typing from now on is
                # recorded anew as it comes (_record).
                self.typists.clear()
        message = ym.event(data)
        for conn in list(self.connections):
            if conn is not source:
                conn.send(message)

    def _tell(self, data: dict, source: Connection) -> None:
        """Announce an event here and publish it to the room in other processes.

        Not to its source: a send to a client that just closed would end its connection
        before the server read the last messages it sent.
        """
        self.announce(data, source)
        self.hub.publish(self.page_id, ym.EVENT, json.dumps(data).encode())

    def open_due(self) -> bool:
        """Return whether it is time to say again that this room is open (and note it)."""
        with self.lock:
            now = time.monotonic()
            if self.marked_open_at is not None and now - self.marked_open_at < OPEN_EVERY_SECONDS:
                return False
            self.marked_open_at = now
            return True

    def take_pending(self, force: bool = False) -> tuple[list[bytes], set[int]] | None:
        """Return the updates and typists to write now (every LIVE_WRITE_SECONDS), or None."""
        with self.lock:
            if not force and time.monotonic() - self.flushed_at < self.hub.write_seconds:
                return None
            self.flushed_at = time.monotonic()
            if not self.pending and not self.typists:
                return None
            pending, typists = self.pending, self.typists
            self.pending, self.typists = [], set()
            return pending, typists
