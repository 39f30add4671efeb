"""The dashboard's counts as SQL aggregates: how every task stood at the end of a day, judged in the database.

`reading.four_cells` judges task by task in Python (`workflow.timeliness.classify`);
at a million tasks a dashboard asking that for every month since a directive
began would loop over millions of rows. Here the same rules are written once
as SQL expressions and each day is one grouped query:

* how a task stood at the end of the day: for today (no event after it) its
  row; for a past day the last audit event before the day ended (the greatest
  (at, id), as `workflow.history.fold` replays them: `event_key`), the last
  submission, the last acceptance, and whether the last exempt/restore was an
  exemption (`countable`: a task marked not applicable that day is left out);
* `classify`'s cells: completed on time or late (the submission's local day
  against the deadline in force), waiting for review, open and overdue, open
  within the deadline;
* `rate_share`'s on-time rate: completed on time with the deadline come, over
  the tasks due by the day (completed ones due, open overdue ones).

Days are read in the `Today`'s zone by shifting the stored UTC instant by the
zone's offset on that day (Asia/Ho_Chi_Minh has kept +07:00 since 1975).
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Date, Integer, String, and_, case, func, literal, not_, or_, select, text
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import FunctionElement

from dtrack.config.today import Today
from dtrack.persistence.models import Directive, Event, Province, Task, TaskGroup
from dtrack.reading.scope import Scope
from dtrack.workflow.applicability import province_units
from dtrack.workflow.vocabulary import ApplicabilityTrigger, State, Trigger

# The counts of one province as of a day, in this order (`province_counts`).
FIELDS = ("tasks", "on_time", "due", "completed_on_time", "completed_late", "within", "overdue", "awaiting",
          "blocked", "overdue_days", "late_days", "completed")


class local_day(FunctionElement[date]):  # noqa: N801 - a SQL function's name
    """The calendar day a stored UTC instant falls on, `minutes` east of UTC."""

    type = Date()
    inherit_cache = True


@compiles(local_day, "sqlite")
def _local_day_sqlite(element: local_day, compiler: Any, **kw: Any) -> str:
    instant, minutes = list(element.clauses)
    return f"date({compiler.process(instant, **kw)}, ({compiler.process(minutes, **kw)}) || ' minutes')"


@compiles(local_day, "postgresql")
def _local_day_pg(element: local_day, compiler: Any, **kw: Any) -> str:
    instant, minutes = list(element.clauses)
    return f"CAST({compiler.process(instant, **kw)} + make_interval(mins => {compiler.process(minutes, **kw)}) AS DATE)"


class days_between(FunctionElement[int]):  # noqa: N801 - a SQL function's name
    """Whole days from the second date to the first."""

    type = Integer()
    inherit_cache = True


@compiles(days_between, "sqlite")
def _days_sqlite(element: days_between, compiler: Any, **kw: Any) -> str:
    later, earlier = (compiler.process(c, **kw) for c in element.clauses)
    return f"CAST(julianday({later}) - julianday({earlier}) AS INTEGER)"


@compiles(days_between, "postgresql")
def _days_pg(element: days_between, compiler: Any, **kw: Any) -> str:
    later, earlier = (compiler.process(c, **kw) for c in element.clauses)
    return f"({later} - {earlier})"


class event_key(FunctionElement[Any]):  # noqa: N801 - a SQL function's name
    """An event's place in its task's history, (at, id), as one value `max()` compares in that order.

    The audit trail is replayed in (at, id) order (`workflow.history.replay`); ids alone need not
    follow the instants (a data set written out of order), so the last event is the greatest key.
    """

    inherit_cache = True


@compiles(event_key, "sqlite")
def _event_key_sqlite(element: event_key, compiler: Any, **kw: Any) -> str:
    at, event_id = (compiler.process(c, **kw) for c in element.clauses)
    return f"({at} || '|' || printf('%012d', {event_id}))"  # instants are stored as fixed-width ISO text


@compiles(event_key, "postgresql")
def _event_key_pg(element: event_key, compiler: Any, **kw: Any) -> str:
    at, event_id = (compiler.process(c, **kw) for c in element.clauses)
    return f"ARRAY[EXTRACT(EPOCH FROM {at}), CAST({event_id} AS NUMERIC)]"


class last_state(FunctionElement[str]):  # noqa: N801 - a SQL function's name
    """An aggregate: the `to_state` of a group's last event in (at, id) order, read without a join back.

    Joining the last event by its id made PostgreSQL hash the whole trail (six million rows at a
    million tasks); the state rides in the aggregate instead.
    """

    type = String()
    inherit_cache = True


@compiles(last_state, "sqlite")
def _last_state_sqlite(element: last_state, compiler: Any, **kw: Any) -> str:
    at, event_id, state = (compiler.process(c, **kw) for c in element.clauses)
    # at is fixed-width text (26 characters), the id padded to 12: the state starts at character 41.
    return f"substr(max({at} || '|' || printf('%012d', {event_id}) || '|' || {state}), 41)"


@compiles(last_state, "postgresql")
def _last_state_pg(element: last_state, compiler: Any, **kw: Any) -> str:
    at, event_id, state = (compiler.process(c, **kw) for c in element.clauses)
    return f"(array_agg({state} ORDER BY {at} DESC, {event_id} DESC))[1]"


def without_jit(session: Session) -> None:
    """PostgreSQL spent seconds compiling these grouped queries (JIT) to save less: off for this transaction."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL jit = off"))


