"""Why a trust-and-safety action was refused: a message for a person and an HTTP status."""


class SafetyError(Exception):
    """A refused action; the message says why, for a person."""

    status = 400

    def __init__(self, message: str, **params: object) -> None:
        super().__init__(message)
        self.message = message
        self.params = params


class NotAllowed(SafetyError):
    """The person may not do this."""

    status = 403


class NotFound(SafetyError):
    """The account, page or link does not exist."""

    status = 404
