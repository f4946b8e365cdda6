"""What showing a thread needs for every comment, worked out once per request.

A thread can hold a thousand comments. Looking up the locale, the timezone, the
translations, the CSRF token and URL rules once per comment costs more than everything
else together, so this does it once; the templates only fill in ids and texts.
"""

from datetime import UTC, datetime
from urllib.parse import quote

from babel import dates
from flask import url_for
from flask_babel import get_locale, get_timezone
from flask_babel import gettext as _
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape

from ..models import User
from .models import Comment, Topic
from .permissions import can_change, can_moderate, can_reply


class Clock:
    """Like the templates' reltime(): "3 hours ago" with the exact time on hover.

    Formats with one pattern parsed up front; babel's format_datetime parses and joins
    the date and time patterns anew for every call, which is most of a thread's cost.
    """

    def __init__(self) -> None:
        self.locale = get_locale()
        self.timezone = get_timezone()
        self.now = datetime.now(UTC)
        self.ago = _("%(time)s ago")
        combined = (
            self.locale.datetime_formats["medium"]
            .replace("{0}", self.locale.time_formats["medium"].pattern)
            .replace("{1}", self.locale.date_formats["medium"].pattern)
        )
        self.pattern = dates.parse_pattern(combined)

    def __call__(self, moment: datetime | None) -> Markup:
        """Return the <time> element for a moment."""
        if moment is None:
            return Markup("")
        local = moment.astimezone(self.timezone)
        if hasattr(self.timezone, "normalize"):  # pytz
            local = self.timezone.normalize(local)
        exact = self.pattern.apply(local, self.locale)
        elapsed = dates.format_timedelta(self.now - moment, threshold=0.85, locale=self.locale)
        ago = self.ago % {"time": elapsed}
        return Markup(
            f'<time datetime="{moment.isoformat()}" title="{escape(exact)}">{escape(ago)}</time>'
        )


class Display:
    """The clock, texts and profile links of one request's rendering of many rows."""

    def __init__(self) -> None:
        self.time = Clock()
        # "/user/x" as routed, so that an app mounted below "/" still links right.
        self.profile_prefix = url_for("people.profile", name="x")[:-1]
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
        }

    def can_change(self, comment: Comment) -> bool:
        """Return whether the viewer may edit and delete the comment."""
        return can_change(self.user, comment)

    def comment_url(self, comment: Comment, action: str) -> str:
        """Return the URL of an action on a comment: edit, delete, hide, versions…"""
        return f"{self.comment_prefix}{comment.id}/{action}"
