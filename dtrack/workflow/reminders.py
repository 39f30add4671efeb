"""Reminders: which ones have fallen due, written once each, and withdrawn when they no longer apply.

A sweep works from the tasks' current state, never from a queue, so
downtime only delays a reminder: the next sweep writes what fell due in
between. For each task and kind it writes the LATEST occurrence that has
fallen due (after a week's downtime a task 3 days from its deadline gets the
"7 days before" reminder, not also the stale "14 days before" one). Rows
carry the unique key (task, deadline, kind, day), and are inserted with
INSERT ... ON CONFLICT DO NOTHING, so a second sweep, a sweep after a crash
or two sweeps at once write each reminder exactly once.

Reminders are the input of the email digests (consumed_at), not one email
each. Completing, submitting, sending back or extending a task cancels the
pending reminders that no longer apply (`cancel_stale`).
"""
from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import Connection, Update, and_, bindparam, exists, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload
from sqlalchemy.orm.exc import StaleDataError

from dtrack.config.clock import Clock
from dtrack.config.settings import Settings
from dtrack.persistence.database import Database
from dtrack.persistence.models import Reminder, Task
from dtrack.workflow.assignments import open_periods
from dtrack.workflow.calendar_days import calendar_in_force
from dtrack.workflow.checkpoints import roll_checkpoints
from dtrack.workflow.deadlines import STATUTORY, WorkCalendar
from dtrack.workflow.views import View
from dtrack.workflow.vocabulary import OWED_BY_PROVINCE, ReminderKind, Role, State

PROVINCE_KINDS = (ReminderKind.BEFORE_DEADLINE.value, ReminderKind.OVERDUE.value, ReminderKind.ESCALATION.value)


@dataclass(frozen=True)
class ReminderPolicy:
    """When reminders fall due (the settings remind_before_days and the like)."""

    before_days: tuple[int, ...] = (14, 7, 1)
    overdue_every: int = 7
    escalate_after: int = 14
    review_nudge: int = 7
    calendar: WorkCalendar = STATUTORY  # new periods' deadlines and continuous groups' next checkpoints

    @classmethod
    def from_settings(cls, settings: Settings) -> ReminderPolicy:
        return cls(tuple(settings.remind_before_days), settings.remind_overdue_every,
                   settings.escalate_after_days, settings.review_nudge_days, WorkCalendar.of(settings))


@dataclass(frozen=True)
class Due:
    """One reminder that has fallen due for a task."""

    kind: ReminderKind
    due_on: date
    remind_on: date
    audience: Role
    days: int


def due_reminders(
    policy: ReminderPolicy, state: str, due_on: date | None, submitted_on: date | None, as_of: date
) -> list[Due]:
    """The latest reminder of each kind that has fallen due by `as_of` for a task in this situation."""
    found: list[Due] = []
    if state in OWED_BY_PROVINCE and due_on is not None:
        left = (due_on - as_of).days
        if left >= 0:
            passed = [d for d in policy.before_days if d >= left]
            if passed:
                days = min(passed)
                found.append(Due(ReminderKind.BEFORE_DEADLINE, due_on, due_on - timedelta(days=days),
                                 Role.PROVINCE, days))
        else:
            late = -left
            # The day after the deadline, then every `overdue_every` days.
            step = (late - 1) // policy.overdue_every
            days_late = 1 + step * policy.overdue_every
            found.append(Due(ReminderKind.OVERDUE, due_on, due_on + timedelta(days=days_late),
                             Role.PROVINCE, -days_late))
            if late >= policy.escalate_after:
                found.append(Due(ReminderKind.ESCALATION, due_on, due_on + timedelta(days=policy.escalate_after),
                                 Role.OVERSEER, -policy.escalate_after))
    elif state == State.SUBMITTED and submitted_on is not None and (as_of - submitted_on).days >= policy.review_nudge:
        found.append(Due(ReminderKind.REVIEW_NUDGE, due_on or submitted_on,
                         submitted_on + timedelta(days=policy.review_nudge), Role.OVERSEER, policy.review_nudge))
    return found


