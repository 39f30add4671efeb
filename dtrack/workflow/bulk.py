"""One action on many tasks: each task in its own transaction, so one refusal loses none of the others.

The review queue's "accept the selected submissions" and the web's group
extension come here. Each task goes through the single-task core
(`Tracker.fire`, `extension.extend`: the same checks, one audit event per
task); what was done and what was refused, with the one-line reason the CLI
would print, come back together. (`dtrack deadlines extend --group` stays all
or nothing: a script wants one answer.)
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from dtrack.config.clock import Clock
from dtrack.errors import DtrackError, InvalidInput
from dtrack.persistence.database import Database
from dtrack.persistence.models import Directive, Province, Task, TaskGroup, User
from dtrack.workflow.access import check_oversight
from dtrack.workflow.extension import extend
from dtrack.workflow.service import Outcome, Tracker
from dtrack.workflow.vocabulary import Trigger

MAX_TASKS = 1000  # one form; beyond this the request is refused as a whole


@dataclass(frozen=True)
class Done:
    task_key: str
    before: str  # a state, or a deadline dd/mm/yyyy
    after: str


@dataclass
class BulkResult:
    trigger: str
    done: list[Done] = field(default_factory=list)
    refused: list[tuple[str, DtrackError]] = field(default_factory=list)  # (the task as named, why: worded at the edge)
    # The database failed on `failed_on` (rolled back, like every task after it: `not_done`); what is in
    # `done` was committed before, each task in its own transaction.
    failed_on: str | None = None
    failure: str | None = None  # the driver's one-line reason, never a URL's credentials
    not_done: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        answer: dict[str, Any] = {
            "trigger": self.trigger,
            "done": [{"task_key": d.task_key, "before": d.before, "after": d.after} for d in self.done],
            "refused": [{"task": ref, "code": why.error_code, "reason": str(why)} for ref, why in self.refused]}
        if self.failed_on is not None:
            answer.update(failed_on=self.failed_on, failure=self.failure, not_done=self.not_done)
        return answer

    def stop(self, refs: list[str], index: int, exc: SQLAlchemyError) -> None:
        """The database failed on refs[index]: it and the rest are not done; what was done stays done."""
        from dtrack.config.database_url import mask_url

        origin = getattr(exc, "orig", None) or exc
        self.failed_on = refs[index]
        self.failure = mask_url((str(origin).strip().splitlines() or [type(exc).__name__])[0])
        self.not_done = refs[index:]


def fire_many(db: Database, clock: Clock, task_refs: list[str], trigger: str, actor_email: str, *,
              note: str | None = None) -> BulkResult:
    """Apply `trigger` to each task, one transaction each, in the order given (duplicates once)."""
    refs = list(dict.fromkeys(ref.strip() for ref in task_refs if ref and ref.strip()))
    if not refs:
        raise InvalidInput("tasks", "no_task_chosen")
    if len(refs) > MAX_TASKS:
        raise InvalidInput("tasks", "too_many_tasks", count=len(refs), max=MAX_TASKS)
    tracker = Tracker(db, clock)
    result = BulkResult(trigger)
    for index, ref in enumerate(refs):
        try:
            outcome: Outcome = tracker.fire(ref, trigger, actor_email, note=note)
            result.done.append(Done(outcome.task_key, outcome.from_state, outcome.to_state))
        except DtrackError as exc:
            result.refused.append((ref, exc))
        except SQLAlchemyError as exc:
            # A lock wait that timed out, a connection the server closed: this task's transaction was
            # rolled back; stop rather than fail the same way on each task left, and say where it stopped.
            result.stop(refs, index, exc)
            break
    return result


def accept_submissions(db: Database, clock: Clock, actor: User, task_refs: list[str], *,
                       note: str | None = None) -> BulkResult:
    """The review queue's bulk accept: for overseers (and admins) only, each task checked as one accept is."""
    check_oversight(actor, "review_queue")
    return fire_many(db, clock, task_refs, Trigger.ACCEPT.value, actor.email, note=note)


def extend_each(db: Database, clock: Clock, actor: User, new_due_on: date, reason: str | None, *, directive: str,
                group: int, provinces: list[Province], period: str | None = None) -> BulkResult:
    """A group's deadline for `provinces`, task by task: a refused one (completed, already later) loses no other."""
    check_oversight(actor, "deadline_extension")
    query = (select(Task.id, Task.state).join(TaskGroup).join(Directive)
             .where(Directive.code == directive, TaskGroup.ordinal == group,
                    Task.province_id.in_([p.id for p in provinces])))
    if period:
        query = query.where(Task.period == period)
    with db.session() as session:
        targets = [str(task_id) for task_id, _ in session.execute(query.order_by(Task.id))]
    if not targets:
        raise InvalidInput("group", "no_task_in_group", directive=directive, group=group)
    result = BulkResult("extend")
    for ref in targets:
        try:
            for item in extend(db, clock, actor.email, new_due_on, reason, task_refs=[ref]):
                result.done.append(Done(item.task_key, f"{item.from_due_on:%d/%m/%Y}" if item.from_due_on else "-",
                                        f"{item.to_due_on:%d/%m/%Y}"))
        except DtrackError as exc:
            result.refused.append((ref, exc))
    return result
