"""Authorisation as a matrix: every route × every role, with the status each must get.

The routes come from the app's URL map: a route (or a method of one) without an entry in
MATRIX fails test_every_route_has_an_entry, naming it. Add the entry with the statuses the
route must answer: that is the point of the test.

Roles: anonymous, reader, blocked (an editor with a block in force), editor, moderator,
admin. They act in that order on one shared world, so the refusals come first and an
allowed change (a rollback, a hidden comment) does not spoil another role's request;
requests that would remove their own target (a delete, an undelete) get one per role.
"""

import io
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from types import SimpleNamespace

import pytest
from PIL import Image
from sqlalchemy import select

from tests.helpers import log_in
from wiki.core.filenames import parse_file_name
from wiki.core.titles import parse_title
from wiki.extensions import db
from wiki.models import Role
from wiki.pages.service import get_page, save_page

ROLES = ("anonymous", "reader", "blocked", "editor", "moderator", "admin")
USERS = {
    "reader": Role.READER,
    "blocked": Role.EDITOR,
    "editor": Role.EDITOR,
    "moderator": Role.MODERATOR,
    "admin": Role.ADMIN,
}


def everyone(status: int) -> dict[str, int]:
    """Every role gets this status."""
    return dict.fromkeys(ROLES, status)


def members(anonymous: int, others: int) -> dict[str, int]:
    """Anonymous visitors get one status, everyone logged in another."""
    return {"anonymous": anonymous} | dict.fromkeys(ROLES[1:], others)


def editors(anonymous: int = 302, refused: int = 403, allowed: int = 200) -> dict[str, int]:
    """Only people who may edit (not readers, not blocked) are allowed."""
    return {
        "anonymous": anonymous,
        "reader": refused,
        "blocked": refused,
        "editor": allowed,
        "moderator": allowed,
        "admin": allowed,
    }


def moderators(anonymous: int = 302, refused: int = 403, allowed: int = 200) -> dict[str, int]:
    """Only moderators and administrators are allowed."""
    return dict.fromkeys(ROLES, refused) | {
        "anonymous": anonymous,
        "moderator": allowed,
        "admin": allowed,
    }


def admins(anonymous: int = 302, refused: int = 403, allowed: int = 200) -> dict[str, int]:
    """Only administrators are allowed."""
    return dict.fromkeys(ROLES, refused) | {"anonymous": anonymous, "admin": allowed}


Value = str | Callable[[SimpleNamespace], str]


@dataclass
class Case:
    """One request and the status each role must get."""

    url: Value
    expect: dict[str, int]
    data: dict | Callable[[SimpleNamespace], dict] = field(default_factory=dict)


def GET(url: Value, expect: dict[str, int]) -> Case:  # noqa: N802
    return Case(url, expect)


def POST(url: Value, expect: dict[str, int], data=None) -> Case:  # noqa: N802
    return Case(url, expect, data or {})


