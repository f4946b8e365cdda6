"""Managing people (administrators): find, change role, approve, block, unblock, reset."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, or_, select

from .. import events, modlog
from ..access.models import Approval, Block
from ..access.permissions import edit_refusal, mask_ip, require_admin
from ..core.titles import N_
from ..database import write_transaction
from ..extensions import db
from ..identity import check_password, find_user, hash_password
from ..memo import content_changed
from ..models import Role, User, utcnow
from ..problems import BadRequest, NotAllowed, NotFound
from . import sessions
from .durations import check_reason, expiry
from .models import OneTimeLink

ONLY_ADMINS = N_("Only administrators can do this.")
ROLE_NAMES = {
    Role.READER: N_("Reader"),
    Role.EDITOR: N_("Editor"),
    Role.REVIEWER: N_("Reviewer"),
    Role.MODERATOR: N_("Moderator"),
    Role.ADMIN: N_("Administrator"),
}
RESET_LINK_HOURS = 24
INVITE_DAYS = 14


@dataclass
class Listing:
    """One page of the people list."""

    users: list[User]
    blocked: set[int]
    approved: set[int]
    older: int | None


def search_users(query: str, *, show: str = "all", after: str | None = None, limit: int = 50):
    """Return people whose name contains the query, by name, with who is blocked/approved."""
    statement = select(User).where(User.password_hash != "!")
    words = query.strip().casefold().split()[:5]
    for word in words:
        escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        statement = statement.where(User.key.like(f"%{escaped[:64]}%", escape="\\"))
    now = utcnow()
    live_blocks = select(Block.user_id).where(
        Block.lifted_at.is_(None),
        Block.user_id.is_not(None),
        or_(Block.expires_at.is_(None), Block.expires_at > now),
    )
    if show == "blocked":
        statement = statement.where(User.id.in_(live_blocks))
    elif show == "waiting":
        statement = statement.where(
            User.id.not_in(select(Approval.user_id)), User.role < Role.MODERATOR
        )
    elif show in ("reader", "editor", "moderator", "admin"):
        statement = statement.where(User.role == Role[show.upper()])
    if after:
        statement = statement.where(User.key > after[:64])
    users = list(db.session.scalars(statement.order_by(User.key).limit(limit + 1)))
    more = len(users) > limit
    users = users[:limit]
    ids = [user.id for user in users]
    blocked = set(db.session.scalars(live_blocks.where(Block.user_id.in_(ids)))) if ids else set()
    approved = (
        set(db.session.scalars(select(Approval.user_id).where(Approval.user_id.in_(ids))))
        if ids
        else set()
    )
    return Listing(users, blocked, approved, users[-1].key if more and users else None)


def get_user(name: str) -> User:
    """Return the account with this name, or raise NotFound."""

    user = find_user(name)
    if user is None:
        raise NotFound(N_("There is no user with this name."))
    return user


def blocks_of(user: User) -> list[Block]:
    """Return a person's blocks, newest first (lifted and expired ones too)."""
    return list(
        db.session.scalars(select(Block).where(Block.user_id == user.id).order_by(Block.id.desc()))
    )


def set_role(admin: User, user: User, role_value: str, reason: str) -> User:
    """Give a person another role."""
    require_admin(admin)
    try:
        role = Role(int(role_value))
    except (TypeError, ValueError):
        raise BadRequest(N_("Choose a role from the list.")) from None
    if user.id == admin.id:
        raise NotAllowed(N_("You cannot change your own role: ask another administrator."))
    reason = check_reason(reason, required=False)
    with write_transaction():
        user = db.session.merge(user)
        old = Role(user.role)
        if old == role:
            return user
        user.role = role
        content_changed()  # what the person's pages show (tabs, review notices) follows
        modlog.record(
            "role",
            admin,
            target=user.username,
            target_user=user,
            reason=reason,
            old=old.name.lower(),
            new=role.name.lower(),
        )
    _tell_if_editing_withdrawn(admin, user)
    return user


