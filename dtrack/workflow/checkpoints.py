"""Continuous task groups: review checkpoints instead of one end date.

A continuous group's deadline rule (e.g. "+12 months") is repeated from the
assignment date: each repetition is a review checkpoint. The deadline in
force is the current checkpoint. When the Department has accepted the
review (the task is completed) and that checkpoint has passed, the work
goes on: the sweep moves the task to the next checkpoint and back to
in_progress, with a `checkpoint` event (a deadline trigger, not a lifecycle
one) recording the old and new deadline. An open task whose checkpoint
passed without an accepted review stays overdue against it.

A checkpoint once judged stays counted: the move takes the task back to
in_progress against the next checkpoint, but the review accepted for the
one passed is still work completed on time or late. `judged_checkpoints`
reads those reviews back from the audit trail (the `checkpoint` events and
the submission and acceptance before each), and the views that count
(the four-cell matrix, the status matrix, the national report) count each
one as a completed task of its checkpoint's period, judged against that
checkpoint by `workflow.timeliness.classify`.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from dtrack.config.today import Today
from dtrack.persistence.models import Event, Task, TaskGroup
from dtrack.workflow.deadlines import WorkCalendar, next_checkpoint, rule_from_text
from dtrack.workflow.history import IDS_PER_QUERY
from dtrack.workflow.timeliness import Timeliness, classify
from dtrack.workflow.vocabulary import DeadlineTrigger, GroupKind, State, Trigger


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


@dataclass(frozen=True, slots=True)
class JudgedCheckpoint:
    """A review accepted for a checkpoint the task has since moved past: a completed task of that period."""

    task_id: int
    due_on: date  # the checkpoint the review was for
    submitted_at: datetime | None  # the submission accepted (the province's finishing time)
    completed_at: datetime | None  # its acceptance

    def timeliness(self, today: Today) -> Timeliness:
        """Completed on time or late against its own checkpoint (never against the next one)."""
        return classify(State.COMPLETED.value, self.due_on, today, submitted_at=self.submitted_at,
                        completed_at=self.completed_at)


# What a checkpoint's judgement is read from: the submission and acceptance before its `checkpoint` event.
_JUDGING = (Trigger.SUBMIT.value, Trigger.ACCEPT.value, Trigger.REOPEN.value, DeadlineTrigger.CHECKPOINT.value)


def judged_checkpoints(session: Session, today: Today,
                       task_ids: Iterable[int] | None = None) -> dict[int, list[JudgedCheckpoint]]:
    """Task id -> the checkpoints it had moved past by the end of `today`, each with its accepted review.

    Only tasks with a `checkpoint` event are read (few: a continuous task moves once a
    checkpoint period), and of those only `task_ids` when given.
    """
    until = today.ends_at()
    moved = select(Event.task_id).where(Event.trigger == DeadlineTrigger.CHECKPOINT.value, Event.at < until)
    wanted = None if task_ids is None else set(task_ids)
    if wanted is not None and len(wanted) <= IDS_PER_QUERY:  # a page's tasks: asked for by id, not sifted
        moved = moved.where(Event.task_id.in_(sorted(wanted)))
    ids = sorted({task_id for task_id in session.scalars(moved) if wanted is None or task_id in wanted})
    found: dict[int, list[JudgedCheckpoint]] = {}
    for start in range(0, len(ids), IDS_PER_QUERY):
        rows = session.execute(
            select(Event.task_id, Event.trigger, Event.at, Event.from_due_on)
            .where(Event.task_id.in_(ids[start:start + IDS_PER_QUERY]), Event.trigger.in_(_JUDGING),
                   Event.at < until)
            .order_by(Event.task_id, Event.at, Event.id))
        submitted: dict[int, datetime | None] = {}
        completed: dict[int, datetime | None] = {}
        for task_id, trigger, at, from_due_on in rows:  # as `workflow.history.fold` reads them
            if trigger == Trigger.SUBMIT:
                submitted[task_id] = at
            elif trigger == Trigger.ACCEPT:
                completed[task_id] = at
            elif trigger == Trigger.REOPEN:
                completed[task_id] = None
            elif from_due_on is not None:  # the sweep moved past a reviewed checkpoint: judged, and counted
                found.setdefault(task_id, []).append(JudgedCheckpoint(
                    task_id, from_due_on, submitted.pop(task_id, None), completed.pop(task_id, None)))
    return found
