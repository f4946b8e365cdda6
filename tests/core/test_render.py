"""Markdown rendering: features, wikilinks, categories, sanitising and red links."""

import re
import time
from html.parser import HTMLParser
from pathlib import Path

import pytest

from wiki.core.render import (
    RENDERER_VERSION,
    Heading,
    RenderError,
    absolute_urls,
    mark_missing,
    pygments_css,
    render_markdown,
    wikilink_keys,
)


class Page(HTMLParser):
    """The tags, attributes and text of an HTML fragment, as a browser would read them."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.text = ""
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {name: value or "" for name, value in attrs}))

    handle_startendtag = handle_starttag

    def handle_data(self, data: str) -> None:
        self.text += data

    def find(self, tag: str) -> list[dict[str, str]]:
        return [attrs for name, attrs in self.tags if name == tag]


# A browser strips these, then reads "scheme:" if the URL starts with one.
_URL_JUNK = "".join(map(chr, range(0x21)))
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")


def url_is_safe(url: str) -> bool:
    url = re.sub(r"[\t\n\r]", "", url).strip(_URL_JUNK)
    scheme = _SCHEME.match(url)
    return scheme is None or scheme.group(1).lower() in {"http", "https", "mailto"}


def assert_safe(html: str) -> Page:
    page = Page(html)
    for tag, attrs in page.tags:
        assert tag not in {"script", "style", "iframe", "object", "embed", "svg", "math", "form"}
        assert tag not in {"button", "meta", "link", "base", "body", "details"}
        if tag == "input":  # only task lists' checkboxes, which nobody can tick
            assert attrs in ({"type": "checkbox", "disabled": ""}, CHECKED), attrs
        for name, value in attrs.items():
            assert not name.startswith("on"), (tag, name)
            assert name not in {"style", "srcdoc", "formaction", "xlink:href"}, (tag, name)
            if name in {"href", "src"}:
                assert url_is_safe(value), (tag, name, value)
    return page


CHECKED = {"type": "checkbox", "disabled": "", "checked": ""}
UNCHECKED = {"type": "checkbox", "disabled": ""}


def html_of(text: str) -> str:
    return render_markdown(text).html


FEATURES = [
    ("# Title", '<h1 id="title">Title<a class="headerlink" href="#title">¶</a></h1>'),
    ("## Über uns", '<h2 id="über-uns">Über uns<a class="headerlink" href="#über-uns">¶</a></h2>'),
    ("Title\n=====", '<h1 id="title">Title'),
    ("**bold** *it* `code`", "<p><strong>bold</strong> <em>it</em> <code>code</code></p>"),
    ("- a\n- b", "<ul>\n<li>a</li>\n<li>b</li>\n</ul>"),
    ("1. a\n2. b", "<ol>\n<li>a</li>\n<li>b</li>\n</ol>"),
    ("3. c\n4. d", '<ol start="3">'),
    ("- a\n\n1. b", "<ul>\n<li>a</li>\n</ul>\n<ol>\n<li>b</li>\n</ol>"),
    ("> quoted\n> more", "<blockquote>\n<p>quoted\nmore</p>\n</blockquote>"),
    ("a  \nb", "<p>a<br>\nb</p>"),
    ("---", "<hr>"),
    ("| a | b |\n|---|---|\n| 1 | 2 |", "<table>\n<thead>\n<tr>\n<th>a</th>"),
    ("| a | b |\n|:--|--:|\n| 1 | 2 |", '<td align="left">1</td>\n<td align="right">2</td>'),
    ("| a |\n|:-:|\n| 1 |", '<th align="center">a</th>'),
    (
        "```python\nprint('hi')\n```",
        '<div class="highlight"><pre><span></span><code><span class="nb">print</span>',
    ),
    ("```\nplain <b>\n```", "<code>plain &lt;b&gt;\n</code>"),
    ("```nosuchlanguage\nx\n```", '<div class="highlight"><pre><span></span><code>x\n'),
    ("    indented code", '<div class="highlight"><pre><span></span><code>indented code'),
    (
        '![Logo](https://example.com/logo.png "The logo")',
        '<img alt="Logo" src="https://example.com/logo.png" title="The logo">',
    ),
    ("![Logo](/static/logo.png)", '<img alt="Logo" src="/static/logo.png">'),
    (
        '[site](https://example.com "Title")',
        '<a href="https://example.com" rel="nofollow noopener" title="Title">site</a>',
    ),
    ("[site][s]\n\n[s]: https://example.com", '<a href="https://example.com" rel="nofollow'),
    (
        "<https://example.com/a?b=1&c=2>",
        '<a href="https://example.com/a?b=1&amp;c=2" rel="nofollow noopener">'
        "https://example.com/a?b=1&amp;c=2</a>",
    ),
    ("<me@example.com>", '<a href="mailto:me@example.com" rel="nofollow noopener">'),
    ("[top](#top)", '<a href="#top">top</a>'),
    ("[page](/wiki/Page)", '<a href="/wiki/Page">page</a>'),
    ("[sibling](Other_page)", '<a href="Other_page">sibling</a>'),
    ("[far](//example.com/x)", '<a href="//example.com/x" rel="nofollow noopener">far</a>'),
    ("<b>bold?</b>", "<p>&lt;b&gt;bold?&lt;/b&gt;</p>"),
    ("<div>\nblock\n</div>", "<p>&lt;div&gt;\nblock\n&lt;/div&gt;</p>"),
    ("a &copy; b & c", "<p>a © b &amp; c</p>"),
    ("[TOC]", "<p>[TOC]</p>"),
]


@pytest.mark.parametrize(("text", "expected"), FEATURES)
def test_feature(text: str, expected: str) -> None:
    html = html_of(text)
    assert expected in html
    assert_safe(html)


WIKILINKS = [
    ("[[Page]]", '<a class="wikilink" data-key="page" href="/wiki/Page">Page</a>'),
    ("[[page]]", '<a class="wikilink" data-key="page" href="/wiki/page">page</a>'),
    ("[[Page|the label]]", '<a class="wikilink" data-key="page" href="/wiki/Page">the label</a>'),
    ("[[Page| *label* ]]", 'href="/wiki/Page"><em>label</em></a>'),
    (
        "[[Campaigns/Spring 2026]]",
        '<a class="wikilink" data-key="campaigns/spring 2026" '
        'href="/wiki/Campaigns/Spring_2026">Campaigns/Spring 2026</a>',
    ),
    ("[[ Spring_Launch ]]", 'data-key="spring launch" href="/wiki/Spring_Launch">Spring_Launch<'),
    ("[[Page#Über uns]]", 'href="/wiki/Page#über-uns">Page#Über uns</a>'),
    ("[[Page#Über uns|there]]", 'href="/wiki/Page#über-uns">there</a>'),
    ("[[#Pricing & plans]]", '<a href="#pricing-plans">Pricing &amp; plans</a>'),
    ("[[Q&A]]", 'data-key="q&amp;a" href="/wiki/Q%26A">Q&amp;A</a>'),
    ("[[Café]]", 'href="/wiki/Caf%C3%A9">Café</a>'),
    ("[[:Category:Tips]]", 'data-key="category:tips" href="/wiki/Category:Tips">'),
    ('[[a" onmouseover="x]]', 'data-key="a&quot; onmouseover=&quot;x" href="/wiki/a%22_'),
    ("[[Page|x\" onclick='y']]", 'href="/wiki/Page">x" onclick=\'y\'</a>'),
    ("[[Page|<b>x</b>]]", 'href="/wiki/Page">&lt;b&gt;x&lt;/b&gt;</a>'),
    ("[[a{b}]]", "<p>[[a{b}]]</p>"),
    ("[[ ]]", "<p>[[ ]]</p>"),
    ("[[/lead]]", "<p>[[/lead]]</p>"),
    ("[[a/../b]]", "<p>[[a/../b]]</p>"),
    ("[[<script>]]", "<p>[[&lt;script&gt;]]</p>"),
    ("[[Page|]]", 'href="/wiki/Page">Page</a>'),
    ("`[[Code]]`", "<code>[[Code]]</code>"),
    ("```\n[[Fenced]]\n```", "<code>[[Fenced]]\n</code>"),
    ("    [[Indented]]", "<code>[[Indented]]\n</code>"),
    (r"\[\[Escaped]]", "<p>[[Escaped]]</p>"),
    ("[[x`y`]]", "<p>[[x<code>y</code>]]</p>"),
    ("[[a]] and [[b]]", 'href="/wiki/a">a</a> and <a class="wikilink" data-key="b"'),
    ("[[a|b|c]]", 'href="/wiki/a">b|c</a>'),
    ("[[Category:]]", "<p>[[Category:]]</p>"),
]


@pytest.mark.parametrize(("text", "expected"), WIKILINKS)
def test_wikilink(text: str, expected: str) -> None:
    html = html_of(text)
    assert expected in html
    assert_safe(html)


def test_wikilink_targets_are_collected_in_order_once_per_key() -> None:
    rendered = render_markdown("[[B]] [[a]] [[A|again]] [[b#x]] [[Sub/Page]] `[[C]]` [[#Here]]")
    assert rendered.links == ("B", "a", "Sub/Page")


def test_categories_are_collected_and_not_rendered() -> None:
    rendered = render_markdown(
        "Intro [[Category:Spring 2026]] text.\n\n[[Category:Tips|sort key]]\n"
        "[[ category : tips ]]\n\n`[[Category:Code]]`"
    )
    assert rendered.categories == ("Spring 2026", "Tips")
    assert rendered.html == "<p>Intro  text.</p>\n<p><code>[[Category:Code]]</code></p>"
    assert rendered.links == ()
    assert render_markdown("[[Category:Only]]").html == ""


def test_headings_are_listed_with_anchors() -> None:
    rendered = render_markdown(
        "# Launch\n\ntext\n\n## Über uns & <more>\n\n### `Code` [[Page|link]]\n\n"
        "## Über uns & <more>"
    )
    assert rendered.headings == (
        Heading(1, "launch", "Launch"),
        Heading(2, "über-uns-more", "Über uns & <more>"),
        Heading(3, "code-link", "Code link"),
        Heading(2, "über-uns-more_1", "Über uns & <more>"),
    )
    ids = [attrs["id"] for tag, attrs in Page(rendered.html).tags if "id" in attrs]
    assert ids == [heading.anchor for heading in rendered.headings]


def test_raw_html_is_shown_as_text() -> None:
    page = assert_safe(html_of("<script>alert(1)</script>\n\nA <i>word</i> and <!-- note -->"))
    assert page.tags == [("p", {}), ("p", {})]
    assert "<script>alert(1)</script>" in page.text
    assert "A <i>word</i> and <!-- note -->" in page.text


def test_links_in_text_and_renders_are_independent() -> None:
    first = render_markdown("[[One]] [[Category:X]]")
    second = render_markdown("[[Two]]")
    assert (first.links, first.categories) == (("One",), ("X",))
    assert (second.links, second.categories) == (("Two",), ())


def test_deeply_nested_lists_are_refused() -> None:
    with pytest.raises(RenderError) as error:
        render_markdown("- " * 5000 + "x")
    assert "too complex" in str(error.value)
    # The refusal leaves nothing behind: the next text renders as it would have.
    assert html_of("A [link](https://example.com) and *more*.") == (
        '<p>A <a href="https://example.com" rel="nofollow noopener">link</a> and '
        "<em>more</em>.</p>"
    )


XSS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    '<iframe src="javascript:alert(1)"></iframe>',
    '<object data="javascript:alert(1)"></object>',
    '<embed src="javascript:alert(1)">',
    '<form action="javascript:alert(1)"><input type=submit></form>',
    "<style>body{background:url(javascript:alert(1))}</style>",
    '<div style="background:url(javascript:alert(1))">x</div>',
    '<a href="javascript:alert(1)">x</a>',
    "<details open ontoggle=alert(1)>",
    "<body onload=alert(1)>",
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<base href="javascript:alert(1)//">',
    '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
    "<<script>script>alert(1)<</script>/script>",
    "<scr<script>ipt>alert(1)</script>",
    "<!-- --><script>alert(1)</script><!-- -->",
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](JAVASCRIPT:alert(1))",
    "[x](jav&#x09;ascript:alert(1))",
    "[x](jav\tascript:alert(1))",
    "[x](&#106;avascript:alert(1))",
    "[x](&#x6A;&#x61;&#x76;&#x61;&#x73;&#x63;&#x72;&#x69;&#x70;&#x74;&#x3A;alert(1))",
    "[x](&#106&#97&#118&#97&#115&#99&#114&#105&#112&#116&#58alert(1))",
    "[x](&#0000106;avascript:alert(1))",
    "[x](javascript&colon;alert(1))",
    "[x](&Tab;javascript:alert(1))",
    "[x](&#1;javascript:alert(1))",
    "[x]( javascript:alert(1))",
    "[x](<javascript:alert(1)>)",
    "[x](java\nscript:alert(1))",
    "[x](%6Aavascript:alert(1))",
    "[x](javascript://%0aalert(1))",
    "[x](&amp;#106;avascript:alert(1))",
    "[x](vbscript:msgbox(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[x](DATA:text/html,<script>alert(1)</script>)",
    "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "![x](javascript:alert(1))",
    "[x][1]\n\n[1]: javascript:alert(1)",
    "[x][1]\n\n[1]: data:text/html,<script>alert(1)</script>",
    "![x][1]\n\n[1]: javascript:alert(1)",
    '[x]\n\n[x]: javascript:alert(1) "title"',
    "<javascript:alert(1)>",
    '<https://example.com" onmouseover="alert(1)>',
    "<https://example.com/<script>alert(1)</script>>",
    '<a@example.com" onmouseover="alert(1)>',
    '[[a" onmouseover="alert(1)]]',
    '[[Page|x" onclick="alert(1)]]',
    "[[Page|<img src=x onerror=alert(1)>]]",
    "[[Page|<https://example.com>]]",
    "[[Category:<script>alert(1)</script>]]",
    '![a" onerror="alert(1)](https://example.com/x.png)',
    '![x](https://example.com/x.png "t\\" onerror=\\"alert(1)")',
    "![x](https://example.com/x.png 't' onerror='alert(1)')",
    '[x](https://example.com "t\\" onmouseover=\\"alert(1)")',
    "[x](https://example.com' onmouseover='alert(1))",
    '[x](https://example.com "<script>alert(1)</script>")',
    "`<script>alert(1)</script>`",
    "```html\n<script>alert(1)</script>\n```",
    "# Heading <script>alert(1)</script>",
    "| <script>alert(1)</script> | x |\n|---|---|\n| y | z |",
    "> <iframe src=javascript:alert(1)>",
    "- <img src=x onerror=alert(1)>",
    '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>',
]


@pytest.mark.parametrize("payload", XSS)
def test_xss_payload_is_neutralised(payload: str) -> None:
    assert_safe(html_of(payload))


UNSAFE_HTML = [
    "<script>x</script>",
    "<svg></svg>",
    '<p onclick="x">',
    '<p style="color: red">',
    '<a href="javascript:x">',
    '<a href=" JavaScript:x">',
    '<a href="jav&#x09;ascript:x">',
    '<img src="data:image/png,x">',
    '<a href="vbscript:x">',
]


@pytest.mark.parametrize("html", UNSAFE_HTML)
def test_the_safety_check_catches_unsafe_html(html: str) -> None:
    with pytest.raises(AssertionError):
        assert_safe(html)


def test_dangerous_urls_are_dropped_not_rewritten() -> None:
    page = assert_safe(html_of("[x](javascript:alert(1)) ![y](data:image/png;base64,AAAA)"))
    assert page.find("a") == [{"rel": "nofollow noopener"}]
    assert page.find("img") == [{"alt": "y"}]


def test_only_known_classes_survive() -> None:
    page = Page(html_of("```python\nx = 'y'  # c\n```\n\n[[A]] ## [b](#c)"))
    classes = {attrs["class"] for _, attrs in page.tags if "class" in attrs}
    assert classes <= {"highlight", "wikilink", "headerlink", "n", "o", "s1", "w", "c1"}
    page = Page(html_of("- [x] a\n\nNote[^1]\n\n[^1]: b"))
    classes = {attrs["class"] for _, attrs in page.tags if "class" in attrs}
    assert classes == {"task-list-item", "footnote-ref", "footnote", "footnote-backref"}


MISSING = '<a class="wikilink new" data-key="'


def test_mark_missing_marks_only_missing_links() -> None:
    html = html_of('[[Here]] [[Gone|label]] [[Q&A]] [[a"b]] [x](/wiki/Gone)')
    marked = mark_missing(html, {"gone", "q&a", 'a"b'})
    assert marked.count(MISSING) == 3
    assert '<a class="wikilink" data-key="here" href="/wiki/Here">Here</a>' in marked
    assert MISSING + 'gone" href="/wiki/Gone">label</a>' in marked
    assert MISSING + 'q&amp;a" href="/wiki/Q%26A">Q&amp;A</a>' in marked
    assert '<a href="/wiki/Gone">x</a>' in marked
    assert Page(marked).text == Page(html).text


def test_mark_missing_without_missing_pages_changes_nothing() -> None:
    html = html_of("[[Here]]")
    assert mark_missing(html, set()) == html
    assert mark_missing(html, {"elsewhere"}) == html


def test_wikilink_keys_lists_every_linked_key() -> None:
    html = html_of('[[One]] [[two|2]] [[One#x]] [[Q&A]] [[a"b]] `[[Code]]` [[#Here]] [x](/wiki/Y)')
    assert wikilink_keys(html) == {"one", "two", "q&a", 'a"b'}


def test_mark_missing_is_fast_on_a_large_page() -> None:
    html = html_of(" ".join(f"[[Page {n}]] filler words here" for n in range(3000)))
    assert len(html) > 100_000
    started = time.perf_counter()
    marked = mark_missing(html, wikilink_keys(html))
    assert time.perf_counter() - started < 0.5
    assert marked.count(MISSING) == 3000


def test_stylesheet_is_current() -> None:
    stylesheet = Path(__file__).parents[2] / "static" / "css" / "pygments.css"
    css = pygments_css()
    assert stylesheet.read_text(encoding="utf-8") == css
    assert ".highlight .k {" in css
    assert all(line.startswith(("/*", ".highlight")) for line in css.splitlines())


def test_renderer_version_is_a_positive_int() -> None:
    assert isinstance(RENDERER_VERSION, int) and RENDERER_VERSION >= 1


# (text, the checkboxes it shows, in order)
TASKS = {
    "tight": ("- [ ] todo\n- [x] done\n- [X] Done too", [UNCHECKED, CHECKED, CHECKED]),
    "loose": ("- [ ] todo\n\n- [x] done", [UNCHECKED, CHECKED]),
    "ordered": ("1. [x] first\n2. [ ] second", [CHECKED, UNCHECKED]),
    "nested": ("- [x] parent\n    - [ ] child\n    - plain", [CHECKED, UNCHECKED]),
    "with-markup": ("- [x] **bold** [[Page]] `code`", [CHECKED]),
    "italian-and-cjk": ("- [ ] perché è così\n- [x] 日本語", [UNCHECKED, CHECKED]),
    "mixed-with-plain-items": ("- plain\n- [x] task\n- [] not", [CHECKED]),
    "escaped": ("- \\[ ] escaped\n- \\[x] escaped", []),
    "paragraph": ("[ ] not in a list\n\n[x] nor this", []),
    "quote": ("> [x] quoted", []),
    "code-span": ("- `[ ] code`", []),
    "fenced-code": ("```\n- [ ] code\n```", []),
    "indented-code": ("    - [x] code", []),
    "nothing-after-the-box": ("- [ ]\n- [x]", []),
    "no-space-after-the-box": ("- [x]done", []),
    "other-letter": ("- [y] maybe\n- [xx] no", []),
    "table-cell": ("| [x] a |\n|---|\n| [ ] b |", []),
}


@pytest.mark.parametrize(("text", "boxes"), TASKS.values(), ids=TASKS)
def test_task_list_items_show_disabled_checkboxes(text: str, boxes: list) -> None:
    html = html_of(text)
    page = assert_safe(html)
    assert page.find("input") == boxes
    # Every box opens its list item (or the item's paragraph), which is marked for styling.
    assert html.count("<input") == len(
        re.findall(r'<li class="task-list-item">\n?(?:<p>)?<input', html)
    )
    assert "[x]" not in page.text.lower() or not boxes


STRIKES = {
    "price": ("Was ~~99 €~~ now 79 €.", "<p>Was <del>99 €</del> now 79 €.</p>"),
    "with-emphasis": ("~~**bold** gone~~", "<p><del><strong>bold</strong> gone</del></p>"),
    "spaces-inside": ("~~ a ~~ b", "<p>~~ a ~~ b</p>"),
    "code-span": ("`~~code~~`", "<p><code>~~code~~</code></p>"),
    "over-a-line": ("~~one\ntwo~~", "<p>~~one\ntwo~~</p>"),
    "escaped": ("\\~~not~~", "<p>~~not~~</p>"),
    "only-tildes": ("~~~~", "<p>~~~~</p>"),
    # The struck text never holds "~~": an opening pair that does not close gives up at the
    # next pair (a line of openers is read once, not once per opener).
    "unclosed-then-closed": ("~~a ~~b~~", "<p>~~a <del>b</del></p>"),
}


@pytest.mark.parametrize(("text", "html"), STRIKES.values(), ids=STRIKES)
def test_double_tildes_strike_text_through(text: str, html: str) -> None:
    assert html_of(text).strip() == html
    assert_safe(html_of(text))


def test_a_task_item_keeps_its_text() -> None:
    page = Page(html_of("- [x] Buy **12,000 €** of [[Coffee]]\n- [ ] Perché no"))
    assert page.text.split() == ["Buy", "12,000", "€", "of", "Coffee", "Perché", "no"]


def footnote_ids(html: str) -> list[str]:
    return [
        attrs["id"] for tag, attrs in Page(html).tags if tag in {"sup", "li"} and "id" in attrs
    ]


def test_footnotes_link_to_the_note_and_back() -> None:
    rendered = render_markdown(
        "Costs[^cost] rose, twice[^1] and again[^1].\n\n"
        "[^1]: See [[Budget]] and **this**.\n[^cost]: In euro.\n"
    )
    page = assert_safe(rendered.html)
    ids = {attrs["id"] for _, attrs in page.tags if "id" in attrs}
    fragments = [a["href"][1:] for a in page.find("a") if a["href"].startswith("#")]
    refs = [a["href"] for a in page.find("a") if a.get("class") == "footnote-ref"]
    backs = [a["href"] for a in page.find("a") if a.get("class") == "footnote-backref"]
    assert refs == ["#fn:cost", "#fn:1", "#fn:1"]
    assert len(backs) == 3 and set(fragments) <= ids  # every link, there and back, lands
    # Numbered in reading order; the notes list in that order too.
    assert [a for a in re.findall(r'class="footnote-ref" href="[^"]*">(\d+)<', rendered.html)] == [
        "1",
        "2",
        "2",
    ]
    assert footnote_ids(rendered.html).index("fn:cost") < footnote_ids(rendered.html).index("fn:1")
    assert rendered.links == ("Budget",)
    assert "title=" not in rendered.html  # no English tooltip cached for every language
    assert '<a href="note">' not in rendered.html


def test_footnotes_nobody_refers_to_are_left_out() -> None:
    html = html_of("Text[^a].\n\n[^a]: Used.\n[^b]: Unused.\n")
    assert footnote_ids(html) == ["fnref:a", "fn:a"]
    assert "Unused" not in html
    assert html_of("Text.\n\n[^b]: Unused.\n") == "<p>Text.</p>"


def test_a_missing_footnote_stays_text() -> None:
    assert html_of("Text[^none].") == "<p>Text[^none].</p>"


def test_footnote_ids_cannot_clash_with_headings_or_the_site() -> None:
    html = html_of("# fn 1\n\n## fnref 1\n\nText[^1].\n\n[^1]: Note.")
    headings = [attrs["id"] for tag, attrs in Page(html).tags if tag in {"h1", "h2"}]
    assert headings == ["fn-1", "fnref-1"]
    assert all(":" in id_ for id_ in footnote_ids(html))
    templates = Path(__file__).parents[2] / "templates"
    site_ids = {
        found
        for path in templates.rglob("*.html")
        for found in re.findall(r'\bid="([^"]*)"', path.read_text(encoding="utf-8"))
    }
    assert site_ids and not any(":" in id_ for id_ in site_ids)


@pytest.mark.parametrize(
    "label", ['a" onclick="x', "<script>", "x' onmouseover='y", "java script:x", "&amp;"]
)
def test_footnote_labels_cannot_inject(label: str) -> None:
    html = html_of(f"Text[^{label}].\n\n[^{label}]: Note.")
    page = assert_safe(html)
    assert len(page.find("sup")) == 1


def test_italian_namespace_names_file_pages_and_link_to_the_wikis_own() -> None:
    rendered = render_markdown(
        "Ricetta. [[Categoria:Dolci]] [[ categoria : Torte ]] [[:Categoria:Dolci|tutti]]"
    )
    assert rendered.categories == ("Dolci", "Torte")
    assert rendered.links == ("Category:Dolci",)
    assert 'data-key="category:dolci" href="/wiki/Category:Dolci">tutti</a>' in rendered.html
    assert render_markdown("[[Categorial:Dolci]]").links == ("Categorial:Dolci",)
    assert render_markdown("[[Immagine:Logo.png|thumb]]").links == ("File:Logo.png",)


def test_talk_and_special_page_links_go_where_this_wiki_shows_them() -> None:
    rendered = render_markdown(
        "[[Talk:Spring Campaign#Dates|the talk]] [[Discussione:Piano]] [[Special:Random]] "
        "[[Speciale:RecentChanges|novità]]"
    )
    assert 'href="/talk/Spring_Campaign#dates">the talk</a>' in rendered.html
    assert 'href="/talk/Piano">Discussione:Piano</a>' in rendered.html
    assert 'href="/wiki/Special:Random">Special:Random</a>' in rendered.html
    assert 'href="/wiki/Special:RecentChanges">novità</a>' in rendered.html
    assert rendered.links == () and "data-key" not in rendered.html  # never red, no page


def test_a_link_to_a_category_or_file_page_shows_its_title_without_the_colon() -> None:
    html = render_markdown("[[:Category:Dolci]] and [[:File:Logo.png]]").html
    assert ">Category:Dolci</a>" in html and ">File:Logo.png</a>" in html
    assert ">:Category" not in html


def test_absolute_urls_put_the_sites_address_before_its_own_paths_only():
    html = (
        '<p><a class="wikilink" data-key="home" href="/wiki/Home">Home</a> '
        '<a href="//cdn.example/x">x</a> <a href="https://elsewhere.example/">e</a> '
        '<a href="#top">top</a> <img src="/thumb/ab/320.png" '
        'srcset="/thumb/ab/320.png 320w, /thumb/ab/640.png 640w, //cdn.example/y.png 2x" '
        'alt="/wiki/Not a link"></p>'
    )
    out = absolute_urls(html, "https://wiki.example.com/")
    assert 'href="https://wiki.example.com/wiki/Home"' in out
    assert 'src="https://wiki.example.com/thumb/ab/320.png"' in out
    assert (
        'srcset="https://wiki.example.com/thumb/ab/320.png 320w, '
        'https://wiki.example.com/thumb/ab/640.png 640w, //cdn.example/y.png 2x"'
    ) in out
    # Other hosts, fragments and text that only looks like a path are left as they were.
    for kept in ('href="//cdn.example/x"', 'href="https://elsewhere.example/"', 'href="#top"'):
        assert kept in out
    assert 'alt="/wiki/Not a link"' in out
    # A code sample's markup is text, escaped: not an address.
    sample = '<pre><code>&lt;img src="/logo.png"&gt; &lt;a href="/x"&gt;</code></pre>'
    assert absolute_urls(sample, "https://wiki.example.com") == sample