#: "endpoint METHOD" → the cases that must hold. Values that need ids are lambdas of the world.
MATRIX: dict[str, list[Case]] = {
    "static GET": [GET("/static/css/bottega.css", everyone(200))],
    # Pages
    "pages.home GET": [GET("/", everyone(302))],
    "pages.favicon GET": [GET("/favicon.ico", everyone(200))],
    "pages.touch_icon GET": [GET("/apple-touch-icon.png", everyone(200))],
    "pages.touch_icon_precomposed GET": [GET("/apple-touch-icon-precomposed.png", everyone(200))],
    "pages.view GET": [GET("/wiki/Plan", everyone(200)), GET("/wiki/Nothing", everyone(404))],
    "pages.edit GET": [GET("/edit/Plan", editors())],
    "creating.new GET": [
        GET("/new", editors()),
        GET("/new?title=Plan", editors()),
        GET("/new?title=Autumn", editors(allowed=302)),
    ],
    "pages.edit POST": [
        POST("/edit/Plan", editors(anonymous=403), {"text": "x", "action": "preview"}),
    ],
    "pages.save_draft POST": [POST("/draft/Plan", editors(anonymous=403), {"text": "draft"})],
    "pages.discard_draft POST": [POST("/draft/Plan/discard", everyone(302))],
    # History
    "history.history GET": [GET("/history/Plan", everyone(200))],
    "history.diff GET": [GET("/diff/Plan", everyone(200))],
    "history.revision GET": [GET(lambda w: f"/revision/{w.first_revision}", everyone(200))],
    "pages.undo GET": [
        GET(lambda w: f"/undo/Plan?rev={w.first_edit}", editors()),
    ],
    "history.restore POST": [
        POST(lambda w: f"/restore/{w.first_revision}", editors(allowed=302)),
    ],
    "history.rollback POST": [
        POST(
            lambda w: f"/rollback/{w.vandalised()}",
            moderators(anonymous=403, allowed=302),
            lambda w: {"latest": str(w.latest("Vandalised"))},
        ),
    ],
    # People
    "people.login GET": [GET("/login", everyone(200))],
    "people.login POST": [
        POST("/login", everyone(401), lambda w: {"username": w.role, "password": "wrong!!!!!"})
    ],
    "people.logout POST": [POST("/logout", everyone(302))],
    "people.register GET": [GET("/register", everyone(200))],
    "people.register POST": [
        POST("/register", everyone(400), {"username": "x", "password": "y", "confirm": "z"})
    ],
    "community.profile GET": [
        GET("/user/author", everyone(200)),
        GET("/user/ghost", everyone(404)),
    ],
    # Talk
    "talk.topics GET": [GET("/talk/Plan", everyone(200))],
    "talk.topics POST": [
        POST("/talk/Plan", editors(anonymous=403, allowed=302), {"subject": "S", "body": "B"}),
    ],
    "talk.topic GET": [GET(lambda w: f"/talk/Plan/{w.topic}", everyone(200))],
    "talk.reply POST": [
        POST(
            lambda w: f"/talk/Plan/{w.topic}/reply",
            editors(anonymous=403, allowed=302),
            {"body": "reply"},
        ),
    ],
    "talk.comment GET": [GET(lambda w: f"/comment/{w.comment}", everyone(302))],
    "talk.edit GET": [GET(lambda w: f"/comment/{w.comment}/edit", members(302, 403))],
    "talk.edit POST": [
        POST(lambda w: f"/comment/{w.comment}/edit", members(302, 403), {"body": "changed"}),
    ],
    "talk.versions GET": [GET(lambda w: f"/comment/{w.comment}/versions", everyone(200))],
    "talk.comment_action POST": [
        POST(lambda w: f"/comment/{w.comment}/delete", everyone(403)),
        POST(
            lambda w: f"/comment/{w.comment}/hide",
            moderators(anonymous=403, allowed=302),
            {"reason": "Off topic"},
        ),
        POST(lambda w: f"/comment/{w.comment}/unhide", moderators(anonymous=403, allowed=302)),
    ],
    "talk.topic_action POST": [
        POST(lambda w: f"/topic/{w.topic}/lock", moderators(anonymous=403, allowed=302)),
        POST(lambda w: f"/topic/{w.topic}/unlock", moderators(anonymous=403, allowed=302)),
        POST(lambda w: f"/topic/{w.topic}/subscribe", members(403, 302)),
    ],
    "talk.follow_page POST": [POST("/subscribe/talk/Plan", members(403, 302))],
    # Organising
    "organise.links GET": [GET("/links/Plan", everyone(200))],
    "organise.all_pages GET": [GET("/special/all", everyone(200))],
    "organise.wanted GET": [GET("/special/wanted", everyone(200))],
    "organise.orphaned GET": [GET("/special/orphaned", everyone(200))],
    "organise.category GET": [GET("/category/Campaigns", everyone(302))],
    "organise.move GET": [GET("/move/Plan", editors())],
    "organise.move POST": [POST("/move/Plan", editors(allowed=400), {"new_title": ""})],
    "organise.delete GET": [GET("/delete/Plan", moderators())],
    "organise.delete POST": [
        POST(lambda w: f"/delete/{w.doomed()}", moderators(allowed=302), {"reason": "x"}),
    ],
    "organise.undelete GET": [GET(lambda w: f"/undelete/{w.gone()}", moderators())],
    "organise.undelete POST": [
        POST(lambda w: f"/undelete/{w.gone()}", moderators(allowed=302), {"reason": "x"}),
    ],
    # Languages
    "i18n.language_preference POST": [
        POST("/preferences/language", members(302, 302), {"locale": "en", "timezone": "UTC"})
    ],
    "i18n.languages GET": [GET("/languages/Plan", everyone(200))],
    "i18n.languages POST": [
        POST(
            "/languages/Plan",
            editors(anonymous=403, allowed=302),
            {"action": "language", "content_lang": "en"},
        ),
    ],
    "i18n.translate GET": [GET("/translate/Plan", everyone(200))],
    "i18n.overview GET": [GET("/translations", everyone(200))],
    # Community
    "community.recent GET": [GET("/recent", everyone(200))],
    "community.community GET": [GET("/community", everyone(200))],
    "community.info GET": [GET("/info/Plan", everyone(200))],
    "community.watchlist GET": [GET("/watchlist", members(302, 200))],
    "community.watched_pages GET": [GET("/watchlist/pages", members(302, 200))],
    "community.watch POST": [POST("/watch/Plan", members(302, 302))],
    "community.notifications GET": [GET("/notifications", members(302, 200))],
    "community.mark_read POST": [POST("/notifications/999999/read", members(403, 404))],
    "community.mark_all_read POST": [POST("/notifications/read-all", members(403, 302))],
    "feeds.recent GET": [GET("/recent.atom", everyone(200))],
    "feeds.watchlist GET": [GET("/watchlist.atom", members(403, 200))],
    "feeds.history GET": [GET("/feed/history/Plan", everyone(200))],
    "feeds.contributions GET": [GET("/feed/user/author", everyone(200))],
    "preferences.preferences GET": [GET("/preferences", members(302, 200))],
    "preferences.preferences POST": [
        POST("/preferences", members(302, 400), {"display_name": "x" * 500})
    ],
    "preferences.feed_key POST": [POST("/preferences/feed-key", members(403, 200))],
    "preferences.unsubscribe GET": [GET("/unsubscribe/not-a-token", everyone(404))],
    "preferences.unsubscribe POST": [POST("/unsubscribe/not-a-token", everyone(404))],
    # Sign-in (no provider is configured here: tests/test_signin_providers.py has them)
    "signin.start GET": [GET("/login/nobody", everyone(404))],
    "signin.callback GET": [GET("/login/nobody/callback?code=x&state=y", everyone(404))],
    "signin.new_account GET": [GET("/login/nobody/new", everyone(404))],
    "signin.new_account POST": [POST("/login/nobody/new", everyone(404), {"username": "x"})],
    "signin.two_factor GET": [GET("/two-factor", everyone(302))],
    "signin.two_factor POST": [POST("/two-factor", everyone(302), {"code": "123456"})],
    "signin.forgot_password GET": [GET("/forgot-password", everyone(200))],
    "signin.forgot_password POST": [
        POST("/forgot-password", everyone(200), lambda w: {"identifier": w.role})
    ],
    "signin.verify_email GET": [GET("/verify-email/not-a-token", everyone(404))],
    "signin.verify_email POST": [POST("/verify-email/not-a-token", everyone(404))],
    "signin_settings.unlink POST": [
        POST("/preferences/sign-ins/999999/unlink", members(302, 404))
    ],
    "signin_settings.set_password GET": [GET("/preferences/password", members(302, 302))],
    "signin_settings.set_password POST": [
        POST("/preferences/password", members(302, 409), {"password": "x", "confirm": "x"})
    ],
    "signin_settings.add_email GET": [GET("/preferences/emails", members(302, 200))],
    "signin_settings.add_email POST": [
        POST("/preferences/emails", members(302, 400), {"new_email": "not an address"})
    ],
    "signin_settings.email_action POST": [
        POST("/preferences/emails/999999/remove", members(302, 404))
    ],
    "signin_settings.two_factor GET": [GET("/preferences/two-factor", members(302, 200))],
    "signin_settings.two_factor POST": [
        POST("/preferences/two-factor", members(302, 401), {"code": "000000"})
    ],
    "signin_settings.two_factor_off GET": [GET("/preferences/two-factor/off", members(302, 200))],
    "signin_settings.two_factor_off POST": [
        POST("/preferences/two-factor/off", members(302, 401), {"code": "000000"})
    ],
    "signin_settings.recovery_codes GET": [
        GET("/preferences/two-factor/codes", members(302, 200))
    ],
    "signin_settings.recovery_codes POST": [
        POST("/preferences/two-factor/codes", members(302, 401), {"code": "000000"})
    ],
    # Search
    "search.search GET": [GET("/search?q=campaign", everyone(200))],
    "search.suggest GET": [GET("/search/suggest?q=pl", everyone(200))],
    # Trust and safety
    "safety.log GET": [GET("/log", everyone(200))],
    "safety.account GET": [GET("/account", members(302, 200))],
    "safety.change_password POST": [
        POST("/account/password", members(302, 400), {"current": "wrong", "password": "x"})
    ],
    "safety.logout_everywhere POST": [POST("/account/logout-everywhere", everyone(302))],
    "safety.protect GET": [GET("/protect/Plan", moderators())],
    "safety.protect POST": [
        POST(
            "/protect/Plan",
            moderators(allowed=302),
            {"action": "protect", "level": "editor", "duration": "1h", "reason": "Busy"},
        ),
    ],
    "safety.reset_password GET": [GET("/reset/not-a-token", everyone(404))],
    "safety.reset_password POST": [POST("/reset/not-a-token", everyone(404))],
    "admin.home GET": [GET("/admin", admins(allowed=302))],
    "admin.settings GET": [GET("/admin/settings", admins())],
    "admin.site_identity GET": [GET("/admin/site", admins())],
    "admin.site_identity POST": [
        POST(
            "/admin/site",
            admins(allowed=302),
            {"name": "Bottega", "tagline": "", "main_page": "Home", "logo": ""},
        )
    ],
    "admin.settings POST": [
        POST(
            "/admin/settings",
            admins(allowed=302),
            {
                "read": "everyone",
                "edit": "users",
                "register": "open",
                "log": "everyone",
                "two_factor": "optional",
            },
        )
    ],
    "admin.users GET": [GET("/admin/users", admins())],
    "admin.user GET": [GET("/admin/users/author", admins())],
    "admin.set_role POST": [
        POST("/admin/users/author/role", admins(allowed=302), {"role": str(int(Role.EDITOR))})
    ],
    "admin.approve POST": [POST("/admin/users/author/approve", admins(allowed=302))],
    "admin.block POST": [
        POST("/admin/users/vandal/block", admins(allowed=302), {"reason": "x", "duration": "1h"})
    ],
    "admin.unblock POST": [
        POST(lambda w: f"/admin/blocks/{w.block}/lift", admins(allowed=302)),
    ],
    "admin.reset_link POST": [POST("/admin/users/author/reset-link", admins())],
    "admin.blocks GET": [GET("/admin/blocks", admins())],
    "admin.blocks POST": [
        POST(
            "/admin/blocks",
            admins(allowed=302),
            {"address": "203.0.113.1", "reason": "proxy", "duration": "1h"},
        )
    ],
    "admin.invites GET": [GET("/admin/invites", admins())],
    "admin.invites POST": [POST("/admin/invites", admins(), {"note": "for Nora"})],
    "admin.withdraw_invite POST": [POST("/admin/invites/999999/withdraw", admins(allowed=404))],
    # Sharing
    "share.robots GET": [GET("/robots.txt", everyone(200))],
    "share.sitemap GET": [GET("/sitemap.xml", everyone(200))],
    "share.sitemap_part GET": [
        GET("/sitemap-1.xml", everyone(200)),
        GET("/sitemap-9.xml", everyone(404)),
    ],
    # The API (the matrix's clients use sessions; tests/test_api.py covers tokens)
    "api.openapi_document GET": [GET("/api/v1/openapi.json", everyone(200))],
    "api.docs GET": [GET("/api/v1/docs", everyone(200))],
    "api.me GET": [GET("/api/v1/me", everyone(200))],
    "api.get_page GET": [
        GET("/api/v1/pages/Plan", everyone(200)),
        GET("/api/v1/pages/Nothing", everyone(404)),
    ],
    "api.put_page PUT": [
        Case("/api/v1/pages/Plan", members(401, 400), {"text": "form, not JSON"})
    ],
    "api.page_history GET": [GET("/api/v1/pages/Plan/history", everyone(200))],
    "api.page_diff GET": [GET("/api/v1/pages/Plan/diff", everyone(200))],
    "api.get_revision GET": [
        GET(lambda w: f"/api/v1/revisions/{w.first_revision}", everyone(200))
    ],
    "api.recent GET": [GET("/api/v1/recent", everyone(200))],
    "api.search GET": [GET("/api/v1/search?q=plan", everyone(200))],
    "api.talk_topics GET": [GET("/api/v1/pages/Plan/talk", everyone(200))],
    "api.start_topic POST": [POST("/api/v1/pages/Plan/talk", members(401, 400), {"x": "y"})],
    "api.get_topic GET": [GET(lambda w: f"/api/v1/topics/{w.topic}", everyone(200))],
    "api.post_comment POST": [
        POST(lambda w: f"/api/v1/topics/{w.topic}/comments", members(401, 400), {"x": "y"})
    ],
    "tokens.tokens_page GET": [GET("/preferences/tokens", members(302, 200))],
    "tokens.tokens_page POST": [
        POST("/preferences/tokens", members(302, 200), {"token_name": "Matrix"})
    ],
    "tokens.revoke POST": [POST("/preferences/tokens/999999/revoke", members(302, 404))],
    "webhooks.list_webhooks GET": [GET("/admin/webhooks", admins())],
    "webhooks.list_webhooks POST": [
        POST("/admin/webhooks", admins(allowed=400), {"url": "", "events": "page.saved"})
    ],
    "webhooks.show GET": [GET("/admin/webhooks/999999", admins(allowed=404))],
    "webhooks.show POST": [POST("/admin/webhooks/999999", admins(allowed=404), {"url": ""})],
    "webhooks.act POST": [POST("/admin/webhooks/999999/ping", admins(allowed=404))],
    "webhooks.redeliver POST": [
        POST("/admin/webhooks/deliveries/999999/redeliver", admins(allowed=404))
    ],
    # Files
    "files.upload GET": [GET("/upload", editors())],
    "files.upload POST": [POST("/upload", editors(allowed=400), {"description": "no file"})],
    "files.file_page GET": [
        GET(lambda w: f"/file/{w.file()}", everyone(200)),
        GET("/file/Nothing.png", everyone(404)),
    ],
    "files.revert POST": [
        POST(lambda w: f"/file/{w.file()}/revert", editors(allowed=404), {"version": "999999"})
    ],
    "files.gallery GET": [GET("/files", everyone(200))],
    "files.media GET": [GET(lambda w: f"/media/{w.file_sha()}/Plan.png", everyone(200))],
    "files.thumb GET": [GET(lambda w: f"/thumb/{w.file_sha()}/64.png", everyone(200))],
    "files.site_logo GET": [GET(lambda w: f"/site/logo/{w.logo_sha()}", everyone(200))],
    "pages.site_icon GET": [GET("/site/icon/N.svg", everyone(200))],
    "organise.random_page GET": [GET("/special/random", everyone(302))],
    # Review (reviewers too, see tests/test_review.py); nothing waits on Plan: accept is 409
    "review.waiting GET": [GET("/review", moderators())],
    "review.page GET": [
        GET("/review/Plan", moderators()),
        GET("/review/Nothing", moderators(allowed=404)),
    ],
    "review.decide POST": [
        POST(
            "/review/Plan",
            moderators(allowed=409),
            lambda w: {"action": "accept", "revision": str(w.first_revision)},
        ),
    ],
    # Anchored threads and authorship
    "anchors.start POST": [
        POST(
            "/anchor/Plan", editors(anonymous=403, allowed=302), {"exact": "Second", "body": "?"}
        ),
        POST("/anchor/Nothing", everyone(404), {"exact": "Second", "body": "?"}),
    ],
    "anchors.choose GET": [
        GET(lambda w: f"/reanchor/{w.anchored()}", editors()),
        GET("/reanchor/999999", editors(allowed=404)),
    ],
    "anchors.reanchor POST": [
        POST(
            lambda w: f"/reanchor/{w.anchored()}",
            editors(allowed=302),
            {"passage": "Plan"},
        ),
        POST("/reanchor/999999", editors(allowed=404), {"passage": "P"}),
    ],
    "anchors.show GET": [
        GET("/authorship/Plan", everyone(200)),
        GET("/authorship/Nothing", everyone(404)),
    ],
    # Live editing: a plain request to the socket's address is a 400 for everyone; the
    # WebSocket handshake itself (who may join) is tested with real sockets in test_live.py.
    "live.plain GET": [GET("/live/1", everyone(400))],
    "live.preview POST": [POST("/live/preview", editors(), {"text": "# Hello"})],
    "live.discard POST": [
        POST(lambda w: f"/live/{get_page(parse_title('Plan')).id}/discard", editors(allowed=302)),
        POST("/live/999999/discard", everyone(404)),
    ],
    "live.socket GET": [],
    # Usernames offered after "@" (the live editor): any logged-in person, no visitor.
    "people.suggest GET": [GET("/people/suggest?q=ed", members(302, 200))],
}

