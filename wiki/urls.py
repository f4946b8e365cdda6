"""URLs of pages, as every layer builds them (titles use underscores for spaces)."""

from flask import url_for


def page_url(title: str, endpoint: str = "pages.view", **values) -> str:
    """Return the URL of a page-level view for a display title."""
    return url_for(endpoint, title=title.replace(" ", "_"), **values)


def profile_url(username: str, **values) -> str:
    """Return the URL of a person's profile."""
    return url_for("community.profile", name=username, **values)
