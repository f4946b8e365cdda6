"""The Yjs wire format of live editing (y-protocols: sync and awareness), read and written.

Pure: bytes in, bytes and plain values out. A message that does not follow the format
raises Malformed, so the server can close that one connection and keep the room intact.
"""

import json
from dataclasses import dataclass

SYNC = 0
AWARENESS = 1
QUERY_AWARENESS = 3
#: Bottega's own messages to the browser: one JSON object (saved, read-only, …).
EVENT = 20

SYNC_STEP1 = 0
SYNC_STEP2 = 1
SYNC_UPDATE = 2

#: The awareness entries one message may carry (a browser sends one: its own).
MAX_AWARENESS_ENTRIES = 16
MAX_AWARENESS_STATE = 4096


class Malformed(ValueError):
    """Bytes that are not a well-formed message of the protocol."""


class _Reader:
    """Read unsigned variable-length integers and byte strings from a message."""

    def __init__(self, data: bytes) -> None:
        self.data, self.at = data, 0

    def uint(self) -> int:
        value, shift = 0, 0
        while True:
            if self.at >= len(self.data) or shift > 49:
                raise Malformed("truncated or overlong integer")
            byte = self.data[self.at]
            self.at += 1
            value |= (byte & 0x7F) << shift
            if byte < 0x80:
                return value
            shift += 7

    def bytes(self) -> bytes:
        length = self.uint()
        end = self.at + length
        if end > len(self.data):
            raise Malformed("truncated byte string")
        value, self.at = self.data[self.at : end], end
        return value

    def end(self) -> None:
        if self.at != len(self.data):
            raise Malformed("trailing bytes")


def uint(value: int) -> bytes:
    """Return an unsigned integer in the variable-length encoding."""
    out = bytearray()
    while value > 0x7F:
        out.append(0x80 | (value & 0x7F))
        value >>= 7
    out.append(value)
    return bytes(out)


def blob(value: bytes) -> bytes:
    """Return bytes prefixed with their length."""
    return uint(len(value)) + value


@dataclass(frozen=True)
class Message:
    """One message: its type, a sync step (for sync messages) and its payload."""

    kind: int
    step: int | None
    payload: bytes


def read(data: bytes) -> Message:
    """Return the message in data, or raise Malformed."""
    reader = _Reader(data)
    kind = reader.uint()
    if kind == SYNC:
        step = reader.uint()
        if step not in (SYNC_STEP1, SYNC_STEP2, SYNC_UPDATE):
            raise Malformed("unknown sync step")
        payload = reader.bytes()
        reader.end()
        return Message(kind, step, payload)
    if kind == AWARENESS:
        payload = reader.bytes()
        reader.end()
        return Message(kind, None, payload)
    if kind == QUERY_AWARENESS:
        reader.end()
        return Message(kind, None, b"")
    raise Malformed("unknown message type")


def sync(step: int, payload: bytes) -> bytes:
    """Return a sync message: step 1 carries a state vector, steps 2 and updates an update."""
    return uint(SYNC) + uint(step) + blob(payload)


def awareness(update: bytes) -> bytes:
    """Return an awareness message carrying an awareness update."""
    return uint(AWARENESS) + blob(update)


def event(data: dict) -> bytes:
    """Return one of Bottega's own messages, carrying a JSON object."""
    return uint(EVENT) + blob(json.dumps(data).encode())


def read_event(data: bytes) -> dict:
    """Return the JSON object of one of Bottega's own messages, or raise Malformed."""
    reader = _Reader(data)
    if reader.uint() != EVENT:
        raise Malformed("not an event")
    raw = reader.bytes()
    reader.end()
    try:
        value = json.loads(raw.decode())
    except (UnicodeDecodeError, ValueError):
        raise Malformed("event is not JSON") from None
    if not isinstance(value, dict):
        raise Malformed("event is not an object")
    return value


@dataclass(frozen=True)
class Presence:
    """One client's awareness entry: its id, clock and state (None once it left)."""

    client_id: int
    clock: int
    state: dict | None


def read_awareness(update: bytes) -> list[Presence]:
    """Return the entries of an awareness update, or raise Malformed."""
    reader = _Reader(update)
    count = reader.uint()
    if count > MAX_AWARENESS_ENTRIES:
        raise Malformed("too many awareness entries")
    entries = []
    for _ in range(count):
        client_id, clock, raw = reader.uint(), reader.uint(), reader.bytes()
        if len(raw) > MAX_AWARENESS_STATE:
            raise Malformed("awareness state too large")
        try:
            state = json.loads(raw.decode())
        except (UnicodeDecodeError, ValueError):
            raise Malformed("awareness state is not JSON") from None
        if state is not None and not isinstance(state, dict):
            raise Malformed("awareness state is not an object")
        entries.append(Presence(client_id, clock, state))
    reader.end()
    return entries


def write_awareness(entries: list[Presence]) -> bytes:
    """Return an awareness update holding these entries."""
    out = uint(len(entries))
    for entry in entries:
        raw = json.dumps(entry.state, ensure_ascii=False).encode()
        out += uint(entry.client_id) + uint(entry.clock) + blob(raw)
    return out