def approve(admin: User, user: User, approved: bool = True) -> None:
    """Let a person edit when the edit policy asks for approval (or take it back)."""
    require_admin(admin)
    with write_transaction() as session:
        row = session.get(Approval, user.id)
        content_changed()  # the person's edit tabs follow
        if approved and row is None:
            session.add(Approval(user_id=user.id, approved_by_id=admin.id))
            modlog.record("approve", admin, target=user.username, target_user=user)
        elif not approved and row is not None:
            session.delete(row)
            modlog.record("unapprove", admin, target=user.username, target_user=user)
    if not approved:
        _tell_if_editing_withdrawn(admin, user)


def _tell_if_editing_withdrawn(admin: User, user: User) -> None:
    """Announce that a person may no longer edit anywhere, if so after a change of theirs."""
    if edit_refusal(db.session.merge(user)) is not None:
        events.editing_withdrawn.send(user=user, admin=admin)


def block_user(admin: User, user: User, reason: str, duration: str) -> Block:
    """Block a person from editing and commenting, saying why and for how long."""
    require_admin(admin)
    if user.id == admin.id:
        raise NotAllowed(N_("You cannot block yourself."))
    if user.has_role(Role.ADMIN):
        raise NotAllowed(N_("Administrators cannot be blocked: change their role first."))
    reason = check_reason(reason, required=True)
    until = expiry(duration)
    with write_transaction() as session:
        _lift(session, select(Block).where(Block.user_id == user.id), admin)
        block = Block(user_id=user.id, reason=reason, created_by_id=admin.id, expires_at=until)
        session.add(block)
        content_changed()  # every process asks again whether the account is blocked
        modlog.record(
            "block",
            admin,
            target=user.username,
            target_user=user,
            reason=reason,
            expires=until.isoformat() if until else None,
        )
    events.editing_withdrawn.send(user=user, admin=admin)
    return block


def block_address(admin: User, address: str, reason: str, duration: str) -> Block:
    """Block anonymous editing from an address range (as histories show it)."""
    require_admin(admin)
    masked = _masked(address)
    reason = check_reason(reason, required=True)
    until = expiry(duration)
    with write_transaction() as session:
        _lift(session, select(Block).where(Block.address == masked), admin)
        block = Block(address=masked, reason=reason, created_by_id=admin.id, expires_at=until)
        session.add(block)
        modlog.record(
            "block",
            admin,
            target=masked,
            reason=reason,
            expires=until.isoformat() if until else None,
        )
    return block


def _masked(address: str) -> str:
    """Return an address or a masked range in its masked form, or raise BadRequest."""
    text = address.strip()
    if text.endswith(".x"):
        text = text[:-2] + ".0"
    elif text.endswith("/64"):
        text = text[:-3]
    masked = mask_ip(text)
    if masked == "unknown":
        raise BadRequest(N_("Enter an address such as 203.0.113.7 or 203.0.113.x."))
    return masked


def unblock(admin: User, block_id: int, reason: str) -> Block:
    """Lift a block before it ends."""
    require_admin(admin)
    reason = check_reason(reason, required=False)
    with write_transaction() as session:
        block = session.get(Block, block_id)
        if block is None or block.lifted_at is not None:
            raise NotFound(N_("This block does not exist or was already lifted."))
        block.lifted_at, block.lifted_by_id = utcnow(), admin.id
        content_changed()
        target = block.user.username if block.user else block.address
        modlog.record("unblock", admin, target=target, target_user=block.user, reason=reason)
    return block


def _lift(session, statement, admin: User) -> None:
    """Lift the blocks a statement finds (a new block replaces them)."""
    for block in session.scalars(statement.where(Block.lifted_at.is_(None))):
        block.lifted_at, block.lifted_by_id = utcnow(), admin.id


