"""Site policy: who may read, edit and register, and who sees the moderation log.

Each setting is stored in the database once an administrator chooses it; until then the
configuration's default applies (READ_POLICY, EDIT_POLICY, REGISTER_POLICY, LOG_POLICY,
TWO_FACTOR_POLICY).
"""

from dataclasses import dataclass

from flask import current_app, g, has_request_context
from sqlalchemy import select

from .. import modlog
from ..core.titles import N_
from ..database import write_transaction
from ..extensions import db
from ..memo import RULES, content_changed, until_changed
from ..models import User, utcnow
from ..problems import BadRequest
from .models import SiteSetting

#: Each setting: its config key and its choices, each with a label for the settings page.
CHOICES: dict[str, tuple[str, dict[str, str]]] = {
    "read": (
        "READ_POLICY",
        {"everyone": N_("Everyone"), "users": N_("Only logged-in users")},
    ),
    "edit": (
        "EDIT_POLICY",
        {
            "everyone": N_("Everyone, also visitors without an account (shown by masked address)"),
            "users": N_("Registered users"),
            "approved": N_("Registered users an administrator approved"),
        },
    ),
    "register": (
        "REGISTER_POLICY",
        {
            "open": N_("Anyone may create an account"),
            "invite": N_("Only with an invitation link from an administrator"),
            "closed": N_("Nobody: registration is closed"),
        },
    ),
    "two_factor": (
        "TWO_FACTOR_POLICY",
        {
            "optional": N_("Everyone chooses for themself"),
            "staff": N_("Required for moderators and administrators, asked for when they log in"),
        },
    ),
    "log": (
        "LOG_POLICY",
        {
            "everyone": N_("Everyone"),
            "users": N_("Logged-in users"),
            "moderators": N_("Only moderators and administrators"),
        },
    ),
}


@dataclass(frozen=True)
class Policy:
    """The site policy in force."""

    read: str
    edit: str
    register: str
    log: str
    #: Two-factor authentication: "optional", or required of moderators and admins ("staff").
    two_factor: str


def current_policy() -> Policy:
    """Return the policy in force, read once per request."""
    cached = g.get("site_policy") if has_request_context() else None
    if cached is not None:
        return cached
    if not has_request_context():
        return _stored_policy()
    # Saving the policy counts as a content change: every process reads it again.
    g.site_policy = until_changed("policy", None, _stored_policy, RULES)
    return g.site_policy


def _stored_policy() -> Policy:
    stored = {row.name: row.value for row in db.session.scalars(select(SiteSetting))}
    values = {}
    for name, (config_key, choices) in CHOICES.items():
        value = stored.get(name, current_app.config.get(config_key))
        values[name] = value if value in choices else next(iter(choices))
    return Policy(**values)


def save_policy(admin: User, **values: str) -> Policy:
    """Store the settings an administrator chose and log each change."""
    for name, value in values.items():
        if name not in CHOICES or value not in CHOICES[name][1]:
            raise BadRequest(N_("That is not one of the choices."))
    before = current_policy()
    with write_transaction() as session:
        for name, value in values.items():
            if getattr(before, name) == value and session.get(SiteSetting, name) is not None:
                continue
            row = session.get(SiteSetting, name) or SiteSetting(name=name)
            row.value, row.updated_at, row.updated_by_id = value, utcnow(), admin.id
            session.add(row)
            content_changed()
            if getattr(before, name) != value:
                modlog.record(
                    "policy",
                    admin,
                    target=name,
                    setting=name,
                    old=getattr(before, name),
                    new=value,
                )
    g.pop("site_policy", None)
    return current_policy()
