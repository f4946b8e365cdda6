"""Turn page Markdown into safe HTML, collecting headings, wikilinks and categories."""

import html
import re
import threading
import xml.etree.ElementTree as etree
from collections import OrderedDict
from collections.abc import Collection
from dataclasses import dataclass, replace
from functools import cached_property

import nh3
from markdown import Markdown
from markdown.extensions import Extension
from markdown.extensions.toc import slugify_unicode
from markdown.inlinepatterns import InlineProcessor
from markdown.postprocessors import Postprocessor
from markdown.treeprocessors import Treeprocessor
from markdown.util import AMP_SUBSTITUTE, AtomicString
from pygments.formatters import HtmlFormatter
from pygments.token import STANDARD_TYPES

from wiki.core import fileembed, mdsections
from wiki.core.embeds import video_embed
from wiki.core.mdextras import TASK_CLASS, ExtrasExtension
from wiki.core.readable import plain_text
from wiki.core.titles import (
    N_,
    TitleError,
    canonical_namespace,
    parse_title,
    special_target,
    title_to_url,
)

# Bump whenever the HTML for the same text changes, so cached renderings are redone.
RENDERER_VERSION = 7  # 2: footnotes, task lists; 3: video embeds, descriptions; 4: files;
# 5: a bare namespace ("[[Category:]]") is no link (such titles are refused); 6: Italian
# namespace names ("[[Categoria:…]]", "[[:Immagine:…]]"), talk and special page links;
# 7: ~~strikethrough~~
WIKI_PATH = "/wiki/"
TALK_PATH = "/talk/"
EXTERNAL_REL = "nofollow noopener"

_HEADINGS = {f"h{level}" for level in range(1, 7)}
ALLOWED_TAGS = _HEADINGS | {
    *("a", "blockquote", "br", "code", "del", "div", "em", "hr", "img", "input", "li", "ol"),
    "p",
    *("pre", "span", "strong", "sup", "table", "tbody", "td", "th", "thead", "tr", "ul"),
}
# Footnote ids ("fn:1", "fnref:1") hold a colon, which heading slugs and the site's own ids
# never do, so they cannot clash. Inputs only come from task lists: raw HTML is text.
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "data-key", *fileembed.ATTRIBUTES},
    "div": {"data-embed", "data-provider"},
    "img": {"src", "alt", "title"},
    "input": {"checked", "disabled"},
    "li": {"id"},
    "ol": {"start"},
    "sup": {"id"},
    **{tag: {"id"} for tag in _HEADINGS},
}
_ALIGN = {"align": {"left", "center", "right"}}
ALLOWED_ATTRIBUTE_VALUES = {
    "th": _ALIGN,
    "td": _ALIGN,
    "a": {"rel": {EXTERNAL_REL}},
    "input": {"type": {"checkbox"}},
}
ALLOWED_CLASSES = {
    "a": {
        *("wikilink", "new", "headerlink", "footnote-ref", "footnote-backref", "embed-link"),
        fileembed.CLASS,
    },
    "div": {"highlight", "footnote", "embed", "embed-youtube", "embed-vimeo"},
    "li": {TASK_CLASS},
    "span": {name for name in STANDARD_TYPES.values() if name},
}
URL_SCHEMES = {"http", "https", "mailto"}
PYGMENTS_STYLE = "default"

# Brackets are excluded so "[[a]] and [[b]]" is two links and matching stays linear.
_WIKILINK_RE = r"\[\[([^\[\]|\n]*)(?:\|([^\[\]\n]*))?\]\]"
_CATEGORY_RE = re.compile(r"\s*(?:category|categoria)\s*:(.*)", re.IGNORECASE | re.DOTALL)
# [[Description: …]] is the page's description for link previews, not shown on the page.
_DESCRIPTION_RE = re.compile(r"\s*description\s*:.*", re.IGNORECASE | re.DOTALL)
_CATEGORY_TAG = "wiki-category"
# Markdown stashes code spans and escapes as \x02...\x03 placeholders before we see them.
_PLACEHOLDER = "\x02"
# Browsers drop these inside URLs and C0 controls and spaces at the ends.
_URL_IGNORED = re.compile(r"[\t\n\r]")
_C0_AND_SPACE = "".join(map(chr, range(0x21)))
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")