#: Methods every route answers by itself.
IMPLICIT = {"HEAD", "OPTIONS"}


def route_keys(app) -> set[str]:
    """Return "endpoint METHOD" for every route and method of the app."""
    return {
        f"{rule.endpoint} {method}"
        for rule in app.url_map.iter_rules()
        for method in rule.methods - IMPLICIT
    }


def test_every_route_has_an_entry(app):
    missing = sorted(route_keys(app) - set(MATRIX))
    assert not missing, (
        "These routes have no entry in tests/test_authz_matrix.py MATRIX; add the status "
        f"each role must get: {missing}"
    )
    stale = sorted(set(MATRIX) - route_keys(app))
    assert not stale, f"MATRIX has entries for routes that no longer exist: {stale}"


class World(SimpleNamespace):
    """What the requests act on; pages only some routes need are made when first asked for."""

    def latest(self, title: str) -> int:
        """Return the latest revision of a page, as it is now."""
        db.session.expire_all()
        return get_page(parse_title(title)).latest_revision_id

    def vandalised(self) -> str:
        """Return a page whose last edits are a vandal's (for rollback)."""
        if get_page(parse_title("Vandalised")) is None:
            self.make_page("Vandalised", "good text", author=self.author)
            self.make_page("Vandalised", "good text", "spam", author=self.vandal)
        return "Vandalised"

    def doomed(self) -> str:
        """Return a page for the acting role to delete."""
        title = f"Doomed {self.role}"
        self.make_page(title, "to delete", author=self.author)
        return title.replace(" ", "_")

    def file(self) -> str:
        """Return the name of an uploaded image (a 64-pixel-wide PNG) in URL form."""
        from wiki.files import reading, service

        name = parse_file_name("Plan.png")
        if reading.find_file(name) is None:
            image = io.BytesIO()
            Image.new("RGB", (64, 32), (1, 2, 3)).save(image, "PNG")
            image.seek(0)
            service.upload(self.author, service.Upload(stream=image, filename="Plan.png"))
        return name.url

    def file_sha(self) -> str:
        """Return the content hash of the uploaded image."""
        from wiki.files import reading

        self.file()
        return reading.find_file(parse_file_name("Plan.png")).blob.sha256

    def logo_sha(self) -> str:
        """Return the content hash of the site's logo (the uploaded image)."""
        from wiki import site

        sha256 = self.file_sha()
        chosen = replace(site.current_site(), logo="Plan.png", logo_sha=sha256)
        site.save_site(self.admin, chosen)
        return sha256

    def anchored(self) -> int:
        """Return a topic about a passage of Plan."""
        from wiki.anchors import threads
        from wiki.core.anchors import Quote

        if not hasattr(self, "anchored_topic"):
            page = get_page(parse_title("Plan"))
            comment = threads.start_thread(page, Quote("Second"), "Why?", author=self.author)
            self.anchored_topic = comment.topic_id
        return self.anchored_topic

    def gone(self) -> str:
        """Return a deleted page for the acting role to undelete."""
        from wiki.organise import deletion

        title = f"Gone {self.role}"
        if get_page(parse_title(title)) is None:
            self.make_page(title, "deleted", author=self.author)
            deletion.delete_page(parse_title(title), user=self.admin, reason="test")
        return title.replace(" ", "_")


