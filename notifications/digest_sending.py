"""Turning the day's digests into outbox messages, and the scheduler's daily step.

`build_digests` writes one outbox row per digest and marks the reminders it
reports consumed, in ONE transaction that first takes an exclusive lock, so
two builds (even concurrent ones) never make two digests for a person and
day; a second build the same day adds only what the first could not.

For the daily sweep (issue 3's scheduler) call `daily_run(db, clock,
settings)`: it builds the day's digests, then sends every due message.
`preview` shows one person's digest without writing anything.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import update

from dtrack.notifications.digest_gathering import Digest, gather
from dtrack.notifications.digest_rendering import Rendered, render
from dtrack.notifications.outbox import SendReport, deliver, enqueue_many, new_message
from dtrack.notifications.transport import Transport, transport_from
from dtrack.workflow.clock import Clock
from dtrack.workflow.database import Database
from dtrack.workflow.errors import InvalidInput
from dtrack.workflow.models import Reminder
from dtrack.workflow.settings import Settings
from dtrack.workflow.vocabulary import OutboxKind


@dataclass
class BuildReport:
    """What one build did, for the command's summary line."""

    day: date
    queued: int = 0
    already: int = 0  # recipients whose digest for the day exists already
    nothing: int = 0  # recipients with nothing to act on (and digest_send_empty off)
    reminders_consumed: int = 0


def build_digests(db: Database, clock: Clock, settings: Settings) -> BuildReport:
    """Queue the day's digests and consume the reminders they report, in one transaction."""
    day, now = clock.today(), clock.now()
    report = BuildReport(day)
    with db.session() as session:
        db.hold(session, "digests.build")
        digests, report.already = gather(session, clock, settings)
        consumed: set[int] = set()
        rows = []
        for digest in digests:
            if not digest.has_news and not settings.digest_send_empty:
                report.nothing += 1
                continue
            rendered = render(digest, settings, clock)
            rows.append(new_message(digest.recipient, OutboxKind.DIGEST, day, rendered.subject, rendered.text,
                                    rendered.html, recipient_name=digest.name, mail_from=settings.mail_from, now=now))
            consumed.update(digest.reminder_ids)
        # `gather` left out everyone whose digest exists, and the lock keeps it so.
        enqueue_many(session, rows)
        report.queued = len(rows)
        for chunk in _chunks(sorted(consumed), 500):
            session.execute(update(Reminder).where(Reminder.id.in_(chunk), Reminder.consumed_at.is_(None))
                            .values(consumed_at=now))
        report.reminders_consumed = len(consumed)
    return report


def _chunks(values: list[int], size: int) -> Iterable[list[int]]:
    for start in range(0, len(values), size):
        yield values[start:start + size]


def preview(db: Database, clock: Clock, settings: Settings, email: str) -> tuple[Digest, Rendered]:
    """The digest `email` would get today, rendered; nothing is written."""
    with db.session() as session:
        digests, _ = gather(session, clock, settings, only=email, skip_built=False)
        if not digests:
            raise InvalidInput("--to", f"{email} gets no digests",
                               "digests go to province users and overseers (see `dtrack users list`)")
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
