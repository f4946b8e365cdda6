"""One's profile and preferences, feed keys, and unsubscribing from email without logging in."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ...extensions import csrf
from ...problems import NotAllowed, NotFound, UserError
from ...web import user_message
from ..credits.profiles import profile_of
from ..models import Kind
from . import mail, preferences

bp = Blueprint("preferences", __name__)


def page(choices=None, **extra):
    """Show the preferences form (with what was typed, after an error)."""
    profile = profile_of(current_user)
    saved = preferences.Choices(
        profile.display_name,
        profile.bio,
        profile.auto_watch,
        {str(kind): profile.delivery(kind) for kind in Kind},
    )
    return render_template(
        "community/preferences.html",
        profile=profile,
        form=choices or saved,
        kinds=list(Kind),
        email_on=mail.enabled(),
        **extra,
    )


@bp.route("/preferences", methods=["GET", "POST"], endpoint="preferences")
def preferences_form():
    """Show and save one's profile and preferences."""
    if not current_user.is_authenticated:
        raise NotAllowed(_("Please log in to see this page."), needs_login=True)
    if request.method == "GET":
        return page()
    form = request.form
    choices = preferences.Choices(
        display_name=form.get("display_name", ""),
        bio=form.get("bio", ""),
        auto_watch=form.get("auto_watch") in ("1", "on", "y"),
        delivery={str(kind): form.get(f"email_{kind}", "") for kind in Kind},
    )
    try:
        preferences.save(current_user, choices)
    except UserError as error:
        return page(choices, error=user_message(error), field=error.field), error.status
    flash(_("Your preferences are saved."), "success")
    return redirect(url_for("preferences.preferences"))


@bp.post("/preferences/feed-key")
def feed_key():
    """Make a new secret for one's feed URLs (shown once), or revoke it."""
    if not current_user.is_authenticated:
        raise NotAllowed(_("Please log in to see this page."))
    if request.form.get("action") == "revoke":
        preferences.revoke_feed_token(current_user)
        flash(_("Your feed key is revoked: feed addresses with it no longer work."), "success")
        return redirect(url_for("preferences.preferences", _anchor="feeds"))
    token = preferences.new_feed_token(current_user)
    return page(new_token=token)


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt  # the signed token is the authority; mail clients post here with no session
def unsubscribe(token: str):
    """Stop the emails an unsubscribe link covers; works without logging in."""
    found = mail.read_token(token)
    if found is None:
        raise NotFound(_("This unsubscribe link is not valid."))
    user, scope = found
    if request.method == "POST":
        mail.unsubscribe(user, scope)
        return render_template("community/unsubscribe.html", user=user, scope=scope, done=True)
    return render_template("community/unsubscribe.html", user=user, scope=scope, done=False)
