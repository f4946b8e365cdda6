"""Search: the results page and title suggestions for the search box."""

from flask import Blueprint, jsonify, redirect, render_template, request
from flask_babel import get_locale
from flask_login import current_user

from ..access.permissions import edit_refusal
from ..core.titles import TitleError, canonical_namespace, parse_title
from ..i18n.locales import default_locale
from ..urls import page_url
from ..web import flag_arg, page_arg
from . import service
from .text import MAX_QUERY_LENGTH, plain_words

bp = Blueprint("search", __name__)


@bp.get("/search")
def search():
    """Go to the page with exactly this title, or list the pages that match, best first."""
    query = request.args.get("q", "").strip()[:MAX_QUERY_LENGTH]
    exact = service.exact_page(query) if query else None
    if exact is not None and not request.args.get("fulltext"):
        return redirect(page_url(exact.title))
    # A title to offer is the words as typed without quotes, and none if the query excludes
    # words or gives alternatives: "webinar OR bakery" is a search, not a page to make.
    title = plain_words(query)
    if exact is None and title and title != query:
        exact = service.exact_page(title)
    reader = (str(get_locale()), default_locale())
    results = service.search(query, page=page_arg(), talk=flag_arg("talk"), lang=reader)
    new_title, log_in_first = _creatable(title) if exact is None else (None, False)
    nothing = results.query and not results.hits and results.page == 1
    respelling = service.did_you_mean(query, talk=results.talk) if nothing else None
    return render_template(
        "search/results.html",
        results=results,
        respelling=respelling,
        exact=exact,
        new_title=new_title,
        log_in_first=log_in_first,
    )


def _creatable(query: str) -> tuple[str | None, bool]:
    """Return the title the person could create from the query (None if they could not),
    and whether they must log in first."""
    if not query:
        return None, False
    try:
        title = parse_title(canonical_namespace(query))
    except TitleError:
        return None, False
    refusal = edit_refusal(current_user, title)
    if refusal is None:
        return title.display, False
    return (title.display, True) if refusal.needs_login else (None, False)


@bp.get("/search/suggest")
def suggest():
    """Return up to eight titles for what is typed in the search box, as a JSON list."""
    response = jsonify(service.suggest(request.args.get("q", "")))
    response.cache_control.max_age = 30
    return response
