"""Webhooks for administrators: add, change, test, watch deliveries, re-send."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..access import permissions
from ..problems import NotAllowed, UserError
from ..web import flag_arg, user_message
from . import webhooks

bp = Blueprint("webhooks", __name__, url_prefix="/admin/webhooks")


@bp.before_request
def admins_only():
    """Let only administrators in (asking a visitor to log in first)."""
    if not permissions.is_admin(current_user):
        raise NotAllowed(
            _("Only administrators can do this."), needs_login=not current_user.is_authenticated
        )


def _settings() -> webhooks.Settings:
    """Return the webhook form as typed."""
    return webhooks.Settings(
        url=request.form.get("url", ""),
        events=request.form.getlist("events"),
        description=request.form.get("description", ""),
        active=flag_arg("active", form=True),
        allow_private=flag_arg("allow_private", form=True),
    )


@bp.route("", methods=["GET", "POST"])
def list_webhooks():
    """List the webhooks; on POST add one."""
    if request.method == "POST":
        settings = _settings()
        try:
            hook = webhooks.create_webhook(current_user, settings)
        except UserError as error:
            return _list(settings, error), error.status
        flash(_("The webhook is added. Its secret signs every delivery."), "success")
        return redirect(url_for("webhooks.show", hook_id=hook.id))
    return _list()


def _list(settings=None, error: UserError | None = None):
    return render_template(
        "api/webhooks.html",
        hooks=webhooks.webhooks(current_user),
        choices=webhooks.event_choices(),
        form=settings or webhooks.Settings("", ["page.saved"]),
        error=user_message(error) if error else None,
        field=error.field if error else None,
    )


@bp.route("/<int:hook_id>", methods=["GET", "POST"])
def show(hook_id: int):
    """Show a webhook and its latest deliveries; on POST save its settings."""
    hook = webhooks.webhook(current_user, hook_id)
    settings, error = None, None
    if request.method == "POST":
        settings = _settings()
        try:
            webhooks.update_webhook(current_user, hook_id, settings)
        except UserError as refused:
            error = refused
        else:
            flash(_("The webhook is saved."), "success")
            return redirect(url_for("webhooks.show", hook_id=hook_id))
    page = render_template(
        "api/webhook.html",
        hook=hook,
        deliveries=webhooks.deliveries(hook),
        choices=webhooks.event_choices(),
        form=settings
        or webhooks.Settings(
            hook.url, hook.event_list, hook.description, hook.active, hook.allow_private
        ),
        error=user_message(error) if error else None,
        field=error.field if error else None,
    )
    return (page, error.status) if error else page


@bp.post("/<int:hook_id>/<any(ping, secret, delete):action>")
def act(hook_id: int, action: str):
    """Send a test event, make a new secret, or delete the webhook."""
    if action == "ping":
        webhooks.ping(current_user, hook_id)
        flash(_("A ping event is on its way; its delivery shows below."), "success")
    elif action == "secret":
        webhooks.rotate_secret(current_user, hook_id)
        flash(_("The webhook has a new secret: update the receiver."), "success")
    else:
        webhooks.delete_webhook(current_user, hook_id)
        flash(_("The webhook is deleted."), "success")
        return redirect(url_for("webhooks.list_webhooks"))
    return redirect(url_for("webhooks.show", hook_id=hook_id))


@bp.post("/deliveries/<int:delivery_id>/redeliver")
def redeliver(delivery_id: int):
    """Send a delivery again."""
    row = webhooks.redeliver(current_user, delivery_id)
    flash(_("The delivery will be sent again."), "success")
    return redirect(url_for("webhooks.show", hook_id=row.webhook_id))
