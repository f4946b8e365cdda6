"""The conflict screen's logic: the passages both sides changed, and the person's choices."""

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import select

from ..core.merge import MergeResult, merge3
from ..core.text import clean_text
from ..extensions import db
from ..models import Page, Revision, User
from .saving import base_revision


@dataclass
class Passage:
    """One conflicting passage with a little of the merged text around it."""

    number: int
    base: str
    mine: str
    theirs: str
    before: str
    after: str


def conflict_passages(merge: MergeResult, context: int = 80) -> list[Passage]:
    """Return the conflicts of a merge with up to `context` characters on each side."""
    passages = []
    chunks = merge.chunks
    for index, chunk in enumerate(chunks):
        if chunk.conflict is None:
            continue
        before = chunks[index - 1].text if index > 0 else ""
        after = chunks[index + 1].text if index + 1 < len(chunks) else ""
        passages.append(
            Passage(
                number=len(passages),
                base=_shown(chunk.conflict.base),
                mine=_shown(chunk.conflict.mine),
                theirs=_shown(chunk.conflict.theirs),
                before=_lead_in(before, context),
                after=_lead_out(after, context),
            )
        )
    return passages


def _lead_in(text: str, context: int) -> str:
    """Return the end of the text before a passage: at most `context` characters, starting
    at a word ("…can edit?", never "…an edit?"), unless the cut is inside one long word."""
    if len(text) <= context:
        return text
    start = len(text) - context
    if not text[start - 1].isspace():
        space = next((i for i in range(start, len(text)) if text[i].isspace()), None)
        start = space if space is not None else start
    return "…" + text[start:].lstrip()


def _lead_out(text: str, context: int) -> str:
    """Return the start of the text after a passage: at most `context` characters, ending
    at the end of a word, unless the cut is inside one long word."""
    if len(text) <= context:
        return text
    end = context
    if not text[end].isspace():
        space = next((i for i in range(end, 0, -1) if text[i - 1].isspace()), None)
        end = space if space is not None else end
    return text[:end].rstrip() + "…"


def _shown(text: str) -> str:
    """Return a passage's text as the conflict screen shows it: whole up to SHOWN_CHARACTERS,
    else its start and end (the choice applies to all of it; the text box holds all)."""
    if len(text) <= SHOWN_CHARACTERS:
        return text
    half = SHOWN_CHARACTERS // 2
    return f"{text[:half]}\n[… {len(text) - 2 * half:,} more characters …]\n{text[-half:]}"


#: How much of one side of a passage the conflict screen shows.
SHOWN_CHARACTERS = 4_000
CHOICES = ("mine", "theirs", "both")


@dataclass
class Resolution:
    """A conflicted merge redone with the person's choices."""

    text: str
    merge: MergeResult
    #: Numbers of the passages no choice was made for (they keep the person's version).
    unchosen: list[int]
    #: The choice made for each other passage, by number ("for every passage" left out).
    chosen: dict[int, str]


def resolve_conflict(
    page: Page,
    merge_base_id: int | None,
    theirs_id: int,
    mine: str,
    choices: Mapping[int, str],
    default: str | None = None,
) -> Resolution:
    """Redo a conflicted merge and apply one choice per conflicting passage (by number);
    passages without one take the default ("for every passage"), if it is a choice."""
    theirs = base_revision(page, theirs_id)
    base_text = base_revision(page, merge_base_id).text if merge_base_id else ""
    merge = merge3(base_text, clean_text(mine), theirs.text)
    count = len(merge.conflicts)
    default = default if default in CHOICES else None
    chosen = [choices.get(number, default) for number in range(count)]
    picked = [choice if choice in CHOICES else "mine" for choice in chosen]
    unchosen = [number for number, choice in enumerate(chosen) if choice not in CHOICES]
    made = {number: choices[number] for number in range(count) if choices.get(number) in CHOICES}
    return Resolution(merge.resolve(picked), merge, unchosen, made)


def authors_between(page: Page, after_id: int | None, upto_id: int) -> list[User | None]:
    """Return the distinct authors of the page's revisions after one revision, up to another."""
    query = select(Revision).where(Revision.page_id == page.id, Revision.id <= upto_id)
    if after_id is not None:
        query = query.where(Revision.id > after_id)
    authors: dict[int | None, User | None] = {}
    for revision in db.session.scalars(query.order_by(Revision.id.desc()).limit(200)):
        authors.setdefault(revision.author_id, revision.author)
    return list(authors.values())
