"""How notifications and changes read to a person: sentences and links, for pages and email."""

from flask import url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from ...core.text import unquoted
from ...urls import page_url
from ..models import ACCEPTED, HIDDEN, REJECTED, WATCH_REJECTED
from .notifications import Item


def who(item: Item) -> str:
    """Return "Alice", "Alice and Bob" or "Alice and 2 others" for the people of a line."""
    names = [name or _("anonymous") for name in item.actors] or [_("Someone")]
    if len(names) == 1:
        return names[0]
    if len(names) == 2:
        return _("%(first)s and %(second)s", first=names[0], second=names[1])
    return ngettext(
        "%(first)s and %(num)s other",
        "%(first)s and %(num)s others",
        len(names) - 1,
        first=names[0],
    )


def sentence(item: Item) -> str:
    """Return what happened, in one sentence."""
    people, title = who(item), item.page_title or ""
    subject = unquoted(item.topic_subject or "")  # the sentences quote it themselves
    if item.kind == "edit" and item.awaits_review:
        return ngettext(
            "%(who)s edited %(title)s — waiting for your review",
            "%(who)s edited %(title)s — %(num)s edits, waiting for your review",
            item.count,
            who=people,
            title=title,
        )
    if item.kind == "edit":
        if item.count == 1:
            return _("%(who)s edited %(title)s", who=people, title=title)
        return ngettext(
            "%(who)s edited %(title)s — %(num)s edit",
            "%(who)s edited %(title)s — %(num)s edits",
            item.count,
            who=people,
            title=title,
        )
    if item.kind == ACCEPTED:
        return _("%(who)s accepted your changes to %(title)s", who=people, title=title)
    # The reason follows where there is room for it (the list, the email's body), not in
    # an email's subject: the sentence ends before it.
    if item.kind == REJECTED:
        return _("%(who)s rejected your changes to %(title)s", who=people, title=title)
    if item.kind == WATCH_REJECTED:
        return _("%(who)s rejected the waiting changes to %(title)s", who=people, title=title)
    if item.kind == HIDDEN:
        # Unnamed, as on the thread: the moderation log says who, where the wiki shows it.
        return _(
            "A moderator hid your comment in “%(subject)s” on %(title)s",
            subject=subject,
            title=title,
        )
    if item.kind == "topic":
        return _(
            "%(who)s started the topic “%(subject)s” about %(title)s",
            who=people,
            subject=subject,
            title=title,
        )
    if item.kind == "reply":
        return _(
            "%(who)s replied to you in “%(subject)s” on %(title)s",
            who=people,
            subject=subject,
            title=title,
        )
    if item.kind == "mention":
        return _(
            "%(who)s mentioned you in “%(subject)s” on %(title)s",
            who=people,
            subject=subject,
            title=title,
        )
    return _(
        "%(who)s commented in “%(subject)s” on %(title)s", who=people, subject=subject, title=title
    )


def target_url(item: Item, external: bool = False) -> str:
    """Return where a line leads: the diff of the edits, or the comment in its thread."""
    if item.kind == "edit" and item.page_title is not None:
        if item.awaits_review:
            return page_url(item.page_title, "review.page", _external=external)
        if item.from_revision and item.to_revision:
            values = {"from": item.from_revision, "to": item.to_revision}
            return page_url(item.page_title, "history.diff", _external=external, **values)
        if item.to_revision:
            return url_for("history.revision", revision_id=item.to_revision, _external=external)
        return page_url(item.page_title, _external=external)
    if item.kind in (ACCEPTED, REJECTED, WATCH_REJECTED) and item.to_revision:
        return url_for("history.revision", revision_id=item.to_revision, _external=external)
    if item.comment_id is not None:
        return url_for("talk.comment", comment_id=item.comment_id, _external=external)
    return url_for("community.notifications", _external=external)
