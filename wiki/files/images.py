"""Images with Pillow: check that an upload is one whole, reasonable image; make thumbnails.

Sizes are read from the header before any pixel is decoded, so a small file claiming
50,000 × 50,000 pixels (a decompression bomb) is refused without using the memory.
"""

import io
import unicodedata
import warnings
from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageFont, ImageOps

from ..core.containers import declared_size
from ..core.titles import N_
from ..problems import CannotProcess

#: Frames × pixels an animation may have, in units of FILE_MAX_PIXELS.
ANIMATION_FACTOR = 4
_FORMATS = {
    "image/png": "PNG",
    "image/jpeg": "JPEG",
    "image/gif": "GIF",
    "image/webp": "WEBP",
    "image/avif": "AVIF",
}
#: The format thumbnails of each type are made in: photos as JPEG; images that may be
#: transparent as PNG, or WebP where the original was already a modern format.
THUMB_EXTENSIONS = {
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/gif": ".png",
    "image/webp": ".webp",
    "image/avif": ".webp",
}
_SAVE = {
    ".jpg": ("JPEG", {"quality": 85}),
    ".png": ("PNG", {"optimize": True}),
    ".webp": ("WEBP", {"quality": 85, "method": 4}),
}
THUMB_TYPES = {".jpg": "image/jpeg", ".png": "image/png", ".webp": "image/webp"}
GPS_IFD = 0x8825
_ORIENTATION = 0x0112

BOMB = N_(
    "This image is %(width)s × %(height)s pixels: more than the %(limit)s million pixels "
    "an image may have here. Scale it down and upload it again."
)
ANIMATION_BOMB = N_(
    "This animation has too many frames for its size (%(frames)s frames of %(width)s × "
    "%(height)s pixels). Shorten it or scale it down."
)
DAMAGED = N_(
    "The image is damaged or incomplete (perhaps the upload was cut short, or the file was "
    "not saved completely). Open it in an image editor, save it again and upload that."
)


class ImageProblem(CannotProcess):
    """An image that is damaged or too large to handle."""


@dataclass(frozen=True)
class ImageFacts:
    """What Pillow found in an image: its size as shown, and whether it has a location."""

    width: int
    height: int
    has_location: bool


