"""Every string a person reads is marked for translation: every GET page of the app is rendered
in a pseudo-locale whose catalogue accents every message ("Édít"), and no word of the English
source may be left on it. User content is made of invented words, so it cannot hide a miss.
"""

import io
import re
from html.parser import HTMLParser

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import write_po
from PIL import Image

from tests.helpers import log_in, release, text
from tests.i18n_extract import extracted_template
from tests.i18n_support import make_app
from wiki.core.filenames import parse_file_name
from wiki.extensions import db
from wiki.models import Revision, Role

PSEUDO = "eo"  # a real locale (Babel has its data) that no catalogue of the wiki uses
#: Every ASCII letter has a look-alike, so no word of a translated message stays ASCII.
ACCENTS = str.maketrans(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
    "áḃçďéḟĝĥíĵķĺḿñóṕʠŕšťúṽŵẋýžÁḂÇĎÉḞĜĤÍĴĶĹḾÑÓṔɊŔŠŤÚṼŴẊÝŽ",
)
#: Placeholders and markup stay as they are: only the words around them change.
KEEP = re.compile(r"%\([a-z_]+\)[sd]|%[sd%]|\{[^}]*\}|<[^>]+>|&[a-z]+;|https?://\S+")


def pseudo(message: str) -> str:
    """Return the message with every letter outside its placeholders accented."""
    parts, last = [], 0
    for match in KEEP.finditer(message):
        parts.append(message[last : match.start()].translate(ACCENTS))
        parts.append(match.group(0))
        last = match.end()
    parts.append(message[last:].translate(ACCENTS))
    return "".join(parts)


def pseudo_catalogue(root):
    """Write the pseudo-locale's catalogue of every extracted message; return the folder."""
    catalog = Catalog(locale=PSEUDO)
    for message in extracted_template():
        if not message.id:
            continue
        if isinstance(message.id, tuple):
            string = tuple(pseudo(form) for form in message.id)
        else:
            string = pseudo(message.id)
        catalog.add(message.id, string, flags=message.flags, context=message.context)
    folder = root / PSEUDO / "LC_MESSAGES"
    folder.mkdir(parents=True)
    with (folder / "messages.po").open("wb") as handle:
        write_po(handle, catalog)
    return root


def english_words() -> set[str]:
    """Return the words of the English source messages (three letters or more)."""
    words = set()
    for message in extracted_template():
        for form in message.id if isinstance(message.id, tuple) else (message.id,):
            words.update(w.lower() for w in re.findall(r"[A-Za-z]{3,}", KEEP.sub(" ", form)))
    # Names that are the same in every language.
    return words - {"bottega", "markdown", "json", "atom", "rss", "png", "jpeg", "pdf", "svg"}


class VisibleText(HTMLParser):
    """Collects the text a person reads: element text and the attributes screen readers and
    hovers show; leaves out scripts, typed text, and anything marked translate="no" or
    written in another language than the page's."""

    SKIP_TAGS = {"script", "style", "textarea", "pre", "code"}
    VOID = {"input", "img", "br", "hr", "meta", "link", "source", "area", "col", "wbr"}
    ATTRIBUTES = ("title", "aria-label", "placeholder", "alt")

    def __init__(self, lang: str) -> None:
        super().__init__(convert_charrefs=True)
        self.lang = lang
        self.stack: list[bool] = []
        self.pieces: list[str] = []

    def _skipping(self) -> bool:
        return any(self.stack)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        skip = (
            tag in self.SKIP_TAGS
            or attrs.get("translate") == "no"
            or (tag != "html" and "lang" in attrs and attrs["lang"] != self.lang)
        )
        if not self._skipping() and not skip:
            self.pieces += [attrs[name] for name in self.ATTRIBUTES if attrs.get(name)]
            if tag == "input" and attrs.get("type") in ("submit", "button"):
                self.pieces.append(attrs.get("value") or "")
        if tag not in self.VOID:
            self.stack.append(skip)

    def handle_endtag(self, tag):
        if tag not in self.VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data):
        if not self._skipping():
            self.pieces.append(data)


def unmarked(html: str, vocabulary: set[str]) -> list[str]:
    """Return the English source words left on a page rendered in the pseudo-locale."""
    parser = VisibleText(PSEUDO)
    parser.feed(html)
    found = []
    for piece in parser.pieces:
        # "File:" begins a file's title (syntax, not a word of the interface).
        for word in re.findall(r"(?<![\w%(])[A-Za-z]{3,}(?![\w:])", piece):
            if word.lower() in vocabulary:
                found.append(f"{word} in “{piece.strip()[:80]}”")
    return found


