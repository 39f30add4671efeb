"""The data model: directives, their task groups, provinces, users, tasks and
the append-only audit trail.

A task is one (task group, province[, period]) pair and carries its state in
`Task.state`; the lifecycle in `workflow.lifecycle` moves it. Every change is
also written to `events`, which is never updated or deleted, so a task's
history replays to its current state.
"""
from __future__ import annotations

from datetime import date, datetime, timezone

from sqlalchemy import (
    BigInteger,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from dtrack.workflow.vocabulary import State

# Stable constraint names so Alembic migrations match the models on every back-end.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator):
    """Stores naive UTC, returns aware UTC: SQLite has no time zones, so be explicit."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; dtrack stores UTC instants only")
        return value.astimezone(timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=timezone.utc)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Province(Base):
    __tablename__ = "provinces"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    name_en: Mapped[str] = mapped_column(String(80))
    region: Mapped[str] = mapped_column(String(10), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    ordinal: Mapped[int] = mapped_column(Integer)

    aliases: Mapped[list[ProvinceAlias]] = relationship(back_populates="province", order_by="ProvinceAlias.id")


class ProvinceAlias(Base):
    """A pre-2025 province name that now belongs to a merged unit."""

    __tablename__ = "province_aliases"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    province_id: Mapped[int] = mapped_column(ForeignKey("provinces.id"))

    province: Mapped[Province] = relationship(back_populates="aliases")


class Directive(Base):
    __tablename__ = "directives"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    title_vi: Mapped[str] = mapped_column(Text)
    title_en: Mapped[str] = mapped_column(Text)
    issuer_vi: Mapped[str] = mapped_column(String(200))
    issuer_en: Mapped[str] = mapped_column(String(200))
    signed_by: Mapped[str | None] = mapped_column(String(200))
    issued_on: Mapped[date | None] = mapped_column(Date)
    source: Mapped[str | None] = mapped_column(Text)
    # The reports' wording as the file gives it (directives.format.ReportSpec as JSON); NULL: defaults.
    report_wording: Mapped[str | None] = mapped_column(Text)
    # sha256 of the definition as loaded: loading the same file twice changes nothing.
    digest: Mapped[str] = mapped_column(String(64))
    loaded_at: Mapped[datetime] = mapped_column(UTCDateTime)

    groups: Mapped[list[TaskGroup]] = relationship(back_populates="directive", order_by="TaskGroup.ordinal")


class TaskGroup(Base):
    __tablename__ = "task_groups"
    __table_args__ = (UniqueConstraint("directive_id", "ordinal"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    directive_id: Mapped[int] = mapped_column(ForeignKey("directives.id"))
    ordinal: Mapped[int] = mapped_column(Integer)
    title_vi: Mapped[str] = mapped_column(Text)
    title_en: Mapped[str] = mapped_column(Text)
    summary_vi: Mapped[str] = mapped_column(Text)
    summary_en: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(12))
    owner: Mapped[str] = mapped_column(String(12))
    # The deadline rule as written in the directive file (see workflow.deadlines).
    deadline_rule: Mapped[str] = mapped_column(Text)
    # Recurring groups: which period an occurrence reports on, "current" or "previous"
    # (workflow.deadlines.period_label); part of the period in the task key.
    covers: Mapped[str] = mapped_column(String(8), default="current", server_default="current")
    # Where the group applies (directive file `regions` / `provinces`): comma-separated
    # region names and today's province slugs; both empty = every province. A province
    # is in scope when its region or its slug is listed (see workflow.applicability).
    scope_regions: Mapped[str] = mapped_column(Text, default="", server_default="")
    scope_provinces: Mapped[str] = mapped_column(Text, default="", server_default="")

    directive: Mapped[Directive] = relationship(back_populates="groups")


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(10))
    province_id: Mapped[int | None] = mapped_column(ForeignKey("provinces.id"))
    locale: Mapped[str] = mapped_column(String(5), default="vi")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Web login (issue 10): argon2id hash; None until the user sets a password through a one-time link.
    password_hash: Mapped[str | None] = mapped_column(String(255))
    # A disabled user keeps their history but can no longer log in or act.
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Failed logins since the last success; at the limit the account waits until locked_until.
    failed_logins: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # SHA-256 of the secret in the user's calendar-feed address (accounts.feeds); None: no feed.
    feed_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)

    province: Mapped[Province | None] = relationship()


class Task(Base):
    __tablename__ = "tasks"
    __table_args__ = (
        UniqueConstraint("group_id", "province_id", "period"),
        Index("ix_tasks_province_state", "province_id", "state"),
        # Covers the overdue review and the reminder sweep: state and deadline,
        # then province and group, then what `countable` asks (assigned by the day,
        # not marked not applicable), so counting per province never reads the table.
        Index("ix_tasks_state_due", "state", "due_on", "province_id", "group_id", "assigned_on",
              "not_applicable_since"),
        # The review queue: submitted tasks, longest waiting first, without sorting them all;
        # counted (in a scope too) on the index alone, as above.
        Index("ix_tasks_state_submitted", "state", "submitted_at", "assigned_on", "not_applicable_since",
              "province_id", "group_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("task_groups.id"))
    province_id: Mapped[int] = mapped_column(ForeignKey("provinces.id"))
    # '' for one-off and continuous groups; '2026-H1' and the like for recurring ones.
    period: Mapped[str] = mapped_column(String(16), default="")
    state: Mapped[str] = mapped_column(String(12), default=State.NOT_STARTED.value)
    progress: Mapped[int] = mapped_column(Integer, default=0)
    assigned_on: Mapped[date] = mapped_column(Date)
    original_due_on: Mapped[date | None] = mapped_column(Date)
    due_on: Mapped[date | None] = mapped_column(Date)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    # "Not applicable" (workflow.exemption): a flag beside the state, not a state. While
    # set, the task has no reminders and is left out of overdue counts and rates.
    not_applicable_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    not_applicable_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    not_applicable_reason: Mapped[str | None] = mapped_column(Text)

    group: Mapped[TaskGroup] = relationship()
    province: Mapped[Province] = relationship()
    not_applicable_user: Mapped[User | None] = relationship(foreign_keys=[not_applicable_by])
    events: Mapped[list[Event]] = relationship(back_populates="task", order_by="Event.id")

    # Optimistic locking: every UPDATE says WHERE version = <what we read>.
    __mapper_args__ = {"version_id_col": version}

    @property
    def key(self) -> str:
        """The readable key used everywhere: DIRECTIVE:GROUP:PROVINCE[:PERIOD]."""
        return task_key(self.group.directive.code, self.group.ordinal, self.province.slug, self.period)


def task_key(directive_code: str, ordinal: int, province_slug: str, period: str = "") -> str:
    key = f"{directive_code}:{ordinal}:{province_slug}"
    return f"{key}:{period}" if period else key


class Event(Base):
    """One line of the audit trail: append-only."""

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    trigger: Mapped[str] = mapped_column(String(20))
    from_state: Mapped[str] = mapped_column(String(12))
    to_state: Mapped[str] = mapped_column(String(12))
    progress: Mapped[int] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(Text)
    evidence: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    # Deadline events (vocabulary.DeadlineTrigger) record the deadline before and after.
    from_due_on: Mapped[date | None] = mapped_column(Date)
    to_due_on: Mapped[date | None] = mapped_column(Date)

    task: Mapped[Task] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()


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


# The accounts tables (web sessions, one-time links, the login audit) live in
# their own module on the same metadata; imported here so every schema user sees them.
from dtrack.workflow import account_models as _account_models  # noqa: E402,F401
from dtrack.workflow import evidence_models as _evidence_models  # noqa: E402,F401
