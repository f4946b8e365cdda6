"""The rooms of this process, and how they reach the same rooms in other processes.

With REDIS_URL set, every update, cursor move and event is published on a Redis channel
per page, and a thread per process delivers what other processes publish to its rooms.
Without Redis, one process holds every room and publishing does nothing.
"""

import hashlib
import json
import logging
import os
import threading
import time

from flask import Flask, current_app

from ..core import ymessages as ym
from ..models import Page
from . import store
from .rooms import Connection, Room

log = logging.getLogger(__name__)

_HELLO = 100  # a process opened a room: others answer with what it lacks, and who is here
_EVENT = ym.EVENT

#: How long the first room of a process waits for its Redis subscription to be confirmed.
SUBSCRIBE_SECONDS = 5.0
#: How long an unloaded room still answers other processes' new rooms (see Hub._closed):
#: its draft cannot be expired meanwhile (it was marked open, expiry.OPEN_GRACE).
CLOSED_SECONDS = 10.0


class Hub:
    """This process's rooms, by page id."""

    def __init__(self, app: Flask) -> None:
        self.rooms: dict[int, Room] = {}
        #: Rooms unloaded in the last CLOSED_SECONDS, by page id, with when: they still
        #: answer another process's new room, which may have read the draft just before
        #: their last typing was written.
        self._closed: dict[int, tuple[float, Room]] = {}
        self.lock = threading.Lock()
        self.origin = os.urandom(8)
        #: How often a room writes its editors' typing (LIVE_WRITE_SECONDS).
        self.write_seconds = float(app.config.get("LIVE_WRITE_SECONDS", 0.25))
        seed = f"{app.config['SECRET_KEY']}|{app.config.get('SQLALCHEMY_DATABASE_URI')}"
        self.prefix = f"bottega:live:{hashlib.sha1(seed.encode()).hexdigest()[:12]}:"
        self.redis = None
        if app.config.get("REDIS_URL"):
            from redis import Redis

            self.redis = Redis.from_url(app.config["REDIS_URL"])
        self._listener: threading.Thread | None = None

    def enter(self, page: Page, conn: Connection) -> Room:
        """Put a connection in the page's room, loading the room from the database first."""
        with self.lock:
            room = self.rooms.get(page.id)
            if room is None:
                draft, doc = store.open_draft(page)
                # Said open at once (live-expire, run elsewhere, skips it from now on); if
                # the command took it just before, a new one is started.
                while not store.mark_open(draft.id):
                    draft, doc = store.open_draft(page)
                room = Room(self, page.id, draft.id, doc)
                room.marked_open_at = time.monotonic()
                self.rooms[page.id] = room
                self._listen()
                self._publish(page.id, _HELLO, doc.get_state())
            room.join(conn)
            return room

    def leave(self, room: Room, conn: Connection) -> None:
        """Take a connection out; write the room's updates, and unload it once empty."""
        with self.lock:
            empty = room.leave(conn)
            if empty:
                # Written before the room is let go, under the lock that opening a room
                # takes: a browser joining now (the same person back from Preview) loads
                # the draft from the database and must find the last typing in it.
                try:
                    flush(room, force=True)
                finally:
                    self.rooms.pop(room.page_id, None)
                    self._prune_closed()
                    if self.redis is not None:
                        self._closed[room.page_id] = (time.monotonic(), room)
        if not empty:
            flush(room, force=True)
            return
        store.tidy(room.draft_id)

    def room(self, page_id: int) -> Room | None:
        """Return the page's room if it is open in this process."""
        return self.rooms.get(page_id)

    def publish(self, page_id: int, kind: int, payload: bytes) -> None:
        """Publish an update or awareness change of a room to other processes."""
        self._publish(page_id, kind, payload)

    def announce(self, page_id: int, data: dict, update: bytes | None = None) -> None:
        """Tell everyone editing the page, here and elsewhere: an event, after an update."""
        room = self.rooms.get(page_id)
        if room is not None:
            if update is not None:
                room.remote(ym.SYNC, update)
            room.announce(data)
        if update is not None:
            self._publish(page_id, ym.SYNC, update)
        self._publish(page_id, _EVENT, json.dumps(data).encode())

    def _publish(self, page_id: int, kind: int, payload: bytes) -> None:
        if self.redis is None:
            return
        try:
            self.redis.publish(f"{self.prefix}{page_id}", self.origin + bytes([kind]) + payload)
        except Exception:  # noqa: BLE001 (Redis down: this process's rooms still work)
            log.exception("live editing: could not publish to Redis")

    def _listen(self) -> None:
        """Start the thread delivering other processes' messages (once, with Redis).

        Waits until Redis confirms the subscription: what other processes publish before
        that (their answer to this room's hello, their first keystrokes) would be lost.
        """
        if self.redis is None or self._listener is not None:
            return
        subscribed = threading.Event()
        self._listener = threading.Thread(
            target=self._deliver_forever, args=(subscribed,), daemon=True
        )
        self._listener.name = "bottega-live-redis"
        self._listener.start()
        subscribed.wait(SUBSCRIBE_SECONDS)

    def _deliver_forever(self, subscribed: threading.Event) -> None:
        while True:
            try:
                pubsub = self.redis.pubsub()
                pubsub.psubscribe(f"{self.prefix}*")
                for message in pubsub.listen():
                    if message["type"] == "pmessage":
                        self._deliver(message["channel"], message["data"])
                    elif message["type"] == "psubscribe":
                        if subscribed.is_set():
                            self._catch_up()
                        subscribed.set()
            except Exception:  # noqa: BLE001 (reconnect after Redis restarts)
                log.exception("live editing: Redis subscription lost; retrying")
                threading.Event().wait(1.0)

    def _catch_up(self) -> None:
        """After a lost subscription, exchange with other processes what each room missed."""
        for page_id, room in list(self.rooms.items()):
            with room.lock:
                state, everything = room.doc.get_state(), room.doc.get_update()
            self._publish(page_id, _HELLO, state)  # they answer with what this room lacks
            self._publish(page_id, ym.SYNC, everything)  # updates apply once, so resending is safe

    def _recently_closed(self, page_id: int) -> Room | None:
        """Return the page's room if this process unloaded it within CLOSED_SECONDS."""
        with self.lock:
            self._prune_closed()
            closed = self._closed.get(page_id)
        return closed[1] if closed else None

    def _prune_closed(self) -> None:
        """Let go of rooms unloaded more than CLOSED_SECONDS ago (under the hub's lock)."""
        now = time.monotonic()
        for page_id, (at, _room) in list(self._closed.items()):
            if now - at > CLOSED_SECONDS:
                del self._closed[page_id]

    def _deliver(self, channel: bytes, data: bytes) -> None:
        if data[:8] == self.origin or len(data) < 9:
            return
        page_id = int(channel.decode().rsplit(":", 1)[1])
        kind, payload = data[8], data[9:]
        room = self.rooms.get(page_id)
        if room is None and kind == _HELLO:
            room = self._recently_closed(page_id)
        if room is None:
            return
        if kind == _HELLO:
            with room.lock:
                try:
                    update = room.doc.get_update(payload)
                except ValueError:
                    return
                here = list(room.presence.values())
            self._publish(page_id, ym.SYNC, update)
            if here:  # who is editing: the new room's people would not see them for 15 s
                self._publish(page_id, ym.AWARENESS, ym.write_awareness(here))
        elif kind == _EVENT:
            room.announce(json.loads(payload))
        elif kind in (ym.SYNC, ym.AWARENESS):
            room.remote(kind, payload)


def hub() -> Hub:
    """Return the current app's hub."""
    return current_app.extensions["live"]


def flush(room: Room, force: bool = False) -> None:
    """Write what a room's clients typed since the last write (every LIVE_WRITE_SECONDS)."""
    taken = room.take_pending(force)
    if taken is not None:
        store.append(room.draft_id, *taken)


def keep_open(room: Room) -> None:
    """Say in the database that the room is open here (every OPEN_EVERY_SECONDS)."""
    if room.open_due():
        store.mark_open(room.draft_id)
