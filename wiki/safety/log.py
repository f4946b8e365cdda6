"""Reading the moderation log: filtered, paged, and limited to what the reader may see."""

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select

from .. import summaries
from ..access.permissions import is_moderator
from ..access.policy import CHOICES, current_policy
from ..core.titles import N_
from ..extensions import db
from ..identity import user_key
from ..models import User
from ..modlog import LogEntry
from ..problems import NotAllowed

#: Actions and their labels; the filter offers these.
ACTIONS = {
    "protect": N_("Protection"),
    "unprotect": N_("Protection lifted"),
    "block": N_("Account blocked"),
    "unblock": N_("Block lifted"),
    "role": N_("Role change"),
    "approve": N_("Approval"),
    "unapprove": N_("Approval withdrawn"),
    "hide": N_("Comment hidden"),
    "unhide": N_("Comment shown again"),
    "lock": N_("Topic locked"),
    "unlock": N_("Topic unlocked"),
    "reanchor": N_("Thread anchored to another passage"),
    "rollback": N_("Rollback"),
    "delete": N_("Page deleted"),
    "undelete": N_("Page restored"),
    "move": N_("Page moved"),
    "upload": N_("File uploaded"),
    "revert_file": N_("File reverted"),
    "policy": N_("Site policy"),
    "accept": N_("Changes accepted"),
    "reject": N_("Changes rejected"),
    "schedule": N_("Publication scheduled"),
    "review_policy": N_("Review policy of a page"),
    "invite": N_("Invitation"),
    "invite_withdrawn": N_("Invitation withdrawn"),
    "reset_link": N_("Password reset link"),
    "webhook": N_("Webhook"),
}
#: Only moderators see these, whatever the policy: they concern one person's account.
STAFF_ONLY = {"invite", "invite_withdrawn", "reset_link", "approve", "unapprove", "webhook"}
#: What was done to a webhook, as the log says it.
WEBHOOK_CHANGES = {
    "added": N_("added"),
    "changed": N_("changed"),
    "secret": N_("given a new secret"),
    "removed": N_("removed"),
}


@dataclass
class LogPage:
    """One page of the log."""

    entries: list[LogEntry]
    older: int | None


def reason_text(entry: LogEntry, facts: dict) -> str:
    """Return an entry's reason in the reader's language when the wiki wrote it (a file
    reverted: its revision's system summary), else as it was typed."""
    return summaries.display(entry.reason, facts.get("summary_key"), facts.get("summary_args"))


def actions_for(reader: User | None) -> dict[str, str]:
    """Return the actions this reader may filter the log by."""
    if is_moderator(reader):
        return ACTIONS
    return {name: label for name, label in ACTIONS.items() if name not in STAFF_ONLY}


def can_read_log(user: User | None) -> bool:
    """Return whether this person may read the log at all."""
    policy = current_policy().log
    if is_moderator(user):
        return True
    if policy == "everyone":
        return True
    return policy == "users" and user is not None and user.is_authenticated


def read_log(
    reader: User | None,
    *,
    action: str = "",
    actor: str = "",
    target: str = "",
    before: int | None = None,
    limit: int = 50,
) -> LogPage:
    """Return log entries, newest first, that match the filters and the reader may see."""
    if not can_read_log(reader):
        raise NotAllowed(N_("The moderation log is only shown to moderators on this wiki."))
    statement = select(LogEntry)
    if action:
        statement = statement.where(LogEntry.action == action)
    if not is_moderator(reader):
        statement = statement.where(LogEntry.action.not_in(STAFF_ONLY))
    if actor.strip():
        statement = statement.join(User, LogEntry.actor_id == User.id).where(
            User.key == user_key(actor.strip()[:64])
        )
    if target.strip():
        escaped = (
            target.strip()[:200].replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        )
        statement = statement.where(LogEntry.target.ilike(f"%{escaped}%", escape="\\"))
    if before is not None:
        statement = statement.where(LogEntry.id < before)
    entries = list(db.session.scalars(statement.order_by(LogEntry.id.desc()).limit(limit + 1)))
    older = entries[limit - 1].id if len(entries) > limit else None
    return LogPage(entries[:limit], older)


#: What the log calls each setting an administrator changes (site_setting names).
SETTING_LABELS = {
    "read": N_("Who may read"),
    "edit": N_("Who may edit"),
    "register": N_("Who may create an account"),
    "log": N_("Who may read the moderation log"),
    "two_factor": N_("Two-factor authentication"),
    "review": N_("Review of edits before the public sees them"),
    "review_newcomer_edits": N_("A newcomer has fewer accepted edits than"),
    "review_newcomer_days": N_("or an account younger than this many days"),
    "review_waiting_shown": N_("Who sees changes while they wait for review"),
    "site_name": N_("Site name"),
    "site_tagline": N_("Tagline"),
    "main_page": N_("Main page"),
    "site_logo": N_("Logo"),
    "site_logo_sha": N_("Logo version"),
}


@dataclass(frozen=True)
class SettingChange:
    """A setting's change as the log shows it: its name and values in words."""

    label: str
    old: str
    new: str


def setting_change(facts: dict) -> SettingChange:
    """Return a logged setting change in the reader's language (the settings screens'
    words), not the stored names and values ("read users → everyone")."""
    from ..review.settings import POLICIES, WAITING_SHOWN

    name = facts.get("setting", "")
    review_choices = {"review": POLICIES, "review_waiting_shown": WAITING_SHOWN}
    choices = CHOICES[name][1] if name in CHOICES else review_choices.get(name, {})

    def shown(value) -> str:
        value = "" if value is None else str(value)
        if value in choices:
            return _(choices[value])
        if name == "site_logo_sha":
            return value[:12]  # a content hash: its start tells versions apart
        return value or _("(none)")

    label = _(SETTING_LABELS[name]) if name in SETTING_LABELS else name
    return SettingChange(label, shown(facts.get("old")), shown(facts.get("new")))
