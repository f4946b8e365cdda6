"""What showing a thread needs for every comment, worked out once per request.

A thread can hold a thousand comments. Looking up the locale, the timezone, the
translations, the CSRF token and URL rules once per comment costs more than everything
else together, so this does it once; the templates only fill in ids and texts.
"""

from urllib.parse import quote

from flask import url_for
from flask_babel import gettext as _
from flask_wtf.csrf import generate_csrf

from ..models import User
from ..moments import clock
from .models import Comment, Topic
from .permissions import can_change, can_moderate, can_read_hidden, can_reply


class Display:
    """The clock, texts and profile links of one request's rendering of many rows."""

    def __init__(self) -> None:
        self.time = clock()
        # "/user/x" as routed, so that an app mounted below "/" still links right.
        self.profile_prefix = url_for("community.profile", name="x")[:-1]
        self.text = {"open": _("open"), "resolved": _("resolved"), "locked": _("locked")}

    def profile_url(self, user: User) -> str:
        """Return the URL of a person's profile."""
        return self.profile_prefix + quote(user.username, safe="")


class TopicListDisplay(Display):
    """What the list of a page's topics needs for every row."""

    def __init__(self, page_url_title: str) -> None:
        super().__init__()
        self.topic_prefix = url_for("talk.topic", title=page_url_title, topic_id=0)[:-1]

    def topic_url(self, topic: Topic) -> str:
        """Return the URL of a topic's thread."""
        return f"{self.topic_prefix}{topic.id}"


class ThreadDisplay(Display):
    """The viewer's permissions, texts, URLs and clock for rendering many comments."""

    def __init__(self, user: User | None, topic: Topic, topic_path: str) -> None:
        super().__init__()
        self.user = getattr(user, "_get_current_object", lambda: user)()
        self.topic = topic
        self.topic_path = topic_path
        self.can_reply = can_reply(self.user, topic)
        self.moderator = can_moderate(self.user)
        self.csrf = generate_csrf()
        self.comment_prefix = url_for("talk.comment", comment_id=0)[:-1]
        #: The comments on the page shown (None: all of them); others are linked, not scrolled to.
        self.shown_ids: set[int] | None = None
        self.text |= {
            "reply": _("Reply"),
            "edit": _("Edit"),
            "delete": _("Delete"),
            "confirm_delete": _("Delete this comment? A placeholder will stay in its place."),
            "moderate": _("Moderate"),
            "reason": _("Reason"),
            "hide": _("Hide"),
            "unhide": _("Unhide"),
            "edited": _("edited"),
            "replying_to": _("replying to"),
            "a_comment": _("a comment"),
            "deleted": _("This comment was deleted."),
            "show_hidden": _("Show the hidden comment"),
            "show_own_hidden": _("Show your hidden comment"),
            "own_hidden": _("Only you and the moderators can read it."),
        }

    def comment_href(self, comment: Comment) -> str:
        """Return a link to a comment: an anchor on this page, else its address."""
        if self.shown_ids is None or comment.id in self.shown_ids:
            return f"#comment-{comment.id}"
        return f"{self.comment_prefix}{comment.id}"

    def can_change(self, comment: Comment) -> bool:
        """Return whether the viewer may edit and delete the comment."""
        return can_change(self.user, comment)

    def can_read_hidden(self, comment: Comment) -> bool:
        """Return whether the viewer may read the hidden comment (a moderator, its author)."""
        return can_read_hidden(self.user, comment)

    def comment_url(self, comment: Comment, action: str) -> str:
        """Return the URL of an action on a comment: edit, delete, hide, versions…"""
        return f"{self.comment_prefix}{comment.id}/{action}"
