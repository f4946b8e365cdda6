"""Search: the results page, title suggestions for the search box, `flask reindex`."""

import click
from flask import Blueprint, jsonify, redirect, render_template, request
from flask_login import current_user

from ..core.titles import TitleError, parse_title
from ..pages.service import can_edit
from ..templating import page_url
from . import service
from .text import MAX_QUERY_LENGTH

bp = Blueprint("search", __name__, cli_group=None)


def _page_number() -> int:
    """Return the `page` argument as a number from 1, or 1."""
    raw = request.args.get("page", "1")
    return int(raw) if raw.isdigit() and len(raw) < 4 else 1


@bp.get("/search")
def search():
    """Go to the page with exactly this title, or list the pages that match, best first."""
    query = request.args.get("q", "").strip()[:MAX_QUERY_LENGTH]
    exact = service.exact_page(query) if query else None
    if exact is not None and not request.args.get("fulltext"):
        return redirect(page_url(exact.title))
    results = service.search(query, page=_page_number(), talk=request.args.get("talk") == "1")
    return render_template(
        "search/results.html",
        results=results,
        exact=exact,
        new_title=_creatable(query) if exact is None else None,
    )


def _creatable(query: str) -> str | None:
    """Return the title the person could create from the query, if they may edit."""
    if not query or not can_edit(current_user):
        return None
    try:
        return parse_title(query).display
    except TitleError:
        return None


@bp.get("/search/suggest")
def suggest():
    """Return up to eight titles for what is typed in the search box, as a JSON list."""
    response = jsonify(service.suggest(request.args.get("q", "")))
    response.cache_control.max_age = 30
    return response


@bp.cli.command("reindex")
def reindex() -> None:
    """Rebuild the search index, redirects and categories from every page's current text."""
    from ..organise import facts
    from . import index

    facts.rebuild(click.echo)
    pages, comments = index.rebuild(click.echo)
    click.echo(f"Search index rebuilt: {pages} pages, {comments} talk comments.")
