"""Administration: site policy, people (role, approval, blocks, reset links), invitations."""

from dataclasses import replace

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from .. import site
from ..access import permissions, policy
from ..core.titles import parse_title
from ..files import logo as site_logo
from ..models import Role, utcnow
from ..pages import service as pages
from ..problems import BadRequest, NotAllowed, UserError
from ..review import publishing as review_publishing
from ..review import settings as review_settings
from ..web import user_message
from . import accounts, protection
from .durations import DURATIONS

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
def admins_only():
    """Let only administrators into /admin (asking a visitor to log in first)."""
    if not permissions.is_admin(current_user):
        raise NotAllowed(
            _("Only administrators can do this."), needs_login=not current_user.is_authenticated
        )


@bp.get("")
def home():
    """Send /admin, where people guess the administration starts, to its first tab."""
    return redirect(url_for("admin.users"))


@bp.route("/settings", methods=["GET", "POST"])
def settings():
    """Show and change who may read, edit and register, and who sees the log."""
    if request.method == "POST":
        # A setting the form does not send keeps its value (a form from before it existed).
        chosen = {name: request.form[name] for name in policy.CHOICES if name in request.form}
        try:
            review = _review_form()
        except UserError as error:
            # Shown again as sent: a choice must not flip back to the saved one unnoticed.
            shown = replace(policy.current_policy(), **chosen)
            page = _settings_page(
                error=user_message(error), review_form=request.form, policy=shown
            )
            return page, error.status
        policy.save_policy(current_user, **chosen)
        if review is not None:
            review_settings.save_settings(current_user, *review)
        flash(_("The site policy is saved."), "success")
        return redirect(url_for("admin.settings"))
    return _settings_page()


@bp.route("/site", methods=["GET", "POST"])
def site_identity():
    """Show and change the site's name, tagline, main page and logo."""
    if request.method == "POST":
        fields = {field: request.form.get(field, "") for field in site.FORM}
        chosen, problems = site.check(fields)
        logo, sha256, problem = site_logo.check_logo(fields["logo"])
        before = site.current_site()
        if problem is not None and logo == before.logo and before.logo_sha:
            # The logo's file is gone since it was chosen: the version chosen stays, and a
            # change of something else is not refused for it.
            sha256, problem = before.logo_sha, None
        chosen = replace(chosen, logo=logo, logo_sha=sha256)
        if problem is not None:
            problems["logo"] = problem
        if problems:
            messages = {field: user_message(problem) for field, problem in problems.items()}
            return _site_page(fields, messages), 400
        site.save_site(current_user, chosen)
        flash(_("The site's name, tagline, main page and logo are saved."), "success")
        main = pages.get_page(parse_title(chosen.main_page))
        if main is None or main.deleted or main.published_revision_id is None:
            flash(
                _(
                    "There is no page “%(title)s” yet: until someone writes it, the site’s "
                    "address leads to an invitation to write it.",
                    title=chosen.main_page,
                ),
                "info",
            )
        return redirect(url_for("admin.site_identity"))
    shown = site.current_site()
    form = {field: getattr(shown, field) for field in site.FORM}
    if request.args.get("file"):  # back from uploading it: filled in, saved by Save
        form["logo"] = request.args["file"][:255]
    return _site_page(form, {})


def _site_page(form: dict[str, str], problems: dict[str, str]):
    """Render the site's name and logo form (noting a newer version of the logo's file)."""
    shown = site.current_site()
    newer = shown.logo and site_logo.published_version(shown.logo) not in ("", shown.logo_sha)
    return render_template(
        "safety/site.html",
        form=form,
        problems=problems,
        newer_logo=newer,
        pictures=site_logo.offered_pictures(),
    )


def _review_form() -> tuple[str, int, int, str | None] | None:
    """Return the review settings posted (None if the form has none), or raise BadRequest."""
    if "review" not in request.form:
        return None
    thresholds, problems = [], []
    for field, label in (
        ("review_newcomer_edits", _("Accepted edits")),
        ("review_newcomer_days", _("Days")),
    ):
        try:
            thresholds.append(review_settings.parse_threshold(request.form.get(field), label))
        except UserError as problem:
            problems.append(user_message(problem))
    if problems:  # every one at once, as the registration form does
        raise BadRequest(" ".join(problems))
    return request.form["review"], *thresholds, request.form.get("review_waiting_shown")


def _settings_page(**extra):
    """Render the site policy form."""
    extra.setdefault("policy", policy.current_policy())
    return render_template(
        "safety/settings.html",
        choices=policy.CHOICES,
        review=review_settings.current_settings(),
        review_policies=review_settings.POLICIES,
        waiting_shown=review_settings.WAITING_SHOWN,
        **extra,
    )


