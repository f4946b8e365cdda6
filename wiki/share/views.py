"""Sitemaps and robots.txt."""

from flask import Blueprint, Response, render_template, url_for
from flask_babel import gettext as _

from ..problems import NotFound
from . import sitemaps
from .previews import absolute

bp = Blueprint("share", __name__)


def _xml(template: str, **context) -> Response:
    """Answer with an XML document made from a template."""
    return Response(render_template(template, **context), mimetype="application/xml")


@bp.get("/robots.txt")
def robots():
    """Tell search engines what they may read, and where the sitemap is."""
    text = sitemaps.robots_txt(absolute(url_for("share.sitemap")))
    return Response(text, mimetype="text/plain")


@bp.get("/sitemap.xml")
def sitemap():
    """List every page with its last change, or the sitemap files when they are many."""
    if not sitemaps.is_public():
        raise NotFound(_("This wiki is private: it has no sitemap."))
    parts = sitemaps.part_count()
    if parts > 1:
        return _xml(
            "share/sitemap_index.html",
            parts=range(1, parts + 1),
            modified=sitemaps.last_modified(),
        )
    return _xml("share/sitemap.html", entries=sitemaps.entries(1))


@bp.get("/sitemap-<int:part>.xml")
def sitemap_part(part: int):
    """List one file's share of the pages (for wikis past 50,000 pages)."""
    if not sitemaps.is_public() or not 1 <= part <= sitemaps.part_count():
        raise NotFound(_("There is no such sitemap."))
    return _xml("share/sitemap.html", entries=sitemaps.entries(part))
