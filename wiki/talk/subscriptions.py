"""Following topics and talk pages; the notifications themselves are sent elsewhere."""

from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ..core.titles import N_
from ..database import write_transaction
from ..extensions import db
from ..models import Page, User, utcnow
from ..problems import NotAllowed
from .models import PageTalkSubscription, Topic, TopicSubscription


def _logged_in(user: User | None) -> User:
    """Return the person, or raise NotAllowed if nobody is logged in."""
    if user is None or not user.is_authenticated:
        raise NotAllowed(N_("Please log in to follow discussions."))
    return user


def is_following(user: User | None, *, topic: Topic | None = None, page: Page | None = None):
    """Return whether the person follows the topic, or the new topics of the page."""
    if user is None or not user.is_authenticated:
        return False
    if topic is not None:
        return db.session.get(TopicSubscription, (user.id, topic.id)) is not None
    return db.session.get(PageTalkSubscription, (user.id, page.id)) is not None


def follow_topic(topic: Topic, user: User | None, follow: bool = True) -> None:
    """Start or stop following a topic's new comments."""
    user = _logged_in(user)
    with write_transaction() as session:
        if follow:
            subscribe(session, TopicSubscription, user_id=user.id, topic_id=topic.id)
        else:
            session.execute(
                delete(TopicSubscription).where(
                    TopicSubscription.user_id == user.id, TopicSubscription.topic_id == topic.id
                )
            )


def follow_page(page: Page, user: User | None, follow: bool = True) -> None:
    """Start or stop following the new topics of a page's talk page."""
    user = _logged_in(user)
    with write_transaction() as session:
        if follow:
            subscribe(session, PageTalkSubscription, user_id=user.id, page_id=page.id)
        else:
            session.execute(
                delete(PageTalkSubscription).where(
                    PageTalkSubscription.user_id == user.id,
                    PageTalkSubscription.page_id == page.id,
                )
            )


def subscribe(session: Session, model, **key: int) -> None:
    """Add a subscription unless it exists: two clicks at once must not fail."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(model).values(**key, created_at=utcnow())
    session.execute(statement.on_conflict_do_nothing())
