"""Markdown extras for pages: task lists, and footnotes whose links all lead somewhere."""

import re
import xml.etree.ElementTree as etree

from markdown import Markdown
from markdown.extensions import Extension
from markdown.extensions.footnotes import FootnoteExtension
from markdown.inlinepatterns import SimpleTagInlineProcessor
from markdown.treeprocessors import Treeprocessor

TASK_CLASS = "task-list-item"
# "[ ]" or "[x]" opening a list item, then a space (GitHub's syntax); "\[ ]" stays text.
_TASK = re.compile(r"\[([ xX])\]\s+")


class _TaskListProcessor(Treeprocessor):
    """Turn list items starting "[ ] " or "[x] " into items with a disabled checkbox."""

    def run(self, root: etree.Element) -> None:
        """Mark the task items of the tree in place."""
        for li in root.iter("li"):
            if "id" in li.attrib:
                continue  # a footnote, not an item someone ticks
            holder = li if (li.text or "").strip() or not len(li) or li[0].tag != "p" else li[0]
            match = _TASK.match(holder.text or "")
            if match is None or not (holder.text[match.end() :] or len(holder)):
                continue  # a box with nothing to tick is no task
            box = etree.Element("input", {"type": "checkbox", "disabled": "disabled"})
            if match.group(1) != " ":
                box.set("checked", "checked")
            box.tail = " " + holder.text[match.end() :]
            holder.text = None
            holder.insert(0, box)
            li.set("class", TASK_CLASS)


class _FootnoteTidyProcessor(Treeprocessor):
    """Drop footnotes nothing refers to (their way back would lead nowhere) and backref titles."""

    def __init__(self, md: Markdown, footnotes: FootnoteExtension) -> None:
        super().__init__(md)
        self.footnotes = footnotes

    def run(self, root: etree.Element) -> None:
        """Tidy the footnotes in place."""
        for div in root.iter("div"):
            if div.get("class") != "footnote":
                continue
            ol = div.find("ol")
            for li in list(ol if ol is not None else ()):
                label = li.get("id", "").partition(":")[2]
                if label not in self.footnotes.footnote_order:
                    ol.remove(li)
            for link in div.iter("a"):
                # The title is English text cached for readers of every language.
                link.attrib.pop("title", None)
            if ol is None or not len(ol):
                _remove_child(root, div)
            return


def _remove_child(root: etree.Element, child: etree.Element) -> None:
    """Remove an element wherever it is under root."""
    for parent in root.iter():
        if child in list(parent):
            parent.remove(child)
            return


#: ~~struck out~~ (GitHub's strikethrough): a price before a discount, a dropped plan. Not
#: across a space at either end ("~~ a ~~" stays text), nor over a line. Its text holds no
#: "~~": a search from an opening pair stops at the next pair, so a line of openers that
#: never close ("~~a ~~a ~~a …") is read in linear time, not once per opener.
STRIKE_PATTERN = r"(~~)(?=[^\s~])((?:[^\n~]|~(?!~))*?[^\s~])~~"


class ExtrasExtension(Extension):
    """Task lists, strikethrough, and footnotes numbered in reading order without dead
    links."""

    def extendMarkdown(self, md: Markdown) -> None:
        """Register footnotes and the task list and footnote tidying steps."""
        footnotes = FootnoteExtension(
            USE_DEFINITION_ORDER=False,
            BACKLINK_TEXT="&#8617;&#65038;",  # the text arrow, not an emoji on phones
            BACKLINK_TITLE="",
        )
        footnotes.extendMarkdown(md)
        # Below code spans, escapes and links, beside emphasis (60): `~~x~~` stays code.
        md.inlinePatterns.register(SimpleTagInlineProcessor(STRIKE_PATTERN, "del"), "strike", 55)
        if "~" not in md.ESCAPED_CHARS:  # "\~~" is two tildes, as on GitHub
            md.ESCAPED_CHARS.append("~")
        # After "inline" (20), so "\[ ]" has become an escape and is not a task.
        md.treeprocessors.register(_TaskListProcessor(md), "task_list", 17)
        # After "footnote-duplicate" (15), which adds the backrefs of repeated references.
        md.treeprocessors.register(_FootnoteTidyProcessor(md, footnotes), "footnote_tidy", 14)
