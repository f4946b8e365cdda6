"""Password rules beyond length: not a common password (a list shipped in wiki/data)."""

import string
from functools import cache
from pathlib import Path

COMMON_PASSWORDS = Path(__file__).resolve().parent.parent / "data" / "common-passwords.txt"
_DECORATION = string.digits + string.punctuation + string.whitespace


@cache
def common_passwords() -> frozenset[str]:
    """Return the shipped list of common passwords, lower case."""
    with COMMON_PASSWORDS.open(encoding="utf-8") as handle:
        return frozenset(line.strip().lower() for line in handle if line.strip())


def is_common(password: str) -> bool:
    """Return whether a password is on the list, also once digits and symbols are trimmed."""
    return common_match(password) is not None


def common_match(password: str) -> str | None:
    """Return "listed" if the password is on the list, "decorated" if it is once the digits
    and symbols around it are trimmed ("Primavera-2026!"), else None."""
    listed = common_passwords()
    plain = password.strip().lower()
    if plain in listed:
        return "listed"
    core = plain.strip(_DECORATION)
    return "decorated" if len(core) >= 4 and core in listed else None


def contains_username(password_key: str, username_key: str) -> bool:
    """Return whether a password is the username, perhaps with digits or symbols around it
    (both given as lookup keys, so case does not matter)."""
    return password_key == username_key or password_key.strip(_DECORATION) == username_key
