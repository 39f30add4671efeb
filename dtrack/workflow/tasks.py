"""Finding and listing tasks.

A task is named by its id or by its key DIRECTIVE:GROUP:PROVINCE[:PERIOD]
(`20/CT-BCT:2:ha-noi`); the province part may be an old, pre-2025 name.
A group the overseers carry out themselves has one task (per period), on
their unit: its key is DIRECTIVE:GROUP:SUFFIX[:PERIOD] (`20/CT-BCT:10:cuc`),
and DIRECTIVE:GROUP[:PERIOD] names it as well, as does any overseer's unit
or `cuc` in place of the suffix (keys written before a file named its own).
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import Any

from sqlalchemy import Connection, bindparam, exists, select
from sqlalchemy.orm import Session, contains_eager

from dtrack.config.today import Today
from dtrack.errors import InvalidInput, UnknownTask
from dtrack.persistence.database import row_id
from dtrack.persistence.models import Directive, Event, Province, Task, TaskGroup, User, task_key
from dtrack.persistence.sql_types import AnyRow, AnySelect
from dtrack.workflow import lifecycle
from dtrack.workflow.deadlines import task_titles
from dtrack.workflow.history import Standing, assigned_by, changed_after, replay
from dtrack.workflow.provinces import resolve
from dtrack.workflow.timeliness import classify
from dtrack.workflow.views import View, plain
from dtrack.workflow.vocabulary import DEPARTMENT_KIND, DEPARTMENT_SLUG, Owner, State

# What a TaskView is made of, as plain columns: `list_tasks` selects these rather than ORM
# objects (at 300 tasks, four objects per row cost more than the query). The task's own
# columns keep their attribute names, so a row and a Task read alike (`TaskView._made`).
VIEW_COLUMNS = (
    Task.id, Task.period, Task.state, Task.progress, Task.submitted_at, Task.completed_at, Task.not_applicable_since,
    Task.not_applicable_reason, Task.assigned_on, Task.original_due_on, Task.due_on, Task.updated_at,
    Directive.code, TaskGroup.ordinal, TaskGroup.deadline_rule, TaskGroup.title_vi, TaskGroup.title_en,
    Province.slug, Province.name, Province.region,
)


@cache
def _view_columns() -> AnySelect:
    return select(*VIEW_COLUMNS).select_from(Task).join(Task.group).join(TaskGroup.directive).join(Task.province)


@cache
def _with_context() -> AnySelect:
    # Built once: a Select is immutable, and building it costs more than running it on a small table.
    return (
        select(Task)
        .join(Task.group)
        .join(TaskGroup.directive)
        .join(Task.province)
        .options(contains_eager(Task.group).contains_eager(TaskGroup.directive), contains_eager(Task.province))
    )


def _key_params(ref: str, email: str) -> dict[str, object] | None:
    """The bind parameters of a one-query read for a key and an email; None for anything else (ids, mistakes)."""
    parts = ref.strip().split(":")
    if len(parts) not in (3, 4) or row_id(parts[1]) is None or "\x00" in ref or "\x00" in email:
        return None  # the usual way names the mistake
    return {"code": parts[0], "ordinal": int(parts[1]), "slug": parts[2],
            "period": parts[3] if len(parts) == 4 else "", "email": email.strip().lower()}


@cache
def _transition_read(by_id: bool) -> AnySelect:
    # Core, built once for each way of naming a task (its id, as the web and the
    # API post it, or its key): the columns a transition checks, as a plain row
    # (no ORM objects, no timestamps to parse), plus whether the task has pending
    # reminders, so an empty `cancel_stale` costs no statement.
    tasks, groups, directives = Task.__table__, TaskGroup.__table__, Directive.__table__
    from dtrack.persistence.feature_models import Reminder  # mapped on first use: a read command never needs it
    from dtrack.persistence.part_models import TaskPart

    provinces, users, reminders, parts = Province.__table__, User.__table__, Reminder.__table__, TaskPart.__table__
    pending = exists().where(reminders.c.task_id == tasks.c.id, reminders.c.consumed_at.is_(None),
                             reminders.c.cancelled_at.is_(None))
    # A submission with communes' parts still open needs a reason (service._check): known from this one read.
    open_parts = exists().where(parts.c.task_id == tasks.c.id, parts.c.state != State.COMPLETED.value)
    query = (
        select(tasks.c.id, tasks.c.state, tasks.c.progress, tasks.c.version, tasks.c.province_id, tasks.c.period,
               tasks.c.progress_from_parts,
               groups.c.owner, groups.c.ordinal, directives.c.code, provinces.c.slug, users.c.id.label("actor_id"),
               users.c.role.label("actor_role"), users.c.province_id.label("actor_province_id"),
               users.c.disabled_at.is_not(None).label("actor_disabled"), pending.label("has_pending_reminders"),
               open_parts.label("has_open_parts"))
        .select_from(tasks.join(groups, tasks.c.group_id == groups.c.id)
                     .join(directives, groups.c.directive_id == directives.c.id)
                     .join(provinces, tasks.c.province_id == provinces.c.id)
                     .join(users, users.c.email == bindparam("email")))
    )
    if by_id:
        return query.where(tasks.c.id == bindparam("task_id"))
    return query.where(directives.c.code == bindparam("code"), groups.c.ordinal == bindparam("ordinal"),
                       tasks.c.period == bindparam("period"), provinces.c.slug == bindparam("slug"))


def read_for_transition(connection: Connection, ref: int | str, email: str) -> AnyRow | None:
    """The task named by its id or a key with today's slug, and its actor, as one Core row; None if either is missing.

    The one lookup of `Tracker.fire`: the columns of the task, its group,
    directive and province, of the user and `actor_disabled`, and
    `has_pending_reminders`, `has_open_parts`. A caller that gets None asks `find_user` and
    `find_task`, which name what is missing and map old province names.
    """
    # An int as the web and the API have it, within what `row_id` takes from text (a longer one overflows a query).
    task_id = (ref if 0 <= ref < 10**9 else None) if isinstance(ref, int) else row_id(ref)
    if task_id is not None and "\x00" not in email:
        return connection.execute(_transition_read(True), {"task_id": task_id, "email": email.strip().lower()}).first()
    params = None if isinstance(ref, int) else _key_params(ref, email)
    return None if params is None else connection.execute(_transition_read(False), params).first()


def find_task(session: Session, ref: str) -> tuple[Task, str | None]:
    """The task named by `ref`, and a note if an old province name was mapped."""
    ref = ref.strip()
    if "\x00" in ref:  # no key has one, and PostgreSQL refuses it in a query
        raise UnknownTask(ref)
    query = _with_context()
    note = None
    task_id = row_id(ref)
    if task_id is not None:
        query = query.where(Task.id == task_id)
    else:
        parts = ref.split(":")
        if len(parts) not in (2, 3, 4) or row_id(parts[1]) is None:
            raise UnknownTask(ref)
        code, ordinal = parts[0], int(parts[1])
        if len(parts) == 2 or (len(parts) == 3 and parts[2][:1].isdigit()):  # no unit: the overseers' own task
            return _own_task(session, code, ordinal, parts[2] if len(parts) == 3 else "", ref), None
        province_ref, period = parts[2], parts[3] if len(parts) == 4 else ""
        query = query.where(Directive.code == code, TaskGroup.ordinal == ordinal, Task.period == period)
        # Keys almost always carry today's slug: one query finds the task. Names
        # and pre-2025 names miss it and go through `resolve` (one more query).
        task = session.scalars(query.where(Province.slug == province_ref)).unique().one_or_none()
        if task is not None:
            return task, None
        if province_ref == DEPARTMENT_SLUG or session.scalar(
                select(Province.id).where(Province.slug == province_ref, Province.kind == DEPARTMENT_KIND)):
            return _own_task(session, code, ordinal, period, ref), None  # another overseer's suffix, or `cuc`
        resolved = resolve(session, province_ref)
        note = resolved.note
        query = query.where(Task.province_id == resolved.province.id)
    task = session.scalars(query).unique().one_or_none()
    if task is None:
        raise UnknownTask(ref)
    return task, note


def _own_task(session: Session, code: str, ordinal: int, period: str, ref: str) -> Task:
    """The one task (of `period`) of a group the overseers carry out themselves, whatever unit holds it."""
    task: Task | None = session.scalars(_with_context().where(
        Directive.code == code, TaskGroup.ordinal == ordinal, TaskGroup.owner == Owner.DEPARTMENT.value,
        Province.kind == DEPARTMENT_KIND, Task.period == period)).unique().one_or_none()
    if task is None:
        raise UnknownTask(ref)
    return task


@dataclass(frozen=True)
class TaskView(View):
    """A task as lists and JSON show it."""

    id: int
    key: str
    directive: str
    group: int
    title_vi: str
    title_en: str
    province: str
    province_name: str
    region: str
    period: str
    state: str
    progress: int
    assigned_on: date
    original_due_on: date | None
    due_on: date | None
    updated_at: datetime
    # Timeliness as of a day (workflow.timeliness); None when no day was given.
    deadline_status: str | None = None
    deadline_days: int | None = None
    # Set while an overseer has marked the task not applicable (workflow.exemption).
    not_applicable_reason: str | None = None
    not_applicable: bool = False

    @classmethod
    def of(cls, task: Task, today: Today | None = None, standing: Standing | None = None) -> TaskView:
        """The task as its row says, or (with `standing`) as it stood at the end of `today`."""
        group, province = task.group, task.province
        return cls._made(task, group.directive.code, group.ordinal, group.deadline_rule, group.title_vi,
                         group.title_en, province.slug, province.name, province.region, today, standing)

    @classmethod
    def of_row(cls, row: Any, today: Today | None = None, standing: Standing | None = None) -> TaskView:
        """The same from a row of `VIEW_COLUMNS`."""
        return cls._made(row, row.code, row.ordinal, row.deadline_rule, row.title_vi, row.title_en, row.slug,
                         row.name, row.region, today, standing)

    @classmethod
    def _made(cls, task: Any, code: str, ordinal: int, rule: str, group_vi: str, group_en: str, slug: str, name: str,
              region: str, today: Today | None, standing: Standing | None) -> TaskView:
        """From a Task or a row of `VIEW_COLUMNS` (the task's columns under the same names) and its context."""
        standing = standing or Standing(task.state, task.progress, task.submitted_at, task.completed_at,
                                        task.not_applicable_since is not None)
        title_vi, title_en = task_titles(rule, task.period, group_vi, group_en)
        verdict = None
        if today is not None:
            verdict = classify(standing.state, task.due_on, today, submitted_at=standing.submitted_at,
                               completed_at=standing.completed_at, not_applicable=standing.not_applicable)
        return cls(
            id=task.id,
            key=task_key(code, ordinal, slug, task.period),
            directive=code,
            group=ordinal,
            title_vi=title_vi,
            title_en=title_en,
            province=slug,
            province_name=name,
            region=region,
            period=task.period,
            state=standing.state,
            progress=standing.progress,
            assigned_on=task.assigned_on,
            original_due_on=task.original_due_on,
            due_on=task.due_on,
            updated_at=task.updated_at,
            deadline_status=verdict.status.value if verdict else None,
            deadline_days=verdict.days if verdict else None,
            not_applicable_reason=task.not_applicable_reason if standing.not_applicable else None,
            not_applicable=standing.not_applicable,
        )



def list_tasks(
    session: Session,
    *,
    province: Province | None = None,
    region: str | None = None,
    state: str | None = None,
    directive: str | None = None,
    group: int | None = None,
    today: Today | None = None,
    department: bool = False,
) -> list[TaskView]:
    """Tasks matching the filters; with `today`, as they stood at the end of that day, with their deadline status.

    `department`: only the Department's own tasks (Department-owned groups).

    With `today` the list holds the tasks assigned by then (`workflow.history`),
    and `state` is matched against the day's state, as a report for that day shows it.
    """
    _check_state(state)
    # With a day, the state filter applies to the day's state once the changed tasks are replayed.
    until = today.ends_at() if today is not None else None
    changed = changed_after(session, until) if until is not None else set()  # one range on the time index
    query = filtered_tasks(province=province, region=region, state=None if changed else state, directive=directive,
                           group=group, columns=True)
    if today is not None:
        # Not-applicable tasks are listed (as such), so only "assigned by then" applies here.
        query = query.where(*assigned_by(today.day))
    if department:
        query = query.where(Province.kind == DEPARTMENT_KIND)
    found = list(session.execute(query))
    # `changed` is empty without a day, so `until` is set whenever a task is replayed.
    stale = replay(session, [t.id for t in found if t.id in changed], until) if changed and until is not None else {}
    views = [TaskView.of_row(t, today, stale.get(t.id)) for t in found]
    return views if state is None or not changed else [v for v in views if v.state == state]


def _check_state(state: str | None) -> None:
    if state is not None and state not in {s.value for s in State}:
        raise InvalidInput("state", "not_a_state", value=state, states=[s.value for s in State])


def filtered_tasks(*, province: Province | None = None, region: str | None = None, state: str | None = None,
                   directive: str | None = None, group: int | None = None, columns: bool = False) -> AnySelect:
    """The SELECT of tasks as they stand now (with group, directive and province), in list order.

    For pages of today's tasks (the JSON API): no replay, so it can be counted and cut
    by LIMIT/OFFSET in the database. A past day goes through `list_tasks`, which builds on it.
    `columns`: rows of `VIEW_COLUMNS` (for `TaskView.of_row`) instead of Task objects.
    """
    _check_state(state)
    query = _view_columns() if columns else _with_context()
    if province is not None:
        query = query.where(Task.province_id == province.id)
    if region is not None:
        query = query.where(Province.region == region)
    if state is not None:
        query = query.where(Task.state == state)
    if directive is not None:
        query = query.where(Directive.code == directive)
    if group is not None:
        query = query.where(TaskGroup.ordinal == group)
    return query.order_by(Directive.code, Province.ordinal, TaskGroup.ordinal, Task.period, Task.id)


__all__ = ["TaskView", "filtered_tasks", "find_task", "list_tasks", "read_for_transition",
           "task_key"]


@dataclass(frozen=True)
class TaskDetail:
    """A task with what may happen next and its full history (`dtrack task show`, the task page)."""

    task: Task
    today: Today | None = None  # with a day, the view carries the deadline status as of it

    def view(self) -> TaskView:
        return TaskView.of(self.task, self.today)

    def allowed(self) -> list[str]:
        return list(lifecycle.current().triggers_from(self.task.state))

    def to_json(self) -> dict[str, Any]:
        data = self.view().to_json()
        data["allowed"] = self.allowed()
        data["history"] = history_json(self.task.events)
        return data


def history_json(events: Iterable[Event]) -> list[dict[str, Any]]:
    """A task's audit trail as `task show --json` and the task page's JSON give it."""
    return [
        plain({"at": e.at, "actor": e.actor.email if e.actor else None, "trigger": e.trigger,
               "from": e.from_state, "to": e.to_state, "progress": e.progress, "note": e.note,
               "evidence": e.evidence, "from_due_on": e.from_due_on, "to_due_on": e.to_due_on})
        for e in events
    ]
