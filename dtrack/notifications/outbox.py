"""The durable outbox: messages are rows first, and leave only when a server accepts them.

States (workflow.vocabulary.OutboxState)::

    pending --claim--> sending --server says 250--> sent
       ^                  |
       |   a 4xx refusal  |  (attempts < max: back to pending, next try later,
       |   (temporary)    |   waiting mail_retry_seconds x 2^(attempts-1))
       +------------------+
                          +--> failed   a 5xx refusal (permanent: "550 no such mailbox") at once,
                                        or the last allowed 4xx try; the reason (the server's
                                        reply) is kept; `dtrack outbox failed` and the admin page
                                        list them; `dtrack outbox retry` makes them pending again

Building a message (`enqueue`) is part of the caller's transaction, so a
digest exists exactly when the reminders it reports are marked consumed.
No mail goes to a disabled account (notifications.disabled): such a message
is stored `failed` at once, and a row queued before the account was disabled
is marked `failed` when a sender claims it.

Delivery (`deliver`) claims a batch in one short transaction (state
`sending`, a claim token, the time), with `FOR UPDATE SKIP LOCKED` on
PostgreSQL so several senders share the work without taking the same row;
SQLite serialises the claim by taking its write lock first. Each message is
then handed to the server and marked `sent` in its own transaction at once.

The claim is a lease (notifications.lease): the sender renews it from a
heartbeat while it works, and a row whose lease ran out (`mail_stale_seconds`,
default 90 s, after the last renewal) belongs to a sender that died; the next
sender puts it back to pending (`recover_stale`) and sends it, so a dead
sender's messages go out within about two minutes.

The one at-least-once window: the server has accepted a message (its 250
reply to DATA) but the sender could not record it: it died before the `sent`
mark committed, or it lost the database for longer than the lease (it retries
the mark on a new connection first). The row stays `sending`, its lease runs
out and it is sent again. The window is one message wide (marks are per
message, straight after the reply), and the resend carries the same
Message-ID (derived from recipient, kind and day), so mail programs and
servers can recognise it as the same message. Outside it a message is never
sent twice: a sender sends a row only while its lease on it is fresh.

If the server cannot be reached at all, nothing is claimed and no attempt
is counted: rows stay pending and the next run delivers them.
"""
from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Collection, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, selectinload

from dtrack.config.settings import Settings
from dtrack.errors import MailServerUnavailable, MessageRejected
from dtrack.notifications.disabled import DISABLED_REASON, disabled_among, disabled_emails
from dtrack.notifications.lease import Lease
from dtrack.notifications.mail import (
    Attachment,
    build_message,
    message_id,
    sender_address,
)

# Reading and retrying the queue live beside it (kept importable from here).
from dtrack.notifications.outbox_admin import (  # noqa: F401
    FailedView,
    MessageView,
    counts,
    failed_messages,
    list_messages,
    retry,
)
from dtrack.notifications.transport import Connection, Transport, permanent
from dtrack.persistence.database import Database, rows_matched
from dtrack.persistence.models import Outbox, OutboxAttachment
from dtrack.workflow.vocabulary import OutboxKind, OutboxState

# Messages claimed at a time: a batch of slow messages is safe (the lease is renewed
# while the sender works), and a small one leaves the rest to other senders.
CLAIM_BATCH = 20
# A statement that met a connection the database had ended (a restart, pg_terminate_backend)
# is tried again this many times on a new one: a lost `sent` mark would mean a second send.
DB_TRIES = 4
# However many tries have failed, wait at most this long before the next one.
MAX_BACKOFF = timedelta(hours=6)


