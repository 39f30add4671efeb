"""The reference implementation of a transition: what `Tracker.fire` must do, written another way.

The engine runs a transition on plain Core rows, reading its rules from the
action table (`workflow.actions`). This oracle reads and writes ORM objects
(the lookups `find_user` and `find_task`, the unit of work, the mapper's own
version check) and has its rules written out by hand, like
tests/workflow/test_transitions.py: a change to the lifecycle must be a
deliberate change here too. tests/workflow/test_oracle.py runs random
action sequences through both and compares what they answer and write.
"""
from __future__ import annotations

import json
from typing import Any

from sqlalchemy.orm.attributes import flag_modified

from dtrack.config.clock import Clock, local_dmy_hm
from dtrack.errors import (
    ConcurrentUpdate,
    InvalidInput,
    PermissionDenied,
    TransitionNotAllowed,
    UnknownTask,
    UnknownTrigger,
    because,
)
from dtrack.persistence.database import Database
from dtrack.persistence.models import Event
from dtrack.workflow.reminders import cancel_stale
from dtrack.workflow.service import parse_progress
from dtrack.workflow.tasks import find_task
from dtrack.workflow.users import find_user

# (state, trigger) -> the state it leads to, in the order the lifecycle declares its triggers.
MOVES: dict[tuple[str, str], str] = {
    ("not_started", "start"): "in_progress",
    ("in_progress", "update"): "in_progress",
    ("returned", "update"): "returned",
    ("in_progress", "submit"): "submitted",
    ("returned", "submit"): "submitted",
    ("submitted", "send_back"): "returned",
    ("submitted", "accept"): "completed",
    ("not_started", "block"): "blocked",
    ("in_progress", "block"): "blocked",
    ("returned", "block"): "blocked",
    ("blocked", "unblock"): "in_progress",
    ("completed", "reopen"): "in_progress",
}
TRIGGERS = ("start", "update", "submit", "send_back", "accept", "block", "unblock", "reopen")
OVERSEERS_ONLY = {"send_back", "accept", "reopen"}
NEEDS_NOTE = {"send_back", "block", "reopen"}
JUDGES = {"accept"}  # whoever made the last submission may not (four eyes), unless the directive says so
MAX_TEXT = 4000


def _may(role: str, actor_province_id: int | None, owner: str, province_id: int, trigger: str) -> bool:
    if role == "admin":
        return True
    if trigger in OVERSEERS_ONLY:
        return role == "overseer"
    if owner == "department":
        return role == "overseer"
    return role == "province" and actor_province_id == province_id


def fire(db: Database, clock: Clock, ref: str, trigger: str, email: str, *, note: str | None = None,
         evidence: str | None = None, progress: Any = None, expected_version: Any = None) -> dict[str, Any]:
    """One action in its own transaction, the reference way; the outcome as `Outcome.to_json()` gives it."""
    trigger = trigger.replace("-", "_")
    if trigger not in TRIGGERS:
        raise UnknownTrigger(trigger, (t.replace("_", "-") for t in TRIGGERS))
    progress = parse_progress(progress)
    with db.session() as session:
        actor = find_user(session, email)
        task, ref_note = find_task(session, ref)
        if actor.disabled_at is not None:
            raise PermissionDenied(actor.email, trigger, task.key, because("account_disabled"))
        if actor.role == "province" and actor.province_id != task.province_id:
            raise UnknownTask(ref.strip())
        if expected_version is not None and str(task.version) != str(expected_version).strip():
            last = task.events[-1] if task.events else None
            if last is None:
                raise ConcurrentUpdate(task.key)
            by = last.actor.name if last.actor else "dtrack"
            raise ConcurrentUpdate(task.key, by, local_dmy_hm(last.at, clock.tz))
        note = (note or "").strip() or None
        evidence = (evidence or "").strip() or None
        owner = task.group.owner
        if not _may(actor.role, actor.province_id, owner, task.province_id, trigger):
            raise PermissionDenied(actor.email, trigger, task.key, because("oracle"))
        if (task.state, trigger) not in MOVES:
            allowed = [t.replace("_", "-") for t in TRIGGERS if (task.state, t) in MOVES
                       and _may(actor.role, actor.province_id, owner, task.province_id, t)]
            raise TransitionNotAllowed(task.key, trigger, task.state, allowed)
        submissions = [e for e in task.events if e.trigger == "submit"]
        wording = json.loads(task.group.directive.report_wording or "{}")
        if (trigger in JUDGES and submissions and submissions[-1].actor_id == actor.id
                and wording.get("oversight", {}).get("four_eyes", True)):
            raise PermissionDenied(actor.email, trigger, task.key, because("oracle_four_eyes"))
        if trigger in NEEDS_NOTE and not note:
            raise InvalidInput("note", "needs_note", trigger=trigger.replace("_", "-"))
        for field, text in (("note", note), ("evidence", evidence)):
            if text is not None and (len(text) > MAX_TEXT or "\x00" in text):
                raise InvalidInput(field, "too_long" if len(text) > MAX_TEXT else "has_nul")
        if trigger == "update" and note is None and evidence is None and progress in (None, task.progress):
            raise InvalidInput("progress", "nothing_to_update")  # issue 26: an empty update writes nothing
        now = clock.now()
        from_state = task.state
        task.state = MOVES[(from_state, trigger)]
        if progress is not None:
            task.progress = progress
        if trigger == "accept":
            task.progress, task.completed_at = 100, now
        elif trigger == "submit":
            task.submitted_at = now
        elif trigger == "reopen":
            task.completed_at = None
        task.updated_at = now
        flag_modified(task, "updated_at")  # every action writes the row (and bumps its version), even an unchanged one
        event = Event(task=task, actor=actor, trigger=trigger, from_state=from_state, to_state=task.state,
                      progress=task.progress, note=note, evidence=evidence, at=now)
        session.add(event)
        session.flush()  # the mapper writes WHERE version = <read> and bumps it
        if from_state != task.state:
            cancel_stale(session, now, [task.id])
        return {"task_id": task.id, "task_key": task.key, "trigger": trigger, "from_state": from_state,
                "to_state": task.state, "progress": task.progress, "event_id": event.id, "note": ref_note}
