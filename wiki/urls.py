"""URLs of pages, as every layer builds them (titles use underscores for spaces)."""

from flask import request, url_for


def page_url(title: str, endpoint: str = "pages.view", **values) -> str:
    """Return the URL of a page-level view for a display title."""
    return url_for(endpoint, title=title.replace(" ", "_"), **values)


def profile_url(username: str, **values) -> str:
    """Return the URL of a person's profile."""
    return url_for("community.profile", name=username, **values)


def return_path() -> str:
    """Return this request's path, with its query string if it has one (to come back to
    after logging in: Flask's full_path ends with a bare "?" when there is none)."""
    return request.full_path if request.query_string else request.path
