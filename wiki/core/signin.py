"""Sign-in, the pure part: what a provider says about a person, and usernames to suggest.

Providers describe people in their own JSON (OpenID Connect claims, GitHub's user and
email list, WordPress.com's /me); each becomes one Profile here.
"""

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass

#: What a username may be: 3 to 40 letters, digits, dots, hyphens or underscores, starting
#: with a letter or digit and ending with a letter, digit or underscore.
USERNAME = re.compile(r"^[^\W_][\w.-]{1,38}[^\W]$")
MAX_USERNAME = 40
#: The name suggested when nothing the provider says makes one.
FALLBACK_NAME = "member"
_NOT_NAME = re.compile(r"[^\w.-]+")
_RUNS = re.compile(r"([.-])[.-]+")


@dataclass(frozen=True)
class Profile:
    """Who a provider says signed in."""

    #: The provider's stable id of the account (never an address: those change hands).
    subject: str
    #: An address, and whether the provider checked that the person receives mail there.
    email: str = ""
    email_verified: bool = False
    #: Names to suggest a username from, best first.
    names: tuple[str, ...] = ()
    #: How to show the provider account ("anna@example.com", "octocat").
    display: str = ""


def _text(value: object) -> str:
    """Return a claim as a stripped string ("" for anything that is not text or a number)."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        return ""
    return str(value).strip()


def _verified(value: object) -> bool:
    """Return whether an email_verified claim says yes (some providers send "true")."""
    return value is True or (isinstance(value, str) and value.lower() == "true")


def oidc_profile(claims: dict) -> Profile:
    """Return the profile in OpenID Connect claims (ID token and userinfo, merged)."""
    email = _text(claims.get("email"))
    names = [_text(claims.get(key)) for key in ("preferred_username", "nickname", "name")]
    return Profile(
        subject=_text(claims.get("sub")),
        email=email,
        email_verified=bool(email) and _verified(claims.get("email_verified")),
        names=tuple(name for name in [*names, email.partition("@")[0]] if name),
        display=email or next((name for name in names if name), ""),
    )


def github_profile(user: dict, emails: list) -> Profile:
    """Return the profile in GitHub's /user and /user/emails answers."""
    login = _text(user.get("login"))
    listed = [item for item in emails if isinstance(item, dict)]
    primary = next(
        (item for item in listed if item.get("primary") and item.get("verified") is True), None
    )
    chosen = primary or next((item for item in listed if item.get("verified") is True), None)
    email = _text(chosen.get("email")) if chosen else _text(user.get("email"))
    names = (login, _text(user.get("name")), email.partition("@")[0])
    return Profile(
        subject=_text(user.get("id")),
        email=email,
        email_verified=chosen is not None,
        names=tuple(name for name in names if name),
        display=login,
    )


def wordpress_profile(me: dict) -> Profile:
    """Return the profile in WordPress.com's /rest/v1/me answer."""
    email = _text(me.get("email"))
    names = (_text(me.get("username")), _text(me.get("display_name")), email.partition("@")[0])
    return Profile(
        subject=_text(me.get("ID")),
        email=email,
        email_verified=bool(email) and _verified(me.get("email_verified")),
        names=tuple(name for name in names if name),
        display=_text(me.get("username")) or email,
    )


def username_from(name: str) -> str:
    """Return a name made into a valid username, or "" when too little of it is left."""
    text = unicodedata.normalize("NFKC", name).strip()
    text = _NOT_NAME.sub(".", text.replace(" ", "."))
    text = _RUNS.sub(r"\1", text).lstrip("._-")[:MAX_USERNAME].rstrip(".-")
    return text if USERNAME.match(text) else ""


def suggest_username(names: Iterable[str], taken: Callable[[str], bool]) -> str:
    """Return a free username made from the first name that makes one, numbered if taken.

    "anna" taken gives "anna2", then "anna3"; a name too long to number is shortened.
    """
    base = next(filter(None, map(username_from, names)), FALLBACK_NAME)
    if not taken(base):
        return base
    for number in range(2, 10_000):
        suffix = str(number)
        candidate = base[: MAX_USERNAME - len(suffix)].rstrip(".-") + suffix
        if not taken(candidate):
            return candidate
    raise ValueError("no free username")  # 10,000 people with one name: not a real case


#: Letters of recovery codes: no 0/o or 1/l/i, which people misread off paper.
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def format_recovery_code(letters: str) -> str:
    """Return ten letters as a recovery code people can copy: "xxxxx-xxxxx"."""
    return f"{letters[:5]}-{letters[5:10]}"


def normalise_code(code: str) -> str:
    """Return a typed code without spaces or hyphens, lower case ("123 456" → "123456")."""
    return re.sub(r"[\s-]+", "", code).lower()[:64]
