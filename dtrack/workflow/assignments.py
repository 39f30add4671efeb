"""Which tasks exist: a directive's tasks per province, and each recurring period's.

Assigning creates the missing (group, province) tasks and never duplicates
one. A recurring group gets one task per period and province: assigning
creates the periods open on the assignment date, and `open_periods` (run by
every reminder sweep) adds each next period's tasks when it opens, never
twice. This is engine ground: it reads task groups already in the database,
whatever directive file they came from (directives/ parses and loads those).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from dtrack.errors import UnknownDirective
from dtrack.persistence.models import Directive, Province, Task, TaskGroup
from dtrack.workflow.applicability import department_unit, fold_department_groups, in_scope
from dtrack.workflow.calendar_days import calendar_in_force
from dtrack.workflow.deadlines import (
    Recurring,
    WorkCalendar,
    periods_open,
    rule_from_text,
)
from dtrack.workflow.overseer import overseer_of
from dtrack.workflow.views import View
from dtrack.workflow.vocabulary import GroupKind, Owner, State


@dataclass
class AssignResult:
    code: str
    created: int
    existing: int
    provinces: int


@dataclass(frozen=True)
class DirectiveSummary(View):
    code: str
    title_vi: str
    issued_on: date | None
    groups: int
    title_en: str = ""


def list_directives(session: Session) -> list[DirectiveSummary]:
    """The loaded directives by code, with how many task groups each has."""
    rows = session.execute(
        select(Directive.code, Directive.title_vi, Directive.issued_on, func.count(TaskGroup.id), Directive.title_en)
        .outerjoin(TaskGroup).group_by(Directive.id).order_by(Directive.code)
    ).all()
    return [DirectiveSummary(*row) for row in rows]


def find_directive(session: Session, code: str) -> Directive:
    directive = session.scalar(select(Directive).where(Directive.code == code))
    if directive is None:
        raise UnknownDirective(code)
    return directive


def assign(session: Session, code: str, provinces: list[Province], assigned_on: date, now: datetime,
           calendar: WorkCalendar | None = None) -> AssignResult:
    """Create the missing tasks of every group of `code` for `provinces` (deadlines on `calendar`).

    A group limited to some regions or provinces gets tasks only there; a
    Department-owned group gets one task, on the Department's unit, whatever
    provinces are named (workflow.applicability). `calendar` is the settings'
    one; the declared days (`calendar_days`) are read here and count over it.
    """
    calendar = calendar_in_force(session, calendar)
    directive = find_directive(session, code)
    fold_department_groups(session, directive.id, now)  # a database from before: one Department task per group
    department = (department_unit(session, overseer_of(directive))
                  if any(g.owner == Owner.DEPARTMENT for g in directive.groups) else None)
    have = {
        (group_id, province_id, period) for group_id, province_id, period in session.execute(
            select(Task.group_id, Task.province_id, Task.period)
            .join(TaskGroup).where(TaskGroup.directive_id == directive.id)
        )
    }
    assigned = {(g, p) for g, p, _ in have}
    created = existing = 0
    for group in directive.groups:
        rule = rule_from_text(group.deadline_rule)
        if isinstance(rule, Recurring):
            slots = [(p.label, p.due_on, p.opens_on) for p in periods_open(rule, assigned_on, assigned_on, calendar,
                                                                              group.covers)]
        else:
            slots = [("", rule.due(assigned_on, calendar), assigned_on)]
        if group.owner == Owner.DEPARTMENT:
            assert department is not None, "looked up above whenever the directive has a Department-owned group"
            units = [department]
        else:
            units = [p for p in provinces if in_scope(group, p)]
        for province in units:
            if isinstance(rule, Recurring) and (group.id, province.id) in assigned:
                existing += 1  # later periods are opened by the sweep, from the first assignment
                continue
            for period, due, opens_on in slots:
                if (group.id, province.id, period) in have:
                    existing += 1
                    continue
                session.add(_new_task(group.id, province.id, period, opens_on, due, now))
                created += 1
    session.flush()
    return AssignResult(code, created, existing, len(provinces))


def _new_task(group_id: int, province_id: int, period: str, assigned_on: date, due: date | None, now: datetime) -> Task:
    return Task(
        group_id=group_id,
        province_id=province_id,
        period=period,
        state=State.NOT_STARTED.value,
        progress=0,
        assigned_on=assigned_on,
        original_due_on=due,
        due_on=due,
        updated_at=now,
    )


def open_periods(session: Session, as_of: date, now: datetime, calendar: WorkCalendar | None = None) -> int:
    """Create the tasks of every recurring period that has opened by `as_of`; returns how many.

    Each new task's deadline is the period's legal deadline on `calendar`.

    Counts from each (group, province)'s first assignment, so it creates a
    period's task once whatever day it runs, and runs after downtime catch
    up every period missed. The unique key (group, province, period) stops a
    concurrent run from creating one twice.
    """
    created = 0
    pending: list[dict[str, Any]] = []
    units = {p.id: p for p in session.scalars(select(Province))}
    for group in session.scalars(select(TaskGroup).where(TaskGroup.kind == GroupKind.RECURRING.value)):
        rule = rule_from_text(group.deadline_rule)
        if not isinstance(rule, Recurring):
            continue
        first = session.execute(
            select(Task.province_id, func.min(Task.assigned_on), func.count())
            .where(Task.group_id == group.id).group_by(Task.province_id)
        ).all()
        by_start: dict[date, list[tuple[int, int]]] = {}
        for province_id, assigned_on, count in first:
            if not in_scope(group, units[province_id]):
                continue  # outside the group's scope (a scope narrowed later, or a folded Department group)
            by_start.setdefault(assigned_on, []).append((province_id, count))
        for assigned_on, provinces in by_start.items():
            periods = periods_open(rule, assigned_on, as_of, calendar, group.covers)
            # A province with as many period tasks as periods have opened lacks none
            # (the unique key forbids duplicates): only the others' periods are read.
            behind = [province_id for province_id, count in provinces if count < len(periods)]
            if not behind:
                continue
            have = set(session.execute(select(Task.province_id, Task.period)
                                       .where(Task.group_id == group.id, Task.province_id.in_(behind))).all())
            for period in periods:
                for province_id in behind:
                    if (province_id, period.label) not in have:
                        pending.append(_new_row(group.id, province_id, period.label, period.opens_on, period.due_on,
                                                now))
                        created += 1
                        if len(pending) >= INSERT_BATCH:
                            _insert_rows(session, pending)
    _insert_rows(session, pending)
    return created


# Rows, not ORM objects, in batches: after downtime (or on a large data set) a
# sweep may open a hundred thousand period tasks, which as objects in one flush
# cost a hundred MB (issue 12).
INSERT_BATCH = 1000


def _new_row(group_id: int, province_id: int, period: str, assigned_on: date, due: date | None,
             now: datetime) -> dict[str, Any]:
    return {"group_id": group_id, "province_id": province_id, "period": period, "state": State.NOT_STARTED.value,
            "progress": 0, "assigned_on": assigned_on, "original_due_on": due, "due_on": due, "updated_at": now,
            "version": 1}


def _insert_rows(session: Session, rows: list[dict[str, Any]]) -> None:
    if rows:
        session.execute(insert(Task.__table__), rows)
        rows.clear()
