"""The editor's form as posted: its fields, and the choices made on the conflict screen."""

from collections.abc import Mapping

from flask import request

from ..core.numbers import parse_natural
from .conflicts import CHOICES


class EditForm:
    """The editor's fields as submitted (or as the editor is filled)."""

    def __init__(
        self,
        text: str,
        summary: str,
        minor: bool,
        base_revision: str,
        kind: str = "edit",
        *,
        mine: str | None = None,
        offered_sha1: str = "",
        undo_of: str = "",
    ) -> None:
        self.text = text
        self.summary = summary
        self.minor = minor
        self.base_revision = base_revision
        self.kind = kind
        #: On the conflict screen: the person's own text, before the merge.
        self.mine = mine
        #: On the conflict screen: the SHA-1 of the text offered, to tell if it was edited.
        self.offered_sha1 = offered_sha1
        #: For an undo: the revision undone, so its summary is stored as a message key.
        self.undo_of = undo_of

    @classmethod
    def from_request(cls) -> "EditForm":
        """Read the fields from the posted form."""
        form = request.form
        return cls(
            text=form.get("text", ""),
            summary=form.get("summary", ""),
            minor=form.get("minor") in ("1", "on", "y", "true"),
            base_revision=form.get("base_revision", ""),
            kind="undo" if form.get("kind") == "undo" else "edit",
            mine=form.get("mine"),
            offered_sha1=form.get("offered_sha1", "")[:40],
            undo_of=form.get("undo_of", "")[:20],
        )


def conflict_choices(form: Mapping[str, str], prefix: str = "choice-") -> dict[int, str]:
    """Return the choice made for each conflicting passage, by passage number: on the screen
    ("choice-N"), or applied to its text already ("decided-N")."""
    chosen = {}
    for name, value in form.items():
        if name.startswith(prefix) and value in CHOICES:
            number = parse_natural(name.removeprefix(prefix), 1_000_000)
            if number is not None:
                chosen[number] = value
    return chosen
