"""What the API changes: pages and talk, through the services the HTML forms use."""

from dataclasses import dataclass

from flask import current_app

from ..core.titles import N_, Title
from ..models import User
from ..pages import service as pages
from ..problems import BadRequest, UserError
from ..talk import reading as talk_reading
from ..talk import service as talk
from . import serialise
from .reads import readable_page


class PreconditionRequired(UserError):
    """An existing page was written without saying which revision the text started from."""

    status = 428


class ConflictProblem(UserError):
    """A real edit conflict: the answer carries the passages both sides changed."""

    status = 409

    def __init__(self, message: str, extra: dict) -> None:
        super().__init__(message)
        self.extra = extra


@dataclass
class Saved:
    """What a save did, as the API answers it."""

    body: dict
    created: bool
    revision: int


def text_field(
    data: dict, name: str, *, required: bool = False, default: str = "", limit: int | None = None
) -> str:
    """Return a string field of a JSON body, or raise BadRequest (also when over limit)."""
    value = data.get(name, None)
    if value is None:
        if required:
            raise BadRequest(N_("The field “%(name)s” is required."), field=name, name=name)
        return default
    if not isinstance(value, str):
        raise BadRequest(N_("The field “%(name)s” must be a string."), field=name, name=name)
    if limit is not None and len(value) > limit:
        # Cut silently, a tool would record less than it sent and never know.
        raise BadRequest(
            N_("The field “%(name)s” can be at most %(limit)s characters long."),
            field=name, name=name, limit=limit,
        )  # fmt: skip
    return value


def base_of(data: dict, if_match: str | None) -> int | None:
    """Return the revision the text started from: base_revision, or If-Match "<revision>"."""
    raw = data.get("base_revision")
    if raw is not None and (isinstance(raw, bool) or not isinstance(raw, int | str)):
        raise BadRequest(N_("base_revision must be a revision number."), field="base_revision")
    base = pages.parse_base_revision(str(raw)) if raw is not None else None
    if if_match:
        tag = if_match.strip().removeprefix("W/").strip('"')
        if not tag.isdigit():
            raise BadRequest(N_('If-Match must be a revision number in quotes: "123".'))
        if base is not None and int(tag) != base:
            raise BadRequest(N_("base_revision and If-Match name different revisions."))
        base = int(tag)
    return base


def save(title: Title, data: dict, if_match: str | None, author: User, address: str) -> Saved:
    """Save a page's text; a stale base merges, a real conflict raises ConflictProblem."""
    text = text_field(data, "text", required=True)
    summary = text_field(data, "summary", limit=current_app.config["MAX_SUMMARY_LENGTH"])
    minor = data.get("minor", False)
    if not isinstance(minor, bool):
        raise BadRequest(N_("The field “%(name)s” must be true or false."), name="minor")
    base = base_of(data, if_match)
    existing = pages.get_page(title)
    if existing is not None and existing.latest is not None and base is None:
        raise PreconditionRequired(
            N_(
                "The page exists: send the revision your text starts from, as base_revision "
                'or If-Match: "<revision>", so that edits made meanwhile are merged, not lost.'
            )
        )
    try:
        result = pages.save_page(
            title, text, author=author, summary=summary, minor=minor,
            base_revision_id=base, author_ip=address,
        )  # fmt: skip
    except pages.EditConflict as conflict:
        raise _conflict(conflict, base) from conflict
    page = result.page
    revision = result.revision.id if result.revision else page.latest_revision_id
    body = {
        "title": page.title,
        "revision": revision,
        "changed": result.revision is not None,
        "created": result.created,
        "merged": result.merged_with is not None,
        "merged_with": result.merged_with.id if result.merged_with else None,
        # False: the edit waits for review before visitors see it (wiki/review).
        "published": page.published_revision_id == revision,
        "url": serialise.page_url(page.title, _external=True),
        "api_url": serialise.api_page_url(page.title),
    }
    return Saved(body, result.created, revision)


def _conflict(conflict, base: int | None) -> UserError:
    """Return the 409 of a conflict, with the passages when the texts clash."""
    if conflict.merge is None:
        return conflict  # too busy to merge: no passages to show, try again
    passages = [
        {
            "number": passage.number,
            "base": passage.base,
            "yours": passage.mine,
            "theirs": passage.theirs,
            "before": passage.before,
            "after": passage.after,
        }
        for passage in pages.conflict_passages(conflict.merge)
    ]
    return ConflictProblem(
        N_(
            "Someone else changed the same words since your base revision. Nothing was "
            "saved: merge the passages below into your text and send it again with "
            "base_revision set to latest_revision."
        ),
        {
            "base_revision": base,
            "latest_revision": conflict.latest.id,
            "conflicts": passages,
        },
    )


def start_topic(title: Title, data: dict, author: User) -> dict:
    """Start a topic on a page's talk page; return the topic and its first comment."""
    page = readable_page(title, author)
    comment = talk.start_topic(
        page,
        text_field(data, "subject", required=True),
        text_field(data, "body", required=True),
        author=author,
    )
    return _posted(comment)


def reply(topic_id: int, data: dict, author: User) -> dict:
    """Post a comment in a topic (answering a comment when parent is given)."""
    parent = data.get("parent")
    if parent is not None and (isinstance(parent, bool) or not isinstance(parent, int)):
        raise BadRequest(N_("parent must be a comment number."), field="parent")
    comment = talk.reply(
        topic_id, text_field(data, "body", required=True), author=author, parent_id=parent
    )
    return _posted(comment)


def _posted(comment) -> dict:
    """Return a new comment and its topic as the API answers a post."""
    html = talk_reading.with_red_links({comment.id: comment.html})[comment.id]
    topic = talk_reading.find_topic(comment.topic_id)
    return {
        "topic": serialise.topic(topic),
        "comment": serialise.comment(comment, html, moderator=False),
    }
