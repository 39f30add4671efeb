"""Continuous task groups: review checkpoints instead of one end date.

A continuous group's deadline rule (e.g. "+12 months") is repeated from the
assignment date: each repetition is a review checkpoint. The deadline in
force is the current checkpoint. When the Department has accepted the
review (the task is completed) and that checkpoint has passed, the work
goes on: the sweep moves the task to the next checkpoint and back to
in_progress, with a `checkpoint` event (a deadline trigger, not a lifecycle
one) recording the old and new deadline. An open task whose checkpoint
passed without an accepted review stays overdue against it.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflow.deadlines import WorkCalendar, next_checkpoint, rule_from_text
from workflow.models import Event, Task, TaskGroup
from workflow.vocabulary import DeadlineTrigger, GroupKind, State


def roll_checkpoints(session: Session, as_of: date, now: datetime, calendar: WorkCalendar | None = None,
                     limit: int | None = None) -> int:
    """Move reviewed continuous tasks whose checkpoint has passed to their next checkpoint; returns how many.

    With `limit`, at most that many (call again until it returns less).
    """
    query = (
        select(Task).join(TaskGroup)
        .where(TaskGroup.kind == GroupKind.CONTINUOUS.value, Task.state == State.COMPLETED.value, Task.due_on < as_of)
        .order_by(Task.id)
        .limit(limit)
    )
    moved = 0
    for task in session.scalars(query):
        following = next_checkpoint(rule_from_text(task.group.deadline_rule), task.assigned_on, task.due_on, calendar)
        if following is None:
            continue
        old = task.due_on
        task.state = State.IN_PROGRESS.value
        task.completed_at = None
        task.original_due_on = following
        task.due_on = following
        task.updated_at = now
        session.add(Event(
            task=task, actor=None, trigger=DeadlineTrigger.CHECKPOINT.value, from_state=State.COMPLETED.value,
            to_state=State.IN_PROGRESS.value, progress=task.progress, at=now, from_due_on=old, to_due_on=following,
            note=f"Đã duyệt kỳ kiểm điểm {old:%d/%m/%Y}; kỳ kiểm điểm tiếp theo {following:%d/%m/%Y}",
        ))
        moved += 1
    session.flush()
    return moved
