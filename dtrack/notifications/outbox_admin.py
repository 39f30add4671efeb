"""Reading the outbox and retrying failed messages: `dtrack outbox list|failed|retry` and the admin page."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from dtrack.errors import InvalidInput, UnknownMessage
from dtrack.persistence.database import Database, rows_matched
from dtrack.persistence.models import Outbox
from dtrack.workflow.views import View
from dtrack.workflow.vocabulary import OutboxState


def retry(db: Database, ids: Sequence[int] = (), *, all_failed: bool = False,
          now: datetime | None = None) -> int:
    """Make failed messages pending again, with a fresh count of tries; returns how many."""
    if not ids and not all_failed:
        raise InvalidInput("ids", "no_message_given")
    now = now or datetime.now(UTC)
    with db.session() as session:
        if ids:
            rows = {r.id: r for r in session.scalars(select(Outbox).where(Outbox.id.in_(ids)))}
            for row_id in ids:
                row = rows.get(row_id)
                if row is None:
                    raise UnknownMessage(str(row_id))
                if row.state != OutboxState.FAILED:
                    raise InvalidInput("ids", "message_not_failed", id=row_id, state=row.state)
            query = update(Outbox).where(Outbox.id.in_(ids))
        else:
            query = update(Outbox).where(Outbox.state == OutboxState.FAILED.value)
        return rows_matched(session.execute(query.values(state=OutboxState.PENDING.value, attempts=0,
                                                         next_attempt_at=now)))


def list_messages(session: Session, state: str | None = None, limit: int = 200) -> list[Outbox]:
    """The newest messages first, optionally in one state."""
    query = select(Outbox).order_by(Outbox.id.desc()).limit(limit)
    if state is not None:
        try:
            query = query.where(Outbox.state == OutboxState(state).value)
        except ValueError:
            raise InvalidInput("state", "not_an_outbox_state", value=state,
                               states=[s.value for s in OutboxState]) from None
    return list(session.scalars(query))


def counts(session: Session) -> dict[str, int]:
    """Messages per state."""
    return dict(session.execute(select(Outbox.state, func.count()).group_by(Outbox.state)).all())


@dataclass(frozen=True)
class MessageView(View):
    id: int
    state: str
    recipient: str
    kind: str
    day: date
    attempts: int
    subject: str
    next_attempt_at: datetime
    sent_at: datetime | None
    server_reply: str | None
    last_error: str | None
    message_id: str

    @classmethod
    def of(cls, m: Outbox) -> MessageView:
        return cls(m.id, m.state, m.recipient, m.kind, m.key_date, m.attempts, m.subject, m.next_attempt_at,
                   m.sent_at, m.server_reply, m.last_error, m.message_id)


@dataclass(frozen=True)
class FailedView(View):
    """A delivery that failed for good: to whom, what, when it was last tried, and why."""

    id: int
    recipient: str
    kind: str
    subject: str
    failed_at: datetime
    attempts: int
    reason: str

    @classmethod
    def of(cls, m: Outbox) -> FailedView:
        return cls(m.id, m.recipient, m.kind, m.subject, m.claimed_at or m.created_at, m.attempts, m.last_error or "")


def failed_messages(session: Session, limit: int = 200) -> list[FailedView]:
    """The failed deliveries, most recently tried first (for `dtrack outbox failed` and the admin page)."""
    query = (select(Outbox).where(Outbox.state == OutboxState.FAILED.value)
             .order_by(func.coalesce(Outbox.claimed_at, Outbox.created_at).desc(), Outbox.id.desc()).limit(limit))
    return [FailedView.of(m) for m in session.scalars(query)]
