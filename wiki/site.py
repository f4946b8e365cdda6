"""The site's name, tagline, main page and logo, as an administrator set them.

Each is stored in `site_setting` once an administrator saves it; until then the
configuration gives the name (SITE_NAME) and main page (MAIN_PAGE), the tagline is the
wiki's own (translated) and there is no logo: the header shows the name's first letter.
Saving counts as a content change, so every process reads the settings again (memo.RULES).
"""

import unicodedata
from dataclasses import dataclass

from flask import current_app, g, has_app_context, has_request_context
from sqlalchemy import select

from . import modlog
from .access.models import SiteSetting
from .core.titles import N_, TitleError, parse_title
from .database import write_transaction
from .extensions import db
from .memo import RULES, content_changed, until_changed
from .models import Page, User, utcnow
from .problems import BadRequest, UserError

#: The longest name and tagline (the header has room for a short name).
MAX_NAME = 60
MAX_TAGLINE = 200
#: Each setting → the site_setting row that keeps it.
STORED = {
    "name": "site_name",
    "tagline": "site_tagline",
    "main_page": "main_page",
    "logo": "site_logo",
    # The version of the logo's file an administrator chose (its SHA-256): a new upload of
    # the file by anyone else does not change the header of every page.
    "logo_sha": "site_logo_sha",
}
#: The settings the form shows.
FORM = ("name", "tagline", "main_page", "logo")


@dataclass(frozen=True)
class Site:
    """The site's identity in force; an empty tagline or logo means none was set."""

    name: str
    tagline: str
    main_page: str
    logo: str
    logo_sha: str = ""

    @property
    def initial(self) -> str:
        """Return the letter the header shows when there is no logo."""
        return initial_of(self.name)


def initial_of(name: str) -> str:
    """Return a name's first letter or digit, upper case ("" if it has none)."""
    first = next((ch for ch in name if ch.isalnum()), "")
    return first.upper() if len(first.upper()) == 1 else first  # "ß" stays one letter


def configured() -> Site:
    """Return the identity the configuration gives (before an administrator sets one)."""
    config = current_app.config
    return Site(name=config["SITE_NAME"], tagline="", main_page=config["MAIN_PAGE"], logo="")


def current_site() -> Site:
    """Return the identity in force, read once per request."""
    if not has_app_context():
        raise RuntimeError("the site's identity is read inside the app")
    if not has_request_context():
        return _stored()
    cached = g.get("site_identity")
    if cached is None:
        cached = g.site_identity = until_changed("site", None, _stored, RULES)
    return cached


def shown_site() -> Site:
    """Return the identity pages show: on a page drawn without the database (a server
    error's, g.bare_page) what this request read already, or the configuration's."""
    if has_request_context() and g.get("bare_page"):
        return g.get("site_identity") or configured()
    return current_site()


def _stored() -> Site:
    rows = select(SiteSetting).where(SiteSetting.name.in_(STORED.values()))
    stored = {row.name: row.value for row in db.session.scalars(rows)}
    default = configured()
    values = {field: stored.get(name) or getattr(default, field) for field, name in STORED.items()}
    return Site(**values)


def check(values: dict[str, str]) -> tuple[Site, dict[str, str]]:
    """Return the identity a form asks for, tidied, and what is wrong with its name,
    tagline and main page (field → problem), every problem at once."""
    problems: dict[str, UserError] = {}
    name = " ".join(values.get("name", "").split())
    if not name:
        problems["name"] = BadRequest(N_("The site needs a name."))
    elif len(name) > MAX_NAME or _has_control(values.get("name", "")):
        problems["name"] = BadRequest(
            N_("A site name can be at most %(limit)s characters, on one line."), limit=MAX_NAME
        )
    tagline = " ".join(values.get("tagline", "").split())
    if len(tagline) > MAX_TAGLINE or _has_control(tagline):
        problems["tagline"] = BadRequest(
            N_("A tagline can be at most %(limit)s characters, on one line."), limit=MAX_TAGLINE
        )
    main_page = values.get("main_page", "")
    try:
        title = parse_title(main_page)
    except TitleError as error:
        problems["main_page"] = BadRequest(str(error))
    else:
        # As the page writes its title, when it exists ("home" names "Home").
        existing = select(Page.title).where(Page.key == title.key, Page.deleted.is_(False))
        main_page = db.session.scalar(existing) or title.display
    # The logo is a file's name: the files package checks it and finds the version to show
    # (wiki.files.logo).
    return Site(name, tagline, main_page, values.get("logo", "").strip()), problems


def _has_control(text: str) -> bool:
    return any(unicodedata.category(ch) == "Cc" for ch in text)


def save_site(admin: User, site: Site) -> Site:
    """Store the identity an administrator chose (checked by `check`) and log each change."""
    before = current_site()
    default = configured()
    with write_transaction() as session:
        for field, name in STORED.items():
            value, old = getattr(site, field), getattr(before, field)
            row = session.get(SiteSetting, name)
            if value == old and row is not None:
                continue
            if value == old and value == getattr(default, field):
                continue  # never set, and still the default: nothing to keep
            row = row or SiteSetting(name=name)
            row.value, row.updated_at, row.updated_by_id = value, utcnow(), admin.id
            session.add(row)
            content_changed()
            if value != old:
                modlog.record("policy", admin, target=name, setting=name, old=old, new=value)
    g.pop("site_identity", None)
    return current_site()
