"""The data model: people, pages and their append-only revisions."""

import enum
import hashlib
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import TypeVar

from cachetools import LRUCache
from flask import current_app, has_app_context
from flask_login import UserMixin
from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    bindparam,
    false,
    inspect,
    select,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, object_session, relationship
from sqlalchemy.orm.util import identity_key

from .core.delta import apply_delta, pack, rebuild
from .extensions import db


def utcnow() -> datetime:
    """Return the current time in UTC."""
    return datetime.now(UTC)


class UTCDateTime(db.TypeDecorator):
    """A timestamp stored naive in UTC and always read back as an aware UTC datetime."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None and value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        return value.replace(tzinfo=UTC) if value is not None else None


class Role(enum.IntEnum):
    """What a person may do; each role can do everything the ones below it can."""

    READER = 10
    EDITOR = 20
    #: Reviews waiting changes before the public sees them (wiki/review).
    REVIEWER = 25
    MODERATOR = 30
    ADMIN = 40


class RevisionKind(enum.StrEnum):
    """How a revision came about, shown in the history."""

    CREATE = "create"
    EDIT = "edit"
    MERGE = "merge"
    RESTORE = "restore"
    UNDO = "undo"
    #: A reviewer rejected waiting changes: the published text is put back.
    REJECT = "reject"
    ROLLBACK = "rollback"
    MOVE = "move"
    #: A new version of a file was uploaded (or an old one restored); the text is unchanged.
    UPLOAD = "upload"


class User(UserMixin, db.Model):
    """A person with an account."""

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The name as the person typed it; shown everywhere.
    username: Mapped[str] = mapped_column(String(64))
    #: The normalised name, unique, used for lookup ("Anna" and "anna" are one person).
    key: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[int] = mapped_column(Integer, default=Role.EDITOR)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def has_role(self, role: Role) -> bool:
        """Return whether the person has this role or a higher one."""
        return self.role >= role

    def get_id(self) -> str:
        """Return the id Flask-Login keeps, without reading the row again after a commit."""
        identity = inspect(self).identity
        return str(identity[0]) if identity else str(self.id)

    @property
    def role_name(self) -> str:
        """Return the role's name in lower case, e.g. "editor"."""
        return Role(self.role).name.lower()


T = TypeVar("T")

#: Characters of rebuilt texts each process keeps (least recently used dropped): a save
#: then finds its page's previous text, and its authorship job the previous record,
#: without their delta chains.
KEPT_TEXT_CHARS = 16_000_000


class KeptTexts:
    """Texts rebuilt from storage (and what is parsed from them), by what identifies their
    content in one database, shared by the threads of one app (one app, one database: a
    key names one content there); least recently used dropped past a budget of characters."""

    def __init__(self, max_chars: int) -> None:
        self._entries: LRUCache = LRUCache(maxsize=max_chars, getsizeof=lambda entry: entry[0])
        self._lock = threading.Lock()

    def get(self, key):
        """Return the value kept for key, or None."""
        with self._lock:
            entry = self._entries.get(key)
        return entry[1] if entry is not None else None

    def put(self, key, value, size: int | None = None) -> None:
        """Keep a value weighing size characters (a text: its length); one heavier than the
        whole budget is not kept."""
        with self._lock:
            try:
                self._entries[key] = (len(value) if size is None else size, value)
            except ValueError:
                pass

    def clear(self) -> None:
        """Forget everything."""
        with self._lock:
            self._entries.clear()


def kept_texts() -> KeptTexts | None:
    """Return the texts the current app keeps (None outside an app made by create_app, and
    while reading storage)."""
    if _reading_storage.get() or not has_app_context():
        return None
    return current_app.extensions.get("kept_texts")


def kept(key):
    """Return the value the current app keeps for key, or None."""
    found = kept_texts()
    return found.get(key) if found is not None else None


def keep(key, value, size: int | None = None) -> None:
    """Keep a value for key in the current app (see KeptTexts.put), if it keeps any."""
    found = kept_texts()
    if found is not None:
        found.put(key, value, size)


