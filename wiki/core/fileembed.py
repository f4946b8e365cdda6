"""Files in page text: `![alt](File:Name.png)` and `[[File:Name.png|thumb|300px|caption]]`.

Rendering marks each embedded file with a placeholder link carrying the file's key and the
options asked for; the view resolves the placeholders at view time (thumbnail URLs, sizes,
red links for missing files), the way red links are marked, so a page never needs
rendering again when a file is uploaded or replaced.
"""

import html
import math
import re
import xml.etree.ElementTree as etree
from collections.abc import Callable
from dataclasses import dataclass

from markdown.treeprocessors import Treeprocessor
from markdown.util import AtomicString

from wiki.core.filenames import FileName, FileNameError, parse_file_name, strip_namespace

FILE_PATH = "/file/"
CLASS = "wikifile"
FRAMES = {"thumb": "thumb", "thumbnail": "thumb", "frame": "thumb", "framed": "thumb"}
FRAMES |= {"frameless": "frameless"}
ALIGNS = ("left", "right", "center", "none")
#: The widest an embed may ask for; thumbnails are never wider than the original anyway.
MAX_WIDTH = 4000
_SIZE = re.compile(r"(\d{1,5})?(?:x(\d{1,5}))?\s*px", re.IGNORECASE)
ATTRIBUTES = ("data-file", "data-width", "data-frame", "data-align", "data-caption")


@dataclass(frozen=True)
class Options:
    """How an embedded file is shown."""

    width: int | None = None
    #: "" (inline, as an image in the text), "thumb" (a framed box with a caption) or
    #: "frameless" (a box without a frame).
    frame: str = ""
    align: str = ""
    alt: str = ""
    caption: str = ""


def parse_options(parts: list[str]) -> Options:
    """Return the options of `[[File:Name|thumb|300px|right|alt=…|caption]]` (after the name)."""
    width, frame, align, alt, caption = None, "", "", "", ""
    for raw in parts:
        part = raw.strip()
        lower = part.lower()
        size = _SIZE.fullmatch(part)
        if size and size.group(1):
            width = min(int(size.group(1)), MAX_WIDTH) or None
        elif size:
            continue  # a height alone ("x200px"): the width follows from the image
        elif lower in FRAMES:
            frame = FRAMES[lower]
        elif lower in ALIGNS:
            align = lower
        elif lower.startswith("alt="):
            alt = part[4:].strip()
        elif part:
            caption = part
    return Options(width=width, frame=frame, align=align, alt=alt, caption=caption)


def file_target(target: str) -> FileName | None:
    """Return the file a link target embeds ("File:Logo.png"), or None if it names no file.

    A leading colon ("[[:File:Logo.png]]") links to the file's page instead of embedding.
    """
    if target.startswith(":"):
        return None
    name = strip_namespace(target)
    if name is None:
        return None
    try:
        return parse_file_name(name)
    except FileNameError:
        return None


def placeholder(name: FileName, options: Options, label: str = "") -> etree.Element:
    """Return the link that stands for an embedded file until the view resolves it."""
    # Markdown's serialiser keeps anything that looks like an entity: escape every "&".
    element = etree.Element("a", {"class": CLASS, "href": _amp(FILE_PATH + name.url)})
    element.set("data-file", _amp(name.key))
    values = {
        "data-width": str(options.width) if options.width else "",
        "data-frame": options.frame,
        "data-align": options.align,
        "data-caption": options.caption,
    }
    for attribute, value in values.items():
        if value:
            element.set(attribute, _amp(value))
    element.text = AtomicString(_amp(options.alt or label or name.display))
    return element


def _amp(value: str) -> str:
    """Escape "&" so the value comes out of Markdown's serialiser exactly as given."""
    return value.replace("&", "&amp;")


class ImageProcessor(Treeprocessor):
    """Turn Markdown images whose address is "File:Name" into file placeholders."""

    def __init__(self, md, collect: Callable[[FileName], None]) -> None:
        super().__init__(md)
        self.collect = collect

    def run(self, root: etree.Element) -> None:
        """Replace the file images of the tree in place."""
        for parent in list(root.iter()):
            for index, child in enumerate(list(parent)):
                if child.tag != "img":
                    continue
                name = file_target(html.unescape(child.get("src", "")))
                if name is None:
                    continue
                self.collect(name)
                options = Options(alt=child.get("alt", ""), caption=child.get("title", ""))
                element = placeholder(name, options)
                element.tail = child.tail
                parent.remove(child)
                parent.insert(index, element)


# The sanitiser writes attributes sorted by name and double-quoted; alt text has no tags.
EMBED = re.compile(r'<a class="wikifile"((?:\s+[a-z-]+="[^"]*")*)>([^<]*)</a>')
_ATTRIBUTE = re.compile(r'([a-z-]+)="([^"]*)"')


@dataclass(frozen=True)
class Embed:
    """A placeholder found in rendered HTML: the file's key and how to show it."""

    key: str
    href: str
    options: Options


def read_embed(match: re.Match[str]) -> Embed:
    """Return the embed a placeholder match stands for."""
    attributes = {name: html.unescape(value) for name, value in _ATTRIBUTE.findall(match[1])}
    width = attributes.get("data-width", "")
    frame = attributes.get("data-frame", "")
    align = attributes.get("data-align", "")
    options = Options(
        width=min(int(width), MAX_WIDTH) if width.isdigit() and int(width) else None,
        frame=frame if frame in FRAMES.values() else "",
        align=align if align in ALIGNS else "",
        alt=html.unescape(match[2]),
        caption=attributes.get("data-caption", ""),
    )
    return Embed(attributes.get("data-file", ""), attributes.get("href", ""), options)


def embed_keys(body: str) -> set[str]:
    """Return the keys of the files embedded in rendered HTML."""
    return {read_embed(match).key for match in EMBED.finditer(body)}


#: Widths thumbnails are made at (besides an original's own width), so each is made once.
THUMB_WIDTHS = (120, 180, 240, 320, 480, 640, 800, 960, 1280, 1600, 1920)
#: Width of a framed thumbnail whose size is not given (MediaWiki's default).
DEFAULT_THUMB = 220
#: Widest an image is shown in the text when no size is given.
DEFAULT_INLINE = 800
_DENSITIES = (1, 1.5, 2)


@dataclass(frozen=True)
class Plan:
    """How an image is shown: its size on the page and the thumbnail widths offered."""

    width: int
    height: int
    #: Thumbnail widths for srcset, narrowest first; the first is the plain src.
    widths: tuple[int, ...]


def thumb_width_allowed(width: int, original_width: int) -> bool:
    """Return whether a thumbnail may be made at this width of an original this wide."""
    return width == original_width or (width in THUMB_WIDTHS and width < original_width)


def plan(original_width: int, original_height: int, options: Options) -> Plan:
    """Return the display size and thumbnail widths for an image shown with these options."""
    asked = options.width or (DEFAULT_THUMB if options.frame else DEFAULT_INLINE)
    shown = max(1, min(asked, original_width))
    widths = []
    for density in _DENSITIES:
        target = math.ceil(shown * density)
        bucket = next((w for w in THUMB_WIDTHS if w >= target), original_width)
        widths.append(bucket if bucket < original_width else original_width)
    height = max(1, round(shown * original_height / max(1, original_width)))
    return Plan(shown, height, tuple(sorted(set(widths))))
