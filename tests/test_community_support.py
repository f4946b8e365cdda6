"""Helpers for the community tests: counting queries, a local SMTP inbox, shortcuts.

Imported by tests/test_community_*.py, test_feeds*.py and test_email*.py; holds no tests.
"""

import email
import socket
import threading
import time
from contextlib import contextmanager
from email import policy

from sqlalchemy import event, select

from wiki.core.titles import parse_title
from wiki.extensions import db
from wiki.models import Page
from wiki.talk import service as talk


@contextmanager
def count_queries():
    """Collect the SQL statements run inside the block (all connections of the app's engine)."""
    seen: list[str] = []

    def on_execute(conn, cursor, statement, *args):
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", on_execute)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", on_execute)


def queries_of(client, url: str) -> int:
    """Return how many statements a GET of url runs (after one warm-up request)."""
    assert client.get(url).status_code == 200
    with count_queries() as seen:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(seen)


def page_named(title: str) -> Page:
    """Return the page with this title."""
    return db.session.scalar(select(Page).where(Page.key == parse_title(title).key))


def start_topic(title: str, subject: str, body: str, author):
    """Start a topic through the talk service; return its first comment."""
    return talk.start_topic(page_named(title), subject, body, author=author)


def reply(comment_or_topic_id, body: str, author, parent=None):
    """Reply in a topic through the talk service; return the new comment."""
    return talk.reply(
        comment_or_topic_id, body, author=author, parent_id=parent.id if parent else None
    )


class Inbox:
    """What a local SMTP server received, as parsed email messages."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []
        self.port = 0
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        with self._lock:
            self.messages.append(message)
        return "250 Message accepted"

    def wait_for(self, count: int, timeout: float = 5.0) -> list:
        """Return the messages once at least count arrived (SMTP is over a socket)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if len(self.messages) >= count:
                    return list(self.messages)
            time.sleep(0.02)
        return list(self.messages)

    def body(self, message) -> str:
        return message.get_body(preferencelist=("plain",)).get_content()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
