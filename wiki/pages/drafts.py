"""Drafts: the editor's text kept on the server while someone writes."""

from sqlalchemy import delete, select

from ..core.text import clean_text
from ..core.titles import Title
from ..database import write_transaction
from ..extensions import db
from ..models import Draft, Page, Revision, User, utcnow
from ..problems import BadRequest
from .saving import DAMAGED_BASE, check_text


def get_draft(user: User, title: Title) -> Draft | None:
    """Return the person's draft of this page, or None."""
    return db.session.scalar(
        select(Draft).where(Draft.user_id == user.id, Draft.page_key == title.key)
    )


def save_draft(
    user: User, title: Title, text: str, summary: str, base_revision_id: int | None
) -> Draft:
    """Keep the editor's current text for this person and page, replacing an older draft."""
    text = check_text(text)
    summary = clean_text(summary).replace("\n", " ").strip()[:500]
    if base_revision_id is not None:
        base = db.session.get(Revision, base_revision_id)
        page = db.session.scalar(select(Page).where(Page.key == title.key))
        if base is None or page is None or base.page_id != page.id:
            raise BadRequest(DAMAGED_BASE)
    with write_transaction():
        draft = get_draft(user, title)
        if draft is None:
            draft = Draft(user_id=user.id, page_key=title.key, title=title.display)
            db.session.add(draft)
        draft.text = text
        draft.summary = summary
        draft.base_revision_id = base_revision_id
        draft.updated_at = utcnow()
    return draft


def discard_draft(user: User, title: Title) -> None:
    """Forget the person's draft of this page."""
    with write_transaction():
        db.session.execute(
            delete(Draft).where(Draft.user_id == user.id, Draft.page_key == title.key)
        )