def kept_or_made(key, make: "Callable[[], tuple[T, int]]") -> T:
    """Return the value kept for key, or make it (make returns it and its weight) and keep it."""
    value = kept(key)
    if value is None:
        value, size = make()
        keep(key, value, size)
    return value


_reading_storage: ContextVar[bool] = ContextVar("reading_storage", default=False)


@contextmanager
def reading_storage() -> Iterator[None]:
    """Rebuild every text from its stored bytes inside the block (the integrity check must
    verify storage, not what a process kept)."""
    token = _reading_storage.set(True)
    try:
        yield
    finally:
        _reading_storage.reset(token)


class Chained:
    """A row storing a text whole (zlib) or as a delta on another row of its table (its
    base), with the number of deltas behind it; the text, once read, is kept on the row
    and, by what identifies its content, in the process (kept_texts)."""

    #: The name of the table's key, which base_id refers to.
    chain_key = "id"

    def content_key(self) -> tuple:
        """Return what identifies the text this row stores, whatever process reads it.

        The row's key, its stored bytes and its base's key. A delta's text also depends on
        its base's, and a delta names lengths, not what it copies: equal keys mean equal
        texts because a row rewritten with other content is stored whole (authorship
        backfill), so its bytes change, and a row of a rolled-back transaction (whose id
        SQLite may give again) is a delta on a committed row, whose content is fixed.
        """
        digest = hashlib.blake2b(self.data, digest_size=16).digest()
        return (self.__tablename__, getattr(self, self.chain_key), self.base_id, digest)

    def chained_text(self) -> str:
        """Return the stored text, rebuilt from its delta chain if it is stored as one."""
        # Reading storage, even a text this row already holds is read again.
        cached = None if _reading_storage.get() else self.__dict__.get("_text")
        if cached is None:

            def read() -> tuple[str, int]:
                text = _read_chain(self)
                return text, len(text)

            cached = kept_or_made(self.content_key(), read)
            self.__dict__["_text"] = cached
        return cached

    def keep_text(self, text: str) -> None:
        """Remember the text this row stores (just written: no need to read it back)."""
        self.__dict__["_text"] = text
        keep(self.content_key(), text)

    @classmethod
    def columns_for(cls, text: str, base, max_depth: int, worth: float) -> dict:
        """Return the columns storing text: a delta on base (a row of this table, or None)
        when its chain is short enough and the delta worth it, else the whole text."""
        # A base at the chain's end is not read: the text is stored whole anyway.
        usable = base is not None and base.depth < max_depth
        packed = pack(
            text,
            base.chained_text() if usable else None,
            base.depth if usable else 0,
            max_depth,
            worth,
        )
        base_id = getattr(base, cls.chain_key) if packed.depth else None
        return {"data": packed.data, "base_id": base_id, "depth": packed.depth}


class TextBlob(Chained, db.Model):
    """A revision's text, stored once per distinct content: whole and compressed, or as a
    delta against another text (usually the previous revision's), in chains kept short."""

    __tablename__ = "text_blob"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: SHA-1 of the UTF-8 text: identical texts (restores, rollbacks) share one blob.
    sha1: Mapped[str] = mapped_column(String(40), unique=True)
    #: zlib-compressed UTF-8 text, or (with base_id) a delta (wiki.core.delta).
    data: Mapped[bytes] = mapped_column(LargeBinary)
    #: The text the delta applies to; None: data is the whole text.
    base_id: Mapped[int | None] = mapped_column(ForeignKey("text_blob.id"))
    #: How many deltas lead here from a whole text (0 for a whole text); bounded, so any
    #: old revision reads in a few steps.
    depth: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    @property
    def text(self) -> str:
        """Return the text, rebuilt from its delta chain if it is stored as one."""
        return self.chained_text()

    def content_key(self) -> tuple:
        """Return the text's hash: it names the text whatever row or chain stores it."""
        return (self.__tablename__, self.sha1)

    @classmethod
    def kept_text(cls, sha1: str) -> str | None:
        """Return the text with this hash if this process keeps it (no query), else None."""
        return kept((cls.__tablename__, sha1))

    def note_added(self, added: bool) -> None:
        """Note whether the save storing this text just added it (set at every save)."""
        self.__dict__["_added"] = added

    @property
    def added(self) -> bool:
        """Return whether the save storing this text added it: no revision had it before."""
        return self.__dict__.get("_added", False)