def utc_now() -> datetime:
    return datetime.now(UTC)


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
    A message for a disabled account is stored failed at once and never sent.
    """
    recipient = recipient.strip().lower()
    existing = session.scalar(
        select(Outbox).where(Outbox.recipient == recipient, Outbox.kind == kind, Outbox.key_date == key_date))
    if existing is not None:
        return existing, False
    now = now or utc_now()
    row = Outbox(**new_message(recipient, kind, key_date, subject, text, html, recipient_name=recipient_name,
                               mail_from=mail_from, now=now),
                 attachments=[OutboxAttachment(filename=f, mimetype=m, content=c) for f, m, c in attachments])
    if disabled_among(session, [recipient]):
        row.state, row.last_error, row.claimed_at = OutboxState.FAILED.value, DISABLED_REASON, now
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
    Messages for disabled accounts are stored failed, never sent.
    """
    disabled = disabled_among(session, [r["recipient"] for r in rows])
    if disabled:
        rows = [{**r, "state": OutboxState.FAILED.value, "last_error": DISABLED_REASON, "claimed_at": r["created_at"]}
                if r["recipient"] in disabled else r for r in rows]
    for start in range(0, len(rows), 500):
        session.execute(insert(Outbox), list(rows[start:start + 500]))


def due_count(db: Database, now: datetime) -> int:
    """How many messages a send run would try now."""
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(Outbox).where(_due(now))) or 0


def _due(now: datetime):
    return (Outbox.state == OutboxState.PENDING.value) & (Outbox.next_attempt_at <= now)


def _again_on_disconnect(work: Callable[[], Any]) -> Any:
    """Run one short transaction, again on a new connection when the database ended the old one.

    Each piece of work here is one transaction that either committed or not, so running it
    again is safe; a connection the server ended is thrown away by the pool (SQLAlchemy marks
    the error `connection_invalidated`).
    """
    for attempt in range(DB_TRIES):
        try:
            return work()
        except DBAPIError as exc:
            if not exc.connection_invalidated or attempt == DB_TRIES - 1:
                raise
            time.sleep(0.2 * (attempt + 1))
    raise AssertionError("unreachable")


@dataclass(frozen=True)
class Claimed:
    ids: list[int]  # now `sending` under this sender's lease
    cancelled: int = 0  # claimed but their account is disabled: marked failed instead
    at: float = 0.0  # time.monotonic() before the claim: the lease runs from here


def claim(db: Database, now: datetime, token: str, limit: int = CLAIM_BATCH,
          skip: Collection[int] = ()) -> Claimed:
    """Mark up to `limit` due messages `sending` for this sender.

    `skip`: messages this run has tried already (one try per message and run).
    """
    started = time.monotonic()
    with db.session() as session:
        if db.dialect == "sqlite":
            db.hold(session, "outbox.claim")
        query = select(Outbox.id).where(_due(now))
        if skip:
            query = query.where(Outbox.id.notin_(list(skip)))
        ids = list(session.scalars(
            query.order_by(Outbox.next_attempt_at, Outbox.id).limit(limit).with_for_update(skip_locked=True)))
        cancelled: set[int] = set()
        if ids:
            session.execute(
                update(Outbox).where(Outbox.id.in_(ids), Outbox.state == OutboxState.PENDING.value)
                .values(state=OutboxState.SENDING.value, claimed_by=token, claimed_at=now))
            # Queued before the account was disabled: never sent (notifications.disabled).
            cancelled = set(session.scalars(
                update(Outbox).where(Outbox.id.in_(ids), Outbox.recipient.in_(disabled_emails()))
                .values(state=OutboxState.FAILED.value, claimed_by=None, claimed_at=now, last_error=DISABLED_REASON)
                .returning(Outbox.id)))
    return Claimed([i for i in ids if i not in cancelled], len(cancelled), started)


def recover_stale(db: Database, now: datetime, stale_seconds: int, max_attempts: int) -> int:
    """Take over messages whose sender's lease ran out: back to pending (or failed after the last try)."""
    cutoff = now - timedelta(seconds=stale_seconds)
    reason = "the sender stopped while sending; it may have been delivered (a resend keeps the same Message-ID)"
    stale = (Outbox.state == OutboxState.SENDING.value) & (Outbox.claimed_at < cutoff)
    with db.session() as session:
        # SKIP LOCKED: a row another sender is taking over right now is theirs (PostgreSQL).
        ids = list(session.scalars(select(Outbox.id).where(stale).with_for_update(skip_locked=True)))
        if not ids:
            return 0
        mine = Outbox.id.in_(ids) & stale
        gave_up = rows_matched(session.execute(
            update(Outbox).where(mine, Outbox.attempts + 1 >= max_attempts)
            .values(state=OutboxState.FAILED.value, attempts=Outbox.attempts + 1, claimed_by=None,
                    claimed_at=now, last_error=reason)))
        again = rows_matched(session.execute(
            update(Outbox).where(mine)
            .values(state=OutboxState.PENDING.value, attempts=Outbox.attempts + 1, claimed_by=None,
                    next_attempt_at=now, last_error=reason)))
    return gave_up + again


