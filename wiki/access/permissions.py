"""Who may do what: roles, site policy, approval, blocks and page protection.

Every role question of the wiki is answered here, for the person passed in. Every refusal
says why, for a person: a block says until when and the reason given.
"""

import ipaddress
from dataclasses import dataclass, field
from datetime import datetime

from flask import g, has_request_context, request
from flask_babel import format_datetime
from sqlalchemy import select

from ..core.titles import N_
from ..extensions import db
from ..memo import RULES, until_changed
from ..models import Role, User, utcnow
from ..problems import NotAllowed
from .models import Approval, Block, Protection
from .policy import current_policy


@dataclass(frozen=True)
class Refusal:
    """Why an action is refused: a message to translate with its parameters."""

    message: str
    params: dict = field(default_factory=dict)
    #: The person is not logged in and logging in could help.
    needs_login: bool = False


LOG_IN_TO_EDIT = N_("Please log in to edit pages.")
LOG_IN_TO_POST = N_("Please log in with an editor account to take part in discussions.")
READER = N_("Your account can read but not edit. Ask an administrator if you should be an editor.")
AWAITING_APPROVAL = N_(
    "Your account is waiting for an administrator's approval before it can edit or comment."
)


ONLY_MODERATORS = N_("Only moderators can do this.")
ONLY_ADMINS = N_("Only administrators can do this.")


def logged_in(user: User | None) -> bool:
    """Return whether this is a person with an account, logged in."""
    return user is not None and bool(getattr(user, "is_authenticated", False))


def has_role(user: User | None, role: Role) -> bool:
    """Return whether this person is logged in with this role or a higher one."""
    return logged_in(user) and user.has_role(role)


def is_moderator(user: User | None) -> bool:
    """Return whether this person moderates (moderators and administrators)."""
    return has_role(user, Role.MODERATOR)


def can_review(user: User | None) -> bool:
    """Return whether this person reviews waiting changes (reviewers and above, unblocked)."""
    return has_role(user, Role.REVIEWER) and active_block(user) is None


def is_admin(user: User | None) -> bool:
    """Return whether this person is an administrator."""
    return has_role(user, Role.ADMIN)


def require_moderator(user: User | None, message: str = ONLY_MODERATORS) -> None:
    """Raise NotAllowed unless the person moderates."""
    if not is_moderator(user):
        raise NotAllowed(message)


def require_admin(user: User | None, message: str = ONLY_ADMINS) -> None:
    """Raise NotAllowed unless the person is an administrator."""
    if not is_admin(user):
        raise NotAllowed(message)


def mask_ip(address: str | None) -> str:
    """Return an address with its host part hidden: "203.0.113.x", or an IPv6 /64."""
    try:
        ip = ipaddress.ip_address((address or "").strip())
    except ValueError:
        return "unknown"
    if ip.version == 6 and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.version == 4:
        return ".".join(str(ip).split(".")[:3]) + ".x"
    network = ipaddress.ip_network(f"{ip}/64", strict=False)
    return f"{network.network_address.compressed}/64"


def client_address() -> str:
    """Return the address of the person making the current request ("" outside one)."""
    return (request.remote_addr or "") if has_request_context() else ""


def _when(moment: datetime) -> str:
    """Return a moment as people read it."""
    return format_datetime(moment, "medium")


def _per_request(name: str, key, compute):
    """Return compute(), worked out once per request (a page asks for each comment)."""
    if not has_request_context():
        return compute()
    cache = g.setdefault("safety_cache", {})
    if (name, key) not in cache:
        cache[name, key] = compute()
    return cache[name, key]


def active_block(user: User | None) -> Block | None:
    """Return the block that holds for this account now, or None."""
    if not logged_in(user):
        return None

    def find() -> Block | None:
        # Most people have no block at all: that answer is remembered (a new block is a
        # content change, wiki.safety.accounts); only the blocked look for the one in force.
        if not until_changed("blocked", user.id, lambda: _has_block(user.id), RULES):
            return None
        return _first_active(select(Block).where(Block.user_id == user.id))

    return _per_request("block", user.id, find)


def _has_block(user_id: int) -> bool:
    """Return whether the account has an unlifted block (perhaps expired)."""
    found = select(Block.id).where(Block.user_id == user_id, Block.lifted_at.is_(None))
    return db.session.scalar(found.limit(1)) is not None


def address_block(masked: str) -> Block | None:
    """Return the block that holds for anonymous editing from this masked address, or None."""
    return _first_active(select(Block).where(Block.address == masked))


def _first_active(statement) -> Block | None:
    """Return the longest-lasting unlifted, unexpired block the statement finds."""
    now = utcnow()
    blocks = db.session.scalars(statement.where(Block.lifted_at.is_(None)))
    active = [block for block in blocks if block.active(now)]
    forever = datetime.max.replace(tzinfo=now.tzinfo)
    return max(active, key=lambda block: block.expires_at or forever, default=None)


