"""One way to answer every error: a page that explains it, or a JSON problem document.

Refusals (wiki.problems.UserError), HTTP errors and unexpected failures all end here. The
database session is rolled back first: a failed statement leaves the transaction aborted
on PostgreSQL, and the error page must not fail in turn. Pages for server errors make no
query at all (g.bare_page): the database may be what failed.
"""

from flask import Flask, current_app, flash, g, json, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from .extensions import db
from .problems import NotAllowed, UserError
from .urls import return_path
from .web import wants_json

TITLES = {
    400: lambda: _("Bad request"),
    401: lambda: _("Please log in"),
    403: lambda: _("Not allowed"),
    404: lambda: _("Not found"),
    405: lambda: _("Method not allowed"),
    409: lambda: _("Conflict"),
    413: lambda: _("Too large"),
    415: lambda: _("File type not accepted"),
    422: lambda: _("Cannot be processed"),
    429: lambda: _("Too many requests"),
    500: lambda: _("Something went wrong"),
    503: lambda: _("Unavailable"),
    507: lambda: _("No room left"),
}
CSRF_MESSAGE = (
    "Your session expired or the form was sent from elsewhere. Go back, reload the page "
    "and send the form again."
)


def _title(code: int) -> str:
    """Return the heading for an error status."""
    return TITLES.get(code, lambda: _("The request could not be handled"))()


def _http_message(error: HTTPException) -> str:
    """Return the message for a person: the specific one if given, else a general one."""
    code = error.code or 500
    generic = error.description == type(error).description
    if code == 413:
        return _("What you sent is too large for this wiki.")
    if code == 500:
        return _("The wiki hit an unexpected problem. Nothing you saved was lost; try again.")
    if not generic:
        return error.description
    return {
        400: _("The request was damaged or incomplete. Go back, reload the page and try again."),
        403: _("You are not allowed to do this."),
        404: _("There is nothing at this address."),
        405: _("This address does not accept that kind of request."),
    }.get(code, _("The request could not be handled."))


def error_response(code: int, message: str, headers: dict | None = None):
    """Answer with an error page, or a problem document (RFC 9457) for the API and scripts."""
    _rollback()
    headers = dict(headers or {})
    if wants_json():
        body = {"type": "about:blank", "title": _title(code), "status": code, "detail": message}
        headers["Content-Type"] = "application/problem+json"
        return json.dumps(body), code, headers
    bare = code >= 500
    if bare:
        g.bare_page = True
    try:
        page = render_template("error.html", code=code, title=_title(code), message=message)
    except Exception:
        if bare:
            raise
        g.bare_page = True  # the page's header could not be drawn: show it without one
        page = render_template("error.html", code=code, title=_title(code), message=message)
    return page, code, headers


def _rollback() -> None:
    """End the failed transaction, so that nothing after it inherits an aborted one."""
    try:
        db.session.rollback()
    except Exception:  # the connection itself may be gone; the page must still be sent
        current_app.logger.exception("rollback after an error failed")


def refusal_response(error: UserError):
    """Answer a refused request: ask an anonymous person to log in, else explain."""
    message = _(error.message, **error.params)
    if isinstance(error, NotAllowed) and error.needs_login and not wants_json():
        _rollback()
        flash(message, "info")
        return redirect(url_for("people.login", next=return_path()))
    headers = {}
    if getattr(error, "retry_after", None):
        headers["Retry-After"] = str(error.retry_after)
    return error_response(error.status, message, headers)


def register(app: Flask) -> None:
    """Answer every error with a page that explains it and keeps the navigation."""

    @app.errorhandler(UserError)
    def user_error(error: UserError):
        return refusal_response(error)

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        return error_response(400, _(CSRF_MESSAGE))

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        code = error.code or 500
        headers = {}
        if code == 405 and getattr(error, "valid_methods", None):
            headers["Allow"] = ", ".join(error.valid_methods)
        return error_response(code, _http_message(error), headers)

    @app.errorhandler(InternalServerError)
    def server_error(error: InternalServerError):
        return http_error(error)
