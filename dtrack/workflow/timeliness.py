"""Timeliness, the second axis beside the state: is a task late, and by how much?

Follows the Government Office's convention (completed on time / completed
late / open within the deadline / open and overdue), always against the
deadline in force (after extensions). A submission waiting for review is
the Department's delay, not the province's, so it is its own status.
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
