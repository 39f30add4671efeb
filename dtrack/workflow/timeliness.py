"""Timeliness, the second axis beside the state: is a task late, and by how much?

Follows the Government Office's convention (completed on time / completed
late / open within the deadline / open and overdue), always against the
deadline in force (after extensions). A submission waiting for review is
the Department's delay, not the province's, so it is its own status.

The on-time rate is the Government Office's: tasks completed on time over
the tasks due by the day (the completed ones whose deadline has come, and
the open ones already overdue). `rate_share` is the one place that rule is
written; every view adds its tasks' shares up in an `OnTimeRate`.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from dtrack.config.today import Today
from dtrack.workflow.vocabulary import DeadlineStatus, State


@dataclass(frozen=True, slots=True)  # one a task in every view: no __dict__ each
class Timeliness:
    status: DeadlineStatus
    # overdue: days past the deadline; due_soon / on_track: days left;
    # awaiting_review: days waited; completed_late: days late.
    days: int | None = None


def classify(
    state: str,
    due_on: date | None,
    today: Today,
    *,
    submitted_at: datetime | None = None,
    completed_at: datetime | None = None,
    not_applicable: bool = False,
) -> Timeliness:
    """Judge one task as of `today.day` (instants read in `today.zone`). The deadline day itself is still on time.

    A task an overseer marked not applicable (`Task.not_applicable_since`) is
    NOT_APPLICABLE whatever its state and deadline: never overdue, never late.
    """
    if not_applicable:
        return Timeliness(DeadlineStatus.NOT_APPLICABLE)
    as_of = today.day
    if state == State.COMPLETED:
        # The province finished when it made the submission that was accepted;
        # how long the Department took to review is not the province's delay.
        finished_at = submitted_at or completed_at
        if due_on is None or finished_at is None:
            return Timeliness(DeadlineStatus.COMPLETED_ON_TIME)
        finished = today.local_date(finished_at)
        late = (finished - due_on).days
        if late > 0:
            return Timeliness(DeadlineStatus.COMPLETED_LATE, late)
        return Timeliness(DeadlineStatus.COMPLETED_ON_TIME)
    if state == State.SUBMITTED and submitted_at is not None:
        return Timeliness(DeadlineStatus.AWAITING_REVIEW, max(0, (as_of - today.local_date(submitted_at)).days))
    if due_on is None:
        return Timeliness(DeadlineStatus.NO_DEADLINE)
    left = (due_on - as_of).days
    if left < 0:
        return Timeliness(DeadlineStatus.OVERDUE, -left)
    if left <= today.due_soon_days:
        return Timeliness(DeadlineStatus.DUE_SOON, left)
    return Timeliness(DeadlineStatus.ON_TRACK, left)


def rate_share(status: DeadlineStatus, due_on: date | None, as_of: date) -> tuple[int, int]:
    """One task's part of the on-time rate as of `as_of`: (completed on time, due by the day), each 0 or 1.

    Due by the day: completed with its deadline (in force) on or before the day, or
    open and overdue. A task completed ahead of a deadline still to come, one
    waiting for review, one without a deadline and one not yet due are not
    judged yet: in neither figure (else finishing early could make the rate
    pass 100 %, and a province with overdue work could still show 100 %).
    """
    if status in (DeadlineStatus.OVERDUE, DeadlineStatus.COMPLETED_LATE):
        return 0, 1
    if status == DeadlineStatus.COMPLETED_ON_TIME and due_on is not None and due_on <= as_of:
        return 1, 1
    return 0, 0


@dataclass(slots=True)
class OnTimeRate:
    """Tasks completed on time (`on_time`) of the tasks due by the day (`due`), added up task by task."""

    on_time: int = 0
    due: int = 0

    def add(self, status: DeadlineStatus, due_on: date | None, as_of: date) -> None:
        on_time, due = rate_share(status, due_on, as_of)
        self.on_time += on_time
        self.due += due

    @property
    def value(self) -> float | None:
        """The share (0..1), or None when no task is due by the day."""
        return None if self.due == 0 else self.on_time / self.due
