"""Engine tuning and write transactions that behave the same on SQLite and PostgreSQL."""

import hashlib
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TypeVar

from sqlalchemy import BigInteger, Engine, bindparam, case, event, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from .extensions import db

_writing: ContextVar[bool] = ContextVar("writing", default=False)
T = TypeVar("T")


def tune_engine(engine: Engine) -> None:
    """Make SQLite durable and let writers queue instead of failing with "database is locked"."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        # The driver must not open transactions itself: we emit BEGIN (IMMEDIATE) below.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:
        # IMMEDIATE takes the write lock up front; a deferred transaction that reads first
        # and writes later can fail at once with SQLITE_BUSY whatever the busy timeout.
        # Straight to the driver: through exec_driver_sql it was 2% of an uncached page view.
        # Its errors are wrapped as SQLAlchemy's would be ("database is locked" is an
        # OperationalError that callers wait on, e.g. share.reach).
        statement = "BEGIN IMMEDIATE" if _writing.get() else "BEGIN"
        try:
            connection.connection.dbapi_connection.execute(statement)
        except sqlite3.Error as error:
            raise DBAPIError.instance(statement, (), error, sqlite3.Error) from error


def dialect_insert(session: Session, model):
    """Return an INSERT for the session's engine that supports on_conflict_do_*."""
    return insert_for(session.get_bind().dialect.name, model)


def insert_for(dialect: str, model):
    """Return an INSERT for the named dialect that supports on_conflict_do_* (of a Table
    when run with parameters: an ORM entity's would take them as rows to insert)."""
    return (postgresql if dialect == "postgresql" else sqlite).insert(model)


def built_once(build: Callable[[str], T]) -> Callable[[Session], T]:
    """Return a function giving the statement build(dialect name) makes for a session's
    engine, built once per dialect (values as bindparams, passed when it runs).

    Building a statement and its cache key anew at each call cost more than running it
    on SQLite: 0.2 ms for an upsert, a dozen of them in a save.
    """
    made: dict[str, T] = {}

    def statement(session: Session) -> T:
        name = session.get_bind().dialect.name
        found = made.get(name)
        if found is None:
            found = made[name] = build(name)
        return found

    return statement


def read_afresh() -> None:
    """End the session's read snapshot: what is read next is what the database holds now.

    SQLite keeps the snapshot of a transaction's first read until it ends; a request that
    waited (for a lock, say) would otherwise read what others committed meanwhile as missing.
    """
    session = db.session()
    if session.in_transaction():
        session.commit()


@contextmanager
def write_transaction(keep: tuple[type, ...] = ()) -> Iterator[Session]:
    """Run the block as one write transaction, committed at the end or rolled back.

    keep: classes of rows that never change once written (revisions): those read before
    stay loaded; every other row is read again when next used, under the lock.
    """
    session = db.session()
    if session.in_transaction():
        # End any read snapshot first, so the write transaction starts fresh and locked.
        if keep:
            expire = session.expire_on_commit
            session.expire_on_commit = False
            try:
                session.commit()
            finally:
                session.expire_on_commit = expire
            for row in list(session.identity_map.values()):
                if not isinstance(row, keep):
                    session.expire(row)
        else:
            session.commit()
    token = _writing.set(True)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        _writing.reset(token)


def wait_turn(name: str) -> None:
    """Wait, in arrival order, for the turn to lock the rows that name stands for, until the
    end of the write transaction (PostgreSQL; SQLite writers are one at a time anyway).

    PostgreSQL queues row-lock waiters fairly only until the row is updated: a waiter must
    then lock the new row version, and a newcomer often gets it first, so on a busy page
    some saves waited seconds while others passed them. Advisory locks queue in order.
    """
    session = db.session()
    bind = session.get_bind()
    if bind.dialect.name == "postgresql":
        session.execute(_WAIT_TURN, {"key": _lock_key(name, bind)})


def turn_taken(name: str) -> bool:
    """Return whether someone holds the turn named right now (PostgreSQL; else False)."""
    session = db.session()
    bind = session.get_bind()
    if bind.dialect.name != "postgresql":
        return False
    return not session.scalar(_TURN_FREE, {"key": _lock_key(name, bind)})


#: Built once (the lock's key bound when run), as every save on PostgreSQL takes a turn.
_WAIT_TURN = select(func.pg_advisory_xact_lock(bindparam("key", type_=BigInteger)))
# Take the lock only to learn that it is free, and give it back at once.
_TURN_FREE = select(
    case(
        (
            func.pg_try_advisory_lock(bindparam("key", type_=BigInteger)),
            func.pg_advisory_unlock(bindparam("key", type_=BigInteger)),
        ),
        else_=False,
    )
)


def _lock_key(name: str, bind: Engine) -> int:
    """Return the advisory lock key standing for name in the engine's wiki."""
    # Advisory locks belong to the whole database: two wikis in schemas of one database
    # (the URL's search_path) would otherwise make each other's saves of a title wait.
    url = bind.url
    where = f"{url.database}|{url.query.get('options', '')}|{name}"
    digest = hashlib.blake2b(where.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)
