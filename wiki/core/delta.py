"""Texts stored as a delta against another text: copy runs of the base, insert the rest.

A small edit of a 20 KB page changes a few words; storing the whole text compressed costs
about 6 KB a revision, a delta against the previous text a few hundred bytes. A delta is
any list of operations that rebuilds the new text exactly from the base (checked by the
caller against the text's hash); it need not be the smallest, so finding it is bounded.

Deltas count UTF-8 bytes ("D2"), so a chain of them is applied to bytes and decoded once at
its end; deltas written before that ("D1") count characters and are still read.
"""

import zlib
from collections.abc import Iterable
from typing import NamedTuple

from diff_match_patch import diff_match_patch

#: How long finding the runs in common may take before settling for a coarser (still exact)
#: delta; the delta is only as good as this allows, never wrong.
FIND_SECONDS = 0.05
_MAGIC = b"D2"
_MAGIC_CHARS = b"D1"
#: The base's last bytes serve as the compressor's dictionary: inserted words that the
#: page already has cost a back-reference, not their letters.
_WINDOW = 32 * 1024
#: Inserted bytes from which the base is worth its setting up as the dictionary.
_DICTIONARY_FROM = 256
_EQUAL, _DELETE, _INSERT = ord("="), ord("-"), ord("+")


class DeltaError(ValueError):
    """A delta that does not fit its base (damaged data, or the wrong base)."""


class Packed(NamedTuple):
    """A text as stored: zlib-compressed whole (depth 0) or a delta on its base."""

    data: bytes
    depth: int


