"""The API's JSON shapes of pages, revisions, changes, topics and comments."""

from datetime import datetime

from flask import url_for

from ..urls import page_url


def when(moment: datetime | None) -> str | None:
    """Return a moment as RFC 3339 (UTC), or None."""
    return moment.isoformat() if moment is not None else None


def api_page_url(title: str) -> str:
    """Return the API address of a page."""
    return url_for("api.get_page", title=title.replace(" ", "_"), _external=True)


def author(user, address: str | None = None) -> str | None:
    """Return who made something: a username, a masked address, or None."""
    if user is not None:
        return user.username
    return address


def page(view, redirect_title: str | None = None) -> dict:
    """Return a page's current version: Markdown, HTML and the revision."""
    revision = view.revision
    return {
        "title": view.page.title,
        "text": revision.text,
        "html": view.html,
        "revision": revision.id,
        "updated_at": when(revision.created_at),
        "author": author(revision.author, revision.author_ip),
        "summary": revision.summary,
        "size": revision.size,
        "redirect_to": redirect_title,
        # Whether readers without an account read this version (False: it waits for review).
        "published": revision.id == view.page.published_revision_id,
        "published_revision": view.page.published_revision_id,
        "url": page_url(view.page.title, _external=True),
        "api_url": api_page_url(view.page.title),
    }


#: A revision's review, as the API names it: a reviewer's "published" is "accepted".
REVIEW_WORDS = {"waiting": "waiting", "published": "accepted", "rejected": "rejected"}


def revision(row, review=None, parent: int | None = None, size_change: int | None = None) -> dict:
    """Return one revision's facts (not its text); review: its review row, if it needed one
    ("review" is then waiting, accepted or rejected; null: published at once). A reader who
    may not see its parent gets the revision before it they see, and the change from it."""
    return {
        "id": row.id,
        "parent": row.parent_id if size_change is None else parent,
        "created_at": when(row.created_at),
        "author": author(row.author, row.author_ip),
        "summary": row.summary,
        "minor": row.minor,
        "kind": row.kind,
        "size": row.size,
        "size_change": row.size_change if size_change is None else size_change,
        "review": REVIEW_WORDS.get(review.state) if review is not None else None,
    }


def change(row) -> dict:
    """Return one entry of recent changes: an edit or a talk comment."""
    kind = "edit" if row.source == "r" else "comment"
    shown = {
        "type": kind,
        "id": row.id,
        "created_at": when(row.created_at),
        "title": row.page_title,
        "author": row.username,
        "url": page_url(row.page_title, _external=True),
    }
    if kind == "edit":
        shown |= {
            "kind": row.kind,
            "minor": row.minor,
            "size_change": row.size_change,
            "summary": row.summary,
            "parent": row.parent_id,
        }
    else:
        shown |= {
            "topic": row.topic_id,
            "subject": row.topic_subject,
            "new_topic": row.new_topic,
            "excerpt": row.excerpt,
        }
    return shown


def topic(row) -> dict:
    """Return a talk topic's facts."""
    return {
        "id": row.id,
        "subject": row.subject,
        "author": author(row.author),
        "created_at": when(row.created_at),
        "last_activity_at": when(row.last_activity_at),
        "comments": row.comment_count,
        "locked": row.locked,
        "resolved": row.resolved,
        "url": url_for("api.get_topic", topic_id=row.id, _external=True),
    }


def comment(row, html: str, *, moderator: bool) -> dict:
    """Return a comment; a deleted or hidden one shows its text to moderators only."""
    shown = {
        "id": row.id,
        "topic": row.topic_id,
        "parent": row.parent_id,
        "author": author(row.author),
        "created_at": when(row.created_at),
        "edited_at": when(row.edited_at),
        "deleted": row.deleted_at is not None,
        "hidden": row.hidden_at is not None,
    }
    if row.visible or moderator:
        shown |= {"body": row.body, "html": html}
    else:
        shown |= {"body": None, "html": None}
    return shown
