"""The readable text of rendered HTML: what the search index holds of a page or comment."""

import html
import re

_BLOCK_TAGS = {
    *("p", "div", "br", "hr", "li", "ul", "ol", "pre", "blockquote", "table", "tr", "td"),
    *("th", "h1", "h2", "h3", "h4", "h5", "h6"),
}


#: A tag, its attributes quoted or not (a quoted value may hold ">"), or a comment.
_TAG = re.compile(
    r"""<!--.*?-->|<(/?)([A-Za-z][A-Za-z0-9]*)((?:[^>"']+|"[^"]*"|'[^']*')*)>""", re.DOTALL
)
_HEADERLINK = re.compile(r"""class\s*=\s*["']?headerlink\b""")


def plain_text(body_html: str) -> str:
    """Return the readable text of rendered (sanitised) HTML, with whitespace collapsed.

    One regular expression over the tags, not an HTML parser: the HTML comes from our own
    renderer and sanitiser. A save has it made by the render worker, on another core.
    """
    parts: list[str] = []
    skipping = 0  # inside the "¶" link beside a heading
    position = 0
    for match in _TAG.finditer(body_html):
        if not skipping:
            parts.append(body_html[position : match.start()])
        position = match.end()
        closing, tag = match.group(1), (match.group(2) or "").lower()
        if tag == "a":
            if closing and skipping:
                skipping -= 1
            elif not closing and (skipping or _HEADERLINK.search(match.group(3))):
                skipping += 1
        elif tag in _BLOCK_TAGS:
            parts.append(" ")
    if not skipping:
        parts.append(body_html[position:])
    # str.split() splits at exactly what \s matches, three times faster than a regex.
    return " ".join(html.unescape("".join(parts)).split())
