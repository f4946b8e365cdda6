"""The base of every refusal a service raises: a message for a person and an HTTP status."""


class UserError(Exception):
    """A request the service refused; the message (marked with N_) says why, for a person."""

    status = 400

    def __init__(self, message: str, **params: object) -> None:
        super().__init__(message)
        self.message = message
        self.params = params
