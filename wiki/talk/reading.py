"""Reading talk pages: topic lists, threads, versions, with a fixed number of queries."""

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from ..core.render import mark_missing, wikilink_keys
from ..core.titles import N_, Title, TitleError, parse_title
from ..extensions import db
from ..models import Page, User
from ..problems import NotAllowed
from .models import Comment, CommentVersion, Topic
from .permissions import can_moderate
from .thread import MAX_LEVEL, Node, build_tree, cut


def get_page(title: Title) -> Page | None:
    """Return the existing page with this title, or None."""
    page = db.session.scalar(select(Page).where(Page.key == title.key))
    return page if page is not None and page.latest_revision_id is not None else None


def talk_count_for(title: str) -> int:
    """Return how many comments a page's talk page shows, given its display title."""
    try:
        return talk_count(parse_title(title).key)
    except TitleError:
        return 0


def talk_count(page_key: str) -> int:
    """Return how many comments are shown on a page's talk page, with one cheap query."""
    total = db.session.scalar(
        select(func.coalesce(func.sum(Topic.comment_count), 0))
        .join(Page, Page.id == Topic.page_id)
        .where(Page.key == page_key)
    )
    return int(total or 0)


def topics(page: Page) -> list[Topic]:
    """Return the page's topics, latest activity first, in one query."""
    return list(
        db.session.scalars(
            select(Topic)
            .where(Topic.page_id == page.id)
            .options(joinedload(Topic.author))
            .order_by(Topic.last_activity_at.desc(), Topic.id.desc())
        )
    )


def get_topic(page: Page, topic_id: int) -> Topic | None:
    """Return the topic of this page with this id, or None."""
    topic = db.session.get(Topic, topic_id)
    return topic if topic is not None and topic.page_id == page.id else None


def find_topic(topic_id: int) -> Topic | None:
    """Return the topic with this id, whatever its page, or None."""
    return db.session.get(Topic, topic_id)


def get_comment(comment_id: int) -> Comment | None:
    """Return the comment with this id, its topic and page loaded, or None."""
    return db.session.scalar(
        select(Comment)
        .where(Comment.id == comment_id)
        .options(joinedload(Comment.topic).joinedload(Topic.page), joinedload(Comment.author))
    )


#: Comments shown on one page of a thread; a longer thread continues on further pages.
COMMENTS_PER_PAGE = 100


@dataclass
class Thread:
    """One page of a topic's comments as a tree, with each comment's HTML ready to show."""

    topic: Topic
    nodes: list[Node]
    html: dict[int, str]
    by_id: dict[int, Comment]
    #: This page's number (from 1) and how many pages the thread has.
    page: int = 1
    pages: int = 1

    @property
    def shown_ids(self) -> set[int]:
        """Return the ids of the comments on this page."""
        return set(self.html)


def comments(topic: Topic) -> list[Comment]:
    """Return every comment of the topic, oldest first, authors loaded, in one query."""
    return list(
        db.session.scalars(
            select(Comment)
            .where(Comment.topic_id == topic.id)
            .options(joinedload(Comment.author), joinedload(Comment.hidden_by))
            .order_by(Comment.id)
        )
    )


def thread(topic: Topic, page: int = 1) -> Thread | None:
    """Return one page of the topic's thread (None past its last page), in fixed queries.

    Pages follow the display order, so a reply may open a page away from its parent; it
    then starts at the top and says whom it answers.
    """
    every = comments(topic)
    by_id = {comment.id: comment for comment in every}
    pages = cut(build_tree(every, MAX_LEVEL), COMMENTS_PER_PAGE)
    if not 1 <= page <= len(pages):
        return None
    shown = pages[page - 1]
    return Thread(
        topic=topic,
        nodes=build_tree(shown, MAX_LEVEL, earlier=by_id),
        html=with_red_links({comment.id: comment.html for comment in shown}),
        by_id=by_id,
        page=page,
        pages=len(pages),
    )


def page_of(comment: Comment) -> int:
    """Return the page of its thread a comment is shown on."""
    pages = cut(build_tree(comments(comment.topic), MAX_LEVEL), COMMENTS_PER_PAGE)
    return next((n for n, shown in enumerate(pages, 1) if comment in shown), 1)


def comment_node(comment: Comment) -> tuple[Node, dict[int, str]]:
    """Return one comment placed as in its thread, and its HTML (for a fetch reply)."""
    parent = db.session.get(Comment, comment.parent_id) if comment.parent_id else None
    level = min(comment.depth, MAX_LEVEL)
    flattened = parent is not None and parent.depth >= MAX_LEVEL
    return Node(comment, level, parent if flattened else None), with_red_links(
        {comment.id: comment.html}
    )


def with_red_links(htmls: dict[int, str]) -> dict[int, str]:
    """Return the HTMLs with links to missing pages marked, checking them in one query."""
    found = {key: wikilink_keys(html) for key, html in htmls.items()}
    keys = set().union(*found.values()) if found else set()
    if not keys:
        return htmls
    existing = set(db.session.scalars(select(Page.key).where(Page.key.in_(keys))))
    missing = keys - existing
    return {key: mark_missing(html, missing) for key, html in htmls.items()}


def versions(comment: Comment, viewer: User | None) -> list[CommentVersion]:
    """Return every text the comment has had, newest first (moderators only if not shown)."""
    if not comment.visible and not can_moderate(viewer):
        raise NotAllowed(N_("Only moderators can read a deleted or hidden comment."))
    return list(
        db.session.scalars(
            select(CommentVersion)
            .where(CommentVersion.comment_id == comment.id)
            .options(joinedload(CommentVersion.editor))
            .order_by(CommentVersion.id.desc())
        )
    )
