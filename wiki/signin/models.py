"""The sign-in tables: provider identities, email addresses, two-factor secrets and codes."""

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..models import UTCDateTime, utcnow

MAX_EMAIL = 254


class ProviderIdentity(db.Model):
    """An account at a sign-in provider (Google, GitHub, the company's SSO) linked to a person.

    One provider account belongs to at most one person; a person may link several.
    """

    __tablename__ = "provider_identity"
    __table_args__ = (UniqueConstraint("provider", "subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    #: The provider's configured name, lower case ("google", "github", "acme").
    provider: Mapped[str] = mapped_column(String(40))
    #: The provider's stable id of the account (OpenID Connect `sub`, GitHub's numeric id).
    subject: Mapped[str] = mapped_column(String(255))
    #: How the provider names the account (an address or a login), to show in preferences.
    display: Mapped[str] = mapped_column(String(255), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class EmailAddress(db.Model):
    """An email address a person added; verified once they followed the signed link to it.

    Any number of people may add an address, but only one may verify it (verified_key is
    unique): someone typing another person's address can never receive their resets.
    """

    __tablename__ = "email_address"
    __table_args__ = (UniqueConstraint("user_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    #: The address as typed.
    address: Mapped[str] = mapped_column(String(MAX_EMAIL))
    #: The address lower-cased, for lookups.
    key: Mapped[str] = mapped_column(String(MAX_EMAIL), index=True)
    #: The key once verified, else None: unique, so one verified owner per address.
    verified_key: Mapped[str | None] = mapped_column(String(MAX_EMAIL), unique=True)
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class TwoFactor(db.Model):
    """A person's authenticator app secret (TOTP, RFC 6238)."""

    __tablename__ = "two_factor"

    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), primary_key=True)
    #: The shared secret, base32, as the authenticator app holds it.
    secret: Mapped[str] = mapped_column(String(64))
    #: When the person proved their app works; None while it is being set up.
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The last 30-second time step a code was accepted for: a code works once.
    last_step: Mapped[int] = mapped_column(BigInteger, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class RecoveryCode(db.Model):
    """A single-use code that stands in for the authenticator app (a lost phone)."""

    __tablename__ = "recovery_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    #: SHA-256 of the code (random, 50 bits: a fast hash is enough); shown once, never stored.
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
