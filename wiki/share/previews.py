"""Link previews: what a chat, a social network or a search engine shows of a page's link.

Open Graph and Twitter card tags, the canonical address and JSON-LD, made from the page's
explicit description (a `[[Description: …]]` line) or its first paragraph, and its first
image or the site's default. Worked out once per revision text and kept in memory.
"""

import threading
from dataclasses import dataclass
from urllib.parse import urljoin

from babel import Locale, UnknownLocaleError
from babel.core import get_global
from cachetools import LRUCache
from flask import current_app, has_request_context, request, url_for
from flask_babel import get_locale

from ..core.preview import explicit_description, first_image, first_paragraph
from ..files.logo import shown_logo
from ..site import current_site

_CACHE_SIZE = 1024
_facts: LRUCache = LRUCache(maxsize=_CACHE_SIZE)
_lock = threading.Lock()


@dataclass(frozen=True)
class LinkPreview:
    """The metadata of one page view."""

    title: str
    description: str
    url: str
    image: str | None
    site_name: str
    locale: str
    modified: str
    published: str
    author: str | None
    json_ld: dict

    @property
    def card(self) -> str:
        """Return the Twitter card kind: a large image when the page has its own."""
        return "summary_large_image" if self.image and not self.default_image else "summary"

    @property
    def default_image(self) -> bool:
        """Return whether the image is the site's default rather than the page's own."""
        return self.image == site_image()


def site_root() -> str:
    """Return the site's address, ending in "/": SITE_URL if set, else the request's."""
    configured = current_app.config.get("SITE_URL") or ""
    if configured:
        return configured.rstrip("/") + "/"
    return request.url_root if has_request_context() else "http://localhost/"


def absolute(path_or_url: str) -> str:
    """Return an absolute URL for a path on this site (URLs with a scheme stay as they are)."""
    return urljoin(site_root(), path_or_url)


def page_address(title: str) -> str:
    """Return the canonical, absolute address of a page."""
    return absolute(url_for("pages.view", title=title.replace(" ", "_")))


def site_image() -> str:
    """Return the image shown for pages without one: SHARE_IMAGE, else the site's logo
    (Administration → Name and logo), else the wiki's icon."""
    configured = current_app.config.get("SHARE_IMAGE") or ""
    if configured:
        return absolute(configured)
    logo = shown_logo()
    if logo is not None:
        return absolute(url_for("files.site_logo", sha256=logo.sha256))
    return absolute(url_for("pages.touch_icon"))


def og_locale(lang: str | None = None) -> str:
    """Return a language (the reader's if none is given) as Open Graph writes it ("it_IT")."""
    try:
        locale = Locale.parse(lang.replace("-", "_")) if lang else get_locale() or Locale("en")
    except (UnknownLocaleError, ValueError, TypeError):  # a tag Babel has no data for
        locale = get_locale() or Locale("en")
    if locale.territory:
        return f"{locale.language}_{locale.territory}"
    likely = get_global("likely_subtags").get(locale.language, "")
    territory = likely.split("_")[-1] if likely else ""
    return f"{locale.language}_{territory}" if territory.isalpha() else locale.language


def _description(key, html: str, load_text) -> str:
    """Return the description of a text as shown (key: its hash and what of the changes
    waiting for review the HTML shows), worked out once per key."""
    with _lock:
        found = _facts.get(key)
    if found is None:
        found = explicit_description(load_text()) or first_paragraph(html)
        with _lock:
            _facts[key] = found
    return found


def preview_image(view) -> str | None:
    """Return the address of a page view's picture for link previews (its first image).

    Found in the HTML shown, not kept with the text: an embedded file's new version
    changes the picture without a new revision of the page.
    """
    return first_image(view.html)


def link_preview(view, lang: str | None = None) -> LinkPreview:
    """Return the link preview of a page view (wiki.pages.service.PageView), a page written
    in lang (the reader's language if None)."""
    page, revision = view.page, view.revision
    # What the page's heading shows: a subpage's own name, not its path.
    heading = page.title.rsplit("/", 1)[-1]
    # The HTML's first paragraph may name an embedded file waiting for review (a reviewer's
    # or its uploader's view): kept apart from what visitors are told.
    key = (revision.sha1, view.waiting)
    description = _description(key, view.html, lambda: revision.text)
    image = preview_image(view)
    url = page_address(page.title)
    image_url = absolute(image) if image else site_image()
    site_name = current_site().name
    author = revision.author.username if revision.author else None
    modified = revision.created_at.isoformat()
    published = page.created_at.isoformat() if page.created_at else modified
    json_ld = {
        "@context": "https://schema.org",
        "@type": "Article",
        "headline": heading,
        "description": description,
        "url": url,
        "mainEntityOfPage": url,
        "image": [image_url],
        "dateModified": modified,
        "datePublished": published,
        "inLanguage": lang or str(get_locale() or "en").replace("_", "-"),
        "publisher": {"@type": "Organization", "name": site_name},
    }
    if author:
        json_ld["author"] = {"@type": "Person", "name": author}
    return LinkPreview(
        title=heading,
        description=description or site_name,
        url=url,
        image=image_url,
        site_name=site_name,
        locale=og_locale(lang),
        modified=modified,
        published=published,
        author=author,
        json_ld=json_ld,
    )
