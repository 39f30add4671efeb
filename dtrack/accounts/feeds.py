"""The secret address of a user's calendar feed: made, reset, and resolved without a login.

Calendar programs fetch a feed on their own, so the URL itself is the
credential: a random token of which only the SHA-256 is stored (like a
session's), shown once when it is made. Making a new one ends the old
address at once. A disabled account's feed answers nothing.
"""
from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from dtrack.accounts.audit import AuthKind, record
from dtrack.accounts.links import base_url
from dtrack.accounts.sessions import digest, new_token
from dtrack.config.clock import Clock
from dtrack.config.settings import Settings
from dtrack.errors import NotFound
from dtrack.notifications.calendar_feed import build_calendar, feed_tasks
from dtrack.persistence.database import Database
from dtrack.persistence.models import User

MAX_TOKEN = 100


class UnknownFeed(NotFound):
    error_code = "unknown_feed"
    kind = "feed"


@dataclass(frozen=True)
class FeedLink:
    url: str  # shown once: only the token's hash is kept


def feed_path(token: str) -> str:
    return f"/feeds/{token}.ics"


def new_feed_link(db: Database, clock: Clock, settings: Settings, user_id: int) -> FeedLink:
    """Give `user_id` a new feed address (the old one stops working); audited."""
    token = new_token()
    now = clock.now()
    with db.session() as session:
        user = session.get(User, user_id)
        if user is None or user.disabled_at is not None:
            raise UnknownFeed(str(user_id))
        replaced = user.feed_token_hash is not None
        user.feed_token_hash = digest(token)
        record(session, AuthKind.FEED_RESET, now, actor_id=user.id, user_id=user.id, email=user.email,
               detail="replaced the earlier address" if replaced else "first address")
    return FeedLink(base_url(settings) + feed_path(token))


def has_feed(session: Session, user_id: int) -> bool:
    return session.scalar(select(User.feed_token_hash).where(User.id == user_id)) is not None


def calendar_feed(db: Database, settings: Settings, token: str, region: str | None = None) -> bytes:
    """The iCalendar bytes behind a feed address; UnknownFeed for any address that does not work."""
    if not token or len(token) > MAX_TOKEN:
        raise UnknownFeed("…")
    with db.session() as session:
        user = session.scalars(select(User).options(joinedload(User.province))
                               .where(User.feed_token_hash == digest(token))).one_or_none()
        if user is None or user.disabled_at is not None:
            raise UnknownFeed("…")  # the same answer: an address reveals nothing about accounts
        tasks = feed_tasks(session, user, region)
        base = base_url(settings)
        return build_calendar(tasks, lang=user.locale, base_url=base, before_days=tuple(settings.remind_before_days),
                              host=urlsplit(base).hostname or "dtrack")
