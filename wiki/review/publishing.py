"""Publishing: who is published at once, and a reviewer's accept and reject.

The page's published pointer moves only forward, by compare-and-set inside the change's
transaction (`pages.service.move_published`), so two reviewers accepting at once cannot
publish an older revision over a newer one.
"""

from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import bindparam, delete, func, select, update

from .. import events, modlog
from ..access.permissions import can_review, edit_refusal, logged_in, raise_refusal
from ..core.merge import merge3
from ..core.text import text_sha1
from ..core.titles import N_, Title
from ..database import write_transaction
from ..extensions import db
from ..models import Page, Revision, RevisionKind, User, utcnow
from ..organise import moves
from ..pages import service as pages
from ..problems import BadRequest, Conflict, NotAllowed, NotFound
from ..summaries import SystemSummary
from .models import PUBLISHED, REJECTED, WAITING, RevisionReview, ScheduledPublication
from .settings import current_settings, policy_for, sees_every_waiting_change

ONLY_REVIEWERS = N_("Only reviewers, moderators and administrators can review changes.")
MAX_REASON = 500


def accepted_edits(user: User) -> int:
    """Return how many of the person's revisions are published (not waiting or rejected)."""
    unpublished = select(RevisionReview.revision_id).where(RevisionReview.state != PUBLISHED)
    return (
        db.session.scalar(
            select(func.count())
            .select_from(Revision)
            .where(Revision.author_id == user.id, Revision.id.not_in(unpublished))
        )
        or 0
    )


def is_trusted(user: User | None, policy: str) -> bool:
    """Return whether this person's edits are published at once under the policy."""
    if policy == "off":
        return True
    if not logged_in(user):
        return False
    if can_review(user):
        return True
    if policy == "all":
        return False
    settings = current_settings()
    old_enough = user.created_at <= utcnow() - timedelta(days=settings.newcomer_days)
    return old_enough and accepted_edits(user) >= settings.newcomer_edits


@dataclass(frozen=True)
class Standing:
    """Whether a person's edits wait for review under the site's policy, and why."""

    policy: str
    trusted: bool
    accepted: int
    needed_edits: int
    days: int
    needed_days: int


def standing(user: User) -> Standing:
    """Return how the site's review policy treats this person's edits (for admins)."""
    settings = current_settings()
    return Standing(
        policy=settings.policy,
        trusted=is_trusted(user, settings.policy),
        accepted=accepted_edits(user),
        needed_edits=settings.newcomer_edits,
        days=max(0, (utcnow() - user.created_at).days),
        needed_days=settings.newcomer_days,
    )


def waiting_ids(page_id: int) -> list[int]:
    """Return the ids of the page's waiting revisions, oldest first."""
    return list(db.session.scalars(_WAITING_IDS, {"page_id": page_id}))


#: Built once (the page bound when run): every save asks it.
_reviews = RevisionReview.__table__.c
_WAITING_IDS = (
    select(_reviews.revision_id)
    .where(_reviews.page_id == bindparam("page_id"), _reviews.state == WAITING)
    .order_by(_reviews.revision_id)
)


def _decide(
    page: Page, revision: Revision, previous, author, publish_waiting: bool, coauthors=()
) -> bool:
    """Publish a new revision at once, or let it wait (the save's publication rule).

    coauthors: who else typed its text (a save from the live editor): a reviewer's save
    that takes in a newcomer's unsaved typing waits for review as the newcomer's save would,
    unless the reviewer chose to publish it (publish_waiting: they vouch for all of it).
    """
    waiting = waiting_ids(page.id)
    policy = policy_for(page.key)
    vouched = publish_waiting and can_review(author)
    trusted = is_trusted(author, policy) and (
        vouched or all(is_trusted(db.session.get(User, uid), policy) for uid in sorted(coauthors))
    )
    if trusted and (not waiting or vouched):
        if waiting:
            _mark(page, waiting, PUBLISHED, author)
            modlog.record("accept", author, page=page, revision=revision.id, changes=len(waiting))
            db.session.execute(
                delete(ScheduledPublication).where(ScheduledPublication.page_id == page.id)
            )
            # Announced as a reviewer's acceptance once the save has its render (page_saved).
            published_with = db.session.info.setdefault(_PUBLISHED_WITH_SAVE, {})
            published_with[revision.id] = (waiting, page.published_revision_id)
        return True
    db.session.add(RevisionReview(revision_id=revision.id, page_id=page.id, state=WAITING))
    return False