class RenderError(Exception):
    """Text that cannot be rendered; the message says why, for a person."""


TOO_DEEP = N_(
    "This text is too complex to display: it is nested too deeply. "
    "Simplify deeply nested lists or quotes and try again."
)


@dataclass(frozen=True)
class Heading:
    """A heading of the page: its level, the id to link to, and its plain text."""

    level: int
    anchor: str
    text: str


@dataclass(frozen=True)
class Rendered:
    """The sanitised HTML of a page and what it refers to."""

    html: str
    headings: tuple[Heading, ...]
    links: tuple[str, ...]
    categories: tuple[str, ...]
    #: The readable text of html (wiki.core.readable), when the renderer was asked for it.
    plain: str | None = None


class _Collector:
    """Wikilink targets and categories found in one rendering, unique by key, in order."""

    def __init__(self) -> None:
        self.links: dict[str, str] = {}
        self.categories: dict[str, str] = {}


class _WikiLinkProcessor(InlineProcessor):
    """Turn [[Title]], [[Title|label]] and [[Title#Section]] into links; collect categories."""

    def __init__(self, pattern: str, collector: _Collector) -> None:
        super().__init__(pattern)
        self.collector = collector

    def handleMatch(self, m: re.Match[str], data: str) -> tuple[etree.Element | str, int, int]:
        """Return the element for the match, or leave "[[" as text if it names no page."""
        target, label = m.group(1), m.group(2)
        element = None if _PLACEHOLDER in target else self._element(target.strip(), label)
        if element is None:
            # Only "[[" is consumed, so the rest is still ordinary Markdown text.
            return AtomicString("[["), m.start(0), m.start(0) + 2
        return element, m.start(0), m.end(0)

    def _element(self, target: str, label: str | None) -> etree.Element | None:
        """Return the link or category marker for a target, or None if it is invalid."""
        category = _CATEGORY_RE.fullmatch(target)
        if category:
            return self._category(category.group(1))
        if _DESCRIPTION_RE.fullmatch(target):
            return etree.Element(_CATEGORY_TAG)  # removed like a category marker
        file = fileembed.file_target(target)
        if file is not None:
            self.collector.links.setdefault(file.key, file.title)
            options = fileembed.parse_options(label.split("|") if label else [])
            return fileembed.placeholder(file, options)
        page, _, section = canonical_namespace(target.removeprefix(":")).partition("#")
        if not page.strip():
            return _anchor_link(section, label) if section.strip() else None
        special = special_target(page)
        if special is not None:
            return _special_link(*special, section, label, target)
        try:
            title = parse_title(page)
        except TitleError:
            return None
        self.collector.links.setdefault(title.key, title.display)
        element = etree.Element("a", {"class": "wikilink"})
        fragment = "#" + slugify_unicode(section, "-") if section.strip() else ""
        element.set("href", WIKI_PATH + title_to_url(title.display) + fragment)
        element.set("data-key", _escape_amp(title.key))
        _set_label(element, label, target.removeprefix(":"))
        return element

    def _category(self, name: str) -> etree.Element | None:
        """Record a category and return an invisible marker, or None if the name is invalid."""
        try:
            title = parse_title(name)
        except TitleError:
            return None
        self.collector.categories.setdefault(title.key, title.display)
        return etree.Element(_CATEGORY_TAG)


