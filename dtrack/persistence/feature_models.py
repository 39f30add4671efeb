"""The tables of the features on the engine: deadline-extension requests,
reminders, indicators, the outbox and the declared calendar days.

They sit on the engine's metadata (`models.Base`) and are mapped when a module
first names them (`models.__getattr__`), so a command that only reads tasks does
not map them. What each row means is said on its class.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dtrack.persistence.models import Base, Directive, Province, Task, User, UTCDateTime


class ExtensionRequest(Base):
    """A province's request to extend a task's deadline, and the Department's decision.

    pending -> granted (the extension is applied, possibly to another date)
    or refused. `open_task_id` is the task id while pending and NULL once
    decided: its unique constraint allows one pending request per task on
    every back-end, even when two officers ask at the same moment.
    """

    __tablename__ = "extension_requests"
    __table_args__ = (Index("ix_extension_requests_status", "status", "requested_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id"), index=True)
    open_task_id: Mapped[int | None] = mapped_column(Integer, unique=True)
    status: Mapped[str] = mapped_column(String(10))  # a workflow.vocabulary.RequestStatus
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime)
    current_due_on: Mapped[date | None] = mapped_column(Date)  # the deadline in force when asked
    proposed_due_on: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    granted_due_on: Mapped[date | None] = mapped_column(Date)  # granted only: the deadline now in force
    decision_note: Mapped[str | None] = mapped_column(Text)  # the refusal's reason, or the grant's note

    task: Mapped[Task] = relationship()
    requested_by: Mapped[User] = relationship(foreign_keys=[requested_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])


class Reminder(Base):
    """A reminder that fell due for a task; digests consume them.

    The unique key (task, deadline, kind, day) makes generation idempotent:
    a second sweep, a sweep after a crash, or two sweeps at once insert each
    reminder exactly once.
    """

    __tablename__ = "reminders"
    __table_args__ = (
        UniqueConstraint("task_id", "due_on", "kind", "remind_on"),
        Index("ix_reminders_pending", "consumed_at", "cancelled_at", "remind_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id"))
    due_on: Mapped[date] = mapped_column(Date)  # the deadline in force it refers to
    kind: Mapped[str] = mapped_column(String(20))  # a workflow.vocabulary.ReminderKind
    remind_on: Mapped[date] = mapped_column(Date)  # the local day it fell due
    audience: Mapped[str] = mapped_column(String(10))  # a Role: province or overseer
    days: Mapped[int] = mapped_column(Integer)  # days before (+) or after (-) the deadline, or days waited
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    consumed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # set when a digest includes it
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # no longer applies

    task: Mapped[Task] = relationship()


class Indicator(Base):
    """A figure the provinces report, from a directive's indicator catalogue."""

    __tablename__ = "indicators"
    __table_args__ = (UniqueConstraint("directive_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    directive_id: Mapped[int] = mapped_column(ForeignKey("directives.id"))
    ordinal: Mapped[int] = mapped_column(Integer)  # display order, as in the directive file
    code: Mapped[str] = mapped_column(String(60))
    name_vi: Mapped[str] = mapped_column(Text)
    name_en: Mapped[str] = mapped_column(Text)
    unit_vi: Mapped[str] = mapped_column(String(40))
    unit_en: Mapped[str] = mapped_column(String(40))
    aggregate: Mapped[str] = mapped_column(String(10))  # sum | latest (directives.format.AGGREGATES)
    role: Mapped[str | None] = mapped_column(String(12))  # plan | actual | plan_part (directives.format.ROLES)
    short_vi: Mapped[str | None] = mapped_column(String(200))  # a plan part in the split sentence
    short_en: Mapped[str | None] = mapped_column(String(200))

    directive: Mapped[Directive] = relationship()


class IndicatorValue(Base):
    """One reported figure: append-only, so the rows are their own audit trail.

    scope says who the figure is about (a workflow.vocabulary.Scope): one
    province, a whole region (a figure a conference reported for the region,
    never spread over its provinces) or the whole country. A later row for
    the same indicator, unit, source unit and period supersedes an earlier
    one: figures are cumulative for their period, a correction is a new row.

    source_unit is the name the figure was reported under, as a slug: the
    province's own slug, an old name merged into it ("kien-giang", stored
    against An Giang), the region or "national". Figures of units that
    merged are kept per source unit and added up by reports.figures, never
    overwritten by each other. An explicit replacement of a figure for the
    same day is a new row with the next revision; the old row stays.
    """

    __tablename__ = "indicator_values"
    __table_args__ = (
        Index("ix_indicator_values_lookup", "indicator_id", "period", "as_of"),
        UniqueConstraint("indicator_id", "scope", "source_unit", "period", "as_of", "revision",
                         name="uq_indicator_values_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicators.id"))
    scope: Mapped[str] = mapped_column(String(10))
    province_id: Mapped[int | None] = mapped_column(ForeignKey("provinces.id"))  # scope province only
    region: Mapped[str | None] = mapped_column(String(10))  # scope region only
    source_unit: Mapped[str] = mapped_column(String(60))  # the slug it was reported under (see above)
    period: Mapped[str] = mapped_column(String(16))  # 2025, 2025-H1, 2025-Q3 or 2025-09
    as_of: Mapped[date] = mapped_column(Date)  # the day the figure stands at
    revision: Mapped[int] = mapped_column(Integer, default=1, server_default="1")  # 2, 3...: explicit replacements
    value: Mapped[int] = mapped_column(BigInteger)  # VND for money, a count otherwise
    note: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str | None] = mapped_column(Text)  # where it comes from: a file, an article
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # None: shipped seed data
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    indicator: Mapped[Indicator] = relationship()
    province: Mapped[Province | None] = relationship()
    actor: Mapped[User | None] = relationship()
class Outbox(Base):
    """One outgoing email, durable from the moment it is built until the server accepts it.

    The unique key (recipient, kind, day) means a digest is built at most once
    per person and day, however often or concurrently the build runs; the
    Message-ID is derived from the same key, so a resend is recognisable.
    See `notifications.outbox` for the states and the delivery protocol.
    """

    __tablename__ = "outbox"
    __table_args__ = (
        UniqueConstraint("recipient", "kind", "key_date"),
        Index("ix_outbox_state_next", "state", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(String(254))
    recipient_name: Mapped[str] = mapped_column(String(200), default="")
    kind: Mapped[str] = mapped_column(String(10))  # a workflow.vocabulary.OutboxKind
    key_date: Mapped[date] = mapped_column(Date)  # the local day the message is for
    subject: Mapped[str] = mapped_column(Text)
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text)
    message_id: Mapped[str] = mapped_column(String(255), unique=True)
    state: Mapped[str] = mapped_column(String(10))  # a workflow.vocabulary.OutboxState
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    claimed_by: Mapped[str | None] = mapped_column(String(32))  # the sender run that holds it while sending
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    server_reply: Mapped[str | None] = mapped_column(Text)  # what the server said when it accepted it
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    attachments: Mapped[list[OutboxAttachment]] = relationship(
        back_populates="message", order_by="OutboxAttachment.id", cascade="all, delete-orphan")


class OutboxAttachment(Base):
    """A file sent with an outbox message (e.g. a rendered report)."""

    __tablename__ = "outbox_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    outbox_id: Mapped[int] = mapped_column(ForeignKey("outbox.id"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    mimetype: Mapped[str] = mapped_column(String(100))
    content: Mapped[bytes] = mapped_column(LargeBinary)

    message: Mapped[Outbox] = relationship(back_populates="attachments")


class CalendarDay(Base):
    """A day the Government declared off (nghỉ bù, a Tết schedule) or a make-up working day (làm bù).

    The statutory calendar (weekends, public holidays: `workflow.deadlines`) is the package's; these
    are the announcements made each year on top of it, declared by an administrator. A declaration is
    never deleted: a withdrawn one keeps who declared it and who withdrew it, and when, so the table is
    its own audit trail. At most one declaration per day is in force (`workflow.calendar_days` checks
    it under a lock).
    """

    __tablename__ = "calendar_days"
    __table_args__ = (Index("ix_calendar_days_day", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    working: Mapped[bool] = mapped_column(Boolean)  # True: a make-up working day; False: a day off
    note: Mapped[str] = mapped_column(Text)  # why: "Nghỉ bù Tết Nguyên đán", the announcement's number
    declared_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    declared_at: Mapped[datetime] = mapped_column(UTCDateTime)
    withdrawn_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
