"""Embedded files at view time: placeholders become thumbnails (with srcset) or red links.

Rendering leaves a placeholder per embedded file (wiki/core/fileembed.py); one query per
page view finds the files that exist, so uploading or replacing a file never makes a
page render again.
"""

from urllib.parse import unquote

from flask import get_template_attribute

from ..core import fileembed
from ..core.filenames import FileName
from ..core.sniff import TYPES
from ..pages import service as pages
from . import reading


def resolve(body: str) -> str:
    """Replace the file placeholders in rendered HTML with images, links or red links."""
    if 'class="wikifile"' not in body:
        return body
    matches = list(fileembed.EMBED.finditer(body))
    if not matches:
        return body
    # Readers shown the published text see published uploads only (wiki/review), and
    # their own newer ones.
    waiting = pages.waiting_shown()
    shown = reading.embedded(
        {fileembed.read_embed(match).key for match in matches},
        public=not waiting.every,
        uploader_id=waiting.own_uploads_of,
    )
    macro = get_template_attribute("files/_embed.html", "embed")

    def replace(match) -> str:
        embed = fileembed.read_embed(match)
        found = shown.get(embed.key)
        if found is None:
            return str(macro(embed, None, None, _name_from(embed.href), None))
        blob = found.blob
        kind = TYPES.get(blob.media_type)
        plan = None
        if kind is not None and kind.image and blob.width and blob.height:
            plan = fileembed.plan(blob.width, blob.height, embed.options)
        return str(macro(embed, found, plan, found.name, kind))

    return fileembed.EMBED.sub(replace, body)


def _name_from(href: str) -> FileName:
    """Return the file name a placeholder's link names ("/file/Spring_logo.png")."""
    return FileName(unquote(href.removeprefix(fileembed.FILE_PATH)).replace("_", " "))


def install() -> None:
    """Resolve embedded files wherever pages show their HTML."""
    pages.add_view_step(resolve)
