"""The JSON API under /api/v1: pages, history, diffs, recent changes, search and talk.

Every answer is JSON; every refusal a problem document (RFC 9457, wiki/errors.py). A
request authenticates with `Authorization: Bearer <token>` (a personal access token) or,
from the site's own pages, with the session cookie and a CSRF token.
"""

from flask import Blueprint, g, jsonify, render_template, request, url_for
from flask_login import current_user

from .. import errors
from ..core.render import absolute_urls
from ..core.titles import N_
from ..extensions import csrf
from ..problems import BadRequest
from ..share.previews import absolute
from ..web import flag_arg, int_arg, title_or_400
from . import auth, cursors, openapi, reads, writes
from .idempotency import idempotent
from .tokens import Unauthorized

bp = Blueprint("api", __name__, url_prefix="/api/v1")
# Token requests carry no cookie to forge; requests with the session cookie are checked
# in authenticate() below, as the forms are.
csrf.exempt(bp)
bp.before_request(auth.authenticate)


@bp.errorhandler(Unauthorized)
def unauthorized(error: Unauthorized):
    """Answer 401 and say how to authenticate."""
    body, status, headers = errors.refusal_response(error)
    headers["WWW-Authenticate"] = 'Bearer realm="api"'
    return body, status, headers


@bp.errorhandler(writes.ConflictProblem)
def conflict(error: writes.ConflictProblem):
    """Answer 409 with the conflicting passages in the problem document."""
    return auth.problem(409, error, **error.extra)


def limit_arg() -> int:
    """Return the page size asked for, at most MAX_LIMIT."""
    limit = int_arg("limit", maximum=cursors.MAX_LIMIT)
    return limit or cursors.DEFAULT_LIMIT


def listing(found: reads.Listing):
    """Answer a list, with a Link header to the next part."""
    response = jsonify(found.as_dict())
    if found.next_cursor:
        args = request.args.to_dict() | {"cursor": found.next_cursor}
        following = url_for(request.endpoint, **(request.view_args or {}), **args, _external=True)
        response.headers["Link"] = f'<{following}>; rel="next"'
    return response


def json_body() -> dict:
    """Return the request's JSON object, or raise BadRequest."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise BadRequest(N_("Send a JSON object with Content-Type: application/json."))
    return data


@bp.get("/openapi.json")
def openapi_document():
    """Describe the API (OpenAPI 3.1)."""
    return jsonify(openapi.document())


@bp.get("/docs")
def docs():
    """Show the API's documentation for people."""
    return render_template("api/docs.html", spec=openapi.document())


@bp.get("/me")
def me():
    """Say who the request acts as, and with which scopes."""
    auth.require("read")
    return jsonify(auth.whoami())


@bp.get("/pages/<path:title>")
def get_page(title: str):
    """Return a page's current text, HTML and revision."""
    auth.require("read")
    stable = flag_arg("stable")
    body, revision = reads.page(title_or_400(title), current_user, stable=stable)
    if flag_arg("absolute_urls"):
        # For HTML shown on another site: its links and images lead back here.
        # The site's own paths on its address: SITE_URL's, else the request's.
        body = body | {"html": absolute_urls(body["html"], absolute("/"))}
        return auth.conditional(body, f'"{revision}-absolute"')
    return auth.conditional(body, f'"{revision}"')


@bp.put("/pages/<path:title>")
@idempotent
def put_page(title: str):
    """Create or edit a page; a stale base merges, a real conflict answers 409."""
    auth.require("edit")
    saved = writes.save(
        title_or_400(title),
        json_body(),
        request.headers.get("If-Match"),
        current_user,
        request.remote_addr or "",
    )
    response = jsonify(saved.body)
    response.status_code = 201 if saved.created else 200
    response.headers["ETag"] = f'"{saved.revision}"'
    if saved.created:
        response.headers["Location"] = saved.body["api_url"]
    return response


@bp.get("/pages/<path:title>/history")
def page_history(title: str):
    """List a page's revisions, newest first."""
    auth.require("read")
    found = reads.page_history(
        title_or_400(title), current_user, request.args.get("cursor"), limit_arg()
    )
    return listing(found)


@bp.get("/pages/<path:title>/diff")
def page_diff(title: str):
    """Return the difference between two revisions of a page (by default the last edit)."""
    auth.require("read")
    body = reads.diff(title_or_400(title), current_user, int_arg("from"), int_arg("to"))
    return auth.conditional(body)


@bp.get("/revisions/<int:revision_id>")
def get_revision(revision_id: int):
    """Return one revision with its text (revisions never change)."""
    auth.require("read")
    return auth.conditional(reads.revision(revision_id, current_user), f'"r{revision_id}"')


@bp.get("/recent")
def recent():
    """List recent edits and talk comments across the wiki, newest first."""
    auth.require("read")
    days = int_arg("days", maximum=3650) or 30
    return listing(reads.recent(current_user, request.args.get("cursor"), limit_arg(), days))


@bp.get("/search")
def search():
    """Search pages (and talk comments with talk=1)."""
    auth.require("read")
    query = request.args.get("q", "")
    talk_too = request.args.get("talk") in ("1", "true")
    return listing(reads.find(query, request.args.get("cursor"), talk_too))


@bp.get("/pages/<path:title>/talk")
def talk_topics(title: str):
    """List a page's talk topics, latest activity first."""
    auth.require("read")
    return listing(
        reads.topics(title_or_400(title), current_user, request.args.get("cursor"), limit_arg())
    )


@bp.post("/pages/<path:title>/talk")
@idempotent
def start_topic(title: str):
    """Start a topic on a page's talk page."""
    auth.require("talk")
    body = writes.start_topic(title_or_400(title), json_body(), current_user)
    response = jsonify(body)
    response.status_code = 201
    response.headers["Location"] = body["topic"]["url"]
    return response


@bp.get("/topics/<int:topic_id>")
def get_topic(topic_id: int):
    """Return a topic and its comments, oldest first."""
    auth.require("read")
    body = reads.topic(topic_id, current_user, request.args.get("cursor"), limit_arg())
    return auth.conditional(body)


@bp.post("/topics/<int:topic_id>/comments")
@idempotent
def post_comment(topic_id: int):
    """Post a comment in a topic."""
    auth.require("talk")
    body = writes.reply(topic_id, json_body(), current_user)
    response = jsonify(body)
    response.status_code = 201
    return response


@bp.after_request
def no_store(response):
    """API answers depend on who asks: never in a shared cache."""
    response.headers.setdefault("Cache-Control", "private, no-cache")
    if g.get("api_token") is not None:
        response.vary.add("Authorization")
    return response
