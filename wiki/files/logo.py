"""The site's logo: an uploaded picture an administrator chose (Administration → Name and
logo), drawn in every page's header and served at /site/logo/<sha256> to everyone."""

import math
from dataclasses import dataclass

from flask import g, has_request_context

from ..core.fileembed import THUMB_WIDTHS
from ..core.filenames import FileNameError, name_params, parse_file_name
from ..core.titles import N_
from ..memo import page_scope, until_changed
from ..problems import BadRequest, UserError
from ..site import current_site
from . import reading

#: The logo is drawn this many CSS pixels high; its image is made for screens of twice that.
LOGO_HEIGHT = 28


@dataclass(frozen=True)
class Logo:
    """The logo's published image: its bytes' hash, type and size."""

    sha256: str
    media_type: str
    width: int
    height: int

    @property
    def drawn_width(self) -> int:
        """Return the width the header draws it at, LOGO_HEIGHT high."""
        return max(1, round(LOGO_HEIGHT * self.width / self.height))

    @property
    def square(self) -> bool:
        """Return whether it is about as wide as high: a browser tab's icon too."""
        return 4 * self.width <= 5 * self.height and 4 * self.height <= 5 * self.width

    @property
    def image_width(self) -> int:
        """Return the width of the image served: a thumbnail width at least twice the drawn
        one (sharp on dense screens), or the original's when that is smaller."""
        wanted = math.ceil(2 * LOGO_HEIGHT * self.width / self.height)
        return min(next((w for w in THUMB_WIDTHS if w >= wanted), self.width), self.width)


def current_logo() -> Logo | None:
    """Return the logo's published image, or None (no logo, or not a picture any more)."""
    name = current_site().logo
    if not name:
        return None
    try:
        file_name = parse_file_name(name)
    except FileNameError:
        return None
    if not has_request_context():
        return _logo_of(name)
    # A new upload of the logo is an edit of its file page: the memo hangs on that page.
    return until_changed("site-logo", name, lambda: _logo_of(name), page_scope(file_name.key))


def shown_logo() -> Logo | None:
    """Return the logo pages show (none on a page drawn without the database)."""
    if has_request_context() and g.get("bare_page"):
        return None
    return current_logo()


def _logo_of(name: str) -> Logo | None:
    found = reading.find_file(parse_file_name(name), public=True)
    if found is None or not found.blob.width or not found.blob.height:
        return None
    blob = found.blob
    return Logo(blob.sha256, blob.media_type, blob.width, blob.height)


def check_logo(raw: str) -> tuple[str, UserError | None]:
    """Return a chosen logo's file name as the wiki writes it ("" for none), and what is
    wrong with it: it must be a published picture."""
    raw = raw.strip()
    if not raw:
        return "", None
    try:
        name = parse_file_name(raw)
    except FileNameError as error:
        return raw, BadRequest(str(error), **name_params())
    found = reading.find_file(name, public=True)
    if found is None:
        return name.display, BadRequest(
            N_("There is no published file called “%(name)s”: upload the logo first."),
            name=name.display,
        )
    if not found.blob.width or not found.blob.height:
        return found.name.display, BadRequest(
            N_("“%(name)s” is not a picture: choose an image (PNG, JPEG, GIF, WebP or AVIF)."),
            name=found.name.display,
        )
    return found.name.display, None
