"""The site's logo: an uploaded picture an administrator chose (Administration → Name and
logo), drawn in every page's header and served at /site/logo/<sha256> to everyone.

The version chosen is kept (its SHA-256): a new upload of the file, by anyone who may
upload, shows in the header only once an administrator saves the form again."""

import math
from dataclasses import dataclass

from flask import g, has_request_context

from ..core.fileembed import THUMB_WIDTHS
from ..core.filenames import FileNameError, name_params, parse_file_name, strip_namespace
from ..core.titles import N_
from ..extensions import db
from ..memo import RULES, until_changed
from ..problems import BadRequest, UserError
from ..site import current_site
from . import reading
from .models import FileBlob

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
    """Return the logo: the version of its file an administrator chose, or None."""
    sha256 = current_site().logo_sha
    if not sha256:
        return None
    if not has_request_context():
        return _logo_of(sha256)
    return until_changed("site-logo", sha256, lambda: _logo_of(sha256), RULES)


def shown_logo() -> Logo | None:
    """Return the logo pages show (none on a page drawn without the database)."""
    if has_request_context() and g.get("bare_page"):
        return None
    return current_logo()


def _logo_of(sha256: str) -> Logo | None:
    blob = db.session.get(FileBlob, sha256)
    if blob is None or not blob.width or not blob.height:
        return None
    return Logo(blob.sha256, blob.media_type, blob.width, blob.height)


def published_version(name: str) -> str:
    """Return the SHA-256 of a file's published version ("" if there is none)."""
    try:
        found = reading.find_file(parse_file_name(name), public=True)
    except FileNameError:
        return ""
    return found.blob.sha256 if found is not None else ""


def check_logo(raw: str) -> tuple[str, str, UserError | None]:
    """Return a chosen logo's file name as the wiki writes it ("" for none), the SHA-256
    of its published version (the one the header will show), and what is wrong with it:
    it must be a published picture."""
    raw = raw.strip()
    if not raw:
        return "", "", None
    try:
        name = parse_file_name(raw)
    except FileNameError as error:
        return raw, "", BadRequest(str(error), **name_params())
    found = reading.find_file(name, public=True)
    if found is None:
        return (
            name.display,
            "",
            BadRequest(
                N_("There is no published file called “%(name)s”: upload the logo first."),
                name=name.display,
            ),
        )
    if not found.blob.width or not found.blob.height:
        return (
            found.name.display,
            "",
            BadRequest(
                N_("“%(name)s” is not a picture: choose an image (PNG, JPEG, GIF, WebP or AVIF)."),
                name=found.name.display,
            ),
        )
    return found.name.display, found.blob.sha256, None


#: How many uploaded pictures the logo field offers as you type.
OFFERED_PICTURES = 100


def offered_pictures() -> list[str]:
    """Return the names of published pictures, newest first: the logo field offers them."""
    filters = reading.GalleryFilters(kind="image")
    shown = reading.gallery(filters, None, OFFERED_PICTURES, public=True)
    return [strip_namespace(item.page.title) for item in shown.files]
