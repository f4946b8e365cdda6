"""Why a talk action was refused: a message for a person and the HTTP status to answer."""

from ..problems import UserError


class TalkError(UserError):
    """A refused talk action; the message says why, for a person."""


class NotAllowed(TalkError):
    """The person may not do this."""

    status = 403


class NotFound(TalkError):
    """The topic or comment does not exist."""

    status = 404


class TooLarge(TalkError):
    """The comment is over the size limit."""

    status = 413


class CannotRender(TalkError):
    """The comment's Markdown could not be rendered in time."""

    status = 422


class TooFast(TalkError):
    """The person posted too many comments in the last minute."""

    status = 429
