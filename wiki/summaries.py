"""Revision summaries the wiki writes itself, kept as a message key with arguments.

A system summary (undo, restore, rollback, move, upload) is stored three ways on the revision:
the English text in `summary` (what older code, the API and the search read), and the key and
its arguments in `summary_key` / `summary_args`, so each reader sees it in their language.
Rows saved before keys existed have only the text, and show it as it is.
"""

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime

from flask_babel import format_datetime, gettext

from .core.titles import N_

#: Each key's message; the arguments fill its %(name)s places. Keys are stored: never rename.
MESSAGES: dict[str, str] = {
    "undo": N_("Undo revision %(id)s by %(name)s"),
    "restore": N_("%(user)s restored revision %(id)s (written by %(author)s)"),
    "restore-reason": N_("%(user)s restored revision %(id)s (written by %(author)s): %(reason)s"),
    "rollback": N_("Reverted edits by %(last)s to the last revision by %(previous)s"),
    "move": N_("Moved from %(old)s to %(new)s"),
    "move-reason": N_("Moved from %(old)s to %(new)s: %(reason)s"),
    "move-redirect": N_("Redirect follows the move of %(old)s to %(new)s"),
    # The redirect a move leaves at the old title: the move's words, a key of its own, so
    # lists of changes show the move once (MOVE_REDIRECT_KEYS).
    "move-left": N_("Moved from %(old)s to %(new)s"),
    "move-left-reason": N_("Moved from %(old)s to %(new)s: %(reason)s"),
    "upload": N_("Uploaded %(name)s"),
    "upload-comment": N_("Uploaded %(name)s: %(comment)s"),
    "reupload": N_("Uploaded a new version of %(name)s"),
    "reupload-comment": N_("Uploaded a new version of %(name)s: %(comment)s"),
    "file-revert": N_("Reverted to the version of %(when)s UTC"),
    "file-revert-comment": N_("Reverted to the version of %(when)s UTC: %(comment)s"),
    "reject": N_("Rejected pending changes: %(reason)s"),
}
#: A move's keys, and for each the key of the revision leaving a redirect at the old title.
#: (Redirects left before these keys: a revision of kind "create" with the move's key.)
MOVE_KEYS = ("move", "move-reason")
MOVE_REDIRECT_KEYS = {"move": "move-left", "move-reason": "move-left-reason"}
#: Keys whose "when" is a UTC time ("2026-12-06 13:18" or with seconds): a reader reads it
#: in their own time zone, with these messages (the stored English keeps "UTC").
AT_READERS_TIME: dict[str, str] = {
    "file-revert": N_("Reverted to the version of %(when)s"),
    "file-revert-comment": N_("Reverted to the version of %(when)s: %(comment)s"),
}
#: Arguments that name a person: None stands for an edit without an account.
PEOPLE = frozenset({"name", "user", "author", "last", "previous"})
ANONYMOUS = N_("anonymous")


@dataclass(frozen=True)
class SystemSummary:
    """A summary the wiki writes: a key of MESSAGES and its arguments."""

    key: str
    args: dict = field(default_factory=dict)

    def english(self) -> str:
        """Return the summary in the source language (kept in the `summary` column)."""
        return _fill(self.key, self.args, lambda text: text)

    def localised(self) -> str:
        """Return the summary in the reader's language (and a time in their time zone)."""
        when = _utc_time(self.args.get("when")) if self.key in AT_READERS_TIME else None
        if when is not None:
            args = self.args | {"when": format_datetime(when, "medium")}
            return gettext(AT_READERS_TIME[self.key]) % args
        return _fill(self.key, self.args, gettext)

    def encoded_args(self) -> str:
        """Return the arguments as stored (JSON)."""
        return json.dumps(self.args, ensure_ascii=False, sort_keys=True)


def _utc_time(text) -> datetime | None:
    """Return a stored "YYYY-MM-DD HH:MM[:SS]" UTC time, or None."""
    for shape in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"):
        try:
            return datetime.strptime(str(text), shape).replace(tzinfo=UTC)
        except ValueError:
            continue
    return None


def _fill(key: str, args: dict, translate) -> str:
    values = {
        name: (translate(ANONYMOUS) if value is None and name in PEOPLE else value)
        for name, value in args.items()
    }
    return translate(MESSAGES[key]) % values


def decode(key: str | None, args: str | None) -> SystemSummary | None:
    """Return the stored key and arguments as a SystemSummary, or None if they are unusable."""
    if not key or key not in MESSAGES:
        return None
    try:
        values = json.loads(args or "{}")
    except ValueError:
        return None
    return SystemSummary(key, values) if isinstance(values, dict) else None


def display(summary: str, key: str | None = None, args: str | None = None) -> str:
    """Return a revision's summary as the reader reads it: translated when it has a key."""
    system = decode(key, args)
    if system is None:
        return summary
    try:
        return system.localised()
    except (KeyError, TypeError, ValueError):
        return summary  # arguments that do not fit the message: the stored text still does


def of(revision) -> str:
    """Return the summary of a revision (or a row with its columns) in the reader's language."""
    return display(
        revision.summary,
        getattr(revision, "summary_key", None),
        getattr(revision, "summary_args", None),
    )
