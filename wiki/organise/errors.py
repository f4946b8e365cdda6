"""Refusals of moves, deletes and undeletes; each message is for a person."""

from ..pages.service import SaveError


class OrganiseError(SaveError):
    """An action that cannot be done as asked (e.g. the new title is taken)."""

    status = 409


class Refused(OrganiseError):
    """The person may not do this."""

    status = 403


class NotFound(OrganiseError):
    """There is no such page (or no deleted page) to act on."""

    status = 404


class BadTitle(OrganiseError):
    """The new title typed is not a valid title."""

    status = 400
