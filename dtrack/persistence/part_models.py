"""The parts of a task a province delegates to its communes (issue 24), and their audit trail.

A part is one (task, commune) pair: what that commune must do, by when (not
later than the task's deadline), and where it stands in the same lifecycle
as a task (`workflow.actions`), moved by the same write path
(`workflow.service`) with the same optimistic locking (`version`). Its
columns that the write path writes carry the task's names, so one UPDATE
builder serves both.

Its history is a sibling of `events`, not rows of it: `events.task_id` is
the key every task read (history, replay, four eyes, the reports' "as of")
filters on; part rows there would make each of those reads filter them out
again, and a part's submission would count as the task's. `part_events` has
the same columns with `part_id` in place of `task_id`.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dtrack.persistence.commune_models import Commune
from dtrack.persistence.models import Base, Task, UTCDateTime


class TaskPart(Base):
    """One commune's part of a province task."""

    __tablename__ = "task_parts"
    __table_args__ = (
        UniqueConstraint("task_id", "commune_id"),  # also the roll-up's index: a task's parts
        # A commune officer's home (their commune's parts by state) and the late parts of a sweep.
        Index("ix_task_parts_commune_state", "commune_id", "state"),
        Index("ix_task_parts_state_due", "state", "due_on", "task_id"),  # with the task: the overdue parts' units
        # The counts of every view (`reading.part_counts`) and a task's roll-up read this index alone, never
        # the rows (migration 0025: at 274,665 parts, 200 ms a nationwide count on SQLite without it, 50 with).
        Index("ix_task_parts_task_state_due", "task_id", "state", "due_on", "progress"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id"))
    commune_id: Mapped[int] = mapped_column(ForeignKey("communes.id"))
    instruction: Mapped[str] = mapped_column(Text)  # what the commune must do, as the province wrote it
    due_on: Mapped[date] = mapped_column(Date)  # a working day, not later than the task's deadline
    state: Mapped[str] = mapped_column(String(12), default="not_started")
    progress: Mapped[int] = mapped_column(Integer, default=0)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    delegated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    task: Mapped[Task] = relationship()
    commune: Mapped[Commune] = relationship()

    __mapper_args__ = {"version_id_col": version}


class PartEvent(Base):
    """One line of a part's audit trail: append-only, the columns of `events` for a part."""

    __tablename__ = "part_events"
    # What changed since a mark (`reading.changes`: the communes' submissions, the province's judgements) is a
    # slice of this index, not every event of every part of the province (migration 0025).
    __table_args__ = (Index("ix_part_events_trigger_at", "trigger", "at", "part_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    part_id: Mapped[int] = mapped_column(ForeignKey("task_parts.id"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    trigger: Mapped[str] = mapped_column(String(20))
    from_state: Mapped[str] = mapped_column(String(12))
    to_state: Mapped[str] = mapped_column(String(12))
    progress: Mapped[int] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(Text)
    evidence: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
