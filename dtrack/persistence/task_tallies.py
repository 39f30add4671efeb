"""Each unit's tasks counted per year of their deadlines, kept by triggers on `tasks` (migration 0026).

The parts of a task's place in today's figures that do not depend on the day:
counted at all, completed (on time, or late by so many days), waiting for review,
blocked, still open. The triggers write each task's difference in the statement
that writes the task, so a reader of this table sees exactly the tasks its
snapshot sees (`reading.day_tallies` adds what depends on the day). Tasks
marked not applicable are not counted; days are Asia/Ho_Chi_Minh's (+07:00).

Derived data: `refill` works it out again from the tasks, and a bulk load may
pause the triggers (`paused`) and refill once, rather than fire a million times.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, ForeignKey, Integer, text
from sqlalchemy.orm import Mapped, mapped_column

from dtrack.persistence.models import Base

ZONE_MINUTES = 420  # the day the triggers read a submission on: Asia/Ho_Chi_Minh, +07:00 since 1975
COUNTS = ("tasks", "completed", "on_time", "late", "late_days", "awaiting", "blocked", "open")
TRIGGERS = (("tasks", "dtrack_tally_task"), ("task_parts", "dtrack_tally_part"))  # PostgreSQL's, by table


class TaskTally(Base):
    """One unit's countable tasks due in one year (of every directive), by what they are now."""

    __tablename__ = "task_tallies"

    province_id: Mapped[int] = mapped_column(ForeignKey("provinces.id"), primary_key=True)
    due_year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)  # 0: no deadline
    tasks: Mapped[int] = mapped_column(Integer)
    completed: Mapped[int] = mapped_column(Integer)
    on_time: Mapped[int] = mapped_column(Integer)  # completed, not after the deadline (or without one)
    late: Mapped[int] = mapped_column(Integer)  # completed after the deadline
    late_days: Mapped[int] = mapped_column(Integer)  # the late ones' days past their deadlines, added up
    awaiting: Mapped[int] = mapped_column(Integer)  # submitted, waiting for review
    blocked: Mapped[int] = mapped_column(Integer)
    open: Mapped[int] = mapped_column(Integer)  # neither completed nor waiting for review


class PartTally(Base):
    """One unit's parts delegated to communes (of its tasks of one directive): how many, how many completed."""

    __tablename__ = "part_tallies"

    province_id: Mapped[int] = mapped_column(ForeignKey("provinces.id"), primary_key=True)
    directive_id: Mapped[int] = mapped_column(ForeignKey("directives.id"), primary_key=True)
    parts: Mapped[int] = mapped_column(Integer)
    completed: Mapped[int] = mapped_column(Integer)


def refill(conn: Connection) -> None:
    """Count every task and part again, as the triggers would have (after a bulk load with them `paused`)."""
    from importlib import import_module

    # The migration's own statement: the counting rules are written once, there (frozen once released;
    # a later migration that changes them would hold the statement this reads).
    migration = import_module("dtrack.migrations.versions.0026_task_tallies")
    conn.execute(text("DELETE FROM task_tallies"))
    conn.execute(text(migration._fill(conn.dialect.name)))
    conn.execute(text("DELETE FROM part_tallies"))
    conn.execute(text(migration._part_fill()))


@contextmanager
def paused(conn: Connection) -> Iterator[None]:
    """The tally triggers (of tasks and parts) off inside the block (one transaction, `conn`'s), then a refill.

    PostgreSQL disables them; SQLite has no switch, so their text is read from the schema,
    dropped, and created again from that text.
    """
    if conn.dialect.name == "postgresql":
        for table, trigger in TRIGGERS:
            conn.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER {trigger}"))
        yield
        for table, trigger in TRIGGERS:
            conn.execute(text(f"ALTER TABLE {table} ENABLE TRIGGER {trigger}"))
    else:
        kept = conn.execute(text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
                                 "AND tbl_name IN ('tasks', 'task_parts') AND name LIKE 'dtrack_tally_%'")).all()
        for name, _ in kept:
            conn.execute(text(f'DROP TRIGGER "{name}"'))
        yield
        for _, sql in kept:
            conn.execute(text(sql))
    refill(conn)


__all__ = ["COUNTS", "ZONE_MINUTES", "PartTally", "TaskTally", "paused", "refill"]
