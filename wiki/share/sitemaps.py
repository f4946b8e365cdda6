"""Sitemaps and robots.txt: what search engines may read, and where every page is."""

from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import func, select

from ..access.policy import current_policy
from ..extensions import db
from ..models import Page, Revision

#: The sitemap protocol's limit of URLs per file; past it, /sitemap.xml is an index.
MAX_URLS = 50_000
#: Paths search engines have no business reading: editing, the past, talk, searches, the API.
DISALLOWED = (
    "/edit/",
    "/undo/",
    "/history/",
    "/diff/",
    "/revision/",
    "/talk/",
    "/comment/",
    "/search",
    "/api/",
    "/login",
    "/register",
    "/preferences",
    "/watchlist",
    "/notifications",
    "/move/",
    "/delete/",
    "/admin/",
)


@dataclass(frozen=True)
class Entry:
    """One page in a sitemap: its title and when it last changed."""

    title: str
    modified: datetime


def is_public() -> bool:
    """Return whether visitors without an account may read the wiki."""
    return current_policy().read == "everyone" and not current_app.config.get("PRIVATE_WIKI")


def max_urls() -> int:
    """Return how many URLs one sitemap file holds."""
    return int(current_app.config.get("SITEMAP_MAX_URLS") or MAX_URLS)


def _listed():
    """Return the conditions for pages a sitemap lists: current, not deleted, no redirect."""
    return (
        Page.deleted.is_(False),
        Page.published_revision_id.is_not(None),
        Page.redirect_key.is_(None),
    )


def page_count() -> int:
    """Return how many pages the sitemaps list."""
    return db.session.scalar(select(func.count()).select_from(Page).where(*_listed())) or 0


def part_count() -> int:
    """Return how many sitemap files the pages need (at least one)."""
    return max(1, -(-page_count() // max_urls()))


def entries(part: int = 1) -> list[Entry]:
    """Return the pages of one sitemap file (numbered from 1), oldest page first."""
    size = max_urls()
    rows = db.session.execute(
        select(Page.title, Revision.created_at)
        .join(Revision, Revision.id == Page.published_revision_id)
        .where(*_listed())
        .order_by(Page.id)
        .offset((part - 1) * size)
        .limit(size)
    )
    return [Entry(title, modified) for title, modified in rows]


def last_modified() -> datetime | None:
    """Return when a listed page last changed."""
    return db.session.scalar(
        select(func.max(Revision.created_at))
        .join(Page, Page.published_revision_id == Revision.id)
        .where(*_listed())
    )


def robots_txt(sitemap_url: str) -> str:
    """Return robots.txt: everything readable but DISALLOWED, or nothing on a private wiki."""
    if not is_public():
        return "User-agent: *\nDisallow: /\n"
    disallowed = [f"Disallow: {path}" for path in DISALLOWED]
    lines = ["User-agent: *", *disallowed, "", f"Sitemap: {sitemap_url}"]
    return "\n".join(lines) + "\n"