_CHAIN_QUERIES: dict = {}


def _read_chain(row: Chained) -> str:
    """Return the text a row stores, reading the chain of bases down to a whole text in
    one query (or applying one delta when the base's text is already read)."""
    if row.base_id is None:
        return rebuild(row.data, ())
    session = object_session(row)
    base = session.identity_map.get(identity_key(type(row), row.base_id))
    known = base.__dict__.get("_text") if base is not None else None
    if known is not None:
        # The base was read in this session (a save's previous text, or a check that reads
        # texts base first): one delta, not the chain.
        return apply_delta(known, row.data)
    model = type(row)
    query = _CHAIN_QUERIES.get(model)
    if query is None:
        # Built once per table: building the recursive query costs more than running it.
        key, base_column = getattr(model, model.chain_key), model.base_id
        start = select(key, base_column).where(key == bindparam("start"))
        chain = start.cte("chain", recursive=True)
        chain = chain.union_all(select(key, base_column).join(chain, key == chain.c.base_id))
        query = select(key, base_column, model.data).where(
            key.in_(select(chain.c[model.chain_key]))
        )
        _CHAIN_QUERIES[model] = query
    # Plain rows: building objects would cost more than applying the deltas.
    found = {
        key: (base, data) for key, base, data in session.execute(query, {"start": row.base_id})
    }
    deltas = [row.data]
    base_id = row.base_id
    while base_id is not None:
        base_id, data = found[base_id]
        deltas.append(data)
    return rebuild(deltas.pop(), reversed(deltas))


