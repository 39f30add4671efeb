"""Marking one province's task "not applicable", and undoing it.

Not a lifecycle state: a flag beside the state (tasks.not_applicable_since,
_by, _reason), so the task keeps its state and history and the mark can be
lifted. While it is set the task has no reminders, is never overdue and is
left out of every count and rate (workflow.applicability.counted); it is
shown as "Không áp dụng" with its reason. Only the Department's overseers
(and admins) may set or clear it; each change is one transaction with one
audit event (`exempt` / `restore`, from_state == to_state, the reason as note).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm.exc import StaleDataError

from dtrack.config.clock import Clock
from dtrack.errors import ConcurrentUpdate, InvalidInput, PermissionDenied, because
from dtrack.persistence.database import Database
from dtrack.persistence.models import Event, Task, User
from dtrack.workflow.access import OVERSIGHT, check_active, check_task
from dtrack.workflow.applicability import is_department
from dtrack.workflow.reminders import cancel_stale
from dtrack.workflow.service import check_text, conflict
from dtrack.workflow.tasks import find_task
from dtrack.workflow.users import find_user
from dtrack.workflow.vocabulary import ApplicabilityTrigger


@dataclass(frozen=True)
class Applicability:
    task_key: str
    trigger: str  # exempt | restore
    not_applicable: bool
    reason: str | None
    at: datetime
    event_id: int
    note: str | None = None  # an old province name was mapped


def _check_overseer(actor: User, trigger: ApplicabilityTrigger, task: Task) -> None:
    check_active(actor, trigger.value, task.key)
    if actor.role not in OVERSIGHT:
        raise PermissionDenied(actor.email, trigger.value, task.key, because("overseers_mark_applicability"))


def _reason(reason: str | None, required: bool) -> str | None:
    reason = (reason or "").strip() or None
    if required and reason is None:
        raise InvalidInput("reason", "exempt_needs_reason")
    check_text("reason", reason)
    return reason


def set_applicability(db: Database, clock: Clock, actor_email: str, task_ref: str, *, not_applicable: bool,
                      reason: str | None = None, expected_version: int | str | None = None) -> Applicability:
    """Mark the task not applicable (`not_applicable=True`, a reason required) or applicable again."""
    trigger = ApplicabilityTrigger.EXEMPT if not_applicable else ApplicabilityTrigger.RESTORE
    reason = _reason(reason, required=not_applicable)
    now = clock.now()
    try:
        with db.session() as session:
            actor = find_user(session, actor_email)
            task, note = find_task(session, task_ref)
            check_task(actor, task, task_ref)  # another province's task is unknown to them, as a missing one
            _check_overseer(actor, trigger, task)
            if is_department(task.province):
                raise InvalidInput("task", "department_task_not_exemptable", task_key=task.key)
            if expected_version is not None and str(task.version) != str(expected_version).strip():
                raise conflict(session, task.id, task.key, clock.tz)
            if not_applicable and task.not_applicable_since is not None:
                raise InvalidInput("task", "already_not_applicable", task_key=task.key)
            if not not_applicable and task.not_applicable_since is None:
                raise InvalidInput("task", "not_marked_not_applicable", task_key=task.key)
            task.not_applicable_since = now if not_applicable else None
            task.not_applicable_by = actor.id if not_applicable else None
            task.not_applicable_reason = reason if not_applicable else None
            task.updated_at = now
            event = Event(task=task, actor=actor, trigger=trigger.value, from_state=task.state, to_state=task.state,
                          progress=task.progress, note=reason, at=now)
            session.add(event)
            session.flush()
            if not_applicable:
                cancel_stale(session, now, [task.id])  # its pending reminders no longer apply
            return Applicability(task.key, trigger.value, not_applicable, reason, now, event.id, note)
    except StaleDataError:
        raise ConcurrentUpdate(task_ref) from None


__all__ = ["Applicability", "set_applicability"]