def _special_link(
    kind: str, name: str, section: str, label: str | None, target: str
) -> etree.Element:
    """Return a link to a talk page ("[[Talk:Plan]]") or a special page ("[[Special:Random]]"),
    which are no pages: never red, not recorded as links."""
    element = etree.Element("a", {"class": "wikilink"})
    fragment = "#" + slugify_unicode(section, "-") if section.strip() else ""
    path = TALK_PATH if kind == "talk" else WIKI_PATH + "Special:"
    element.set("href", path + title_to_url(name) + fragment)
    _set_label(element, label, target.removeprefix(":"))
    return element


def _anchor_link(section: str, label: str | None) -> etree.Element:
    """Return a link to a heading on the same page."""
    element = etree.Element("a", {"href": "#" + slugify_unicode(section, "-")})
    _set_label(element, label, section.strip())
    return element


def _set_label(element: etree.Element, label: str | None, default: str) -> None:
    """Use the label (Markdown allowed) or else the target exactly as typed."""
    if label and label.strip():
        element.text = label.strip()
    else:
        element.text = AtomicString(_escape_amp(default))


class _TidyProcessor(Treeprocessor):
    """Remove category markers and mark external links."""

    def run(self, root: etree.Element) -> None:
        """Tidy the tree in place."""
        parents = {child: parent for parent in root.iter() for child in parent}
        emptied = []
        for element in list(root.iter()):
            if element.tag == _CATEGORY_TAG:
                _remove(parents[element], element)
                emptied.append(parents[element])
            elif element.tag == "a" and "href" in element.attrib:
                _prepare_link(element)
        # A paragraph that only held categories would otherwise stay behind as <p></p>.
        for element in dict.fromkeys(emptied):
            if element.tag == "p" and not len(element) and not (element.text or "").strip():
                _remove(parents[element], element)


def _remove(parent: etree.Element, child: etree.Element) -> None:
    """Remove child from parent, keeping the text that follows it."""
    index = list(parent).index(child)
    if child.tail:
        if index:
            previous = parent[index - 1]
            previous.tail = (previous.tail or "") + child.tail
        else:
            parent.text = (parent.text or "") + child.tail
    parent.remove(child)


def _prepare_link(element: etree.Element) -> None:
    """Decode the href once, so the sanitiser judges the URL we judge; mark external links."""
    # Python-Markdown hides the "&" of entities it wrote itself (e-mail autolinks).
    href = html.unescape(element.get("href", "").replace(AMP_SUBSTITUTE, "&"))
    # Markdown's serialiser keeps anything that looks like an entity, so escape every "&"
    # ourselves: otherwise "&amp;#47;" would be decoded twice, here and in the sanitiser.
    element.set("href", _escape_amp(href))
    if not _is_internal_url(href):
        element.set("rel", EXTERNAL_REL)


def _escape_amp(value: str) -> str:
    """Escape "&" so the value comes out of Markdown's serialiser exactly as given."""
    return value.replace("&", "&amp;")


def _is_internal_url(url: str) -> bool:
    """Return whether a URL stays on this site: it has no scheme and no host."""
    # Read the URL as a browser would: "\\" is "/" and "/\t/evil" is "//evil".
    url = _URL_IGNORED.sub("", url).strip(_C0_AND_SPACE).replace("\\", "/")
    return not url.startswith("//") and not _SCHEME.match(url)


class _EmbedProcessor(Treeprocessor):
    """Turn a paragraph that is only a YouTube or Vimeo link into a click-to-load embed.

    The embed holds the frame's address and a plain link to the video; the page's script
    puts the frame in when the reader clicks, so nothing loads from the host before.
    """

    def run(self, root: etree.Element) -> None:
        """Replace such paragraphs in place."""
        for parent in list(root.iter()):
            for index, child in enumerate(list(parent)):
                url = _lone_url(child) if child.tag == "p" else None
                embed = video_embed(url) if url else None
                if embed is not None:
                    parent[index] = _embed_element(embed, child.tail)


