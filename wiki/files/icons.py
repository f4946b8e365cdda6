"""The icons browsers and phones fetch from the site's root (/favicon.ico and the home
screen's /apple-touch-icon.png), made from the site's square logo or its name's first
letter when the site has its own, as the tab's icon in every page's head is."""

import hashlib
import threading
from dataclasses import dataclass

from cachetools import LRUCache
from flask import current_app

from ..extensions import db
from ..site import current_site
from . import images, serving
from .logo import current_logo
from .models import FileBlob

#: What each icon is: its format, size in pixels, whether it must be opaque, its type.
KINDS = {
    "favicon": ("ICO", 48, False, "image/vnd.microsoft.icon"),
    "touch": ("PNG", 180, True, "image/png"),
}
#: app.extensions key of the icons made, by kind and what they show (a logo's SHA-256 or
#: a letter): the same bytes in every process, so nothing needs telling when the site
#: changes. Per app, as its store is.
EXTENSION = "bottega.icons"
_lock = threading.Lock()


@dataclass(frozen=True)
class Icon:
    """An icon made for the site, and the tag its bytes are known by."""

    body: bytes
    media_type: str
    etag: str


def site_icon(kind: str) -> Icon | None:
    """Return the site's own icon of this kind ("favicon", "touch"), or None: the wiki's."""
    logo = current_logo()
    if logo is not None and logo.square:
        shows = ("logo", logo.sha256)
    else:
        letter = current_site().initial
        if not letter or letter == "B":
            return None
        shows = ("letter", letter)
    key = (kind, *shows)
    with _lock:
        kept = current_app.extensions.setdefault(EXTENSION, LRUCache(maxsize=32))
        made = kept.get(key, False)
    if made is False:
        try:
            made = _make(kind, *shows)
        except Exception:
            # The store is out of reach or the bytes are damaged: the wiki's own icon for
            # now (not remembered: the next request tries again), never a 500 on every page.
            current_app.logger.exception("could not draw the site's %s icon", kind)
            return None
        with _lock:
            kept[key] = made
    return made


def _make(kind: str, shows: str, value: str) -> Icon | None:
    """Draw an icon of a logo (by SHA-256) or of a letter; None if it cannot be drawn."""
    image_format, size, opaque, media_type = KINDS[kind]
    if shows == "logo":
        blob = db.session.get(FileBlob, value)
        if blob is None:
            return None
        body = serving.from_original(
            blob, lambda source: images.square_icon(source, size, image_format, opaque=opaque)
        )
    else:
        body = images.letter_icon(value, size, image_format, opaque=opaque)
    if body is None:
        return None
    return Icon(body, media_type, hashlib.sha256(body).hexdigest()[:32])
