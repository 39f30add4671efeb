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

from sqlalchemy import (
    ColumnElement,
    Date,
    Integer,
    String,
    and_,
    case,
    func,
    literal,
    not_,
    or_,
    select,
    text,
    union_all,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import FunctionElement

from dtrack.config.today import Today
from dtrack.persistence.models import Directive, Event, Province, Task, TaskGroup
from dtrack.persistence.task_tallies import COUNTS as TALLIED
from dtrack.persistence.task_tallies import ZONE_MINUTES, TaskTally
from dtrack.reading.scope import Scope
from dtrack.workflow.applicability import province_units
from dtrack.workflow.history import countable
from dtrack.workflow.vocabulary import OWED_BY_PROVINCE, ApplicabilityTrigger, State, Trigger

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
                    where: tuple[ColumnElement[bool], ...] = (), year: int | None = None) -> dict[str, dict[str, int]]:
    """Province slug -> the day's counts (`FIELDS`) of its countable tasks, in one grouped query.

    `current`: nothing happened after the day, so each task's row is how it stood
    (no audit event is read); otherwise the audit trail before the day's end says it.
    `where`: more conditions on the tasks; `year`: only the tasks due in that year (the scorecard's).
    Today's figures of a scope the tallies cover are read from them (`tallied_counts`).
    """
    if current and not where and (tallied := tallied_counts(session, today, scope, year)) is not None:
        return tallied
    return _counted(session, today, scope, current, (*where, *due_in(year)), Task.assigned_on <= today.day)


def due_in(year: int | None) -> tuple[ColumnElement[bool], ...]:
    """The conditions on tasks due in `year` (none for None)."""
    if year is None:
        return ()
    return (Task.due_on >= date(year, 1, 1), Task.due_on <= date(year, 12, 31))


def _counted(session: Session, today: Today, scope: Scope, current: bool, where: tuple[ColumnElement[bool], ...],
             assigned: ColumnElement[bool]) -> dict[str, dict[str, int]]:
    """`province_counts` over the tasks in scope meeting `where` and `assigned` (the days they were assigned on),
    each judged on its row or trail."""
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
                        .where(assigned, province_units(), not_(exempt), *where))
    found: dict[str, dict[str, int]] = {}
    for row in session.execute(query):
        found[row[0]] = {name: int(value or 0) for name, value in zip(FIELDS, tuple(row)[1:], strict=True)}
    return found


def tallied_counts(session: Session, today: Today, scope: Scope,
                   year: int | None = None) -> dict[str, dict[str, int]] | None:
    """`province_counts` for a day nothing happened after, from the tallies the writes keep
    (`persistence.task_tallies`) and short reads of two indexes; None when they cannot say it
    (another time zone; a view of one directive, task group or search, which counts its own tasks).

    What depends on the day: the tasks assigned after it (left out; on `ix_tasks_assigned_on`,
    usually none), the open tasks past their deadline (how many, how many days), and the completed
    ones whose deadline has not come (or that have none), which the on-time rate does not judge yet.
    A completed task due after the day was finished by the day (nothing happened after it), so
    before its deadline: it is among the tallies' on-time ones.
    """
    if offset_minutes(today) != ZONE_MINUTES or scope.group is not None or scope.search is not None or (
            scope.directive is not None):
        return None
    day = today.day
    without_jit(session)
    kept = (select(TaskTally.province_id, Province.slug, *(func.sum(getattr(TaskTally, c)) for c in TALLIED))
            .join(Province, TaskTally.province_id == Province.id)
            .where(province_units()).group_by(TaskTally.province_id, Province.slug))
    if scope.region is not None:
        kept = kept.where(Province.region == scope.region)
    if scope.province is not None:
        kept = kept.where(TaskTally.province_id == scope.province.id)
    if year is not None:
        kept = kept.where(TaskTally.due_year == year)
    later = _counted(session, today, scope, True, due_in(year), Task.assigned_on > day)
    overdue, not_judged = _of_the_day(session, day, scope, due_in(year))
    found: dict[str, dict[str, int]] = {}
    for province_id, slug, *sums in session.execute(kept):
        k = dict(zip(TALLIED, (int(v or 0) for v in sums), strict=True))
        if (gone := later.get(slug)) is not None:  # assigned after the day: not there yet
            for name, field in (("tasks", "tasks"), ("completed", "completed"), ("on_time", "completed_on_time"),
                                ("late", "completed_late"), ("late_days", "late_days"), ("awaiting", "awaiting"),
                                ("blocked", "blocked"), ("open", "within"), ("open", "overdue")):
                k[name] -= gone[field]
        if not k["tasks"]:
            continue
        late_open, late_open_days = overdue.get(province_id, (0, 0))
        judged = k["on_time"] - not_judged.get(province_id, 0)
        found[slug] = {"tasks": k["tasks"], "on_time": judged, "due": late_open + k["late"] + judged,
                       "completed_on_time": k["on_time"], "completed_late": k["late"],
                       "within": k["open"] - late_open, "overdue": late_open, "awaiting": k["awaiting"],
                       "blocked": k["blocked"], "overdue_days": late_open_days, "late_days": k["late_days"],
                       "completed": k["completed"]}
    return found


def _of_the_day(session: Session, day: date, scope: Scope,
                where: tuple[ColumnElement[bool], ...]) -> tuple[dict[int, tuple[int, int]], dict[int, int]]:
    """Unit id -> (open tasks past their deadline, their days past it); unit id -> completed tasks whose
    deadline has not come or that have none. Each an index range of `ix_tasks_state_due` (an OR of
    ranges made PostgreSQL read every task), summed over the ranges."""
    unit = (Task.province_id + 0).label("unit")  # `+ 0`: SQLite reads the deadline index, not the units' rows
    of_day = (*countable(day), *scope.task_filters(), *where)
    days = days_between(literal(day, Date()), Task.due_on)
    # Open: owed by the province, or submitted without a submission instant (as `_counted` reads them).
    late = [select(unit, days.label("days")).where(Task.state == state, Task.due_on < day, *of_day)
            for state in OWED_BY_PROVINCE]
    late.append(select(unit, days.label("days")).where(Task.state == State.SUBMITTED.value,
                                                        Task.submitted_at.is_(None), Task.due_on < day, *of_day))
    ranges = union_all(*late).subquery()
    overdue = {u: (int(n), int(d or 0)) for u, n, d in session.execute(
        select(ranges.c.unit, func.count(), func.sum(ranges.c.days)).group_by(ranges.c.unit))}
    completed = Task.state == State.COMPLETED.value
    ahead = union_all(select(unit).where(completed, Task.due_on > day, *of_day),
                      select(unit).where(completed, Task.due_on.is_(None), *of_day)).subquery()
    not_judged = {u: int(n) for u, n in session.execute(
        select(ahead.c.unit, func.count()).group_by(ahead.c.unit))}
    return overdue, not_judged


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


__all__ = ["FIELDS", "days_between", "local_day", "offset_minutes", "due_in", "province_counts", "tallied_counts",
           "without_jit"]