#: GET routes that answer no HTML page (or only through an outside sign-in provider).
NOT_PAGES = {
    "static",
    "pages.favicon",
    "pages.touch_icon",
    "pages.touch_icon_precomposed",
    "feeds.history",
    "feeds.contributions",
    "feeds.recent",
    "feeds.watchlist",
    "files.media",
    "files.thumb",
    "files.site_logo",
    "pages.site_icon",
    "organise.random_page",  # a redirect
    "admin.home",  # a redirect
    "share.robots",
    "share.sitemap",
    "share.sitemap_part",
    "search.suggest",
    "people.suggest",
    "api.openapi_document",
    "api.me",
    "api.get_page",
    "api.page_diff",
    "api.page_history",
    "api.talk_topics",
    "api.recent",
    "api.get_revision",
    "api.search",
    "api.get_topic",
    "live.socket",
    "signin.start",
    "signin.callback",
    "signin.new_account",
}


#: Pages a visitor sees differently from a logged-in person.
ANONYMOUS = [
    "/login",
    "/register",
    "/forgot-password",
    "/wiki/Zorblax",
    "/edit/Zorblax",
    "/talk/Zorblax",
]


def urls(world) -> dict[str, list[str]]:
    """Return the URLs to render, by endpoint."""
    return {
        "pages.home": [],  # a redirect
        "pages.view": ["/wiki/Zorblax", "/wiki/Nowhereqq"],
        "creating.new": ["/new", "/new?title=Zorblax", "/new?title=Bad[qq]"],
        "pages.edit": ["/edit/Zorblax", "/edit/Newqq"],
        "pages.undo": [f"/undo/Zorblax?rev={world.second}"],
        "history.history": ["/history/Zorblax"],
        "history.diff": ["/diff/Zorblax"],
        "history.revision": [f"/revision/{world.first}"],
        "talk.topics": ["/talk/Zorblax"],
        "talk.topic": [f"/talk/Zorblax/{world.topic}", f"/talk/Zorblax/{world.anchored}"],
        "talk.comment": [],  # a redirect
        "talk.edit": [f"/comment/{world.comment}/edit"],
        "talk.versions": [f"/comment/{world.comment}/versions"],
        "organise.links": ["/links/Zorblax"],
        "organise.all_pages": ["/special/all"],
        "organise.wanted": ["/special/wanted"],
        "organise.orphaned": ["/special/orphaned"],
        "organise.category": [],  # a redirect to the category page
        "organise.move": ["/move/Zorblax"],
        "organise.delete": ["/delete/Zorblax"],
        "organise.undelete": ["/undelete/Goneqq"],
        "community.recent": ["/recent"],
        "community.community": ["/community"],
        "community.info": ["/info/Zorblax"],
        "community.profile": ["/user/zorro"],
        "community.watchlist": ["/watchlist"],
        "community.watched_pages": ["/watchlist/pages"],
        "community.notifications": ["/notifications"],
        "preferences.preferences": ["/preferences"],
        "preferences.unsubscribe": ["/unsubscribe/notqq"],
        "people.login": ["/login"],
        "people.register": ["/register"],
        "search.search": ["/search?q=zorblax&fulltext=1", "/search?q=qqq"],
        "safety.account": ["/account"],
        "safety.log": ["/log"],
        "safety.protect": ["/protect/Zorblax"],
        "safety.reset_password": ["/reset/notqq"],
        "admin.users": ["/admin/users"],
        "admin.user": ["/admin/users/zorro"],
        "admin.blocks": ["/admin/blocks"],
        "admin.invites": ["/admin/invites"],
        "admin.settings": ["/admin/settings"],
        "admin.site_identity": ["/admin/site"],
        "webhooks.list_webhooks": ["/admin/webhooks"],
        "webhooks.show": ["/admin/webhooks/999999"],
        "tokens.tokens_page": ["/preferences/tokens"],
        "api.docs": ["/api/v1/docs"],
        "files.gallery": ["/files"],
        "files.upload": ["/upload"],
        "files.file_page": ["/file/Zorbpic.png"],
        "signin.forgot_password": ["/forgot-password"],
        "signin.two_factor": ["/two-factor"],
        "signin.verify_email": ["/verify-email/notqq"],
        "signin_settings.add_email": ["/preferences/emails"],
        "signin_settings.set_password": ["/preferences/password"],
        "signin_settings.two_factor": ["/preferences/two-factor"],
        "signin_settings.recovery_codes": ["/preferences/two-factor/codes"],
        "signin_settings.two_factor_off": ["/preferences/two-factor/off"],
        "i18n.languages": ["/languages/Zorblax"],
        "i18n.translate": ["/translate/Zorblax"],
        "i18n.overview": ["/translations"],
        "anchors.show": ["/authorship/Zorblax"],
        "anchors.choose": [f"/reanchor/{world.anchored}"],
        "review.waiting": ["/review"],
        "review.page": ["/review/Zorblax"],
        "live.plain": ["/live/1"],  # an error page: the address only speaks WebSocket
    }