def _open(source) -> Image.Image:
    """Open an image, turning Pillow's decompression bomb warning into an error."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        return Image.open(source)


def inspect(source, media_type: str, max_pixels: int) -> ImageFacts:
    """Check an image from header to last pixel; return its facts or raise ImageProblem."""
    try:
        with _open(source) as image:
            width, height = image.size
            _check_size(image, max_pixels)
            if image.format != _FORMATS.get(media_type):
                raise ImageProblem(DAMAGED)
            exif = image.getexif()
            facts = ImageFacts(width, height, bool(exif.get_ifd(GPS_IFD)))
            image_format = image.format
        _decode(source, image_format)
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise _bomb(source, media_type, max_pixels) from None
    except ImageProblem:
        raise
    except (OSError, SyntaxError, ValueError, EOFError, IndexError, KeyError):
        raise ImageProblem(DAMAGED) from None
    if exif.get(_ORIENTATION) in (5, 6, 7, 8):  # turned a quarter: shown the other way up
        return ImageFacts(height, width, facts.has_location)
    return facts


def _bomb(source, media_type: str, max_pixels: int) -> ImageProblem:
    """Return the refusal of an image Pillow itself found too large, with its size."""
    if hasattr(source, "seek"):
        source.seek(0)
        head = source.read(1 << 16)
    else:
        with open(source, "rb") as handle:
            head = handle.read(1 << 16)
    width, height = declared_size(head, media_type) or (0, 0)
    limit = max_pixels // 10**6
    return ImageProblem(BOMB, width=f"{width:,}", height=f"{height:,}", limit=limit)


def _check_size(image: Image.Image, max_pixels: int) -> None:
    """Refuse images (and animations) with more pixels than the wiki handles."""
    width, height = image.size
    if width * height > max_pixels or not width or not height:
        raise ImageProblem(
            BOMB, width=f"{width:,}", height=f"{height:,}", limit=max_pixels // 10**6
        )
    frames = getattr(image, "n_frames", 1)
    if frames * width * height > ANIMATION_FACTOR * max_pixels:
        raise ImageProblem(
            ANIMATION_BOMB, frames=f"{frames:,}", width=f"{width:,}", height=f"{height:,}"
        )


def _decode(source, image_format: str) -> None:
    """Decode every byte of the (first) image, so damage shows now and not in a thumbnail."""
    if image_format == "PNG":
        with _reopen(source) as image:
            image.verify()  # every chunk's checksum
    with _reopen(source) as image:
        if image_format == "JPEG":
            # Decoding at an eighth of the size reads every byte with 1/64 of the memory.
            image.draft("RGB", (max(1, image.width // 8), max(1, image.height // 8)))
        image.load()


def _reopen(source) -> Image.Image:
    """Open the image again from its start."""
    if hasattr(source, "seek"):
        source.seek(0)
    return _open(source)


def thumb_extension(media_type: str) -> str | None:
    """Return the extension thumbnails of this type have, or None if it has none."""
    return THUMB_EXTENSIONS.get(media_type)


def thumbnail(source, width: int, extension: str) -> bytes:
    """Return a thumbnail `width` pixels wide, upright, without metadata, in the given format."""
    with _open(source) as image:
        if image.format == "JPEG":
            image.draft("RGB", (width, width))
        image.seek(0)
        upright = ImageOps.exif_transpose(image)
    width = min(width, upright.width)
    height = max(1, round(upright.height * width / upright.width))
    name, options = _SAVE[extension]
    mode = "RGB" if name == "JPEG" else ("RGBA" if _transparent(upright) else "RGB")
    if upright.mode != mode:
        upright = upright.convert(mode)
    small = upright.resize((width, height), Image.Resampling.LANCZOS, reducing_gap=2)
    out = io.BytesIO()
    small.save(out, name, **options)
    return out.getvalue()


def _transparent(image: Image.Image) -> bool:
    """Return whether an image may have transparent pixels."""
    return image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info


#: The wiki's own tile (static/favicon.svg): a diagonal blue gradient.
TILE_COLOURS = ((0x47, 0x63, 0xDC), (0x2C, 0x44, 0xAD))


def square_icon(source, size: int, image_format: str, *, opaque: bool) -> bytes:
    """Return an about-square image as a square icon of size pixels (ICO or PNG), centred;
    opaque: on white (home screens draw transparent corners black)."""
    with _open(source) as image:
        image.seek(0)
        upright = ImageOps.exif_transpose(image).convert("RGBA")
    side = max(upright.size)
    canvas = Image.new("RGBA", (side, side), (255, 255, 255, 255 if opaque else 0))
    offset = ((side - upright.width) // 2, (side - upright.height) // 2)
    canvas.alpha_composite(upright, offset)
    icon = canvas.resize((size, size), Image.Resampling.LANCZOS, reducing_gap=2)
    return _icon_bytes(icon.convert("RGB") if opaque else icon, image_format)


def letter_icon(letter: str, size: int, image_format: str, *, opaque: bool) -> bytes | None:
    """Return a letter on the wiki's tile as an icon of size pixels, as the tab's SVG icon
    draws it (templates/pages/site_icon.svg), or None when the font has no such letter.

    Pillow's own font holds the ASCII letters and digits: an accented letter is drawn
    without its accent ("É" as E)."""
    font = ImageFont.load_default(size=round(size * 21 / 32))
    drawn = next((ch for ch in (letter, _unaccented(letter)) if _has_glyph(font, ch)), None)
    if drawn is None:
        return None
    corners = Image.new("RGB", (2, 2))
    first, last = TILE_COLOURS
    middle = tuple((a + b) // 2 for a, b in zip(first, last, strict=True))
    corners.putdata([first, middle, middle, last])
    tile = corners.resize((size, size), Image.Resampling.BILINEAR).convert("RGBA")
    if not opaque:  # a phone rounds a home-screen icon itself
        mask = Image.new("L", (size, size), 0)
        ImageDraw.Draw(mask).rounded_rectangle((0, 0, size - 1, size - 1), size // 4, fill=255)
        tile.putalpha(mask)
    ImageDraw.Draw(tile).text(
        (size / 2, size * 23.5 / 32),
        drawn,
        font=font,
        fill="white",
        anchor="ms",
        # The font is a regular weight; the tab's icon draws a heavy one.
        stroke_width=max(1, size // 60),
        stroke_fill="white",
    )
    return _icon_bytes(tile.convert("RGB") if opaque else tile, image_format)


def _unaccented(letter: str) -> str:
    """Return a letter without its accents ("É" → "E"), or itself."""
    return unicodedata.normalize("NFKD", letter)[:1]


def _has_glyph(font: ImageFont.FreeTypeFont, character: str) -> bool:
    """Return whether the font draws the character (not the box of a missing one)."""
    return bytes(font.getmask(character)) != bytes(font.getmask("\uffff"))


def _icon_bytes(icon: Image.Image, image_format: str) -> bytes:
    """Return an icon image saved as ICO (with its smaller sizes) or PNG."""
    out = io.BytesIO()
    if image_format == "ICO":
        icon.save(out, "ICO", sizes=[(16, 16), (32, 32), (icon.width, icon.height)])
    else:
        icon.save(out, "PNG", optimize=True)
    return out.getvalue()
