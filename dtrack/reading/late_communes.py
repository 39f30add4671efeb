"""The overseer's drill-down into communes' parts: each province's parts, and the communes that are late.

A province's parts are counted by `reading.part_counts` (the one count every
view shows: the status matrix, the overdue review, the four cells, the
dashboard, the national report). The late communes of one province (of one
task or one directive, when asked) are one query, grouped by commune here:
which communes, how many late parts, how many days the oldest is late, and
which tasks.

Who reads: overseers and admins every province, a province officer their own
(`workflow.access.check_province`); a commune officer no province view.
`late_by_province` is the same list for many provinces at once, without a
reader: the province officers' digest (`notifications.digest_communes`) reads
their own provinces' for a whole batch in one query.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dtrack.persistence.commune_models import Commune
from dtrack.persistence.models import Directive, Task, TaskGroup, User, task_key
from dtrack.persistence.part_models import TaskPart
from dtrack.reading.part_counts import PartCounts, part_counts, part_late, province_part_counts
from dtrack.workflow.access import check_province, readable_task, unseen_task
from dtrack.workflow.provinces import resolve
from dtrack.workflow.views import View


@dataclass(frozen=True)
class LateCommune(View):
    """One late commune of a province: its late parts, the oldest one's days late, and their tasks' keys."""

    code: str
    name: str
    late_parts: int
    days_late: int
    tasks: list[str] = field(default_factory=list)
    part_ids: list[int] = field(default_factory=list)


def worst_first(commune: LateCommune) -> tuple[int, int, str]:
    """The order late communes are listed in: the longest delay first, then the most late parts, then by code."""
    return -commune.days_late, -commune.late_parts, commune.code


@dataclass(frozen=True)
class LateCommunes(View):
    """The drill-down page: a province (and a task, when asked), its counts, its late communes, worst first."""

    province: str
    province_name: str
    task_key: str | None
    task_id: int | None
    directive: str | None  # the one directive counted; None: every directive
    as_of: date
    counts: PartCounts
    communes: list[LateCommune]


def late_communes(session: Session, actor: User, province_ref: str, today: date,
                  task_ref: str | None = None, directive: str | None = None) -> LateCommunes:
    """The communes of a province with overdue parts (of one task when `task_ref`, of one directive when
    `directive`), if `actor` may read it."""
    province = resolve(session, province_ref).province
    check_province(actor, province)
    task = None
    if task_ref:
        task = readable_task(session, actor, task_ref)
        if task.province_id != province.id:  # another province's task is not this page's: missing here
            raise unseen_task(task_ref)
    query = (select(Commune.code, Commune.name, TaskPart.id, TaskPart.due_on, Directive.code.label("directive"),
                    TaskGroup.ordinal, Task.period)
             .select_from(TaskPart).join(Commune, TaskPart.commune_id == Commune.id)
             .join(Task, TaskPart.task_id == Task.id).join(TaskGroup, Task.group_id == TaskGroup.id)
             .join(Directive, TaskGroup.directive_id == Directive.id)
             .where(Task.province_id == province.id, part_late(today)))
    if task is not None:
        query = query.where(TaskPart.task_id == task.id)
    if directive is not None:
        query = query.where(Directive.code == directive)
    grouped: dict[str, dict[str, Any]] = {}
    for row in session.execute(query.order_by(Commune.code, TaskPart.due_on)):
        entry = grouped.setdefault(row.code, {"name": row.name, "days": 0, "tasks": [], "ids": []})
        entry["days"] = max(entry["days"], (today - row.due_on).days)
        entry["tasks"].append(task_key(row.directive, row.ordinal, province.slug, row.period))
        entry["ids"].append(row.id)
    communes = sorted((LateCommune(code, e["name"], len(e["ids"]), e["days"], e["tasks"], e["ids"])
                       for code, e in grouped.items()), key=worst_first)
    counts = part_counts(session, today, directive=directive, province_id=province.id,
                         task_id=task.id if task else None).get(province.slug, PartCounts())
    return LateCommunes(province.slug, province.name, task.key if task else None, task.id if task else None,
                        directive, today, counts, communes)


def late_by_province(session: Session, province_ids: list[int], today: date) -> dict[int, list[LateCommune]]:
    """Province id -> its late communes, worst first (without their tasks), for these provinces in one query.

    No reader is checked: the caller reads for whom it may (a province officer's digest, their own province).
    """
    if not province_ids:
        return {}
    rows = session.execute(
        select(Task.province_id, Commune.code, Commune.name, func.count(TaskPart.id), func.min(TaskPart.due_on))
        .select_from(TaskPart).join(Commune, TaskPart.commune_id == Commune.id)
        .join(Task, TaskPart.task_id == Task.id)
        .where(Task.province_id.in_(sorted(set(province_ids))), part_late(today))
        .group_by(Task.province_id, Commune.code, Commune.name))
    found: dict[int, list[LateCommune]] = {}
    for province_id, code, name, parts, oldest in rows:
        found.setdefault(province_id, []).append(LateCommune(code, name, int(parts), (today - oldest).days))
    return {province_id: sorted(communes, key=worst_first) for province_id, communes in found.items()}


__all__ = ["LateCommune", "LateCommunes", "PartCounts", "late_by_province", "late_communes", "part_late",
           "province_part_counts", "worst_first"]
