"""Texts stored as a delta against another text: copy runs of the base, insert the rest.

A small edit of a 20 KB page changes a few words; storing the whole text compressed costs
about 6 KB a revision, a delta against the previous text a few hundred bytes. A delta is
any list of operations that rebuilds the new text exactly from the base (checked by the
caller against the text's hash); it need not be the smallest, so finding it is bounded.
"""

import zlib

from diff_match_patch import diff_match_patch

#: How long finding the runs in common may take before settling for a coarser (still exact)
#: delta; the delta is only as good as this allows, never wrong.
FIND_SECONDS = 0.05
_MAGIC = b"D1"
#: The base's last bytes serve as the compressor's dictionary: inserted words that the
#: page already has cost a back-reference, not their letters.
_WINDOW = 32 * 1024


class DeltaError(ValueError):
    """A delta that does not fit its base (damaged data, or the wrong base)."""


def make_delta(base: str, new: str) -> bytes:
    """Return a compressed delta that rebuilds new from base."""
    dmp = diff_match_patch()
    dmp.Diff_Timeout = FIND_SECONDS
    ops: list[str] = []
    for op, text in _merged(dmp.diff_main(base, new, True)):
        if op == 0:
            ops.append(f"={len(text)}\n")
        elif op < 0:
            ops.append(f"-{len(text)}\n")
        else:
            ops.append(f"+{len(text)}\n{text}")
    packer = zlib.compressobj(9, zlib.DEFLATED, -15, zdict=_dictionary(base))
    body = "".join(ops).encode("utf-8", "surrogatepass")
    return _MAGIC + packer.compress(body) + packer.flush()


def _dictionary(base: str) -> bytes:
    """Return the preset dictionary for deltas on base: its last bytes."""
    return base[-_WINDOW:].encode("utf-8", "surrogatepass")[-_WINDOW:]


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
    if not delta.startswith(_MAGIC):
        raise DeltaError("not a delta")
    try:
        unpacker = zlib.decompressobj(-15, zdict=_dictionary(base))
        raw = unpacker.decompress(delta[len(_MAGIC) :]) + unpacker.flush()
        if not unpacker.eof or unpacker.unused_data:
            raise DeltaError("damaged delta")
        ops = raw.decode("utf-8", "surrogatepass")
    except (zlib.error, UnicodeDecodeError) as error:
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
