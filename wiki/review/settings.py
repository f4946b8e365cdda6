"""The review policy: the site's (an admin's choice, else the config default) and per page."""

from dataclasses import dataclass

from flask import current_app, g, has_request_context
from sqlalchemy import delete, select

from .. import modlog
from ..access.models import SiteSetting
from ..access.permissions import has_role
from ..core.numbers import parse_natural
from ..core.titles import N_, Title
from ..database import write_transaction
from ..extensions import db
from ..memo import RULES, content_changed, until_changed
from ..models import Page, Role, User, utcnow
from ..problems import BadRequest
from .models import PageReviewPolicy

#: Each policy and its label for the settings and protection screens.
POLICIES = {
    "off": N_("Off: every edit is published at once"),
    # Who is a newcomer is said where the policy is chosen: the site policy form has the
    # limits' fields, the protect page says their numbers.
    "newcomers": N_("Edits by visitors without an account and by newcomers wait for review"),
    "all": N_("Every edit waits for review, except those by reviewers"),
}
#: Who sees changes while they wait for review, and the label of each choice.
WAITING_SHOWN = {
    # As Wikipedia's pending changes: the public reads the published version.
    "members": N_("Everyone logged in sees them; visitors read the published version"),
    # A company opening its pages to customers may not want one customer's edit shown to
    # another before it is checked.
    "reviewers": N_("Only reviewers see them; each author sees their own"),
}
#: SiteSetting names → config keys.
_NAMES = {
    "review": "REVIEW_POLICY",
    "review_newcomer_edits": "REVIEW_NEWCOMER_EDITS",
    "review_newcomer_days": "REVIEW_NEWCOMER_DAYS",
    "review_waiting_shown": "REVIEW_WAITING_SHOWN",
}
MAX_THRESHOLD = 100_000


@dataclass(frozen=True)
class ReviewSettings:
    """The site's review policy and what makes someone a newcomer."""

    policy: str
    newcomer_edits: int
    newcomer_days: int
    #: Who sees changes waiting for review: a key of WAITING_SHOWN.
    waiting_shown: str = "members"


def current_settings() -> ReviewSettings:
    """Return the review settings in force, read once per request."""
    cached = g.get("review_settings") if has_request_context() else None
    if cached is not None:
        return cached
    # Saving them is a change of the base (wiki.memo): every process reads them again.
    settings = until_changed("review-settings", None, _stored_settings, RULES)
    if has_request_context():
        g.review_settings = settings
    return settings


def _stored_settings() -> ReviewSettings:
    """Return the review settings as stored (or configured, where nothing is stored)."""
    stored = dict(
        db.session.execute(
            select(SiteSetting.name, SiteSetting.value).where(SiteSetting.name.in_(_NAMES))
        ).all()
    )
    values = {name: stored.get(name, current_app.config[key]) for name, key in _NAMES.items()}
    policy = values["review"] if values["review"] in POLICIES else "off"
    shown = values["review_waiting_shown"]
    return ReviewSettings(
        policy=policy,
        newcomer_edits=_number(values["review_newcomer_edits"]),
        newcomer_days=_number(values["review_newcomer_days"]),
        # Anything else stored shows waiting changes to fewer people, not to more.
        waiting_shown=shown if shown == "members" else "reviewers",
    )


def _number(value) -> int:
    """Return a stored threshold as a number (0 if it is not one)."""
    try:
        return max(0, int(value))
    except (TypeError, ValueError):
        return 0


def parse_threshold(raw: str | None, label: str) -> int:
    """Return a threshold typed in the settings form, or raise BadRequest saying which."""
    number = parse_natural(raw, MAX_THRESHOLD)
    if number is None:
        raise BadRequest(
            N_("%(name)s must be a whole number from 0 to %(max)s."),
            name=label,
            max=MAX_THRESHOLD,
        )
    return number


def save_settings(
    admin: User,
    policy: str,
    newcomer_edits: int,
    newcomer_days: int,
    waiting_shown: str | None = None,
) -> None:
    """Store the review settings an administrator chose and log each change
    (waiting_shown None: as it was)."""
    before = current_settings()
    waiting_shown = waiting_shown or before.waiting_shown
    if policy not in POLICIES or waiting_shown not in WAITING_SHOWN:
        raise BadRequest(N_("That is not one of the choices."))
    chosen = {
        "review": policy,
        "review_newcomer_edits": str(newcomer_edits),
        "review_newcomer_days": str(newcomer_days),
        "review_waiting_shown": waiting_shown,
    }
    old = {
        "review": before.policy,
        "review_newcomer_edits": str(before.newcomer_edits),
        "review_newcomer_days": str(before.newcomer_days),
        "review_waiting_shown": before.waiting_shown,
    }
    with write_transaction() as session:
        for name, value in chosen.items():
            row = session.get(SiteSetting, name)
            if row is not None and row.value == value:
                continue
            row = row or SiteSetting(name=name)
            row.value, row.updated_at, row.updated_by_id = value, utcnow(), admin.id
            session.add(row)
            if old[name] != value:
                modlog.record("policy", admin, target=name, setting=name, old=old[name], new=value)
        content_changed()  # every process reads the settings again
    g.pop("review_settings", None)


def page_policy(key: str) -> str | None:
    """Return the review policy set for one page, or None if it follows the site's."""
    # Setting one is a change of the base (wiki.memo): every process reads it again.
    return until_changed("review-policy", key, lambda: _stored_page_policy(key), RULES)


def _stored_page_policy(key: str) -> str | None:
    return db.session.scalar(
        select(PageReviewPolicy.policy).where(PageReviewPolicy.page_key == key)
    )


def policy_for(key: str) -> str:
    """Return the review policy in force on the page with this title key."""
    return page_policy(key) or current_settings().policy


def set_page_policy(moderator: User, title: Title, policy: str) -> None:
    """Set one page's review policy ("" or "site": follow the site's); logged."""
    if policy not in POLICIES and policy not in ("", "site"):
        raise BadRequest(N_("That is not one of the choices."))
    before = page_policy(title.key)
    new = policy if policy in POLICIES else None
    if before == new:
        return
    with write_transaction() as session:
        session.execute(delete(PageReviewPolicy).where(PageReviewPolicy.page_key == title.key))
        if new is not None:
            session.add(PageReviewPolicy(page_key=title.key, policy=new, set_by_id=moderator.id))
        content_changed()  # every process reads the page's policy again
        page = session.scalar(select(Page).where(Page.key == title.key))
        modlog.record(
            "review_policy",
            moderator,
            page=page,
            target=title.display,
            old=before or "site",
            new=new or "site",
        )


def sees_every_waiting_change(viewer) -> bool:
    """Return whether a logged-in person sees every change waiting for review, as the
    site chose: everyone logged in, or reviewers only."""
    return current_settings().waiting_shown == "members" or has_role(viewer, Role.REVIEWER)
