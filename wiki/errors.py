"""Friendly error pages for every error status."""

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

TITLES = {
    400: lambda: _("Bad request"),
    401: lambda: _("Please log in"),
    403: lambda: _("Not allowed"),
    404: lambda: _("Not found"),
    405: lambda: _("Method not allowed"),
    409: lambda: _("Edit conflict"),
    413: lambda: _("Too large"),
    429: lambda: _("Too many requests"),
    500: lambda: _("Something went wrong"),
}


def _message(error: HTTPException) -> str:
    """Return the message for a person: the specific one if given, else a general one."""
    if error.code == 413:
        return _("What you sent is too large for this wiki.")
    if error.code == 400 and error.description == type(error).description:
        return _("The request was damaged or incomplete. Go back, reload the page and try again.")
    if error.code == 403 and error.description == type(error).description:
        return _("You are not allowed to do this.")
    if error.code == 500 or error.description == type(error).description:
        return {
            404: _("There is nothing at this address."),
            405: _("This address does not accept that kind of request."),
            500: _("The wiki hit an unexpected problem. Nothing you saved was lost; try again."),
        }.get(error.code, _("The request could not be handled."))
    return error.description


def _editor_with_text_kept(message: str):
    """Return the editor showing the posted text and the message, for a refused save; else
    None (also when the address itself is invalid, so there is no editor to show)."""
    if request.endpoint != "pages.edit" or request.method != "POST":
        return None
    from .pages.views import resubmit_after_csrf_failure

    try:
        page, _status = resubmit_after_csrf_failure(message)
    except HTTPException:
        return None
    return page


def register(app: Flask) -> None:
    """Answer errors with a page that explains them and keeps the navigation."""

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        message = _(
            "Your session expired or the form was sent from elsewhere. Go back, reload the "
            "page and send the form again."
        )
        kept = _editor_with_text_kept(message)
        if kept is not None:
            return kept, 400
        if request.path.startswith("/api/"):
            return jsonify(
                error={"status": 400, "title": _("Bad request"), "message": message}
            ), 400
        return render_template(
            "error.html", code=400, title=_("Bad request"), message=message
        ), 400

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        code = error.code or 500
        title = TITLES.get(code, lambda: error.name)()
        headers = {}
        if code == 405 and getattr(error, "valid_methods", None):
            headers["Allow"] = ", ".join(error.valid_methods)
        if code == 429:
            from .safety.limits import retry_after

            seconds = getattr(error, "retry_after", None) or retry_after()
            headers["Retry-After"] = str(seconds)
            message = _(
                "You are doing this too often. Wait %(seconds)s seconds, then try again.",
                seconds=seconds,
            )
            kept = _editor_with_text_kept(message)
            if kept is not None:
                return kept, 429, headers
        else:
            message = _message(error)
        if request.path.startswith("/api/"):
            body = {"error": {"status": code, "title": title, "message": message}}
            return jsonify(body), code, headers
        return (
            render_template("error.html", code=code, title=title, message=message),
            code,
            headers,
        )

    @app.errorhandler(InternalServerError)
    def server_error(error: InternalServerError):
        return http_error(error)
