"""Accounts and providers: who a provider's sign-in is, new accounts from one, linking.

A provider account is linked to at most one person. A new one never takes over an
existing account, even when its verified address matches: the person logs in to that
account and links the provider there.
"""

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ..access.permissions import active_block, block_refusal
from ..access.policy import current_policy
from ..core.signin import Profile, suggest_username
from ..core.titles import N_
from ..database import write_transaction
from ..extensions import db
from ..identity import (
    NO_PASSWORD,
    AccountError,
    check_password,
    check_username,
    find_user,
    has_password,
    hash_password,
    user_key,
)
from ..models import Role, User, utcnow
from ..people import service as people
from ..problems import Conflict, NotAllowed, NotFound, UserError
from ..safety.accounts import use_link
from . import emails
from .models import ProviderIdentity
from .providers import Provider


@dataclass(frozen=True)
class Newcomer:
    """A provider sign-in with no account yet: kept (signed) in the session until the person
    chooses a username."""

    provider: str
    subject: str
    display: str
    email: str
    email_verified: bool
    suggestion: str

    def to_session(self) -> dict:
        return dict(self.__dict__)

    @classmethod
    def from_session(cls, data: object) -> "Newcomer | None":
        try:
            return cls(**data) if isinstance(data, dict) else None
        except TypeError:
            return None


ADDRESS_TAKEN = N_(
    "An account on this wiki already uses %(email)s. To sign in with %(provider)s, log in "
    "to that account first, then link %(provider)s in your preferences."
)
LINKED_ELSEWHERE = N_("This %(provider)s account is already linked to another account here.")


def identity_for(provider: Provider, subject: str) -> ProviderIdentity | None:
    """Return the link of this provider account, or None."""
    return db.session.scalar(
        select(ProviderIdentity).where(
            ProviderIdentity.provider == provider.name, ProviderIdentity.subject == subject
        )
    )


def returning(provider: Provider, profile: Profile) -> User | None:
    """Return the account this provider sign-in belongs to (noting the use), or None.

    A blocked account is refused: a provider is no way around a block.
    """
    identity = identity_for(provider, profile.subject)
    if identity is None:
        return None
    user = db.session.get(User, identity.user_id)
    block = active_block(user)
    if block is not None:
        refusal = block_refusal(block)
        raise NotAllowed(refusal.message, **refusal.params)
    with write_transaction() as session:
        session.get(ProviderIdentity, identity.id).last_used_at = utcnow()
    return user


def newcomer(provider: Provider, profile: Profile, invite: str) -> Newcomer:
    """Return the new account a first sign-in would make, or raise why it may not."""
    if profile.email and profile.email_verified:
        if emails.verified_owner(profile.email) is not None:
            raise Conflict(ADDRESS_TAKEN, email=profile.email, provider=provider.label)
    refusal = people.registration_refusal(invite)
    if refusal is not None:
        raise NotAllowed(refusal)
    return Newcomer(
        provider=provider.name,
        subject=profile.subject,
        display=profile.display[:255],
        email=profile.email[:254],
        email_verified=profile.email_verified,
        suggestion=suggest_username(profile.names, lambda name: find_user(name) is not None),
    )


def create_account(provider: Provider, newcomer: Newcomer, username: str, invite: str) -> User:
    """Create the account of a first provider sign-in, linked to it, under the chosen name."""
    refusal = people.registration_refusal(invite)
    if refusal is not None:
        raise AccountError(refusal, status=403)
    username = check_username(username)
    policy = current_policy().register
    try:
        with write_transaction() as session:
            first = people.first_account()
            user = User(
                username=username,
                key=user_key(username),
                password_hash=NO_PASSWORD,
                role=Role.ADMIN if first else Role.EDITOR,
            )
            session.add(user)
            session.flush()
            session.add(_identity(user, provider, newcomer.subject, newcomer.display))
            if policy == "invite" and not first:
                use_link("invite", invite, session, used_by=user)
            if newcomer.email and newcomer.email_verified:
                emails.add_verified(session, user.id, newcomer.email)
    except IntegrityError as error:
        if find_user(username) is not None:
            raise AccountError(N_("This username is already taken."), "username") from error
        raise AccountError(LINKED_ELSEWHERE, status=409, provider=provider.label) from error
    except UserError as error:
        raise AccountError(error.message, status=error.status, **error.params) from error
    return user


def _identity(user: User, provider: Provider, subject: str, display: str) -> ProviderIdentity:
    return ProviderIdentity(
        user_id=user.id,
        provider=provider.name,
        subject=subject[:255],
        display=display[:255],
        last_used_at=utcnow(),
    )


def link(user: User, provider: Provider, profile: Profile) -> ProviderIdentity:
    """Link a provider account to the logged-in person's account."""
    existing = identity_for(provider, profile.subject)
    if existing is not None:
        if existing.user_id == user.id:
            return existing
        raise Conflict(LINKED_ELSEWHERE, provider=provider.label)
    try:
        with write_transaction() as session:
            identity = _identity(user, provider, profile.subject, profile.display)
            session.add(identity)
    except IntegrityError as error:
        raise Conflict(LINKED_ELSEWHERE, provider=provider.label) from error
    return identity


def identities_of(user: User) -> list[ProviderIdentity]:
    """Return the provider accounts linked to a person, oldest first."""
    return list(
        db.session.scalars(
            select(ProviderIdentity)
            .where(ProviderIdentity.user_id == user.id)
            .order_by(ProviderIdentity.id)
        )
    )


def ways_in(user: User) -> int:
    """Return how many ways the person has to log in: a password and each linked provider."""
    linked = db.session.scalar(
        select(func.count(ProviderIdentity.id)).where(ProviderIdentity.user_id == user.id)
    )
    return int(has_password(user)) + linked


LAST_WAY_IN = N_(
    "This is your only way to log in, so it cannot be unlinked. Set a password or link "
    "another provider first."
)


def unlink(user: User, identity_id: int) -> ProviderIdentity:
    """Unlink a provider account from the person's account; never their last way in."""
    with write_transaction() as session:
        identity = session.get(ProviderIdentity, identity_id, with_for_update=True)
        if identity is None or identity.user_id != user.id:
            raise NotFound(N_("This sign-in is not linked to your account."))
        user = session.get(User, user.id, with_for_update=True)
        if ways_in(user) <= 1:
            raise Conflict(LAST_WAY_IN)
        session.delete(identity)
    return identity


def set_first_password(user: User, password: str, confirm: str) -> User:
    """Give an account that signs in only through providers a password too."""
    if has_password(user):
        raise Conflict(N_("Your account has a password: change it on the Account page."))
    check_password(password, confirm, user.username)
    with write_transaction() as session:
        user = session.get(User, user.id)
        user.password_hash = hash_password(password)
    return user
