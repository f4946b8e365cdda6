"""Who an API request acts as: a personal access token, or the session of the site's pages.

A token request needs no CSRF token (it carries no cookie a page could forge); a request
with the session cookie is checked for one, exactly as the forms are. Tokens work only
under /api/: a stolen token opens no HTML form.
"""

import hashlib
import json

from flask import Response, current_app, g, request
from flask_babel import gettext as _
from flask_login import current_user

from ..core.titles import N_
from ..errors import error_response
from ..extensions import csrf, login_manager
from ..models import User
from . import tokens
from .serialise import when
from .tokens import Unauthorized

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
TOKEN_NEEDED = N_(
    "Send a personal access token as `Authorization: Bearer <token>` (make one in your "
    "preferences) to change anything through the API."
)


def load_from_header(req) -> User | None:
    """Return the owner of the request's bearer token (Flask-Login's request loader)."""
    header = req.headers.get("Authorization", "")
    if not header or not req.path.startswith("/api/"):
        return None
    try:
        token = tokens.authenticate(tokens.bearer(header))
    except Unauthorized:
        return None
    if token is None or token.user is None:
        return None
    g.api_token = token
    return token.user


def authenticate() -> None:
    """Settle who the request acts as, before any API view runs."""
    header = request.headers.get("Authorization", "")
    if header:
        token = g.get("api_token") or tokens.authenticate(tokens.bearer(header))
        if token is None:
            raise Unauthorized(tokens.INVALID)
        # The token decides, even if a session cookie came along.
        g.api_token, g._login_user = token, token.user
        tokens.touch(token)
        return
    if request.method in SAFE_METHODS:
        return
    if not current_user.is_authenticated:
        raise Unauthorized(TOKEN_NEEDED)
    csrf.protect()  # a CSRFError is answered 400, as for the forms


def require(scope: str) -> None:
    """Refuse the request if its token lacks the scope."""
    tokens.require_scope(g.get("api_token"), scope)


def whoami() -> dict:
    """Return who the request acts as, and with which scopes."""
    token = g.get("api_token")
    if not current_user.is_authenticated:
        return {"user": None, "role": None, "token": None, "scopes": ["read"], "expires_at": None}
    return {
        "user": current_user.username,
        "role": current_user.role_name,
        "token": token.name if token else None,
        "scopes": token.scope_list if token else list(tokens.SCOPES),
        # A tool can warn its owner before the token stops working.
        "expires_at": when(token.expires_at) if token else None,
    }


def conditional(body: dict, etag: str | None = None) -> Response:
    """Answer with JSON and an ETag; 304 when the client's copy is still current."""
    data = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
    if etag is None:
        etag = '"' + hashlib.sha256(data.encode()).hexdigest()[:32] + '"'
    response = current_app.response_class(data, mimetype="application/json")
    response.headers["ETag"] = etag
    if etag in {tag.strip() for tag in request.headers.get("If-None-Match", "").split(",")}:
        response.status_code = 304
        response.set_data(b"")
    return response


def problem(status: int, error, **extra) -> tuple:
    """Answer a refusal as a problem document with extra members."""
    body, code, headers = error_response(status, _message(error))
    document = json.loads(body) | extra
    return json.dumps(document), code, headers


def _message(error) -> str:
    """Return a refusal's message for a person, translated."""
    return _(error.message, **error.params)


def register() -> None:
    """Let bearer tokens authenticate API requests."""
    login_manager.request_loader(load_from_header)
