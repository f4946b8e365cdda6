"""Every refusal a service raises: a message for a person (marked with N_) and an HTTP status.

One app-wide handler (wiki/errors.py) answers any of these with an HTML page or, under
/api/, a JSON problem document; views catch them only to show a form again with what the
person typed.
"""


class UserError(Exception):
    """A request the service refused; the message (marked with N_) says why, for a person."""

    status = 400

    def __init__(self, message: str, *, field: str = "", **params: object) -> None:
        super().__init__(message)
        self.message = message
        #: The form field the problem is about, if one is ("" when none).
        self.field = field
        self.params = params


class BadRequest(UserError):
    """The request is malformed or a value in it is not acceptable."""


class NotAllowed(UserError):
    """The person may not do this."""

    status = 403

    def __init__(self, message: str, *, needs_login: bool = False, **params: object) -> None:
        super().__init__(message, **params)
        #: The person is not logged in and logging in could help.
        self.needs_login = needs_login


class NotFound(UserError):
    """What the request names does not exist."""

    status = 404


class Conflict(UserError):
    """The request clashes with the current state (e.g. a title that is taken)."""

    status = 409


class TooLarge(UserError):
    """What was sent is over a size limit."""

    status = 413


class CannotProcess(UserError):
    """The input is well-formed but cannot be handled (e.g. text too complex to render)."""

    status = 422


class TooFast(UserError):
    """The person is doing this too often; retry_after says how many seconds to wait."""

    status = 429

    def __init__(self, message: str, *, retry_after: int = 60, **params: object) -> None:
        super().__init__(message, **params)
        self.retry_after = retry_after


class Unavailable(UserError):
    """A service the request needs is down or busy; trying again later may work."""

    status = 503
