"""Turning the day's digests into outbox messages, and the scheduler's daily step.

`build_digests` writes one outbox row per digest and marks the reminders it
reports consumed, batch by batch (`digest_gathering.batches`): each batch is
ONE transaction that first takes an exclusive lock and then skips whoever
has the day's digest already, so two builds (even concurrent ones) never make
two digests for a person and day, a build that stops between batches leaves
whole batches done (their messages and consumed reminders) and the rest
untouched, and a second build the same day adds only what the first could not.

For the daily sweep (issue 3's scheduler) call `daily_run(db, clock,
settings)`: it builds the day's digests, then sends every due message.
`preview` shows one person's digest without writing anything.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import update
from sqlalchemy.orm import Session

from dtrack.config.clock import Clock
from dtrack.config.settings import Settings
from dtrack.errors import InvalidInput
from dtrack.notifications.digest_gathering import (
    Digest,
    Plan,
    Recipient,
    batches,
    built,
    gather,
    gather_batch,
    plan_day,
    recipients,
)
from dtrack.notifications.digest_rendering import Rendered, render
from dtrack.notifications.outbox import SendReport, deliver, enqueue_many, new_message
from dtrack.notifications.transport import Transport, transport_from
from dtrack.persistence.database import Database
from dtrack.persistence.models import Reminder
from dtrack.workflow.vocabulary import OutboxKind

# Recipients per transaction: enough that the reads each batch repeats (its provinces' share of the
# pending reminders, the day's events) are few, few enough that a batch's items and messages stay
# small (a message is about 7,000 characters).
BATCH = 500


@dataclass
class BuildReport:
    """What one build did, for the command's summary line."""

    day: date
    queued: int = 0
    already: int = 0  # recipients whose digest for the day exists already
    nothing: int = 0  # recipients with nothing to act on (and digest_send_empty off)
    reminders_consumed: int = 0


def build_digests(db: Database, clock: Clock, settings: Settings, *, batch: int = BATCH) -> BuildReport:
    """Queue the day's digests and consume the reminders they report, one transaction per batch.

    `batch`: about how many recipients a transaction holds (`digest_gathering.batches`: whole
    provinces, and the overseers together).
    """
    day, now = clock.today(), clock.now()
    report = BuildReport(day)
    with db.session() as session:
        plan = plan_day(session, clock, settings)
        people = recipients(session)
    for people_batch in batches(people, batch):
        with db.session() as session:
            # Under the lock, who is done is settled: a batch another build finished is skipped whole.
            db.hold(session, "digests.build")
            done = built(session, day, [p.email for p in people_batch])
            todo = [p for p in people_batch if p.email not in done]
            report.already += len(people_batch) - len(todo)
            if todo:
                _build_batch(session, plan, todo, now, report)
    return report


def _build_batch(session: Session, plan: Plan, people: list[Recipient], now: datetime, report: BuildReport) -> None:
    settings, clock = plan.settings, plan.clock
    consumed: set[int] = set()
    rows = []
    for digest in gather_batch(session, plan, people):
        if digest.quiet or (not digest.has_news and not settings.digest_send_empty):
            report.nothing += 1
            continue
        rendered = render(digest, settings, clock)
        rows.append(new_message(digest.recipient, OutboxKind.DIGEST, plan.day, rendered.subject, rendered.text,
                                rendered.html, recipient_name=digest.name, mail_from=settings.mail_from, now=now))
        consumed.update(digest.reminder_ids)
    enqueue_many(session, rows)
    report.queued += len(rows)
    # By id alone: the ids were read pending under the build lock, and only a build consumes. (With
    # "AND consumed_at IS NULL", SQLite walked the pending-reminders index for every chunk: 30 ms each.)
    # Core, not the ORM's bulk update, which would look for each chunk's rows among the session's objects.
    execute = session.connection().execute
    for chunk in _chunks(sorted(consumed), 5000):
        execute(update(Reminder).where(Reminder.id.in_(chunk)).values(consumed_at=now))
    report.reminders_consumed += len(consumed)


def _chunks(values: list[int], size: int) -> Iterable[list[int]]:
    for start in range(0, len(values), size):
        yield values[start:start + size]


def preview(db: Database, clock: Clock, settings: Settings, email: str) -> tuple[Digest, Rendered]:
    """The digest `email` would get today, rendered; nothing is written."""
    with db.session() as session:
        digests, _ = gather(session, clock, settings, only=email, skip_built=False)
        if not digests:
            raise InvalidInput("email", "no_digest", email=email)
        digest = digests[0]
        return digest, render(digest, settings, clock)


def daily_run(
    db: Database,
    clock: Clock,
    settings: Settings,
    transport: Transport | None = None,
    on_message: Callable[[], None] | None = None,
) -> tuple[BuildReport, SendReport]:
    """The scheduler's daily step after reminders: build the day's digests, then send what is due.

    `transport` defaults to what the settings say (DTRACK_SMTP_URL, else .eml files in mail_dir).
    """
    built = build_digests(db, clock, settings)
    sent = deliver(db, transport or transport_from(settings.smtp_url, settings.mail_dir), settings,
                   on_message=on_message)
    return built, sent
