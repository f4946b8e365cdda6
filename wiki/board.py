"""The content generation of a SQLite wiki, shared by its processes through a memory-mapped file.

A SQLite wiki lives on one machine, so every process that serves it (app servers, commands,
job workers) can map one small file beside the database: reading the generation is then a
memory read instead of a database round trip on every request, and a content change bumps
it with one locked file write instead of a write transaction. PostgreSQL wikis, which may
span machines, keep the generation in the database (wiki.memo).
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
            if os.fstat(fd).st_size < _LAYOUT.size:  # new (or cut short): start at zero
                os.pwrite(fd, _LAYOUT.pack(0, _MASK), 0)
            # The map keeps its own descriptor; ours is closed, so a board holds one.
            self._map = mmap.mmap(fd, _LAYOUT.size)

    @contextmanager
    def _locked(self) -> Iterator[int]:
        """Hold the file's write lock (bumps are rare: the file is opened for each)."""
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.lockf(fd, fcntl.LOCK_EX)
            yield fd
        finally:
            os.close(fd)  # releases the lock

    def read(self) -> int:
        """Return the current generation."""
        for _ in range(_SPINS):
            value, check = _LAYOUT.unpack_from(self._map, 0)
            if value ^ check == _MASK:
                return value
        return self.bump()  # its writer died halfway: write a new, whole value

    def bump(self) -> int:
        """Raise the generation by one for every process; return the new value."""
        with self._lock, self._locked():
            value, check = _LAYOUT.unpack_from(self._map, 0)
            value = max(value, check ^ _MASK) + 1
            _LAYOUT.pack_into(self._map, 0, value, value ^ _MASK)
            return value


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