#: session.info key: revisions whose save published the page's waiting changes with them,
#: and what those were (see _decide, _announce_published_with_save).
_PUBLISHED_WITH_SAVE = "bottega.published_with_save"


def _announce_published_with_save(sender, *, page, revision, rendered, author=None, **_extra):
    """Tell page_published's receivers (the authors told, webhooks) of waiting changes a
    reviewer published together with their own edit, as an acceptance would."""
    found = db.session.info.get(_PUBLISHED_WITH_SAVE, {}).pop(revision.id, None)
    if found is None:
        return
    waiting, previous_id = found
    accepted = list(db.session.scalars(select(Revision).where(Revision.id.in_(waiting))))
    events.page_published.send(
        sender,
        page=page,
        revision=revision,
        previous=db.session.get(Revision, previous_id) if previous_id else None,
        rendered=rendered,
        user=author,
        revisions=accepted,
    )


def install() -> None:
    """Let the review policy decide, at each save, whether the new revision is published."""
    pages.set_publication_rule(_decide)
    pages.set_rejection_rule(_rejection_of_latest)
    pages.set_waiting_rule(sees_every_waiting_change)
    events.page_saved.connect(_announce_published_with_save)
    # A move cannot wait for review: only those whose edits are published at once move.
    moves.set_move_rule(lambda user, page: is_trusted(user, policy_for(page.key if page else "")))


def _rejection_of_latest(page: Page) -> str | None:
    """Return why a reviewer rejected the page's latest revision, or None."""
    row = db.session.get(RevisionReview, page.latest_revision_id)
    return row.reason if row is not None and row.state == REJECTED else None


def _mark(page: Page, ids: list[int], state: str, reviewer: User, reason: str = "") -> None:
    """Record the review of these waiting revisions of the page."""
    db.session.execute(
        update(RevisionReview)
        .where(
            RevisionReview.page_id == page.id,
            RevisionReview.revision_id.in_(ids),
            RevisionReview.state == WAITING,
        )
        .values(state=state, reviewer_id=reviewer.id, reviewed_at=utcnow(), reason=reason)
        .execution_options(synchronize_session=False)
    )


def require_reviewer(user: User | None) -> None:
    """Raise NotAllowed unless the person reviews."""
    if not can_review(user):
        raise NotAllowed(ONLY_REVIEWERS, needs_login=not logged_in(user))


def _reviewed_revision(page: Page, revision_id: int | None) -> Revision:
    """Return the revision a review form names, checked to belong to the page."""
    revision = db.session.get(Revision, revision_id) if revision_id else None
    if revision is None or revision.page_id != page.id:
        raise BadRequest(N_("The form is damaged: that is not a revision of this page."))
    return revision


@dataclass
class Outcome:
    """What a review did: how many waiting changes it settled, and what stays waiting."""

    settled: int
    still_waiting: int


