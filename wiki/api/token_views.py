"""Personal access tokens in one's preferences: make one (shown once), list, revoke."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..problems import NotAllowed, UserError
from ..web import user_message
from . import tokens

bp = Blueprint("tokens", __name__)


def _logged_in() -> None:
    if not current_user.is_authenticated:
        raise NotAllowed(_("Please log in to see this page."), needs_login=True)


def show(**extra):
    """Show the tokens page (with the new token, or what was typed after an error)."""
    return render_template(
        "api/tokens.html",
        tokens=tokens.active_tokens(current_user),
        scopes=tokens.SCOPES,
        **extra,
    )


@bp.route("/preferences/tokens", methods=["GET", "POST"])
def tokens_page():
    """List one's tokens; on POST make a new one and show it once."""
    _logged_in()
    if request.method == "GET":
        return show()
    name = request.form.get("token_name", "")
    scopes = request.form.getlist("scopes")
    expires = request.form.get("expires", tokens.DEFAULT_LIFETIME)
    try:
        days = tokens.parse_lifetime(expires)
        token, raw = tokens.create_token(current_user, name, scopes, days)
    except UserError as error:
        form = {"token_name": name, "scopes": scopes, "expires": expires}
        return show(token_error=user_message(error), token_form=form), error.status
    return show(new_token=raw, new_token_name=token.name)


@bp.post("/preferences/tokens/<int:token_id>/revoke")
def revoke(token_id: int):
    """Revoke one of one's tokens."""
    _logged_in()
    token = tokens.revoke_token(current_user, token_id)
    flash(_("The token “%(name)s” is revoked: it no longer works.", name=token.name), "success")
    return redirect(url_for("tokens.tokens_page"))