def _utf8(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")


def make_delta(base: str, new: str) -> bytes:
    """Return a compressed delta that rebuilds new from base."""
    dmp = diff_match_patch()
    dmp.Diff_Timeout = FIND_SECONDS
    ops: list[bytes] = []
    inserted = 0
    for op, text in _merged(dmp.diff_main(base, new, True)):
        data = _utf8(text)
        if op == 0:
            ops.append(b"=%d\n" % len(data))
        elif op < 0:
            ops.append(b"-%d\n" % len(data))
        else:
            ops.append(b"+%d\n%s" % (len(data), data))
            inserted += len(data)
    # The dictionary costs more to set up (~30 µs) than it saves on a few inserted words; a
    # delta made without it reads the same with it (no back-reference reaches into it).
    zdict = _utf8(base)[-_WINDOW:] if inserted >= _DICTIONARY_FROM else b""
    packer = zlib.compressobj(9, zlib.DEFLATED, -15, **({"zdict": zdict} if zdict else {}))
    return _MAGIC + packer.compress(b"".join(ops)) + packer.flush()


def _merged(diffs: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """Return the diff with runs of one kind joined (fewer, longer operations)."""
    out: list[tuple[int, str]] = []
    for op, text in diffs:
        if out and out[-1][0] == op:
            out[-1] = (op, out[-1][1] + text)
        elif text:
            out.append((op, text))
    return out


def apply_delta(base: str, delta: bytes) -> str:
    """Return the text a delta rebuilds from base; raise DeltaError if they do not fit."""
    if delta.startswith(_MAGIC_CHARS):
        return _apply_chars(base, _unpacked(delta, _utf8(base)))
    return _decoded(_apply_bytes(_utf8(base), delta))


def rebuild(whole: bytes, deltas: Iterable[bytes]) -> str:
    """Return the text at the end of a chain: a zlib-compressed whole text, then the deltas
    that lead from it, oldest first."""
    try:
        data = zlib.decompress(whole)
    except zlib.error as error:
        raise DeltaError("damaged text") from error
    for delta in deltas:
        if delta.startswith(_MAGIC_CHARS):
            data = _utf8(apply_delta(_decoded(data), delta))
        else:
            data = _apply_bytes(data, delta)
    return _decoded(data)


def pack(text: str, base: str | None, base_depth: int, max_depth: int, worth: float) -> Packed:
    """Return how to store text: as a delta on base when there is one, its chain is shorter
    than max_depth and the delta is smaller than worth × the whole text compressed."""
    data = _utf8(text)
    if base is None or base_depth >= max_depth:
        return Packed(zlib.compress(data, 6), 0)
    delta = make_delta(base, text)
    if _worth(delta, data, worth) and apply_delta(base, delta) == text:
        return Packed(delta, base_depth + 1)
    return Packed(zlib.compress(data, 6), 0)


def _worth(delta: bytes, data: bytes, worth: float) -> bool:
    """Return whether a delta is smaller than worth × the whole text compressed."""
    # No text compresses to a hundredth of its size (a long table of repeats reaches a
    # fortieth), so a delta under worth × a hundredth of it is kept without compressing the
    # text to see: a small edit's delta is smaller still (50 bytes for a 20 KB page).
    if len(delta) < worth * len(data) / 100:
        return True
    # Measured with zlib's fastest level (a few per cent larger, three times quicker): the
    # whole text is compressed properly only when it is stored.
    return len(delta) < worth * len(zlib.compress(data, 1))


def _decoded(data: bytes) -> str:
    try:
        return data.decode("utf-8", "surrogatepass")
    except UnicodeDecodeError as error:
        raise DeltaError("damaged delta") from error


def _unpacked(delta: bytes, base: bytes) -> bytes:
    """Return the operations of a delta, decompressed with its base's dictionary."""
    try:
        unpacker = zlib.decompressobj(-15, zdict=base[-_WINDOW:])
        raw = unpacker.decompress(delta[len(_MAGIC) :]) + unpacker.flush()
    except zlib.error as error:
        raise DeltaError("damaged delta") from error
    if not unpacker.eof or unpacker.unused_data:
        raise DeltaError("damaged delta")
    return raw


def _apply_bytes(base: bytes, delta: bytes) -> bytes:
    """Apply a delta counting bytes to the UTF-8 bytes of its base."""
    if not delta.startswith(_MAGIC):
        raise DeltaError("not a delta")
    ops = _unpacked(delta, base)
    parts: list[bytes] = []
    pos = at = 0
    while at < len(ops):
        end = ops.find(b"\n", at)
        digits = ops[at + 1 : end] if end > at else b""
        kind = ops[at]
        if kind not in (_EQUAL, _DELETE, _INSERT) or not digits.isdigit():
            raise DeltaError("damaged delta")
        count = int(digits)
        at = end + 1
        if kind == _INSERT:
            if at + count > len(ops):
                raise DeltaError("damaged delta")
            parts.append(ops[at : at + count])
            at += count
            continue
        if pos + count > len(base):
            raise DeltaError("the delta runs past the end of its base")
        if kind == _EQUAL:
            parts.append(base[pos : pos + count])
        pos += count
    if pos != len(base):
        raise DeltaError("the delta does not cover its base")
    return b"".join(parts)


def _apply_chars(base: str, raw: bytes) -> str:
    """Apply the operations of a delta counting characters (D1) to its base."""
    try:
        ops = raw.decode("utf-8", "surrogatepass")
    except UnicodeDecodeError as error:
        raise DeltaError("damaged delta") from error
    parts: list[str] = []
    pos = at = 0
    while at < len(ops):
        end = ops.find("\n", at)
        digits = ops[at + 1 : end] if end > at else ""
        if ops[at] not in "=-+" or not (digits.isascii() and digits.isdigit()):
            raise DeltaError("damaged delta")
        kind, count = ops[at], int(digits)
        at = end + 1
        if kind == "+":
            parts.append(ops[at : at + count])
            at += count
            continue
        if pos + count > len(base):
            raise DeltaError("the delta runs past the end of its base")
        if kind == "=":
            parts.append(base[pos : pos + count])
        pos += count
    if pos != len(base):
        raise DeltaError("the delta does not cover its base")
    return "".join(parts)