def accept(reviewer: User, page: Page, revision_id: int | None) -> Outcome:
    """Publish the page up to the revision the reviewer saw; later edits keep waiting."""
    require_reviewer(reviewer)
    shown = _reviewed_revision(page, revision_id)
    rendered = pages.render_text(shown.text)
    with write_transaction() as session:
        locked = pages.lock_page(page.id)
        previous_id = locked.published_revision_id
        if not pages.move_published(locked, shown.id):
            raise Conflict(
                N_("These changes were already published (perhaps by another reviewer).")
            )
        ids = [rid for rid in waiting_ids(locked.id) if rid <= shown.id]
        _mark(locked, ids, PUBLISHED, reviewer)
        session.execute(
            delete(ScheduledPublication).where(
                ScheduledPublication.page_id == locked.id,
                ScheduledPublication.revision_id <= shown.id,
            )
        )
        pages.replace_links(locked, rendered.links)
        accepted = list(session.scalars(select(Revision).where(Revision.id.in_(ids))))
        modlog.record("accept", reviewer, page=locked, revision=shown.id, changes=len(ids))
        events.page_published.send(
            current_app._get_current_object(),
            page=locked,
            revision=shown,
            previous=session.get(Revision, previous_id) if previous_id else None,
            rendered=rendered,
            user=reviewer,
            revisions=accepted,
        )
        left = len(waiting_ids(locked.id))
    return Outcome(settled=len(ids), still_waiting=left)


def check_reason(raw: str | None) -> str:
    """Return the rejection reason, or raise BadRequest: its authors will read it."""
    reason = " ".join((raw or "").split())
    if not reason:
        raise BadRequest(N_("Please give a reason: the authors of the changes will read it."))
    if len(reason) > MAX_REASON:
        raise BadRequest(N_("The reason can be at most %(max)s characters."), max=MAX_REASON)
    return reason


def reject(reviewer: User, page: Page, revision_id: int | None, reason: str | None) -> Outcome:
    """Undo the waiting edits up to the revision shown (a three-way merge with them taken
    out of the latest text), publish the result unless later edits still wait, and tell
    their authors why."""
    require_reviewer(reviewer)
    reason = check_reason(reason)
    shown = _reviewed_revision(page, revision_id)
    published = page.published
    ids = [rid for rid in waiting_ids(page.id) if rid <= shown.id]
    if not ids:
        raise Conflict(N_("These changes were already reviewed (perhaps by another reviewer)."))
    rejected = list(db.session.scalars(select(Revision).where(Revision.id.in_(ids))))

    def settle(locked: Page, undo: Revision | None) -> None:
        _mark(locked, ids, REJECTED, reviewer, reason)
        db.session.execute(
            delete(ScheduledPublication).where(ScheduledPublication.page_id == locked.id)
        )
        modlog.record(
            "reject", reviewer, page=locked, reason=reason, revision=shown.id, changes=len(ids)
        )
        events.changes_rejected.send(
            current_app._get_current_object(),
            page=locked,
            revisions=rejected,
            reason=reason,
            user=reviewer,
            undo=undo,
        )

    if published is None:  # a new page nobody published: it just stays unpublished
        with write_transaction():
            settle(pages.lock_page(page.id), None)
        return Outcome(settled=len(ids), still_waiting=len(waiting_ids(page.id)))
    latest = page.latest
    merge = merge3(shown.text, published.text, latest.text)
    if not merge.clean:
        raise Conflict(
            N_(
                "Later edits changed the same words, so these changes can't be taken out "
                "automatically. Edit the page by hand, or review the later edits too."
            )
        )
    raise_refusal(edit_refusal(reviewer, page))
    if text_sha1(merge.text) == latest.sha1:  # the changes cancel out: nothing to undo
        with write_transaction():
            settle(pages.lock_page(page.id), None)
        return Outcome(settled=len(ids), still_waiting=len(waiting_ids(page.id)))
    pages.save_page(
        Title(page.title, page.key),
        merge.text,
        author=reviewer,
        summary=SystemSummary("reject", {"reason": reason}),
        base_revision_id=latest.id,
        kind=RevisionKind.REJECT,
        also=settle,
        allow_blank=True,  # what was published, put back
    )
    return Outcome(settled=len(ids), still_waiting=len(waiting_ids(page.id)))


def get_page_or_404(title: Title) -> Page:
    """Return the page under review, or raise NotFound."""
    page = pages.get_page(title)
    if page is None or page.latest is None or page.deleted:
        raise NotFound(N_("There is no page with this title."))
    return page