def offset_minutes(today: Today) -> int:
    offset = today.ends_at().astimezone(ZoneInfo(today.zone)).utcoffset()
    return int(offset.total_seconds() // 60) if offset is not None else 0


def _count(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.sum(case((condition, 1), else_=0))


def province_counts(session: Session, today: Today, scope: Scope, *, current: bool,
                    where: tuple[ColumnElement[bool], ...] = ()) -> dict[str, dict[str, int]]:
    """Province slug -> the day's counts (`FIELDS`) of its countable tasks, in one grouped query.

    `current`: nothing happened after the day, so each task's row is how it stood
    (no audit event is read); otherwise the audit trail before the day's end says it.
    `where`: more conditions on the tasks (the scorecard's year of deadlines).
    """
    day, until, minutes = today.day, today.ends_at(), offset_minutes(today)
    without_jit(session)
    query = (select(Province.slug).select_from(Task).join(TaskGroup, Task.group_id == TaskGroup.id)
             .join(Directive, TaskGroup.directive_id == Directive.id).join(Province, Task.province_id == Province.id))
    if current:
        state: Any = Task.state
        submitted: Any = Task.submitted_at
        finished: ColumnElement[Any] = func.coalesce(Task.submitted_at, Task.completed_at)
        exempt: ColumnElement[bool] = Task.not_applicable_since.is_not(None)
    else:
        query, state, submitted, finished, exempt = _as_it_stood(query, until, scope, where)
    completed = state == State.COMPLETED.value
    finished_day = local_day(finished, literal(minutes))
    late = and_(completed, Task.due_on.is_not(None), finished.is_not(None), finished_day > Task.due_on)
    on_time = and_(completed, not_(late))
    awaiting = and_(state == State.SUBMITTED.value, submitted.is_not(None))
    overdue = and_(not_(completed), not_(awaiting), Task.due_on.is_not(None), Task.due_on < day)
    judged_on_time = and_(on_time, Task.due_on.is_not(None), Task.due_on <= day)
    columns = (
        func.count(), _count(judged_on_time), _count(or_(overdue, late, judged_on_time)), _count(on_time),
        _count(late), _count(and_(not_(completed), not_(awaiting), not_(overdue))), _count(overdue),
        _count(awaiting), _count(state == State.BLOCKED.value),
        func.sum(case((overdue, days_between(literal(day, Date()), Task.due_on)), else_=0)),
        func.sum(case((late, days_between(finished_day, Task.due_on)), else_=0)), _count(completed),
    )
    query = scope.apply(query.add_columns(*columns).group_by(Province.slug)
                        .where(Task.assigned_on <= day, province_units(), not_(exempt), *where))
    found: dict[str, dict[str, int]] = {}
    for row in session.execute(query):
        found[row[0]] = {name: int(value or 0) for name, value in zip(FIELDS, tuple(row)[1:], strict=True)}
    return found


def _as_it_stood(query: Any, until: datetime, scope: Scope, where: tuple[ColumnElement[bool], ...]) -> tuple[Any, ...]:
    """`query` joined to each task's audit trail before `until`: its state, submission, finish and mark then.

    As `workflow.history.standing_rows` does: a task with no event since still stands as its
    row says; only the tasks changed since are replayed (for a recent month, few). A narrowed
    scope (or `where`, on task columns) reads only its tasks' events: the grouping is not
    pushed into by the join.
    """
    narrowed = ((Event.task_id.in_(select(Task.id).where(*scope.task_filters(), *where)),)
                if scope.task_filters() or where else ())
    # The tasks changed since, of the scope only: a province's month end must not gather every task's later events.
    changed = (select(Event.task_id.label("task_id")).where(Event.at >= until, *narrowed).group_by(Event.task_id)
               .subquery())
    events = [Event.at < until, Event.task_id.in_(select(changed.c.task_id)), *narrowed]
    key = event_key(Event.at, Event.id)
    trail = (select(Event.task_id.label("task_id"), last_state(Event.at, Event.id, Event.to_state).label("state"),
                    func.max(case((Event.trigger == Trigger.SUBMIT.value, Event.at))).label("submitted_at"),
                    func.max(case((Event.trigger == Trigger.ACCEPT.value, Event.at))).label("accepted_at"),
                    func.max(case((Event.trigger == ApplicabilityTrigger.EXEMPT.value, key))).label("exempt_key"),
                    func.max(case((Event.trigger == ApplicabilityTrigger.RESTORE.value, key))).label("restore_key"))
             .where(*events).group_by(Event.task_id).subquery())
    query = query.outerjoin(changed, changed.c.task_id == Task.id).outerjoin(trail, trail.c.task_id == Task.id)
    replayed = changed.c.task_id.is_not(None)
    state = case((replayed, func.coalesce(trail.c.state, State.NOT_STARTED.value)), else_=Task.state)
    submitted = case((replayed, trail.c.submitted_at), else_=Task.submitted_at)
    finished = case((replayed, func.coalesce(trail.c.submitted_at, trail.c.accepted_at)),
                    else_=func.coalesce(Task.submitted_at, Task.completed_at))
    exempt = case((replayed, and_(trail.c.exempt_key.is_not(None),
                                  or_(trail.c.restore_key.is_(None), trail.c.exempt_key > trail.c.restore_key))),
                  else_=Task.not_applicable_since.is_not(None))
    return query, state, submitted, finished, exempt


__all__ = ["FIELDS", "days_between", "local_day", "offset_minutes", "province_counts", "without_jit"]
