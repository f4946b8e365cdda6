"""Friendly error pages for every error status."""

from flask import Flask, render_template, request
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
    if error.code == 500 or error.description == type(error).description:
        return {
            404: _("There is nothing at this address."),
            405: _("This address does not accept that kind of request."),
            500: _("The wiki hit an unexpected problem. Nothing you saved was lost; try again."),
        }.get(error.code, _("The request could not be handled."))
    return error.description


def register(app: Flask) -> None:
    """Answer errors with a page that explains them and keeps the navigation."""

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        message = _(
            "Your session expired or the form was sent from elsewhere. Go back, reload the "
            "page and send the form again."
        )
        if request.endpoint == "pages.edit":
            from .pages.views import resubmit_after_csrf_failure

            return resubmit_after_csrf_failure(message)
        return render_template(
            "error.html", code=400, title=_("Bad request"), message=message
        ), 400

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        code = error.code or 500
        title = TITLES.get(code, lambda: error.name)()
        response = render_template("error.html", code=code, title=title, message=_message(error))
        return response, code

    @app.errorhandler(InternalServerError)
    def server_error(error: InternalServerError):
        return http_error(error)
