"""A user's own choice of the mail they get: digest frequency and sections (issue 26).

Saved from the account page; the digest builder honours it
(notifications.digest_preferences, which also says what each role's
sections are and which of them the role requires every day). The choice is
one change with its audit row. Sections a role does not have are refused, as
is an unknown frequency; the required sections are always kept, chosen or not.

The user's mark on "what changed" (`mark_changes_seen`) is kept here too: their own
setting, one UPDATE, no audit row (it grants nothing; `reading.changes` reads it).
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.orm import Session

from dtrack.accounts.audit import AuthKind, record
from dtrack.config.clock import Clock
from dtrack.errors import InvalidInput, UnknownUser
from dtrack.notifications.digest_preferences import FREQUENCIES, REQUIRED, SECTIONS, chosen_sections
from dtrack.persistence.database import Database, rows_matched
from dtrack.persistence.models import User


@dataclass(frozen=True)
class MailChoice:
    """What the account page shows: the role's sections in order, which are chosen, which required."""

    frequency: str
    sections: tuple[str, ...]
    chosen: frozenset[str]
    required: frozenset[str]


def mail_choice(session: Session, user_id: int) -> MailChoice:
    """The user's choice as it stands (the web session's user carries only what a request needs)."""
    user = session.get(User, user_id)
    if user is None:
        raise UnknownUser(str(user_id))
    return _choice(user)


def _choice(user: User) -> MailChoice:
    role = user.role
    return MailChoice(user.digest_frequency or "daily", SECTIONS.get(role, ()),
                      frozenset(chosen_sections(role, user.digest_sections)), REQUIRED.get(role, frozenset()))


def set_mail_choice(db: Database, clock: Clock, user_id: int, frequency: str, sections: Iterable[str]) -> MailChoice:
    """Store the user's choice (frequency; the sections ticked) and audit it."""
    if frequency not in FREQUENCIES:
        raise InvalidInput("digest_frequency", "not_a_digest_frequency", value=frequency,
                           allowed=list(FREQUENCIES))
    now = clock.now()
    with db.session() as session:
        user = session.get(User, user_id)
        if user is None:
            raise UnknownUser(str(user_id))
        every = SECTIONS.get(user.role, ())
        picked = set(sections)
        unknown = sorted(picked - set(every))
        if unknown:
            raise InvalidInput("digest_sections", "not_a_digest_section", value=unknown[0])
        picked |= REQUIRED.get(user.role, frozenset())
        user.digest_frequency = frequency
        user.digest_sections = None if picked >= set(every) else ",".join(n for n in every if n in picked)
        record(session, AuthKind.MAIL_CHOSEN, now, actor_id=user.id, user_id=user.id, email=user.email,
               detail=f"{frequency}; {user.digest_sections or 'all sections'}")
        return _choice(user)


def mark_changes_seen(db: Database, clock: Clock, user_id: int, shown_at: datetime | None = None) -> datetime:
    """"Đánh dấu đã xem": the list of what changed starts again from when it was shown (never later than now;
    None: now), in one transaction; the instant set."""
    now = clock.now() if shown_at is None else min(shown_at, clock.now())
    with db.session() as session:
        done = session.execute(update(User).where(User.id == user_id).values(changes_seen_at=now)
                               .execution_options(synchronize_session=False))
        if rows_matched(done) != 1:
            raise UnknownUser(str(user_id))
    return now