def cancel_stale(session: Session, now: datetime, task_ids: Iterable[int] | None = None) -> int:
    """Cancel pending reminders that no longer apply; returns how many.

    A province reminder applies while the province owes the work and the
    deadline it names is still the one in force; a review nudge applies
    while the task is still submitted. Neither applies to a task marked
    not applicable.
    """
    params: dict[str, object] = {"cancel_at": now}
    if task_ids is not None:
        params["ids"] = list(task_ids)
    return session.connection().execute(_cancel_statement(task_ids is not None), params).rowcount or 0


def cancel_stale_of_task(connection: Connection, now: datetime, task_id: int) -> int:
    """`cancel_stale` for one task, on a plain connection (a transition's hot path); returns how many.

    The same statement with `task_id = :id` instead of an expanding IN list,
    whose per-call rendering cost more than running the UPDATE.
    """
    return connection.execute(_cancel_statement(False, True), {"cancel_at": now, "one_task_id": task_id}).rowcount or 0


@cache
def _cancel_statement(for_tasks: bool, for_one: bool = False) -> Update:
    # Built once: every state change runs it, and building the expression
    # costs more than running it on a task's few reminders.
    tasks, reminders = Task.__table__.c, Reminder.__table__
    stale_province = exists().where(
        tasks.id == reminders.c.task_id,
        or_(tasks.state.not_in(OWED_BY_PROVINCE), tasks.due_on.is_(None), tasks.due_on != reminders.c.due_on,
            tasks.not_applicable_since.is_not(None)),
    )
    stale_nudge = exists().where(tasks.id == reminders.c.task_id, or_(tasks.state != State.SUBMITTED.value,
                                                                      tasks.not_applicable_since.is_not(None)))
    query = (
        update(reminders)
        .where(
            reminders.c.consumed_at.is_(None),
            reminders.c.cancelled_at.is_(None),
            or_(and_(reminders.c.kind.in_(PROVINCE_KINDS), stale_province),
                and_(reminders.c.kind == ReminderKind.REVIEW_NUDGE.value, stale_nudge)),
        )
        .values(cancelled_at=bindparam("cancel_at", type_=reminders.c.cancelled_at.type))
    )
    if for_tasks:
        query = query.where(reminders.c.task_id.in_(bindparam("ids", expanding=True)))
    elif for_one:
        query = query.where(reminders.c.task_id == bindparam("one_task_id"))
    return query


@dataclass
class SweepResult:
    as_of: date
    periods_opened: int = 0
    checkpoints: int = 0
    cancelled: int = 0
    scanned: int = 0
    generated: Counter[str] = field(default_factory=Counter)  # reminders written, per kind
    seconds: float = 0.0

    @property
    def total(self) -> int:
        return sum(self.generated.values())

    def line(self) -> str:
        """The sweep in one log line."""
        kinds = ", ".join(f"{k} {self.generated[k]}" for k in sorted(self.generated)) or "none"
        return (f"sweep as of {self.as_of.isoformat()}: {self.total} reminder(s) written ({kinds}), "
                f"{self.cancelled} cancelled, {self.periods_opened} period task(s) opened, "
                f"{self.checkpoints} checkpoint(s) rolled, "
                f"{self.scanned} task(s) checked in {self.seconds:.2f} s")


def _insert_ignoring_duplicates(session: Session, rows: list[dict[str, Any]]) -> int:
    """Insert reminder rows, skipping any another run wrote first; returns how many were inserted."""
    if not rows:
        return 0
    table = Reminder.__table__
    statement = Database.insert_ignoring(
        session, table, ["task_id", "due_on", "kind", "remind_on"]).returning(table.c.id)
    # One cached statement executed for many rows (SQLAlchemy batches them);
    # RETURNING lists only the rows inserted, where rowcount is unreliable.
    return len(session.connection().execute(statement, rows).all())


def _retrying(db: Database, work: Callable[[Session], int], attempts: int = 3) -> int:
    """Run `work` in a transaction; if a concurrent sweep did the same first, run it again (it then finds it done)."""
    for attempt in range(attempts):
        try:
            with db.session() as session:
                return work(session)
        except (IntegrityError, StaleDataError):
            if attempt == attempts - 1:
                raise
    return 0