def active_blocks(limit: int = 200) -> list[Block]:
    """Return the blocks in force, newest first."""
    now = utcnow()
    statement = (
        select(Block)
        .where(Block.lifted_at.is_(None), or_(Block.expires_at.is_(None), Block.expires_at > now))
        .order_by(Block.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(statement))


# One-time links: password resets and invitations.


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def issue_reset_link(admin: User, user: User) -> str:
    """Return a new one-time token that lets a person set a new password (for a day)."""
    require_admin(admin)
    token = secrets.token_urlsafe(32)
    with write_transaction() as session:
        session.add(
            OneTimeLink(
                kind="reset",
                token_hash=_token_hash(token),
                user_id=user.id,
                created_by_id=admin.id,
                expires_at=utcnow() + timedelta(hours=RESET_LINK_HOURS),
            )
        )
        modlog.record("reset_link", admin, target=user.username, target_user=user)
    return token


def create_invite(admin: User, note: str) -> str:
    """Return a new one-time invitation token to register (for two weeks)."""
    require_admin(admin)
    note = check_reason(note, required=False)[:200]
    token = secrets.token_urlsafe(32)
    with write_transaction() as session:
        session.add(
            OneTimeLink(
                kind="invite",
                token_hash=_token_hash(token),
                note=note,
                created_by_id=admin.id,
                expires_at=utcnow() + timedelta(days=INVITE_DAYS),
            )
        )
        modlog.record("invite", admin, target=note or "—")
    return token


def withdraw_invite(admin: User, invite_id: int) -> OneTimeLink:
    """End an unused invitation now (sent to the wrong person, or no longer wanted)."""
    require_admin(admin)
    with write_transaction() as session:
        invite = session.get(OneTimeLink, invite_id)
        if invite is None or invite.kind != "invite":
            raise NotFound(N_("There is no such invitation."))
        if invite.used_at is not None:
            raise BadRequest(
                N_("This invitation was already used: block or demote the account instead.")
            )
        if invite.expires_at > utcnow():
            invite.expires_at = utcnow()
            modlog.record("invite_withdrawn", admin, target=invite.note or "—")
    return invite


def invites(limit: int = 100) -> list[OneTimeLink]:
    """Return the latest invitations, newest first."""
    statement = select(OneTimeLink).where(OneTimeLink.kind == "invite")
    return list(db.session.scalars(statement.order_by(OneTimeLink.id.desc()).limit(limit)))


LINK_INVALID = N_(
    "This link does not work: it was already used, it expired, or it was copied incompletely. "
    "Ask for a new one (“Forgot your password?” on the login page, or an administrator)."
)


def find_link(kind: str, token: str) -> OneTimeLink:
    """Return the unused, unexpired link with this token, or raise NotFound."""
    if not token or len(token) > 100:
        raise NotFound(LINK_INVALID)
    link = db.session.scalar(
        select(OneTimeLink).where(
            OneTimeLink.token_hash == _token_hash(token), OneTimeLink.kind == kind
        )
    )
    if link is None or link.used_at is not None or link.expires_at <= utcnow():
        raise NotFound(LINK_INVALID)
    return link


def use_link(kind: str, token: str, session, used_by: User | None = None) -> OneTimeLink:
    """Mark a link used inside the caller's transaction, or raise NotFound if it can't be."""
    link = session.scalar(
        select(OneTimeLink)
        .where(OneTimeLink.token_hash == _token_hash(token), OneTimeLink.kind == kind)
        .with_for_update()
    )
    if link is None or link.used_at is not None or link.expires_at <= utcnow():
        raise NotFound(LINK_INVALID)
    link.used_at = utcnow()
    link.used_by_id = used_by.id if used_by is not None else link.user_id
    return link


def reset_password(token: str, password: str, confirm: str) -> User:
    """Set a new password with a reset link; every session of the account ends."""
    link = find_link("reset", token)
    user = link.user
    check_password(password, confirm, user.username)
    password_hash = hash_password(password)
    with write_transaction() as session:
        use_link("reset", token, session)
        user = session.merge(user)
        user.password_hash = password_hash
        session.execute(
            delete(sessions.UserSession).where(sessions.UserSession.user_id == user.id)
        )
        content_changed()  # every process forgets the sessions it remembers
    return user
