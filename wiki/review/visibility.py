"""Who may see waiting changes, and the condition leaving them out for everyone else.

Lists of revisions (history, recent changes, feeds, contributions, the API) add
`public_revision()` for readers who may not see waiting changes: it leaves out revisions
waiting for review and rejected ones, and so every revision of a page nobody published.
"""

from sqlalchemy import exists

from ..access.permissions import logged_in
from ..extensions import db
from ..models import Revision
from ..pages.reading import sees_waiting, sees_waiting_on  # noqa: F401 (re-exported)
from .models import PUBLISHED, RevisionReview


def public_revision(entity=Revision):
    """Return the condition: this revision was published (never waited, or was accepted)."""
    return ~exists().where(
        RevisionReview.revision_id == entity.id, RevisionReview.state != PUBLISHED
    )


def public_revision_id(column):
    """Return the condition: the revision whose id is in column was published."""
    return ~exists().where(RevisionReview.revision_id == column, RevisionReview.state != PUBLISHED)


def is_public(revision: Revision) -> bool:
    """Return whether anyone may see this revision."""
    row = db.session.get(RevisionReview, revision.id)
    return row is None or row.state == PUBLISHED


def visible(revision: Revision | None, viewer) -> bool:
    """Return whether this person may see this revision (their own, even waiting)."""
    if revision is None:
        return False
    own = logged_in(viewer) and revision.author_id == viewer.id
    return own or sees_waiting(viewer) or is_public(revision)
