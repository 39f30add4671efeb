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

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from dtrack.persistence.models import Event, Task, TaskGroup
from dtrack.workflow.deadlines import WorkCalendar, next_checkpoint, rule_from_text
from dtrack.workflow.vocabulary import DeadlineTrigger, GroupKind, State


def roll_checkpoints(session: Session, as_of: date, now: datetime, calendar: WorkCalendar | None = None,
                     limit: int | None = None) -> int:
    """Move reviewed continuous tasks whose checkpoint has passed to their next checkpoint; returns how many.

    With `limit`, at most that many (call again until it returns less). Set
    based: one UPDATE per (old, new) checkpoint pair, guarded by the state
    and bumping the version, so a concurrent change to a task wins and that
    task gets no event; the events are written for exactly the rows moved.
    """
    rows = session.execute(
        select(Task.id, Task.assigned_on, Task.due_on, Task.progress, TaskGroup.deadline_rule).join(TaskGroup)
        .where(TaskGroup.kind == GroupKind.CONTINUOUS.value, Task.state == State.COMPLETED.value, Task.due_on < as_of)
        .order_by(Task.id)
        .limit(limit)
    ).all()
    moves: dict[tuple[date, date], dict[int, int]] = {}
    for task_id, assigned_on, due_on, progress, rule_text in rows:
        assert due_on is not None, "selected by `Task.due_on < as_of`, which no NULL passes"
        following = next_checkpoint(rule_from_text(rule_text), assigned_on, due_on, calendar)
        if following is not None:
            moves.setdefault((due_on, following), {})[task_id] = progress
    moved = 0
    for (old, new), progress_by_id in moves.items():
        changed = session.execute(
            update(Task)
            .where(Task.id.in_(list(progress_by_id)), Task.state == State.COMPLETED.value, Task.due_on == old)
            .values(state=State.IN_PROGRESS.value, completed_at=None, original_due_on=new, due_on=new,
                    updated_at=now, version=Task.version + 1)
            .returning(Task.id)
            .execution_options(synchronize_session=False)
        ).scalars().all()
        if changed:
            note = f"Đã duyệt kỳ kiểm điểm {old:%d/%m/%Y}; kỳ kiểm điểm tiếp theo {new:%d/%m/%Y}"
            session.connection().execute(insert(Event.__table__), [
                {"task_id": task_id, "actor_id": None, "trigger": DeadlineTrigger.CHECKPOINT.value,
                 "from_state": State.COMPLETED.value, "to_state": State.IN_PROGRESS.value,
                 "progress": progress_by_id[task_id], "note": note, "evidence": None, "at": now,
                 "from_due_on": old, "to_due_on": new}
                for task_id in changed
            ])
        moved += len(changed)
    return moved