def _lone_url(paragraph: etree.Element) -> str | None:
    """Return the URL a paragraph consists of (bare, or one <link>), else None."""
    text = (paragraph.text or "").strip()
    if not len(paragraph):
        return text if text.startswith(("http://", "https://")) and " " not in text else None
    if len(paragraph) != 1 or text or (paragraph[0].tail or "").strip():
        return None
    link = paragraph[0]
    href = html.unescape(link.get("href", "").replace(AMP_SUBSTITUTE, "&"))
    if link.tag != "a" or len(link) or (link.text or "").strip() != href:
        return None
    return href


def _embed_element(embed, tail: str | None) -> etree.Element:
    """Return the placeholder of an embed: a box with the link, the frame's address on it."""
    box = etree.Element("div", {"class": f"embed embed-{embed.provider}"})
    box.set("data-embed", _escape_amp(embed.src))
    box.set("data-provider", embed.provider)
    link = etree.SubElement(box, "a", {"class": "embed-link", "href": embed.url})
    link.text = AtomicString(_escape_amp(embed.url))
    box.tail = tail
    return box


class _WikiExtension(Extension):
    """Wikilinks, categories and link tidying, collected afresh for each document."""

    def __init__(self) -> None:
        super().__init__()
        self.collector = _Collector()

    def extendMarkdown(self, md: Markdown) -> None:
        """Register the wikilink pattern and the tidy step; drop raw HTML handling."""
        md.registerExtension(self)
        # Raw HTML is shown as text: without these, "<b>" is escaped like any other text.
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        # Above "reference" (170) so "[[x]]" is never read as a Markdown link,
        # below "backtick" (190) so code spans stay literal.
        wikilinks = _WikiLinkProcessor(_WIKILINK_RE, self.collector)
        md.inlinePatterns.register(wikilinks, "wikilink", 175)
        md.treeprocessors.register(_TidyProcessor(md), "wiki_tidy", 15)
        # After "inline" (20), so links are elements; before tidying, which marks them.
        md.treeprocessors.register(_EmbedProcessor(md), "video_embeds", 16)
        # After "inline" (20), which makes the images; before the tidy step marks links.
        files = fileembed.ImageProcessor(md, self._collect_file)
        md.treeprocessors.register(files, "wiki_files", 16)

    def _collect_file(self, name) -> None:
        """Record an embedded file as a link to its page (for backlinks and usage)."""
        self.collector.links.setdefault(name.key, name.title)

    def reset(self) -> None:
        """Forget the links and categories of the previous document."""
        self.collector.links.clear()
        self.collector.categories.clear()


def _new_markdown() -> tuple[Markdown, _WikiExtension]:
    """Build a configured Markdown converter."""
    wiki = _WikiExtension()
    md = Markdown(
        extensions=[
            "fenced_code",
            "codehilite",
            "tables",
            "sane_lists",
            "toc",
            ExtrasExtension(),
            wiki,
        ],
        extension_configs={
            "codehilite": {"css_class": "highlight", "guess_lang": False},
            "tables": {"use_align_attribute": True},
            "toc": {
                "slugify": slugify_unicode,
                "permalink": "¶",
                "permalink_title": "",
                "marker": "",
            },
        },
        output_format="html",
    )
    return md, wiki


def render_markdown(text: str, readable: bool = False) -> Rendered:
    """Render Markdown with wikilinks to sanitised HTML, or raise RenderError; readable:
    with its plain text too (Rendered.plain, for the search index)."""
    parts = mdsections.sections(text) if len(text) >= SECTIONED_CHARS else None
    if parts is not None and len(parts) > 1:
        rendered = _render_sections(parts, readable)
        if rendered is not None:
            return rendered
    rendered = _rendered(_render_part(text))
    return replace(rendered, plain=plain_text(rendered.html)) if readable else rendered


#: Pages at least this long are rendered a section at a time (wiki.core.mdsections), and
#: each section's result is kept, so an edit renders again only the sections it changed.
SECTIONED_CHARS = 4_000
#: The kept sections, by text, least recently used first; at most this many characters.
SECTION_CACHE_CHARS = 4_000_000
_kept_sections: "OrderedDict[str, _Part]" = OrderedDict()
_kept_chars = 0
_kept_lock = threading.Lock()