@pytest.fixture
def app(database_url, tmp_path):
    """An app whose only other language is the pseudo-locale."""
    app = make_app(database_url, tmp_path, pseudo_catalogue(tmp_path / "translations"))
    with app.app_context():
        yield app
        release(app)


@pytest.fixture
def world(app, make_user, make_page):
    """An administrator, a page with history, talk, a file and a deleted page: all in
    invented words."""
    from types import SimpleNamespace

    from wiki.anchors import threads
    from wiki.core.anchors import Quote
    from wiki.core.titles import parse_title
    from wiki.files import service as files
    from wiki.organise import deletion
    from wiki.talk import service as talk

    zorro = make_user("zorro", role=Role.ADMIN)
    page = make_page(
        "Zorblax", "# Zorblax\n\nQuuxo blorf.", "# Zorblax\n\nQuuxo frob.", author=zorro
    )
    comment = talk.start_topic(page, "Frobnix", "Blorfo quux?", author=zorro)
    # A thread on a passage, moved once, whose words are then removed.
    anchored = threads.start_thread(page, Quote("Quuxo frob"), "Zorp?", author=zorro)
    threads.reanchor(anchored.topic_id, Quote("frob"), user=zorro)
    make_page("Zorblax", "# Zorblax\n\nQuuxo blorf.\n\nFlimzy.", author=zorro)
    make_page("Goneqq", "blorf", author=zorro)
    deletion.delete_page(parse_title("Goneqq"), user=zorro, reason="qqq")
    image = io.BytesIO()
    Image.new("RGB", (8, 8), (1, 2, 3)).save(image, "PNG")
    image.seek(0)
    files.upload(zorro, files.Upload(stream=image, filename="Zorbpic.png"))
    first, second = db.session.scalars(
        db.select(Revision.id).where(Revision.page_id == page.id).order_by(Revision.id)
    ).all()[:2]
    return SimpleNamespace(
        first=first,
        second=second,
        topic=comment.topic_id,
        anchored=anchored.topic_id,
        comment=comment.id,
        name=parse_file_name,
    )


def test_every_get_route_is_rendered_or_named_as_no_page(app, world):
    routes = {rule.endpoint for rule in app.url_map.iter_rules() if "GET" in rule.methods}
    missing = sorted(routes - set(urls(world)) - NOT_PAGES)
    assert missing == [], f"add these GET routes to tests/test_i18n_pseudo.py urls(): {missing}"


def test_no_page_shows_an_unmarked_english_word(app, world):
    vocabulary = english_words()
    visitor = app.test_client()  # what a visitor sees before logging in
    visitor.get(f"/?lang={PSEUDO}")
    client = app.test_client()
    client.get(f"/?lang={PSEUDO}")  # first: the messages of logging in are in it too
    assert log_in(client, "zorro").status_code == 302
    problems = {}
    visits = [(visitor, url) for url in ANONYMOUS] + [
        (client, url) for addresses in urls(world).values() for url in addresses
    ]
    for who, url in visits:
        response = who.get(url)
        if response.mimetype != "text/html" or 300 <= response.status_code < 400:
            continue
        html = text(response)
        assert f'<html lang="{PSEUDO}"' in html, url
        found = unmarked(html, vocabulary)
        if found:
            problems[url] = sorted(set(found))[:12]
    report = "\n".join(f"{url}: {'; '.join(words)}" for url, words in problems.items())
    assert not problems, f"English words not marked for translation:\n{report}"
