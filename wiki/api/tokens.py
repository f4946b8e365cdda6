"""Personal access tokens: made in one's preferences, shown once, kept as a hash, revocable.

A token acts as its owner, with the same permissions, blocks and rate limits, narrowed to
its scopes: read (every token), edit (save pages), talk (start topics and comment).
"""

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import select, update

from ..core.titles import N_
from ..database import write_transaction
from ..extensions import db
from ..models import User, utcnow
from ..problems import BadRequest, NotAllowed, NotFound, UserError
from .models import ApiToken

SCOPES = ("read", "edit", "talk")
PREFIX = "bot_"
MAX_TOKENS = 50
MAX_NAME = 100
#: last_used_at is written at most this often per token.
TOUCH_INTERVAL = timedelta(minutes=1)
#: How long a new token may work, in days (None: until revoked), by the form's value.
LIFETIMES: dict[str, int | None] = {"7": 7, "30": 30, "90": 90, "365": 365, "never": None}
DEFAULT_LIFETIME = "90"


class Unauthorized(UserError):
    """The request carries no usable credentials (401)."""

    status = 401


def token_hash(raw: str) -> str:
    """Return the SHA-256 of a token, as stored."""
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def parse_lifetime(raw: str) -> int | None:
    """Return the days chosen in the form ("90", or "never": None), or raise BadRequest."""
    if raw not in LIFETIMES:
        raise BadRequest(N_("Choose when the token expires from the list."), field="expires")
    return LIFETIMES[raw]


def create_token(
    user: User, name: str, scopes: list[str], days: int | None = LIFETIMES[DEFAULT_LIFETIME]
) -> tuple[ApiToken, str]:
    """Make a token for the person, working for days (None: until revoked); return it and
    its secret value (shown only now)."""
    if not getattr(user, "is_authenticated", False):
        raise NotAllowed(N_("Please log in to see this page."), needs_login=True)
    name = " ".join(name.split())
    if not name:
        raise BadRequest(
            N_("Give the token a name, so you can tell it apart later."), field="token_name"
        )
    if len(name) > MAX_NAME:
        raise BadRequest(
            N_("The name is too long: at most %(count)s characters."),
            field="token_name",
            count=MAX_NAME,
        )
    chosen = [scope for scope in SCOPES if scope in scopes or scope == "read"]
    unknown = sorted(set(scopes) - set(SCOPES))
    if unknown:
        raise BadRequest(N_("Unknown scope: %(scope)s."), field="scopes", scope=", ".join(unknown))
    raw = PREFIX + secrets.token_urlsafe(32)
    with write_transaction() as session:
        count = len(active_tokens(user))
        if count >= MAX_TOKENS:
            raise BadRequest(
                N_("You have %(count)s tokens: revoke one you no longer use first."), count=count
            )
        token = ApiToken(
            user_id=user.id,
            name=name,
            token_hash=token_hash(raw),
            prefix=raw[: len(PREFIX) + 4],
            scopes=" ".join(chosen),
            created_at=(now := utcnow()),
            expires_at=None if days is None else now + timedelta(days=days),
        )
        session.add(token)
    return token, raw


def active_tokens(user: User) -> list[ApiToken]:
    """Return the person's tokens that are not revoked, newest first."""
    return list(
        db.session.scalars(
            select(ApiToken)
            .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
            .order_by(ApiToken.id.desc())
        )
    )


def revoke_token(user: User, token_id: int) -> ApiToken:
    """Revoke one of the person's tokens: it stops working at once."""
    with write_transaction() as session:
        token = session.get(ApiToken, token_id)
        if token is None or token.user_id != user.id or token.revoked_at is not None:
            raise NotFound(N_("You have no such token."))
        token.revoked_at = utcnow()
    return token


def authenticate(raw: str) -> ApiToken | None:
    """Return the live token with this value, or None; raise Unauthorized if it expired."""
    if not raw.startswith(PREFIX) or len(raw) > 200:
        return None
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == token_hash(raw)))
    if token is None or token.revoked_at is not None:
        return None
    if token.expired:
        # Told apart from a wrong token: the owner knows at once what to do.
        raise Unauthorized(EXPIRED, date=token.expires_at.date().isoformat(), name=token.name)
    return token


def bearer(header: str) -> str:
    """Return the token of an `Authorization: Bearer <token>` header, or raise Unauthorized."""
    scheme, _, value = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        raise Unauthorized(
            N_("Send the token as `Authorization: Bearer <token>`: the header is malformed.")
        )
    return value.strip()


EXPIRED = N_("The token “%(name)s” expired on %(date)s (UTC). Make a new one in your preferences.")
INVALID = N_(
    "This token is not valid: it may have been revoked or mistyped. Create a new one in "
    "your preferences."
)


def touch(token: ApiToken) -> None:
    """Note that the token was used now (at most once a minute, so reads rarely write)."""
    now = utcnow()
    if token.last_used_at is not None and now - token.last_used_at < TOUCH_INTERVAL:
        return
    with write_transaction() as session:
        session.execute(update(ApiToken).where(ApiToken.id == token.id).values(last_used_at=now))


def require_scope(token: ApiToken | None, scope: str) -> None:
    """Raise NotAllowed if a token is used and lacks the scope (a session has every scope)."""
    if token is not None and scope not in token.scope_list:
        raise NotAllowed(
            N_(
                "This token may not do this: it needs the “%(scope)s” scope. Create a token "
                "with that scope in your preferences."
            ),
            scope=scope,
        )
