"""Why a trust-and-safety action was refused: a message for a person and an HTTP status."""

from ..problems import UserError


class SafetyError(UserError):
    """A refused action; the message says why, for a person."""


class NotAllowed(SafetyError):
    """The person may not do this."""

    status = 403


class NotFound(SafetyError):
    """The account, page or link does not exist."""

    status = 404