class _KeepOutput(Postprocessor):
    """The last step: keep the HTML before Markdown strips its ends. A section may end with
    a code block whose HTML ends in a newline, which the page keeps between it and the next
    section."""

    output = ""

    def run(self, text: str) -> str:
        """Keep the text (unchanged)."""
        self.output = text
        return text


@dataclass(frozen=True)
class _Part:
    """What rendering a text gives before sanitising: its HTML (ends not stripped),
    headings and links."""

    body: str
    headings: tuple[Heading, ...]
    links: tuple[tuple[str, str], ...]
    categories: tuple[tuple[str, str], ...]

    # A kept section keeps its sanitised HTML and readable text too: sanitising a 20 KB
    # page whole took a quarter of rendering it after a one-word edit. A section's HTML
    # is balanced (Markdown's own serialiser; raw HTML is text), so sanitising sections
    # one by one and joining them gives what sanitising the page whole gives.
    @cached_property
    def safe(self) -> str:
        """Return the section's HTML sanitised."""
        return sanitize(self.body)

    @cached_property
    def plain(self) -> str:
        """Return the readable text of the section's sanitised HTML."""
        return plain_text(self.safe)


_converters = threading.local()


def _converter() -> tuple[Markdown, _WikiExtension]:
    """Return this thread's converter (made once: building one costs about a millisecond,
    as much as rendering a section; md.reset() before each text leaves no state behind)."""
    converter = getattr(_converters, "converter", None)
    if converter is None:
        converter = _converters.converter = _new_markdown()
    return converter


def _render_part(text: str) -> _Part:
    """Render a text (a page, or a section of one) without sanitising it, with this thread's
    converter (reset first)."""
    md, wiki = _converter()
    md.reset()
    kept = _KeepOutput()
    md.postprocessors.register(kept, "keep_output", 0)
    try:
        md.convert(text)
    except BaseException as error:
        # A conversion cut short leaves the converter's state half changed (a deep text
        # leaves its inline patterns unusable): the next text gets a new converter.
        _converters.converter = None
        if isinstance(error, RecursionError):
            # Python-Markdown recurses once per nesting level ("- - - - x" is a nested list).
            raise RenderError(TOO_DEEP) from None
        raise
    return _Part(
        kept.output,
        tuple(_flatten(md.toc_tokens)),
        tuple(wiki.collector.links.items()),
        tuple(wiki.collector.categories.items()),
    )


def _rendered(part: _Part) -> Rendered:
    return Rendered(
        html=sanitize(part.body.strip()),
        headings=part.headings,
        links=tuple(title for _key, title in part.links),
        categories=tuple(title for _key, title in part.categories),
    )


def _render_sections(texts: list[str], readable: bool = False) -> Rendered | None:
    """Return the page rendered from its sections (kept ones reused, sanitised and made
    readable once each), or None when two sections' headings got the same anchor (the whole
    page numbers them apart)."""
    parts = [_section(text) for text in texts]
    headings = tuple(heading for part in parts for heading in part.headings)
    if len({heading.anchor for heading in headings}) < len(headings):
        return None
    links: dict[str, str] = {}
    categories: dict[str, str] = {}
    for part in parts:
        for key, title in part.links:
            links.setdefault(key, title)
        for key, title in part.categories:
            categories.setdefault(key, title)
    shown = [part for part in parts if part.body.strip()]
    return Rendered(
        html="\n".join(part.safe for part in shown).strip(),
        headings=headings,
        links=tuple(links.values()),
        categories=tuple(categories.values()),
        plain=" ".join(part.plain for part in shown if part.plain) if readable else None,
    )


