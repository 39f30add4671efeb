"""The checkpoints continuous tasks have moved past, judged in the database once for a whole dashboard.

`reading.four_cells` counts each checkpoint a continuous task has moved past as a
completed task of its own, judged against that checkpoint
(`workflow.checkpoints.judged_checkpoints`): on time when the submission made since
the previous checkpoint (or, without one, the acceptance) fell on or before the
checkpoint's day. At a million tasks there are some 180,000 of them, too many to
judge one by one in Python for every month of a trend, so the same rule is one
grouped query: per province, the month the sweep moved past each checkpoint, the
checkpoint's month, whether it had come by the day asked, and the judgement, with
how many. A month's end then adds the groups moved past by then (a few thousand rows,
never a task each).

The tasks counted are those assigned by the day and not marked not applicable now
(the mark of a past day is not replayed for a checkpoint: a task marked since keeps
its judged checkpoints out of every month).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import String, and_, case, cast, func, literal, select
from sqlalchemy.orm import Session

from dtrack.config.today import Today
from dtrack.persistence.models import Directive, Event, Province, Task, TaskGroup
from dtrack.reading.dashboard_sql import local_day, offset_minutes, without_jit
from dtrack.reading.scope import Scope
from dtrack.workflow.applicability import counted, province_units
from dtrack.workflow.vocabulary import DeadlineTrigger, Trigger


@dataclass(frozen=True, slots=True)
class Judged:
    """How many checkpoints of one province share these facts."""

    province: str  # slug
    moved: str  # the month the sweep moved past them, "2025-09" (local time)
    due: str  # the checkpoints' month
    due_by_day: bool  # the checkpoint day had come by the day asked
    late: bool
    count: int


_JUDGING = (Trigger.SUBMIT.value, Trigger.ACCEPT.value, DeadlineTrigger.CHECKPOINT.value)


def _month(day: Any) -> Any:
    return func.substr(cast(day, String), 1, 7)


def judged_in_scope(session: Session, today: Today, scope: Scope, since: datetime | None = None) -> list[Judged]:
    """Every checkpoint of a task in scope moved past by the end of `today`, grouped (see the module).

    `since`: only those moved past at or after that instant (the ones before are kept,
    `reading.dashboard_kept`); each is still judged on its task's whole trail.
    """
    until, minutes = today.ends_at(), literal(offset_minutes(today))
    without_jit(session)
    # Each judging event with the number of checkpoints moved past up to it, in the trail's order
    # (`workflow.history.replay`): a checkpoint's judging events are those numbered one less.
    moving = and_(Event.trigger == DeadlineTrigger.CHECKPOINT.value, Event.from_due_on.is_not(None))
    recent = (Event.at >= since,) if since is not None else ()
    with_checkpoints = select(Event.task_id).where(moving, Event.at < until, *recent)
    if scope != Scope():
        # A narrowed view (a province's home, one directive) judges its own tasks' trails only: the scope
        # below would keep them anyway, but after numbering every province's events (seconds at 1M tasks).
        in_scope = scope.apply(select(Task.id).join(TaskGroup, Task.group_id == TaskGroup.id)
                               .join(Directive, TaskGroup.directive_id == Directive.id)
                               .join(Province, Task.province_id == Province.id))
        with_checkpoints = with_checkpoints.where(Event.task_id.in_(in_scope))
    numbered = (select(Event.task_id, Event.at, Event.trigger, Event.from_due_on, moving.label("moving"),
                       func.sum(case((moving, 1), else_=0)).over(partition_by=Event.task_id,
                                                                 order_by=(Event.at, Event.id)).label("n"))
                .where(Event.trigger.in_(_JUDGING), Event.at < until, Event.task_id.in_(with_checkpoints))
                .cte("numbered"))  # read twice below: a CTE is worked out once
    spans = (select(numbered.c.task_id, numbered.c.n,
                    func.max(case((numbered.c.trigger == Trigger.SUBMIT.value, numbered.c.at))).label("submitted"),
                    func.max(case((numbered.c.trigger == Trigger.ACCEPT.value, numbered.c.at))).label("accepted"))
             .where(numbered.c.trigger != DeadlineTrigger.CHECKPOINT.value).group_by(numbered.c.task_id, numbered.c.n)
             .subquery())
    moved = (select(numbered.c.task_id, numbered.c.at, numbered.c.from_due_on,
                    func.coalesce(spans.c.submitted, spans.c.accepted).label("finished"))
             .outerjoin(spans, and_(spans.c.task_id == numbered.c.task_id, spans.c.n == numbered.c.n - 1))
             .where(numbered.c.moving, *((numbered.c.at >= since,) if since is not None else ())).subquery())
    finished = moved.c.finished
    late = and_(finished.is_not(None), local_day(finished, minutes) > moved.c.from_due_on).label("late")
    moved_month = _month(local_day(moved.c.at, minutes)).label("moved")
    due_month = _month(moved.c.from_due_on).label("due")
    due_by = (moved.c.from_due_on <= today.day).label("due_by")
    query = scope.apply(
        select(Province.slug, moved_month, due_month, due_by, late, func.count())
        .select_from(moved).join(Task, Task.id == moved.c.task_id).join(TaskGroup, Task.group_id == TaskGroup.id)
        .join(Directive, TaskGroup.directive_id == Directive.id).join(Province, Task.province_id == Province.id)
        .where(province_units(), counted(), Task.assigned_on <= today.day)
        .group_by(Province.slug, moved_month, due_month, due_by, late))
    return [Judged(slug, str(m), str(d), bool(by), bool(lt), int(n))
            for slug, m, d, by, lt, n in session.execute(query)]


def add_checkpoints(counts: dict[str, dict[str, int]], judged: list[Judged], day: date, as_of: date,
                    blank: dict[str, int]) -> None:
    """Add the checkpoints moved past by the end of `day` (a month's end, or `as_of` the day the groups were
    read for) to the provinces' counts (`dashboard_sql.FIELDS`), each as a completed task of its own."""
    month = f"{day:%Y-%m}"
    for j in judged:
        if j.moved > month:
            continue
        come = j.due_by_day if day == as_of else j.due <= month
        figures = counts.setdefault(j.province, dict(blank))
        figures["on_time"] += 0 if j.late or not come else j.count
        figures["due"] += j.count if j.late or come else 0
        figures["completed_late" if j.late else "completed_on_time"] += j.count
        figures["completed"] += j.count
        figures["tasks"] += j.count


__all__ = ["Judged", "add_checkpoints", "judged_in_scope"]
