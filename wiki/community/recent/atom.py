"""Atom feeds (RFC 4287) from plain values; pure: dataclasses in, UTF-8 XML out.

ElementTree escapes every text and attribute; characters XML 1.0 cannot carry at all
(control characters) are dropped first, so a feed always parses.
"""

import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

NS = "http://www.w3.org/2005/Atom"
_NOT_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@dataclass(frozen=True)
class Entry:
    """One entry: a change, with a stable tag: URI as its id."""

    id: str
    title: str
    updated: datetime
    link: str
    author: str
    summary: str = ""


@dataclass(frozen=True)
class Feed:
    """A feed: its id, title, own URL (rel=self), the page it mirrors (rel=alternate)."""

    id: str
    title: str
    self_url: str
    alternate_url: str
    entries: Sequence[Entry]
    subtitle: str = ""
    generator: str = "Bottega"


def tag_uri(authority: str, specific: str, year: int = 2026) -> str:
    """Return a tag: URI (RFC 4151), e.g. tag:wiki.example.com,2026:revision/12."""
    authority = authority.split(":")[0] or "localhost"
    return f"tag:{authority},{year}:{specific}"


def clean(text: str) -> str:
    """Return text without the characters XML cannot hold."""
    return _NOT_XML.sub("", text)


def timestamp(moment: datetime) -> str:
    """Return an RFC 3339 timestamp in UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _add(parent: ET.Element, tag: str, text: str | None = None, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, tag, {k: clean(v) for k, v in attributes.items()})
    if text is not None:
        element.text = clean(text)
    return element


def render(feed: Feed, now: datetime | None = None) -> bytes:
    """Return the feed as an Atom XML document."""
    root = ET.Element("feed", {"xmlns": NS})
    _add(root, "id", feed.id)
    _add(root, "title", feed.title)
    if feed.subtitle:
        _add(root, "subtitle", feed.subtitle)
    newest = max((entry.updated for entry in feed.entries), default=now or datetime.now(UTC))
    _add(root, "updated", timestamp(newest))
    _add(root, "link", rel="self", type="application/atom+xml", href=feed.self_url)
    _add(root, "link", rel="alternate", type="text/html", href=feed.alternate_url)
    _add(root, "generator", feed.generator)
    for entry in feed.entries:
        element = _add(root, "entry")
        _add(element, "id", entry.id)
        _add(element, "title", entry.title)
        _add(element, "updated", timestamp(entry.updated))
        _add(element, "link", rel="alternate", type="text/html", href=entry.link)
        author = _add(element, "author")
        _add(author, "name", entry.author)
        if entry.summary:
            _add(element, "summary", entry.summary, type="text")
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)