def _section(text: str) -> _Part:
    """Return a section rendered, from the kept ones if it was rendered before."""
    global _kept_chars
    with _kept_lock:
        part = _kept_sections.get(text)
        if part is not None:
            _kept_sections.move_to_end(text)
            return part
    part = _render_part(text)
    with _kept_lock:
        if text not in _kept_sections:
            _kept_sections[text] = part
            _kept_chars += _weight(text, part)
        while _kept_chars > SECTION_CACHE_CHARS and len(_kept_sections) > 1:
            old_text, old = _kept_sections.popitem(last=False)
            _kept_chars -= _weight(old_text, old)
    return part


def _weight(text: str, part: _Part) -> int:
    """Return the characters a kept section holds: its text, its HTML, and once made, its
    sanitised HTML and readable text (counted ahead: about as long again, and half)."""
    return len(text) + len(part.body) * 5 // 2


def _flatten(tokens: list[dict]) -> list[Heading]:
    """Return the nested table-of-contents tokens as a flat list, in page order."""
    headings = []
    for token in tokens:
        headings.append(Heading(token["level"], token["id"], html.unescape(token["name"])))
        headings.extend(_flatten(token["children"]))
    return headings


def sanitize(body: str) -> str:
    """Keep only the tags, attributes, classes and URL schemes the renderer produces."""
    return nh3.clean(
        body,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        tag_attribute_values=ALLOWED_ATTRIBUTE_VALUES,
        allowed_classes=ALLOWED_CLASSES,
        url_schemes=URL_SCHEMES,
        link_rel=None,
    )


# The sanitiser writes attributes sorted by name, double-quoted, with " and & escaped.
_WIKILINK_TAG = re.compile(r'<a class="wikilink" data-key="([^"]*)"')


def wikilink_keys(body: str) -> set[str]:
    """Return the title keys of all wikilinks in rendered HTML."""
    return {html.unescape(key) for key in _WIKILINK_TAG.findall(body)}


# Addresses on the site itself in the HTML pages show (the sanitiser and the templates
# write attributes double-quoted): "/wiki/…", "/thumb/…", not "//host/…". Inside a tag
# only: text holds "<" as "&lt;" (a code sample's src="/x" is not an address).
_SITE_PATH = re.compile(r'(<[A-Za-z][^<>]*?\s(?:href|src)=")(/(?!/))')
_SRCSET = re.compile(r'(<[A-Za-z][^<>]*?\ssrcset=")([^"]*)(")')


def absolute_urls(body: str, origin: str) -> str:
    """Return page HTML with the addresses on the site (paths starting with one "/") made
    absolute on origin ("https://wiki.example.com"), for HTML shown on other sites."""
    origin = origin.rstrip("/")

    def candidates(match: re.Match) -> str:
        listed = [
            origin + item.strip()
            if item.strip().startswith("/") and item.strip()[1:2] != "/"
            else item.strip()
            for item in match.group(2).split(",")
        ]
        return match.group(1) + ", ".join(listed) + match.group(3)

    return _SRCSET.sub(candidates, _SITE_PATH.sub(lambda m: m.group(1) + origin + "/", body))


def mark_missing(body: str, missing_keys: Collection[str]) -> str:
    """Add class "new" to wikilinks whose page does not exist."""
    if not missing_keys:
        return body

    def mark(match: re.Match[str]) -> str:
        if html.unescape(match.group(1)) in missing_keys:
            return f'<a class="wikilink new" data-key="{match.group(1)}"'
        return match.group(0)

    return _WIKILINK_TAG.sub(mark, body)


def pygments_css() -> str:
    """Return the stylesheet for highlighted code (static/css/pygments.css is this output)."""
    rules = HtmlFormatter(style=PYGMENTS_STYLE).get_style_defs(".highlight").splitlines()
    # Pygments also emits unscoped rules (pre, line numbers) that would restyle the site.
    scoped = [rule for rule in rules if rule.startswith(".highlight")]
    header = [
        "/* Generated by wiki.core.render.pygments_css(); do not edit by hand. */",
        ".highlight pre { line-height: 125%; overflow-x: auto; padding: 0.75em 1em; }",
    ]
    return "\n".join(header + scoped) + "\n"