def _mark_sent(db: Database, row_id: int, token: str, reply: str, now: datetime) -> None:
    def work() -> None:
        with db.session() as session:
            session.execute(
                update(Outbox).where(Outbox.id == row_id, Outbox.claimed_by == token)
                .values(state=OutboxState.SENT.value, attempts=Outbox.attempts + 1, sent_at=now,
                        server_reply=reply, claimed_by=None, last_error=None))

    _again_on_disconnect(work)


def _mark_refused(db: Database, row_id: int, token: str, reason: str, now: datetime,
                  settings: Settings, final: bool) -> bool:
    """Record a refused try; returns True when the row is now failed.

    `final`: a permanent refusal (5xx) fails the row at once; a temporary one (4xx) waits for
    the next try until the last allowed one.
    """
    def work() -> bool:
        with db.session() as session:
            row = session.get(Outbox, row_id)
            if row is None or row.claimed_by != token:
                return False  # taken over by someone else meanwhile: theirs now
            row.attempts += 1
            row.last_error = reason
            row.claimed_by = None
            row.claimed_at = now  # when it was last tried: the failed list's "when"
            if final or row.attempts >= settings.mail_max_attempts:
                row.state = OutboxState.FAILED.value
                return True
            wait = timedelta(seconds=settings.mail_retry_seconds * 2 ** (row.attempts - 1))
            row.state = OutboxState.PENDING.value
            row.next_attempt_at = now + min(wait, MAX_BACKOFF)
            return False

    return _again_on_disconnect(work)


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
    retrying: int = 0  # refused for now (4xx), tried again later
    failed: int = 0  # refused for good (5xx), or for the last allowed time, or the account is disabled
    recovered: int = 0  # found with an expired lease and taken over
    stopped: MailServerUnavailable | None = None  # the server went away; the rest stay pending
    transport: str = ""
    retry_ids: set[int] = field(default_factory=set)  # refused in this run: not tried again before the next
    lost_lease: bool = False  # the database was away too long to renew the lease: stopped sending

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
    report.recovered = _again_on_disconnect(
        lambda: recover_stale(db, now(), settings.mail_stale_seconds, settings.mail_max_attempts))
    token = uuid.uuid4().hex
    sender = sender_address(settings.mail_from).addr_spec
    with ExitStack() as stack:
        lease = stack.enter_context(Lease(db, token, settings.mail_stale_seconds, now))
        connection: Connection | None = None
        while limit is None or report.tried < limit:
            batch = CLAIM_BATCH if limit is None else min(CLAIM_BATCH, limit - report.tried)
            claimed = _again_on_disconnect(
                lambda: claim(db, now(), token, batch, skip=report.retry_ids))  # noqa: B023 - run at once, here
            report.failed += claimed.cancelled
            if not claimed.ids and not claimed.cancelled:
                break
            lease.claimed(claimed.ids, claimed.at)
            rows = _again_on_disconnect(lambda: _claimed(db, claimed.ids, token))  # noqa: B023 - run at once, here
            for position, row in enumerate(rows):
                if not lease.holds(row.id):
                    # Not renewed in time (the database was away): another sender may own it by now.
                    report.lost_lease = True
                    return report
                try:
                    # Connect only once there is something to send.
                    connection = connection or stack.enter_context(transport.open())
                    _deliver_one(db, connection, row, token, sender, settings, now, report)
                except MailServerUnavailable as exc:
                    _release(db, [r.id for r in rows[position:]], token,
                             f"not tried: cannot deliver through {exc.where}: {exc.reason}")  # the log's own words
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
        if _mark_refused(db, row.id, token, exc.server_said, now(), settings, final=permanent(exc)):
            report.failed += 1
        else:
            report.retrying += 1
            report.retry_ids.add(row.id)
        return
    _mark_sent(db, row.id, token, reply, now())
    report.sent += 1
