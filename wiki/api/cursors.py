"""Opaque cursors for paginated API lists: what comes next, as a token clients pass back."""

import base64
import binascii

from ..core.titles import N_
from ..problems import BadRequest

BAD_CURSOR = N_("The cursor is not valid: pass back the next_cursor of the previous answer.")
DEFAULT_LIMIT = 50
MAX_LIMIT = 200


def encode(kind: str, value: object) -> str:
    """Return an opaque cursor for a position in a list of this kind."""
    raw = f"{kind}:{value}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(kind: str, cursor: str | None) -> str | None:
    """Return the position a cursor of this kind holds, None without one; BadRequest if bad."""
    if not cursor:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise BadRequest(BAD_CURSOR) from None
    found, _, value = raw.partition(":")
    if found != kind or not value:
        raise BadRequest(BAD_CURSOR)
    return value


def decode_int(kind: str, cursor: str | None) -> int | None:
    """Return the number a cursor holds (an id, an offset), or None without one."""
    value = decode(kind, cursor)
    if value is None:
        return None
    if not value.isdigit() or len(value) > 12:
        raise BadRequest(BAD_CURSOR)
    return int(value)
