"""Administration: site policy, people (role, approval, blocks, reset links), invitations."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..models import Role
from . import accounts, policy, protection
from .durations import DURATIONS
from .errors import SafetyError
from .views import bp, login_first, refuse


@bp.before_request
def admins_only():
    """Let only administrators into /admin."""
    if not request.path.startswith("/admin"):
        return None
    if not current_user.is_authenticated:
        return login_first()
    if not accounts.is_admin(current_user):
        abort(403, description=_("Only administrators can do this."))
    return None


@bp.route("/admin/settings", methods=["GET", "POST"])
def settings():
    """Show and change who may read, edit and register, and who sees the log."""
    if request.method == "POST":
        chosen = {name: request.form.get(name, "") for name in policy.CHOICES}
        try:
            policy.save_policy(current_user, **chosen)
        except policy.PolicyError as error:
            abort(400, description=_(str(error)))
        flash(_("The site policy is saved."), "success")
        return redirect(url_for("safety.settings"))
    return render_template(
        "safety/settings.html", policy=policy.current_policy(), choices=policy.CHOICES
    )


@bp.get("/admin/users")
def users():
    """List people by name, optionally only the blocked, waiting or those with a role."""
    query = request.args.get("q", "").strip()[:64]
    show = request.args.get("show", "all")
    if show not in ("all", "blocked", "waiting", "reader", "editor", "moderator", "admin"):
        abort(400, description=_("Choose what to show from the list."))
    listing = accounts.search_users(query, show=show, after=request.args.get("after") or None)
    return render_template("safety/users.html", listing=listing, query=query, show=show)


def _user_page(user, **extra):
    """Render one person's management page."""
    from . import permissions

    return render_template(
        "safety/user.html",
        user=user,
        roles=accounts.ROLE_NAMES,
        durations=DURATIONS,
        block=permissions.active_block(user),
        blocks=accounts.blocks_of(user),
        approved=permissions.is_approved(user),
        **extra,
    )


@bp.get("/admin/users/<name>")
def user(name: str):
    """Show one person: role, approval, blocks, and the forms to change them."""
    try:
        found = accounts.get_user(name)
    except SafetyError as error:
        refuse(error)
    return _user_page(found)


def _act(name: str, action, done: str):
    """Run an action on a person, then show their page again with what happened."""
    try:
        found = accounts.get_user(name)
    except SafetyError as error:
        refuse(error)
    try:
        action(found)
    except SafetyError as error:
        return _user_page(found, error=_(error.message, **error.params)), error.status
    flash(done, "success")
    return redirect(url_for("safety.user", name=found.username))


@bp.post("/admin/users/<name>/role")
def set_role(name: str):
    """Give a person another role."""
    return _act(
        name,
        lambda found: accounts.set_role(
            current_user, found, request.form.get("role", ""), request.form.get("reason", "")
        ),
        _("The role is changed."),
    )


@bp.post("/admin/users/<name>/approve")
def approve(name: str):
    """Approve a person to edit (or withdraw the approval)."""
    approved = request.form.get("approved", "1") != "0"
    return _act(
        name,
        lambda found: accounts.approve(current_user, found, approved),
        _("The account is approved.") if approved else _("The approval is withdrawn."),
    )


@bp.post("/admin/users/<name>/block")
def block(name: str):
    """Block a person from editing and commenting."""
    return _act(
        name,
        lambda found: accounts.block_user(
            current_user, found, request.form.get("reason", ""), request.form.get("duration", "")
        ),
        _("The account is blocked."),
    )


@bp.post("/admin/blocks/<int(max=2147483647):block_id>/lift")
def unblock(block_id: int):
    """Lift a block before it ends."""
    try:
        lifted = accounts.unblock(current_user, block_id, request.form.get("reason", ""))
    except SafetyError as error:
        refuse(error)
    flash(_("The block is lifted."), "success")
    if lifted.user is not None:
        return redirect(url_for("safety.user", name=lifted.user.username))
    return redirect(url_for("safety.blocks"))


@bp.post("/admin/users/<name>/reset-link")
def reset_link(name: str):
    """Make a one-time link for a person to set a new password, and show it once."""
    try:
        found = accounts.get_user(name)
        token = accounts.issue_reset_link(current_user, found)
    except SafetyError as error:
        refuse(error)
    link = url_for("safety.reset_password", token=token, _external=True)
    return _user_page(found, reset_link=link)


@bp.route("/admin/blocks", methods=["GET", "POST"])
def blocks():
    """List the blocks in force; block anonymous editing from an address range."""
    form = {key: request.form.get(key, "") for key in ("address", "reason", "duration")}
    error = None
    if request.method == "POST":
        try:
            accounts.block_address(current_user, form["address"], form["reason"], form["duration"])
        except SafetyError as refused:
            error = _(refused.message, **refused.params)
        else:
            flash(_("Anonymous editing from this address range is blocked."), "success")
            return redirect(url_for("safety.blocks"))
    page = render_template(
        "safety/blocks.html",
        blocks=accounts.active_blocks(),
        protected=protection.protected_pages(),
        durations=DURATIONS,
        form=form,
        error=error,
    )
    return (page, 400) if error else page


@bp.route("/admin/invites", methods=["GET", "POST"])
def invites():
    """List invitations and make a new one (shown once)."""
    link = None
    if request.method == "POST":
        try:
            token = accounts.create_invite(current_user, request.form.get("note", ""))
        except SafetyError as error:
            refuse(error)
        link = url_for("people.register", invite=token, _external=True)
    return render_template(
        "safety/invites.html", invites=accounts.invites(), link=link, role_admin=Role.ADMIN
    )
