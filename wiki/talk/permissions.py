"""Who may do what on talk pages: the views ask these, and every action checks them again."""

from dataclasses import dataclass

from ..access.permissions import can_post, is_moderator, logged_in
from ..models import User
from .models import Comment, Topic


def can_moderate(user: User | None) -> bool:
    """Return whether this person may hide comments and lock topics."""
    return is_moderator(user)


def can_reply(user: User | None, topic: Topic) -> bool:
    """Return whether this person may reply in the topic (moderators even when locked)."""
    return can_post(user) and (not topic.locked or can_moderate(user))


def can_change(user: User | None, comment: Comment) -> bool:
    """Return whether this person may edit or delete the comment: only its author may."""
    return (
        can_post(user)
        and comment.author_id == user.id
        and comment.deleted_at is None
        and comment.hidden_at is None
    )


def can_read_hidden(user: User | None, comment: Comment) -> bool:
    """Return whether this person may read a comment a moderator hid: moderators may, and
    its author; no one else, anywhere."""
    if comment.hidden_at is None or comment.deleted_at is not None:
        return False
    if can_moderate(user):
        return True
    return logged_in(user) and comment.author_id == user.id


def can_resolve(user: User | None, topic: Topic) -> bool:
    """Return whether this person may mark the topic resolved: its author or a moderator."""
    if user is None or not user.is_authenticated:
        return False
    return topic.author_id == user.id or can_moderate(user)


@dataclass(frozen=True)
class Viewer:
    """The person looking at a talk page, with the permission checks the templates ask."""

    user: User | None

    @property
    def can_post(self) -> bool:
        """Return whether the person may start topics and post comments."""
        return can_post(self.user)

    @property
    def moderator(self) -> bool:
        """Return whether the person moderates."""
        return can_moderate(self.user)

    def can_reply(self, topic: Topic) -> bool:
        """Return whether the person may reply in the topic."""
        return can_reply(self.user, topic)

    def can_resolve(self, topic: Topic) -> bool:
        """Return whether the person may mark the topic resolved or reopen it."""
        return can_resolve(self.user, topic)