@pytest.fixture
def world(app, make_user, make_page):
    """Accounts of every role, a page with a topic and a comment, and a block."""
    from wiki.safety import accounts
    from wiki.talk import service as talk

    app.config.update(LOGIN_FREE_FAILURES=1000)
    users = {name: make_user(name, role=role) for name, role in USERS.items()}
    author = make_user("author")
    page = make_page("Plan", "# Plan\n\nFirst.", "# Plan\n\nSecond.", author=author)
    comment = talk.start_topic(page, "Tone", "Too formal?", author=author)
    block = accounts.block_user(users["admin"], users["blocked"], "Testing", "1w")
    latest = get_page(parse_title("Plan")).latest
    return World(
        app=app,
        make_page=make_page,
        author=author,
        vandal=make_user("vandal"),
        admin=users["admin"],
        first_revision=latest.parent_id,
        first_edit=latest.id,
        topic=comment.topic_id,
        comment=comment.id,
        block=block.id,
        role=None,
    )


def client_for(app, role: str):
    client = app.test_client()
    if role != "anonymous":
        response = log_in(client, role)
        assert response.status_code == 302, f"{role} could not log in"
    return client


#: Requests that change nothing (every change is a POST: tests/test_security_headers.py),
#: asked in one world; and the others, each in a world of its own.
READS = sorted(key for key in MATRIX if key.endswith(" GET"))
CHANGES = sorted(key for key in MATRIX if not key.endswith(" GET"))