def sweep(db: Database, clock: Clock, policy: ReminderPolicy | None = None, batch: int = 2000) -> SweepResult:
    """One full reminder sweep as of the clock's today, in pages of `batch` task ids.

    Streams the candidate tasks by id range (one transaction each), so
    memory stays flat whatever the number of tasks.
    """
    policy = policy or ReminderPolicy()
    started = time.perf_counter()
    as_of, now = clock.today(), clock.now()
    result = SweepResult(as_of)
    # The declared days are read in each transaction: a day declared meanwhile counts at once.
    def in_force(session: Session) -> WorkCalendar:
        return calendar_in_force(session, policy.calendar)

    result.periods_opened = _retrying(db, lambda session: open_periods(session, as_of, now, in_force(session)))
    while True:  # in batches, each its own transaction: memory stays flat
        rolled = _retrying(db, lambda session: roll_checkpoints(session, as_of, now, in_force(session), limit=batch))
        result.checkpoints += rolled
        if rolled < batch:
            break
    with db.session() as session:
        result.cancelled = cancel_stale(session, now)
    # Pages are id ranges read whole and judged here: a primary-key range scan on
    # every back-end. (Filtering candidates in SQL with ORDER BY id LIMIT let
    # SQLite's planner re-sort all candidates for every page.)
    with db.session() as session:
        last = session.scalar(select(func.max(Task.id))) or 0
    for low in range(0, last, batch):
        with db.session() as session:
            # Core, not ORM, execution: plain rows, no per-row ORM bookkeeping.
            connection = session.connection()
            rows = connection.execute(
                select(Task.id, Task.state, Task.due_on, Task.submitted_at)
                .where(Task.id > low, Task.id <= low + batch, Task.state != State.COMPLETED.value,
                       Task.not_applicable_since.is_(None))  # a task marked not applicable has no reminders
            ).all()
            if not rows:
                continue
            result.scanned += len(rows)
            # What earlier runs wrote for these tasks: a repeat sweep then inserts nothing.
            written = {tuple(row) for row in connection.execute(
                select(Reminder.task_id, Reminder.due_on, Reminder.kind, Reminder.remind_on)
                .where(Reminder.task_id > low, Reminder.task_id <= low + batch)
            )}
            new: list[dict[str, Any]] = []
            for task_id, state, due_on, submitted_at in rows:
                submitted_on = clock.local_date(submitted_at) if submitted_at else None
                for due in due_reminders(policy, state, due_on, submitted_on, as_of):
                    if (task_id, due.due_on, due.kind.value, due.remind_on) in written:
                        continue
                    new.append({"task_id": task_id, "due_on": due.due_on, "kind": due.kind.value,
                                "remind_on": due.remind_on, "audience": due.audience.value,
                                "days": due.days, "created_at": now})
            # One statement per kind, so its count says exactly what this run wrote
            # (a concurrent run may have written some of the rows first).
            by_kind: dict[str, list[dict[str, Any]]] = {}
            for row in new:
                by_kind.setdefault(row["kind"], []).append(row)
            for kind, kind_rows in by_kind.items():
                result.generated[kind] += _insert_ignoring_duplicates(session, kind_rows)
    result.seconds = time.perf_counter() - started
    return result


__all__ = ["Due", "ReminderPolicy", "SweepResult", "cancel_stale", "cancel_stale_of_task", "due_reminders", "sweep"]


@dataclass(frozen=True)
class ReminderView(View):
    task: str  # the task's key
    kind: str
    audience: str
    due_on: date
    remind_on: date
    days: int
    status: str  # pending | consumed | cancelled

    @classmethod
    def of(cls, reminder: Reminder) -> ReminderView:
        status = "cancelled" if reminder.cancelled_at else "consumed" if reminder.consumed_at else "pending"
        return cls(reminder.task.key, reminder.kind, reminder.audience, reminder.due_on, reminder.remind_on,
                   reminder.days, status)


def list_reminders(session: Session, today: date, include_done: bool = False) -> list[ReminderView]:
    """Reminders fallen due by `today`, oldest first; only those waiting for a digest unless `include_done`."""
    query = (select(Reminder).join(Task).where(Reminder.remind_on <= today)
             .options(joinedload(Reminder.task)).order_by(Reminder.remind_on, Reminder.id))
    if not include_done:
        query = query.where(Reminder.consumed_at.is_(None), Reminder.cancelled_at.is_(None))
    return [ReminderView.of(r) for r in session.scalars(query)]
