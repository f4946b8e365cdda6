"""What a link preview shows of a page: a description and an image, from its rendered HTML.

Pure: sanitised HTML and Markdown in, plain text and URLs out. The description is the
page's explicit one (a `[[Description: …]]` line) or else its first paragraph.
"""

import html
import re

from wiki.core.tokens import tokenize

DESCRIPTION_LIMIT = 200
ELLIPSIS = "…"

# The sanitiser writes tags in lower case and attributes double-quoted.
_PARAGRAPH = re.compile(r"<p>(.*?)</p>", re.DOTALL)
_TAG = re.compile(r"<[^>]*>")
#: What an embedded file adds to a paragraph's text: a picture's caption, a document's kind
#: and size (templates/files/_embed.html). Not the page's words.
_FILE_EXTRAS = re.compile(r'<span class="file-(?:caption|meta)">[^<]*</span>')
#: ... and a document's or a missing file's link: a paragraph of nothing else is files only.
_FILE_LINKS = re.compile(r'<a class="(?:file-link|wikifile new)"[^>]*>[^<]*</a>')
_IMAGE_TAG = re.compile(r"<img\b[^>]*>")
_IMAGE_SRC = re.compile(r'\bsrc="([^"]+)"')
_SRCSET = re.compile(r'\bsrcset="([^"]+)"')
_SPACES = re.compile(r"\s+")
#: An explicit description: a wikilink-like marker the renderer hides from the page.
DESCRIPTION_MARKER = re.compile(r"\[\[\s*description\s*:([^\[\]\n]*)\]\]", re.IGNORECASE)
_CODE_FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})", re.MULTILINE)


def shorten(text: str, limit: int = DESCRIPTION_LIMIT) -> str:
    """Return text on one line, at most limit characters, cut at a word with "…"."""
    text = _SPACES.sub(" ", text).strip()
    if len(text) <= limit:
        return text
    kept, size = [], 0
    for token in tokenize(text):
        if size + len(token) > limit - len(ELLIPSIS):
            break
        kept.append(token)
        size += len(token)
    cut = "".join(kept).rstrip(" ,;:–—-([{") or text[: limit - len(ELLIPSIS)]
    return cut + ELLIPSIS


def first_paragraph(body: str, limit: int = DESCRIPTION_LIMIT) -> str:
    """Return the text of the first paragraph with words of its own in it (not a picture's
    caption, nor a paragraph of file links alone), shortened; "" if none."""
    for match in _PARAGRAPH.finditer(body):
        text = _FILE_EXTRAS.sub("", match.group(1))
        if any(character.isalnum() for character in _TAG.sub("", _FILE_LINKS.sub("", text))):
            return shorten(html.unescape(_TAG.sub("", text)), limit)
    return ""


def explicit_description(markdown: str, limit: int = DESCRIPTION_LIMIT) -> str:
    """Return the text of the page's `[[Description: …]]` marker outside code, or ""."""
    # Code blocks may show the marker as an example: look only before the first fence.
    fence = _CODE_FENCE.search(markdown)
    head = markdown[: fence.start()] if fence else markdown
    match = DESCRIPTION_MARKER.search(head)
    return shorten(match.group(1), limit) if match else ""


def first_image(body: str) -> str | None:
    """Return the address of the first image in the HTML, or None: its widest `srcset`
    candidate when it has one (an embedded file's src is the thumbnail the page shows, as
    narrow as 300 px; a link preview card is shown wider)."""
    tag = _IMAGE_TAG.search(body)
    if tag is None:
        return None
    offered = _SRCSET.search(tag.group(0))
    if offered:
        widths = []
        for candidate in html.unescape(offered.group(1)).split(","):
            address, _, size = candidate.strip().rpartition(" ")
            if address and size.endswith("w") and size[:-1].isdigit():
                widths.append((int(size[:-1]), address))
        if widths:
            return max(widths)[1]
    src = _IMAGE_SRC.search(tag.group(0))
    return html.unescape(src.group(1)) if src else None