def wrong_answers(world, clients, key: str) -> list[str]:
    """Ask the key's requests as each role in turn; return each answer not as expected."""
    method = key.rsplit(" ", 1)[1]
    wrong = []
    for case in MATRIX[key]:
        for role in ROLES:
            world.role = role
            url = case.url(world) if callable(case.url) else case.url
            data = case.data(world) if callable(case.data) else dict(case.data)
            response = clients[role].open(url, method=method, data=data)
            response.close()
            expected = case.expect[role]
            if response.status_code != expected:
                wrong.append(f"{role}: {method} {url} → {response.status_code}, not {expected}")
    return wrong


def test_every_page_answers_each_role_as_expected(world):
    """Each wrong answer is named by its role, method and address."""
    clients = {role: client_for(world.app, role) for role in ROLES}
    wrong = [answer for key in READS for answer in wrong_answers(world, clients, key)]
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("key", CHANGES)
def test_each_change_answers_each_role_as_expected(world, key):
    clients = {role: client_for(world.app, role) for role in ROLES}
    wrong = wrong_answers(world, clients, key)
    assert not wrong, "\n".join(wrong)


def test_save_page_is_refused_in_the_service_too(world):
    """The view is not the only guard: the service refuses the same people."""
    from wiki.models import User
    from wiki.problems import NotAllowed

    for name in ("reader", "blocked"):
        user = db.session.scalar(select(User).where(User.username == name))
        with pytest.raises(NotAllowed):
            save_page(parse_title("Plan"), "x", author=user, base_revision_id=None)
