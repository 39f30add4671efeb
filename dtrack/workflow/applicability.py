"""Which tasks exist where, and which count: group scopes, the Department's unit, "not applicable".

Three rules live here and nowhere else:

- A task group's scope (directive file `regions` / `provinces`): a province
  is in scope when the group is unlimited, or its region or its slug is
  listed. Tasks are created only in scope (workflow.assignments).
- A Department-owned group has ONE task, on the overseer's unit: a row of
  `provinces` with kind "department" and the directive's key suffix as slug
  (`cuc` unless its file says otherwise: workflow/overseer.py), so the key
  stays DIRECTIVE:GROUP:UNIT (`20/CT-BCT:10:cuc`) and every join, key and
  name keeps working. (A nullable `tasks.province_id` would have needed a second
  uniqueness rule for NULL and a None check wherever a task's province is
  shown.) The unit has no region and is left out wherever provinces are
  listed or counted: `province_units()` and `in_province_figures()`.
- A task marked not applicable (workflow.exemption) is left out of every
  count and rate: `counted()`.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, and_, select
from sqlalchemy.orm import Session

from dtrack.persistence.models import Directive, Event, Province, Task, TaskGroup
from dtrack.workflow.overseer import NAME_LIMIT, Overseer, overseer_of
from dtrack.workflow.vocabulary import DEPARTMENT_KIND, DEPARTMENT_SLUG, ApplicabilityTrigger, Owner, State

DEPARTMENT_NAME_VI = "Cục Đổi mới sáng tạo, Chuyển đổi xanh và Khuyến công"
DEPARTMENT_NAME_EN = "Department of Innovation, Green Transition and Industrial Promotion"

# The reason written on a Department-owned group's per-province tasks when they are folded.
FOLDED_REASON = "Nhóm nhiệm vụ do Cục thực hiện: nhiệm vụ theo từng tỉnh không áp dụng"


def is_department(province: Province | None) -> bool:
    return province is not None and province.kind == DEPARTMENT_KIND


def province_units() -> ColumnElement[bool]:
    """The filter on `Province` that keeps the 34 provinces and leaves the Department's unit out."""
    return Province.kind != DEPARTMENT_KIND


def counted() -> ColumnElement[bool]:
    """Tasks that count in figures (overdue totals, rates, four-cell counts): not marked not applicable."""
    return Task.not_applicable_since.is_(None)


def in_province_figures() -> ColumnElement[bool]:
    """Tasks that count in a province's figures: counted, and not the Department's own.

    On task columns alone (a subquery on the small provinces table), so it
    can be added to any task query, joined or not.
    """
    return and_(counted(), Task.province_id.not_in(select(Province.id).where(Province.kind == DEPARTMENT_KIND)))


def department_tasks() -> ColumnElement[bool]:
    """Tasks on the Department's unit (the national report's own section, the overseers' views)."""
    return Task.province_id.in_(select(Province.id).where(Province.kind == DEPARTMENT_KIND))


def department_unit(session: Session, overseer: Overseer | None = None) -> Province:
    """The overseer's unit row, created the first time one of its groups is assigned.

    Without `overseer`: the Department's (`cuc`). A new unit is named after its
    overseer; one that exists keeps its name (directives sharing a suffix share it).
    """
    slug = overseer.key_suffix if overseer is not None else DEPARTMENT_SLUG
    unit = session.scalar(select(Province).where(Province.slug == slug))
    if unit is None:
        name_vi, name_en = ((overseer.name_vi[:NAME_LIMIT], overseer.name_en[:NAME_LIMIT])
                            if overseer is not None else (DEPARTMENT_NAME_VI, DEPARTMENT_NAME_EN))
        unit = Province(slug=slug, name=name_vi, name_en=name_en, region="", kind=DEPARTMENT_KIND, ordinal=1000)
        session.add(unit)
        session.flush()
    return unit


def scope_of(group: TaskGroup) -> tuple[set[str], set[str]]:
    """The group's (regions, province slugs); both empty means every province."""
    return ({r for r in group.scope_regions.split(",") if r},
            {s for s in group.scope_provinces.split(",") if s})


def in_scope(group: TaskGroup, province: Province) -> bool:
    """Whether `group` applies to `province` (never to the Department's unit: its groups are the Department's)."""
    if is_department(province):
        return group.owner == Owner.DEPARTMENT
    if group.owner == Owner.DEPARTMENT:
        return False
    regions, slugs = scope_of(group)
    if not regions and not slugs:
        return True
    return province.region in regions or province.slug in slugs


def fold_department_groups(session: Session, directive_id: int, now: datetime) -> int:
    """Give each Department-owned group of the directive its one task; returns how many per-province tasks folded.

    A database assigned before Department-owned groups had one task holds
    one task per province for them (Directive 20's group 10: 34). Each
    period gets its Department task (deadline taken from the earliest
    per-province one), and the per-province tasks are marked not applicable
    with FOLDED_REASON and an `exempt` event each: their history stays,
    and they leave every province's figures. Running it again does nothing.
    """
    folded = 0
    groups = session.scalars(select(TaskGroup).where(TaskGroup.directive_id == directive_id,
                                                     TaskGroup.owner == Owner.DEPARTMENT.value))
    for group in groups:
        legacy = list(session.scalars(
            select(Task).join(Province, Task.province_id == Province.id)
            .where(Task.group_id == group.id, Province.kind != DEPARTMENT_KIND, counted())
            .order_by(Task.period, Task.id)))
        if not legacy:
            continue
        unit = department_unit(session, overseer_of(session.get_one(Directive, directive_id)))
        have = set(session.scalars(select(Task.period).where(Task.group_id == group.id, Task.province_id == unit.id)))
        for task in legacy:
            if task.period not in have:
                have.add(task.period)
                session.add(Task(group_id=group.id, province_id=unit.id, period=task.period,
                    state=State.NOT_STARTED.value, progress=0, assigned_on=task.assigned_on,
                    original_due_on=task.original_due_on, due_on=task.due_on, updated_at=now))
            task.not_applicable_since = now
            task.not_applicable_reason = FOLDED_REASON
            task.updated_at = now
            session.add(Event(task=task, actor=None, trigger=ApplicabilityTrigger.EXEMPT.value, from_state=task.state,
                              to_state=task.state, progress=task.progress, note=FOLDED_REASON, at=now))
            folded += 1
    session.flush()
    return folded
