"""The durable outbox: messages are rows first, and leave only when a server accepts them.

States (workflow.vocabulary.OutboxState)::

    pending --claim--> sending --server says 250--> sent
       ^                  |
       |   a failed try   |  (attempts < max: back to pending, next try later,
       +------------------+   waiting mail_retry_seconds x 2^(attempts-1))
                          +--> failed   (the last allowed try failed; reason kept;
                                         `dtrack outbox retry` makes it pending again)

Building a message (`enqueue`) is part of the caller's transaction, so a
digest exists exactly when the reminders it reports are marked consumed.

Delivery (`deliver`) claims a batch in one short transaction (state
`sending`, a claim token, the time), with `FOR UPDATE SKIP LOCKED` on
PostgreSQL so several senders share the work without taking the same row;
SQLite serialises the claim by taking its write lock first. Each message is
then handed to the server and marked `sent` in its own transaction at once.

The one at-least-once window: the server has accepted a message (its 250
reply to DATA) but the process dies before the `sent` mark commits. The row
stays `sending`; once it is older than `mail_stale_seconds`, `recover_stale`
puts it back to pending and it is sent again. The window is one message
wide (marks are per message, straight after the reply), and the resend
carries the same Message-ID (derived from recipient, kind and day), so
mail programs and servers can recognise it as the same message.

If the server cannot be reached at all, nothing is claimed and no attempt
is counted: rows stay pending and the next run delivers them.
"""
from __future__ import annotations

import uuid
from collections.abc import Callable, Collection, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session, selectinload

from dtrack.notifications.mail import (
    Attachment,
    build_message,
    message_id,
    sender_address,
)
from dtrack.notifications.transport import Connection, Transport
from dtrack.workflow.database import Database
from dtrack.workflow.errors import (
    InvalidInput,
    MailServerUnavailable,
    MessageRejected,
    UnknownMessage,
)
from dtrack.workflow.models import Outbox, OutboxAttachment
from dtrack.workflow.settings import Settings
from dtrack.workflow.views import View
from dtrack.workflow.vocabulary import OutboxKind, OutboxState

# Messages claimed at a time. Even if every one of them hits the 30 s SMTP
# timeout, the batch is done long before mail_stale_seconds (default 30 min)
# could make another sender think it was abandoned.
CLAIM_BATCH = 20
# However many tries have failed, wait at most this long before the next one.
MAX_BACKOFF = timedelta(hours=6)


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def enqueue(
    session: Session,
    recipient: str,
    kind: str,
    key_date: date,
    subject: str,
    text: str,
    html: str | None = None,
    attachments: Sequence[Attachment] = (),
    *,
    recipient_name: str = "",
    mail_from: str,
    now: datetime | None = None,
) -> tuple[Outbox, bool]:
    """Add a message to the outbox in the caller's transaction; (row, False) if its key exists already.

    `kind` is an OutboxKind; the key (recipient, kind, key_date) allows one
    such message per recipient and day. Attachments are (filename, MIME type, bytes).
    """
    recipient = recipient.strip().lower()
    existing = session.scalar(
        select(Outbox).where(Outbox.recipient == recipient, Outbox.kind == kind, Outbox.key_date == key_date))
    if existing is not None:
        return existing, False
    row = Outbox(**new_message(recipient, kind, key_date, subject, text, html, recipient_name=recipient_name,
                               mail_from=mail_from, now=now or utc_now()),
                 attachments=[OutboxAttachment(filename=f, mimetype=m, content=c) for f, m, c in attachments])
    session.add(row)
    session.flush()
    return row, True


def new_message(recipient: str, kind: str, key_date: date, subject: str, text: str, html: str | None, *,
                recipient_name: str, mail_from: str, now: datetime) -> dict[str, Any]:
    """The column values of a new pending outbox row."""
    recipient = recipient.strip().lower()
    kind = OutboxKind(kind).value
    return {
        "recipient": recipient, "recipient_name": recipient_name, "kind": kind, "key_date": key_date,
        "subject": subject, "body_text": text, "body_html": html,
        "message_id": message_id(recipient, kind, key_date, mail_from), "state": OutboxState.PENDING.value,
        # Due at once, even when built for a pinned day that is still ahead (--as-of).
        "attempts": 0, "next_attempt_at": min(now, utc_now()), "created_at": now,
    }


