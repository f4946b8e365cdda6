"""The generations of a SQLite wiki, shared by its processes through a memory-mapped file.

A SQLite wiki lives on one machine, so every process that serves it (app servers, commands,
job workers) can map one small file beside the database: reading a generation is then a
memory read instead of a database round trip on every request, and a change bumps it with
one locked file write instead of a write transaction. PostgreSQL wikis, which may span
machines, keep the generations in the database (wiki.memo).

The file holds SLOTS counters: slot 0 the content generation (every change: the first 16
bytes, as files made before there were more slots), slot 1 the base generation (every
change but an edit of one page), then one per bucket of pages and one per bucket of people
(wiki.memo's scopes).
"""

import fcntl
import mmap
import os
import struct
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy.engine import make_url

# The counter and its bitwise complement: a read that sees them disagree (a write caught
# halfway) reads again, so no reader can ever mistake a torn value for a real generation.
_LAYOUT = struct.Struct("<QQ")
_MASK = (1 << 64) - 1
#: Counters in the file: content, base, PAGE_BUCKETS buckets of pages and as many of people.
PAGE_BUCKETS = 1024
SLOTS = 2 + 2 * PAGE_BUCKETS
_SIZE = SLOTS * _LAYOUT.size


#: One board per file and process, shared by the apps of the process while one holds it.
_BOARDS: "weakref.WeakValueDictionary[Path, FileBoard]" = weakref.WeakValueDictionary()
_BOARDS_LOCK = threading.Lock()
#: Reads of a half-written value before concluding its writer died mid-write.
_SPINS = 1000


class FileBoard:
    """A generation counter in a memory-mapped file, bumped under an exclusive file lock.

    POSIX record locks (lockf), not flock: they belong to the process, so processes forked
    from one that opened the file (gunicorn --preload) still exclude each other.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        with self._locked() as fd:
            size = os.fstat(fd).st_size
            if size < _SIZE:  # new, cut short, or from before there were more slots
                whole = size // _LAYOUT.size  # the counters already there are kept
                os.pwrite(fd, _LAYOUT.pack(0, _MASK) * (SLOTS - whole), whole * _LAYOUT.size)
            # The map keeps its own descriptor; ours is closed, so a board holds one.
            self._map = mmap.mmap(fd, _SIZE)

    @contextmanager
    def _locked(self) -> Iterator[int]:
        """Hold the file's write lock (bumps are rare: the file is opened for each)."""
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.lockf(fd, fcntl.LOCK_EX)
            yield fd
        finally:
            os.close(fd)  # releases the lock

    def read(self, slot: int = 0) -> int:
        """Return the current value of a slot (the content generation by default)."""
        for _ in range(_SPINS):
            value = slot_value(self._map, slot)
            if value is not None:
                return value
        return self.bump(slot)  # its writer died halfway: write a new, whole value

    def snapshot(self) -> bytes:
        """Return every slot as it is now (read with slot_value)."""
        return self._map[:]

    def bump(self, *slots: int) -> int:
        """Raise the given slots by one for every process, under one lock; return the new
        value of the first. By default the content and base generations: anything changed."""
        with self._lock, self._locked():
            values = []
            for slot in slots or (0, 1):
                value, check = _LAYOUT.unpack_from(self._map, slot * _LAYOUT.size)
                value = max(value, check ^ _MASK) + 1
                _LAYOUT.pack_into(self._map, slot * _LAYOUT.size, value, value ^ _MASK)
                values.append(value)
            return values[0]


def slot_value(data, slot: int) -> int | None:
    """Return a slot's value from the board's bytes, or None if it was caught half-written."""
    value, check = _LAYOUT.unpack_from(data, slot * _LAYOUT.size)
    return value if value ^ check == _MASK else None


def board_path(database_url: str) -> Path | None:
    """Return the board file of a SQLite database file, or None for other databases."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    if url.database.startswith("file:"):  # a URI filename: no plain path to sit beside
        return None
    return Path(url.database).resolve().with_name(Path(url.database).name + "-generation")


def open_board(database_url: str) -> FileBoard | None:
    """Return the shared board of a SQLite database file, or None where the database keeps it."""
    path = board_path(database_url)
    if path is None:
        return None
    with _BOARDS_LOCK:
        board = _BOARDS.get(path)
        if board is None:
            board = _BOARDS[path] = FileBoard(path)
        return board
