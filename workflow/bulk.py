"""One action on many tasks: each task in its own transaction, so one refusal loses none of the others.

The review queue's "accept the selected submissions" comes here. Each task
goes through `Tracker.fire` (the same checks, one audit event per task);
what was done and what was refused, with the one-line reason the CLI would
print, come back together.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from dtrack.workflow.access import check_oversight
from dtrack.workflow.clock import Clock
from dtrack.workflow.database import Database
from dtrack.workflow.errors import DtrackError, InvalidInput
from dtrack.workflow.models import User
from dtrack.workflow.service import Outcome, Tracker
from dtrack.workflow.vocabulary import Trigger

MAX_TASKS = 1000  # one form; beyond this the request is refused as a whole


@dataclass
class BulkResult:
    trigger: str
    done: list[Outcome] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)  # (the task as named, why)

    def to_json(self) -> dict[str, Any]:
        return {"trigger": self.trigger, "done": [{"task_id": o.task_id, "task_key": o.task_key,
                                                   "from_state": o.from_state, "to_state": o.to_state}
                                                  for o in self.done],
                "refused": [{"task": ref, "reason": why} for ref, why in self.refused]}


def fire_many(db: Database, clock: Clock, task_refs: list[str], trigger: str, actor_email: str, *,
              note: str | None = None) -> BulkResult:
    """Apply `trigger` to each task, one transaction each, in the order given (duplicates once)."""
    refs = list(dict.fromkeys(ref.strip() for ref in task_refs if ref and ref.strip()))
    if not refs:
        raise InvalidInput("tasks", "no task was chosen", "tick the tasks to act on")
    if len(refs) > MAX_TASKS:
        raise InvalidInput("tasks", f"{len(refs)} tasks at once", f"choose at most {MAX_TASKS}")
    tracker = Tracker(db, clock)
    result = BulkResult(trigger)
    for ref in refs:
        try:
            result.done.append(tracker.fire(ref, trigger, actor_email, note=note))
        except DtrackError as exc:
            result.refused.append((ref, str(exc)))
    return result


def accept_submissions(db: Database, clock: Clock, actor: User, task_refs: list[str], *,
                       note: str | None = None) -> BulkResult:
    """The review queue's bulk accept: for overseers (and admins) only, each task checked as one accept is."""
    check_oversight(actor, "the review queue")
    return fire_many(db, clock, task_refs, Trigger.ACCEPT.value, actor.email, note=note)