def enqueue_many(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Insert many `new_message` rows at once; the caller has made sure none of their keys exist.

    `build_digests` does, under its exclusive lock; the unique key would refuse a duplicate anyway.
    """
    for start in range(0, len(rows), 500):
        session.execute(insert(Outbox), list(rows[start:start + 500]))


def due_count(db: Database, now: datetime) -> int:
    """How many messages a send run would try now."""
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(Outbox).where(_due(now))) or 0


def _due(now: datetime):
    return (Outbox.state == OutboxState.PENDING.value) & (Outbox.next_attempt_at <= now)


def claim(db: Database, now: datetime, token: str, limit: int = CLAIM_BATCH,
          skip: Collection[int] = ()) -> list[int]:
    """Mark up to `limit` due messages `sending` for this sender; returns their ids.

    `skip`: messages this run has tried already (one try per message and run).
    """
    with db.session() as session:
        if db.dialect == "sqlite":
            db.hold(session, "outbox.claim")
        query = select(Outbox.id).where(_due(now))
        if skip:
            query = query.where(Outbox.id.notin_(list(skip)))
        ids = list(session.scalars(
            query.order_by(Outbox.next_attempt_at, Outbox.id).limit(limit).with_for_update(skip_locked=True)))
        if ids:
            session.execute(
                update(Outbox).where(Outbox.id.in_(ids), Outbox.state == OutboxState.PENDING.value)
                .values(state=OutboxState.SENDING.value, claimed_by=token, claimed_at=now))
    return ids


def recover_stale(db: Database, now: datetime, stale_seconds: int, max_attempts: int) -> int:
    """Put messages a stopped sender left in `sending` back to pending (or failed after the last try)."""
    cutoff = now - timedelta(seconds=stale_seconds)
    reason = "the sender stopped while sending; it may have been delivered (a resend keeps the same Message-ID)"
    stale = (Outbox.state == OutboxState.SENDING.value) & (Outbox.claimed_at < cutoff)
    with db.session() as session:
        gave_up = session.execute(
            update(Outbox).where(stale, Outbox.attempts + 1 >= max_attempts)
            .values(state=OutboxState.FAILED.value, attempts=Outbox.attempts + 1, claimed_by=None,
                    last_error=reason)).rowcount
        again = session.execute(
            update(Outbox).where(stale)
            .values(state=OutboxState.PENDING.value, attempts=Outbox.attempts + 1, claimed_by=None,
                    next_attempt_at=now, last_error=reason)).rowcount
    return gave_up + again


def _mark_sent(db: Database, row_id: int, token: str, reply: str, now: datetime) -> None:
    with db.session() as session:
        session.execute(
            update(Outbox).where(Outbox.id == row_id, Outbox.claimed_by == token)
            .values(state=OutboxState.SENT.value, attempts=Outbox.attempts + 1, sent_at=now,
                    server_reply=reply, claimed_by=None, last_error=None))


def _mark_failed_try(db: Database, row_id: int, token: str, reason: str, now: datetime,
                     settings: Settings) -> bool:
    """Record a refused try; returns True when that was the last one (the row is now failed)."""
    with db.session() as session:
        row = session.get(Outbox, row_id)
        if row is None or row.claimed_by != token:
            return False  # recovered by someone else meanwhile: theirs now
        row.attempts += 1
        row.last_error = reason
        row.claimed_by = None
        if row.attempts >= settings.mail_max_attempts:
            row.state = OutboxState.FAILED.value
            return True
        wait = timedelta(seconds=settings.mail_retry_seconds * 2 ** (row.attempts - 1))
        row.state = OutboxState.PENDING.value
        row.next_attempt_at = now + min(wait, MAX_BACKOFF)
        return False


def _release(db: Database, ids: Sequence[int], token: str, reason: str) -> None:
    """Give claimed but unsent messages back, without counting a try (the server was away)."""
    if not ids:
        return
    with db.session() as session:
        session.execute(
            update(Outbox).where(Outbox.id.in_(ids), Outbox.claimed_by == token)
            .values(state=OutboxState.PENDING.value, claimed_by=None, last_error=reason))


@dataclass
class SendReport:
    sent: int = 0
    retrying: int = 0  # refused this time, tried again later
    failed: int = 0  # refused for the last allowed time
    recovered: int = 0  # found stuck in `sending` and put back
    stopped: MailServerUnavailable | None = None  # the server went away; the rest stay pending
    transport: str = ""
    retry_ids: set[int] = field(default_factory=set)  # refused in this run: not tried again before the next

    @property
    def tried(self) -> int:
        return self.sent + self.retrying + self.failed


def deliver(
    db: Database,
    transport: Transport,
    settings: Settings,
    *,
    now: Callable[[], datetime] = utc_now,
    on_message: Callable[[], None] | None = None,
    limit: int | None = None,
) -> SendReport:
    """Send every due message through `transport`; safe to run in several processes at once."""
    report = SendReport(transport=transport.display)
    report.recovered = recover_stale(db, now(), settings.mail_stale_seconds, settings.mail_max_attempts)
    token = uuid.uuid4().hex
    sender = sender_address(settings.mail_from).addr_spec
    with ExitStack() as stack:
        connection: Connection | None = None
        while limit is None or report.tried < limit:
            batch = CLAIM_BATCH if limit is None else min(CLAIM_BATCH, limit - report.tried)
            ids = claim(db, now(), token, batch, skip=report.retry_ids)
            if not ids:
                break
            rows = _claimed(db, ids, token)
            for position, row in enumerate(rows):
                try:
                    # Connect only once there is something to send.
                    connection = connection or stack.enter_context(transport.open())
                    _deliver_one(db, connection, row, token, sender, settings, now, report)
                except MailServerUnavailable as exc:
                    _release(db, [r.id for r in rows[position:]], token, f"not tried: {exc.message}")
                    report.stopped = exc
                    return report
                if on_message is not None:
                    on_message()
    return report


def _claimed(db: Database, ids: Sequence[int], token: str) -> list[Outbox]:
    """The claimed rows with their attachments, read in one go (detached: only read afterwards)."""
    with db.session() as session:
        return list(session.scalars(
            select(Outbox).options(selectinload(Outbox.attachments))
            .where(Outbox.id.in_(ids), Outbox.claimed_by == token).order_by(Outbox.id)))


def _deliver_one(db: Database, connection: Connection, row: Outbox, token: str, sender: str,
                 settings: Settings, now: Callable[[], datetime], report: SendReport) -> None:
    message = build_message(row, settings.mail_from, settings.base_url, settings.mail_sender_name)
    try:
        reply = connection.send(message, sender, row.recipient)
    except MessageRejected as exc:
        if _mark_failed_try(db, row.id, token, str(exc), now(), settings):
            report.failed += 1
        else:
            report.retrying += 1
            report.retry_ids.add(row.id)
        return
    _mark_sent(db, row.id, token, reply, now())
    report.sent += 1


def retry(db: Database, ids: Sequence[int] = (), *, all_failed: bool = False,
          now: datetime | None = None) -> int:
    """Make failed messages pending again, with a fresh count of tries; returns how many."""
    if not ids and not all_failed:
        raise InvalidInput("retry", "no message given", "give a message id or --all-failed")
    now = now or utc_now()
    with db.session() as session:
        if ids:
            rows = {r.id: r for r in session.scalars(select(Outbox).where(Outbox.id.in_(ids)))}
            for row_id in ids:
                row = rows.get(row_id)
                if row is None:
                    raise UnknownMessage(str(row_id))
                if row.state != OutboxState.FAILED:
                    raise InvalidInput("retry", f"message {row_id} is {row.state}",
                                       "only failed messages are retried; pending ones go with the next send")
            query = update(Outbox).where(Outbox.id.in_(ids))
        else:
            query = update(Outbox).where(Outbox.state == OutboxState.FAILED.value)
        return session.execute(query.values(state=OutboxState.PENDING.value, attempts=0,
                                            next_attempt_at=now)).rowcount


def list_messages(session: Session, state: str | None = None, limit: int = 200) -> list[Outbox]:
    """The newest messages first, optionally in one state."""
    query = select(Outbox).order_by(Outbox.id.desc()).limit(limit)
    if state is not None:
        try:
            query = query.where(Outbox.state == OutboxState(state).value)
        except ValueError:
            raise InvalidInput("--state", f"{state!r} is not an outbox state",
                               "states: " + ", ".join(s.value for s in OutboxState)) from None
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