def block_refusal(block: Block) -> Refusal:
    """Return the refusal a block gives: why, and until when."""
    anonymous = block.user_id is None
    if block.expires_at is None:
        message = (
            N_(
                "Editing without an account from your network (%(address)s) is blocked with "
                "no end date. Reason: %(reason)s. You can still read, or log in to edit."
            )
            if anonymous
            else N_(
                "Your account is blocked with no end date: you can read, but not edit or "
                "comment. Reason: %(reason)s"
            )
        )
        return Refusal(message, {"reason": block.reason, "address": block.address or ""})
    message = (
        N_(
            "Editing without an account from your network (%(address)s) is blocked until "
            "%(until)s. Reason: %(reason)s. You can still read, or log in to edit."
        )
        if anonymous
        else N_(
            "Your account is blocked until %(until)s: you can read, but not edit or comment. "
            "Reason: %(reason)s"
        )
    )
    params = {"reason": block.reason, "until": _when(block.expires_at)}
    return Refusal(message, params | {"address": block.address or ""})


def is_approved(user: User) -> bool:
    """Return whether an administrator approved this account (staff always are)."""
    if user.has_role(Role.MODERATOR):
        return True
    return _per_request("approved", user.id, lambda: db.session.get(Approval, user.id) is not None)


def protection_for(key: str | None) -> Protection | None:
    """Return the protection in force on the page with this title key, or None."""
    if not key:
        return None
    # Most pages were never protected: that answer is remembered (protecting, unprotecting
    # and moving are changes of the base, wiki.memo); only for the others is the row read.
    if not until_changed("protected", key, lambda: _has_protection(key), RULES):
        return None
    protection = db.session.scalar(select(Protection).where(Protection.page_key == key))
    return protection if protection is not None and protection.active(utcnow()) else None


def _has_protection(key: str) -> bool:
    """Return whether the page with this title key has a protection row (perhaps expired)."""
    found = select(Protection.id).where(Protection.page_key == key).limit(1)
    return db.session.scalar(found) is not None


_PROTECTED = {
    (Role.EDITOR, False): N_(
        "This page is protected: only registered editors can edit it. Reason: %(reason)s"
    ),
    (Role.EDITOR, True): N_(
        "This page is protected until %(until)s: only registered editors can edit it. "
        "Reason: %(reason)s"
    ),
    (Role.MODERATOR, False): N_(
        "This page is protected: only moderators can edit it. Reason: %(reason)s"
    ),
    (Role.MODERATOR, True): N_(
        "This page is protected until %(until)s: only moderators can edit it. Reason: %(reason)s"
    ),
}


def protected_from(user: User | None, key: str | None) -> bool:
    """Return whether the page with this key is protected above what this person may edit
    (they may read its source, not change it)."""
    protection = protection_for(key)
    if protection is None:
        return False
    return not logged_in(user) or not user.has_role(Role(protection.level))


def protection_refusal(protection: Protection) -> Refusal:
    """Return the refusal a protected page gives to someone below its level."""
    level = Role.MODERATOR if protection.level >= Role.MODERATOR else Role.EDITOR
    params = {"reason": protection.reason or "—"}
    if protection.expires_at is not None:
        params["until"] = _when(protection.expires_at)
    return Refusal(_PROTECTED[level, protection.expires_at is not None], params)


def _account_refusal(user: User) -> Refusal | None:
    """Return why a logged-in person may neither edit nor comment, or None."""
    block = active_block(user)
    if block is not None:
        return block_refusal(block)
    if not user.has_role(Role.EDITOR):
        return Refusal(READER)
    if current_policy().edit == "approved" and not is_approved(user):
        return Refusal(AWAITING_APPROVAL)
    return None


def edit_refusal(user: User | None, page=None) -> Refusal | None:
    """Return why this person may not edit the page (a Page or Title, or None), or None."""
    key = getattr(page, "key", None)
    if not logged_in(user):
        if current_policy().edit != "everyone":
            return Refusal(LOG_IN_TO_EDIT, needs_login=True)
        block = address_block(mask_ip(client_address()))
        if block is not None:
            return block_refusal(block)
        protection = protection_for(key)
        return protection_refusal(protection) if protection is not None else None
    refusal = _account_refusal(user)
    if refusal is not None:
        return refusal
    protection = protection_for(key)
    if protection is not None and not user.has_role(Role(protection.level)):
        return protection_refusal(protection)
    return None


def post_refusal(user: User | None) -> Refusal | None:
    """Return why this person may not start topics or comment, or None."""
    if not logged_in(user):
        return Refusal(LOG_IN_TO_POST, needs_login=True)
    return _account_refusal(user)


def anonymous_editing() -> bool:
    """Return whether visitors without an account may edit (the edit policy says everyone)."""
    return current_policy().edit == "everyone"


def raise_refusal(refusal: Refusal | None) -> None:
    """Raise NotAllowed for a refusal (saying whether logging in would help); None passes."""
    if refusal is not None:
        raise NotAllowed(refusal.message, needs_login=refusal.needs_login, **refusal.params)


def can_edit(user: User | None, page=None) -> bool:
    """Return whether this person may edit pages (this page, a Page or Title, if given)."""
    return edit_refusal(user, page) is None


def can_post(user: User | None) -> bool:
    """Return whether this person may start topics and post comments."""
    return post_refusal(user) is None