@bp.get("/users")
def users():
    """List people by name, optionally only the blocked, waiting or those with a role."""
    query = request.args.get("q", "").strip()[:64]
    show = request.args.get("show", "all")
    if show not in (
        "all",
        "blocked",
        "waiting",
        "reader",
        "editor",
        "reviewer",
        "moderator",
        "admin",
    ):
        raise BadRequest(_("Choose what to show from the list."))
    listing = accounts.search_users(query, show=show, after=request.args.get("after") or None)
    return render_template("safety/users.html", listing=listing, query=query, show=show)


def _user_page(user, **extra):
    """Render one person's management page."""
    return render_template(
        "safety/user.html",
        user=user,
        roles=accounts.ROLE_NAMES,
        durations=DURATIONS,
        block=permissions.active_block(user),
        blocks=accounts.blocks_of(user),
        approved=permissions.is_approved(user),
        review=review_publishing.standing(user),
        **extra,
    )


@bp.get("/users/<name>")
def user(name: str):
    """Show one person: role, approval, blocks, and the forms to change them."""
    return _user_page(accounts.get_user(name))


def _act(name: str, action, done: str):
    """Run an action on a person, then show their page again with what happened."""
    found = accounts.get_user(name)
    try:
        action(found)
    except UserError as error:
        return _user_page(found, error=user_message(error)), error.status
    flash(done, "success")
    return redirect(url_for("admin.user", name=found.username))


@bp.post("/users/<name>/role")
def set_role(name: str):
    """Give a person another role."""
    return _act(
        name,
        lambda found: accounts.set_role(
            current_user, found, request.form.get("role", ""), request.form.get("reason", "")
        ),
        _("The role is changed."),
    )


@bp.post("/users/<name>/approve")
def approve(name: str):
    """Approve a person to edit (or withdraw the approval)."""
    approved = request.form.get("approved", "1") != "0"
    return _act(
        name,
        lambda found: accounts.approve(current_user, found, approved),
        _("The account is approved.") if approved else _("The approval is withdrawn."),
    )


@bp.post("/users/<name>/block")
def block(name: str):
    """Block a person from editing and commenting."""
    return _act(
        name,
        lambda found: accounts.block_user(
            current_user, found, request.form.get("reason", ""), request.form.get("duration", "")
        ),
        _("The account is blocked."),
    )


@bp.post("/blocks/<int(max=2147483647):block_id>/lift")
def unblock(block_id: int):
    """Lift a block before it ends."""
    lifted = accounts.unblock(current_user, block_id, request.form.get("reason", ""))
    flash(_("The block is lifted."), "success")
    if lifted.user is not None:
        return redirect(url_for("admin.user", name=lifted.user.username))
    return redirect(url_for("admin.blocks"))


@bp.post("/users/<name>/reset-link")
def reset_link(name: str):
    """Make a one-time link for a person to set a new password, and show it once."""
    found = accounts.get_user(name)
    token = accounts.issue_reset_link(current_user, found)
    link = url_for("safety.reset_password", token=token, _external=True)
    return _user_page(found, reset_link=link)


@bp.route("/blocks", methods=["GET", "POST"])
def blocks():
    """List the blocks in force; block anonymous editing from an address range."""
    form = {key: request.form.get(key, "") for key in ("address", "reason", "duration")}
    error = None
    if request.method == "POST":
        try:
            accounts.block_address(current_user, form["address"], form["reason"], form["duration"])
        except UserError as refused:
            error = user_message(refused)
        else:
            flash(_("Anonymous editing from this address range is blocked."), "success")
            return redirect(url_for("admin.blocks"))
    page = render_template(
        "safety/blocks.html",
        blocks=accounts.active_blocks(),
        protected=protection.protected_pages(),
        durations=DURATIONS,
        form=form,
        error=error,
    )
    return (page, 400) if error else page


@bp.route("/invites", methods=["GET", "POST"])
def invites():
    """List invitations and make a new one (shown once)."""
    link = None
    if request.method == "POST":
        token = accounts.create_invite(current_user, request.form.get("note", ""))
        link = url_for("people.register", invite=token, _external=True)
    return render_template(
        "safety/invites.html",
        invites=accounts.invites(),
        link=link,
        role_admin=Role.ADMIN,
        now=utcnow(),
    )


@bp.post("/invites/<int:invite_id>/withdraw")
def withdraw_invite(invite_id: int):
    """End an unused invitation at once."""
    invite = accounts.withdraw_invite(current_user, invite_id)
    flash(_("The invitation no longer works."), "success")
    return redirect(url_for("admin.invites", _anchor=f"invite-{invite.id}"))
