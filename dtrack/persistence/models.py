"""The data model: directives, their task groups, provinces, users, tasks and
the append-only audit trail.

A task is one (task group, province[, period]) pair and carries its state in
`Task.state`; the lifecycle in `workflow.lifecycle` moves it. Every change is
also written to `events`, which is never updated or deleted, so a task's
history replays to its current state.
"""
from __future__ import annotations

import importlib
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any, ClassVar

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# Stable constraint names so Alembic migrations match the models on every back-end.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Stores naive UTC, returns aware UTC: SQLite has no time zones, so be explicit."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; dtrack stores UTC instants only")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    # Every model maps exactly one Table (no joins or selects), so Core statements
    # may take `Model.__table__` as a Table; SQLAlchemy types it as any FromClause.
    __table__: ClassVar[Table]


class Province(Base):
    __tablename__ = "provinces"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    name_en: Mapped[str] = mapped_column(String(80))
    region: Mapped[str] = mapped_column(String(10), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    ordinal: Mapped[int] = mapped_column(Integer)
    # The official two-digit code ("01" Hà Nội ... "96" Cà Mau: the Government's list of administrative units
    # and their codes), from the seed file; the communes are mapped onto provinces by it (workflow.commune_list).
    # None for the Department's unit.
    code: Mapped[str | None] = mapped_column(String(2), index=True, unique=True)

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
    # A commune officer's commune (persistence.commune_models.Commune). Their province is the commune's:
    # province_id stays None, so no rule written for province officers ever reads them as one.
    commune_id: Mapped[int | None] = mapped_column(ForeignKey("communes.id"))
    # The mail the user chose (issue 26, accounts.preferences): how often the digest comes ('daily',
    # 'weekly', 'none' beyond what the role requires) and which sections (NULL: all; else names, comma separated).
    digest_frequency: Mapped[str] = mapped_column(String(10), default="daily", server_default="daily")
    digest_sections: Mapped[str | None] = mapped_column(String(400))
    # When the user last marked "what changed" as seen (issue 26, reading.changes); None: never (the last 14 days).
    changes_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

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
        # The tasks assigned after a day, which today's tallies (`persistence.task_tallies`) leave out (0026).
        Index("ix_tasks_assigned_on", "assigned_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("task_groups.id"))
    province_id: Mapped[int] = mapped_column(ForeignKey("provinces.id"))
    # '' for one-off and continuous groups; '2026-H1' and the like for recurring ones.
    period: Mapped[str] = mapped_column(String(16), default="")
    state: Mapped[str] = mapped_column(String(12), default="not_started")  # State.NOT_STARTED (text here)
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
    # Issue 24: the task's progress follows its communes' parts (their average) rather than what the province types.
    progress_from_parts: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

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
    # One kind of event up to a day, on the index alone: the checkpoints judged by a report or the
    # dashboard (a few thousand among millions), what changed since a visit (migration 0024).
    __table_args__ = (Index("ix_events_trigger_at", "trigger", "at", "task_id"),)

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


# The tables of the features built on the engine live in their own modules on
# the same metadata and are mapped when first named: a command that reads only
# tasks does not pay for mapping (and configuring) the other eleven classes,
# about half of the mapping's start-up cost. `from dtrack.persistence.models import
# Reminder` still works, through __getattr__ below.
_FEATURE_MODULES = {
    "feature_models": ("ExtensionRequest", "Reminder", "Indicator", "IndicatorValue", "Outbox", "OutboxAttachment",
                       "CalendarDay"),
    "account_models": ("WebSession", "AuthToken", "AuthEvent", "ApiToken"),
    "evidence_models": ("Attachment",),
    "commune_models": ("Commune",),
    "part_models": ("TaskPart", "PartEvent"),
    "dashboard_models": ("DashboardFigures",),
    "task_tallies": ("TaskTally", "PartTally"),
    "document_models": ("DocumentCounter", "IssuedDocument", "LetterDraft", "TaskDocument"),
}
_HOME = {name: module for module, names in _FEATURE_MODULES.items() for name in names}

if TYPE_CHECKING:  # the names as type checkers see them ("X as X": re-exported)
    from dtrack.persistence.account_models import ApiToken as ApiToken
    from dtrack.persistence.account_models import AuthEvent as AuthEvent
    from dtrack.persistence.account_models import AuthToken as AuthToken
    from dtrack.persistence.account_models import WebSession as WebSession
    from dtrack.persistence.commune_models import Commune as Commune
    from dtrack.persistence.dashboard_models import DashboardFigures as DashboardFigures
    from dtrack.persistence.document_models import DocumentCounter as DocumentCounter
    from dtrack.persistence.document_models import IssuedDocument as IssuedDocument
    from dtrack.persistence.document_models import LetterDraft as LetterDraft
    from dtrack.persistence.document_models import TaskDocument as TaskDocument
    from dtrack.persistence.evidence_models import Attachment as Attachment
    from dtrack.persistence.feature_models import CalendarDay as CalendarDay
    from dtrack.persistence.feature_models import ExtensionRequest as ExtensionRequest
    from dtrack.persistence.feature_models import Indicator as Indicator
    from dtrack.persistence.feature_models import IndicatorValue as IndicatorValue
    from dtrack.persistence.feature_models import Outbox as Outbox
    from dtrack.persistence.feature_models import OutboxAttachment as OutboxAttachment
    from dtrack.persistence.feature_models import Reminder as Reminder
    from dtrack.persistence.part_models import PartEvent as PartEvent
    from dtrack.persistence.part_models import TaskPart as TaskPart
    from dtrack.persistence.task_tallies import PartTally as PartTally
    from dtrack.persistence.task_tallies import TaskTally as TaskTally


def __getattr__(name: str) -> Any:
    """A feature table's class, mapped on first use (PEP 562: called only for names not defined here)."""
    module = _HOME.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"dtrack.persistence.{module}"), name)


def schema_metadata() -> MetaData:
    """The metadata with every table of the schema mapped (what the migrations must produce)."""
    for module in _FEATURE_MODULES:
        importlib.import_module(f"dtrack.persistence.{module}")
    return Base.metadata


# `users.commune_id` refers to `communes`: a flush of users resolves that key, so the communes table is
# mapped with the core ones (a small class), while its name stays registered above like the others.
importlib.import_module("dtrack.persistence.commune_models")
