"""@mentions and tidying of a comment's rendered HTML; pure: plain strings in and out.

The comment's Markdown is rendered and sanitised like a page first. Then this module walks
the sanitised HTML's text nodes, outside code, pre and links, and turns @name into a link
for the names the caller resolves; heading anchors, meaningless in a comment (and able to
clash with the #comment-<id> permalinks), are dropped. The result is sanitised again.
"""

import re
from collections.abc import Callable
from html import escape
from html.parser import HTMLParser

import nh3

from wiki.core.render import (
    ALLOWED_ATTRIBUTE_VALUES,
    ALLOWED_ATTRIBUTES,
    ALLOWED_CLASSES,
    ALLOWED_TAGS,
    URL_SCHEMES,
)

MENTION_CLASS = "mention"
# A username: 3 to 40 letters, digits, ".", "-", "_", starting with a letter or digit and
# ending with a letter, digit or "_" (so "@anna." mentions anna). Not inside "me@anna.com".
MENTION = re.compile(r"(?<![\w@])@([^\W_][\w.-]{1,38}\w)")
_SKIPPED = {"a", "code", "pre"}
_HEADINGS = {f"h{level}" for level in range(1, 7)}
_CLASSES = {**ALLOWED_CLASSES, "a": ALLOWED_CLASSES["a"] | {MENTION_CLASS}}

#: Given a name as typed after "@", return the URL of that person's profile, or None.
Resolver = Callable[[str], str | None]


def find_mentions(html: str) -> list[str]:
    """Return the names mentioned with @ in the text of html, in order, without repeats."""
    names: dict[str, None] = {}

    def collect(name: str) -> None:
        names.setdefault(name)
        return None

    _Rewriter(collect).rewrite(html)
    return list(names)


def link_mentions(html: str, resolve: Resolver) -> str:
    """Return html with resolved @names linked, heading anchors dropped, sanitised again."""
    return sanitize(_Rewriter(resolve).rewrite(html))


def sanitize(html: str) -> str:
    """Sanitise like the page renderer, also allowing the mention link class."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        tag_attribute_values=ALLOWED_ATTRIBUTE_VALUES,
        allowed_classes=_CLASSES,
        url_schemes=URL_SCHEMES,
        link_rel=None,
    )


class _Rewriter(HTMLParser):
    """Copy sanitised HTML, linking mentions in text and dropping heading anchors."""

    def __init__(self, resolve: Resolver) -> None:
        super().__init__(convert_charrefs=True)
        self.resolve = resolve
        self.out: list[str] = []
        self.skipped = 0  # how many code, pre and a elements we are inside
        self.dropping = False  # inside a heading's "¶" link

    def rewrite(self, html: str) -> str:
        self.feed(html)
        self.close()
        return "".join(self.out)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a" and ("class", "headerlink") in attrs:
            self.dropping = True
            return
        if tag in _SKIPPED:
            self.skipped += 1
        # Headings carry only an id, the anchor we drop.
        self.out.append(f"<{tag}>" if tag in _HEADINGS else self.get_starttag_text() or "")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.out.append(self.get_starttag_text() or "")

    def handle_endtag(self, tag: str) -> None:
        if self.dropping and tag == "a":
            self.dropping = False
            return
        if tag in _SKIPPED:
            self.skipped = max(0, self.skipped - 1)
        self.out.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        if self.dropping:
            return
        if self.skipped:
            self.out.append(escape(data, quote=False))
            return
        position = 0
        for match in MENTION.finditer(data):
            href = self.resolve(match.group(1))
            if href is None:
                continue
            self.out.append(escape(data[position : match.start()], quote=False))
            self.out.append(
                f'<a class="{MENTION_CLASS}" href="{escape(href)}">'
                f"{escape(match.group(0), quote=False)}</a>"
            )
            position = match.end()
        self.out.append(escape(data[position:], quote=False))