class Page(db.Model):
    """A wiki page: a title and a pointer to its latest revision."""

    # Lists leave deleted pages out with "page_id NOT IN (deleted pages)": a tiny index.
    # SQLite uses it only for a query repeating its condition exactly, and SQLAlchemy
    # writes `where(Page.deleted)` as "deleted = 1" there (see community.sql.deleted_pages).
    __table_args__ = (
        Index(
            "ix_page_deleted",
            "id",
            sqlite_where=text("deleted = 1"),
            postgresql_where=text("deleted"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The title as first typed (display form).
    title: Mapped[str] = mapped_column(String(255))
    #: The normalised title, unique: "Straße" and "STRASSE" are one page.
    key: Mapped[str] = mapped_column(String(255), unique=True)
    #: Moves only by compare-and-set, so two saves can never both win.
    latest_revision_id: Mapped[int | None] = mapped_column(
        ForeignKey("revision.id", use_alter=True)
    )
    #: The latest reviewed revision: what readers who may not see waiting changes are shown
    #: (None: nothing published yet). Moves only by compare-and-set, never backwards.
    published_revision_id: Mapped[int | None] = mapped_column(
        ForeignKey("revision.id", use_alter=True)
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: Deleted by a moderator: gone for readers, search and lists; history and talk kept.
    deleted: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    #: The key of the page this one redirects to (its text is "#REDIRECT [[Target]]"),
    #: kept in step with the text at every save; None for an ordinary page.
    redirect_key: Mapped[str | None] = mapped_column(String(255), index=True)
    #: The language the page is written in ("it"); None: the site's (WIKI_DEFAULT_LOCALE).
    lang: Mapped[str | None] = mapped_column(String(16))

    latest: Mapped["Revision | None"] = relationship(
        foreign_keys=[latest_revision_id], post_update=True, lazy="joined"
    )
    published: Mapped["Revision | None"] = relationship(
        foreign_keys=[published_revision_id], post_update=True, lazy="select", viewonly=True
    )


class Revision(db.Model):
    """One saved version of a page; never updated or deleted."""

    __table_args__ = (
        Index("ix_revision_page_id_id", "page_id", "id"),
        # The revisions holding a text: whether a page still shows it (pages/content.py).
        Index("ix_revision_text_id", "text_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    page_id: Mapped[int] = mapped_column(ForeignKey("page.id"))
    #: The revision this one was made from (None for the first).
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("revision.id"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    #: For an anonymous edit: the editor's address, masked ("203.0.113.x"), shown as author.
    author_ip: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    summary: Mapped[str] = mapped_column(String(500), default="")
    #: A summary the wiki wrote (wiki/summaries.py): its message key and JSON arguments,
    #: so it shows in each reader's language; None for a summary a person typed.
    summary_key: Mapped[str | None] = mapped_column(String(32))
    summary_args: Mapped[str | None] = mapped_column(Text)
    minor: Mapped[bool] = mapped_column(Boolean, default=False)
    kind: Mapped[str] = mapped_column(String(16), default=RevisionKind.EDIT)
    #: Size of the text in UTF-8 bytes, and the change from the parent (signed).
    size: Mapped[int] = mapped_column(Integer)
    size_change: Mapped[int] = mapped_column(Integer)
    #: SHA-1 of the UTF-8 text, checked by `flask check`.
    sha1: Mapped[str] = mapped_column(String(40))
    text_id: Mapped[int] = mapped_column(ForeignKey("text_blob.id"))

    page: Mapped[Page] = relationship(foreign_keys=[page_id])
    author: Mapped[User | None] = relationship(lazy="joined")
    blob: Mapped[TextBlob] = relationship()

    @property
    def text(self) -> str:
        """Return the revision's text."""
        return self.blob.text


class RenderedText(db.Model):
    """Rendered HTML of a text, cached by content hash and renderer version."""

    __tablename__ = "rendered_text"

    sha1: Mapped[str] = mapped_column(String(40), primary_key=True)
    renderer_version: Mapped[int] = mapped_column(Integer, primary_key=True)
    html: Mapped[str] = mapped_column(Text)
    #: The headings for the table of contents, as JSON [[level, anchor, text], ...].
    headings: Mapped[str] = mapped_column(Text, default="[]")


class PageFollowUp(db.Model):
    """Work a change to a page left for after its answer (see wiki.followups): kept until a
    job has done it, so that the work of a job lost with its process is found again.

    One row per change, only ever inserted by changes: a save never waits for the job
    deleting the rows before it (an upsert of one row per page waited on PostgreSQL).
    """

    __tablename__ = "page_follow_up"

    id: Mapped[int] = mapped_column(primary_key=True)
    page_id: Mapped[int] = mapped_column(ForeignKey("page.id"), index=True)
    #: What is left to do: "authorship", "search".
    kind: Mapped[str] = mapped_column(String(20))
    noted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Link(db.Model):
    """A wikilink from a page's current text to a title, which may not exist yet."""

    __table_args__ = (UniqueConstraint("page_id", "target_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    page_id: Mapped[int] = mapped_column(ForeignKey("page.id"), index=True)
    target_key: Mapped[str] = mapped_column(String(255), index=True)
    #: The title as written in the link, to show for wanted pages.
    target_title: Mapped[str] = mapped_column(String(255))


class Draft(db.Model):
    """Text someone is writing in the editor, autosaved so that it is never lost."""

    __table_args__ = (UniqueConstraint("user_id", "page_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    #: The page's title key; the page may not exist yet.
    page_key: Mapped[str] = mapped_column(String(255))
    title: Mapped[str] = mapped_column(String(255))
    #: The revision the editor was opened on (None for a new page).
    base_revision_id: Mapped[int | None] = mapped_column(ForeignKey("revision.id"))
    text: Mapped[str] = mapped_column(Text)
    summary: Mapped[str] = mapped_column(String(500), default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class Generation(db.Model):
    """A counter bumped after each committed change of a kind ("content": what page views
    show), so every process can tell whether what it cached is still current."""

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, default=0)
