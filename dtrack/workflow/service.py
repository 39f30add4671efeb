"""Applying a user's action to a task: the one place state changes happen.

`Tracker.fire` is one database transaction: it loads the task and the user,
checks the role and the state against the lifecycle, fires the trigger on
the shared machine, and writes the new state with its audit event. Both
commit together or not at all. A concurrent change to the same task is
caught by the version column and reported as `ConcurrentUpdate`; nothing is
lost. `apply` is the same step inside a caller's transaction, for batches.

Without hooks, `fire` first tries its common case on plain Core rows and one
Connection (`Tracker._fire_on_core`: a task by id or by a key with today's
slug, an action that is allowed); everything else goes through the ORM path,
which raises the errors. Both write the same rows (tests/workflow/test_transition_reads.py).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Required, TypedDict

from sqlalchemy import Connection, Update, bindparam, insert, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError

from dtrack.config.clock import Clock, local_dmy_hm
from dtrack.errors import (
    ConcurrentUpdate,
    InvalidInput,
    PermissionDenied,
    TransitionNotAllowed,
    UnknownTrigger,
)
from dtrack.persistence.database import Database
from dtrack.persistence.models import Event, Task, User, task_key
from dtrack.persistence.sql_types import AnyRow
from dtrack.workflow import lifecycle
from dtrack.workflow.access import check_active, may_read, may_read_province, unseen_task
from dtrack.workflow.reminders import cancel_stale_of_task
from dtrack.workflow.tasks import find_task, find_task_and_user, read_for_transition
from dtrack.workflow.users import find_user
from dtrack.workflow.views import View
from dtrack.workflow.vocabulary import Owner, Role, Trigger

# Called inside the transaction after the event is written; raising rolls
# the whole change back (used by notifications, and by tests).
Hook = Callable[[Session, Task, Event], None]

MAX_NOTE = 4000


@dataclass(frozen=True)
class Outcome(View):
    task_id: int
    task_key: str
    trigger: str
    from_state: str
    to_state: str
    progress: int
    event_id: int
    note: str | None = None  # e.g. an old province name was mapped


def parse_trigger(name: str) -> Trigger:
    try:
        return Trigger(name.replace("-", "_"))
    except ValueError:
        raise UnknownTrigger(name, (t.value.replace("_", "-") for t in Trigger)) from None


def parse_progress(value: int | str | None) -> int | None:
    if value is None:
        return None
    text = str(value).strip().removesuffix("%").rstrip()
    # ASCII digits only: int() also takes '٣٠', '３０', '+30' and '3_0', which no form shows as a percentage.
    if isinstance(value, bool) or not (text.isascii() and text.isdigit() and len(text) <= 9):
        raise InvalidInput("--progress", f"{value!r} is not a number", "give a whole number from 0 to 100",
                           code="bad_progress", value=value)
    number = int(text)  # ASCII digits only: cannot fail
    if not 0 <= number <= 100:
        raise InvalidInput("--progress", f"{number} is outside 0-100", "give a whole number from 0 to 100",
                           code="bad_progress", value=value)
    return number


def check_text(name: str, text: str | None) -> None:
    """A note, evidence or reason the database can keep: bounded, and without NUL (PostgreSQL refuses it)."""
    if text is None:
        return
    if len(text) > MAX_NOTE:
        raise InvalidInput(name, f"is {len(text)} characters long", f"keep it under {MAX_NOTE}",
                           code="too_long", length=len(text), max=MAX_NOTE)
    if "\x00" in text:
        raise InvalidInput(name, "contains a NUL character", "remove it")


def owns(actor: User, task: Task) -> bool:
    """Whether the task is the actor's to carry out (its province, or the Department's own group)."""
    return owns_group(actor, task.group.owner, task.province_id)


def owns_group(actor: User, owner: str, province_id: int) -> bool:
    """`owns` for a task known by its group's owner and its province (lists need not load each group)."""
    return _owns(actor.role, actor.province_id, owner, province_id)


def _owns(role: str, actor_province_id: int | None, owner: str, province_id: int) -> bool:
    if owner == Owner.DEPARTMENT:
        return role == Role.OVERSEER
    return role == Role.PROVINCE and actor_province_id == province_id


def apply(
    session: Session,
    task: Task,
    trigger: Trigger,
    actor: User,
    now: datetime,
    *,
    note: str | None = None,
    evidence: str | None = None,
    progress: int | None = None,
    hooks: tuple[Hook, ...] = (),
) -> Event:
    """Check and fire one trigger on a loaded task inside the caller's transaction."""
    note = (note or "").strip() or None
    evidence = (evidence or "").strip() or None
    actor_owns = owns(actor, task)
    refused = action_refusal(trigger, actor.role, actor.disabled_at is not None, actor_owns, task.state, note)
    if refused == "disabled":
        check_active(actor, trigger, task.key)
    elif refused == "not_permitted":
        raise PermissionDenied(actor.email, trigger, task.key, _refusal_reason(actor, task, trigger))
    elif refused == "not_now":
        raise TransitionNotAllowed(
            task.key, trigger, task.state,
            [t.value.replace("_", "-") for t in lifecycle.allowed_for(task.state, actor.role, actor_owns)],
        )
    elif refused == "needs_note":
        raise InvalidInput("--note", f"{trigger.replace('_', '-')} needs a note saying why", "add --note \"...\"",
                           code="needs_note", trigger=trigger.replace("_", "-"))
    for name, text in (("--note", note), ("--evidence", evidence)):
        check_text(name, text)

    from_state = task.state
    changes = _changes(task.state, trigger, task.version, progress, now)
    # Plain Core on the session's connection: the ORM's bulk-UPDATE machinery
    # costs more than the statement itself (see docs/performance.md); the ORM
    # must not write the row again, so the new values are set as committed.
    connection = session.connection()
    event = Event(
        task_id=task.id, actor_id=actor.id, trigger=trigger.value, from_state=from_state,
        to_state=changes["state"], progress=changes.get("progress", task.progress), note=note, evidence=evidence,
        at=now,
    )
    event.id = _write(connection, task.id, task.version, changes, _columns(event))
    for name, value in changes.items():
        set_committed_value(task, name, value)
    if from_state != task.state:
        # Reminders written for the old state (e.g. "overdue" once submitted) no longer apply.
        cancel_stale_of_task(connection, now, task.id)
    for hook in hooks:
        hook(session, task, event)
    return event


def action_refusal(trigger: Trigger, role: str, disabled: bool, actor_owns: bool, state: str,
                   note: str | None) -> str | None:
    """Which rule refuses `trigger` (apply's order: "disabled", "not_permitted", "not_now", "needs_note"), or None.

    The rules of an action, said once on plain values: `apply` turns the
    answer into its error, `fire`'s Core path (which has rows, not objects)
    goes ahead only on None.
    """
    if disabled:
        return "disabled"
    if not lifecycle.may_fire(trigger, role, actor_owns):
        return "not_permitted"
    if trigger not in lifecycle.triggers_from(state):
        return "not_now"
    if lifecycle.RULES[trigger].needs_note and not note:
        return "needs_note"
    return None


class _Changes(TypedDict, total=False):
    """The task columns one action writes: the first three always, the rest as the trigger decides."""
    state: Required[str]
    updated_at: Required[datetime]
    version: Required[int]
    progress: int
    submitted_at: datetime
    completed_at: datetime | None


def _changes(state: str, trigger: Trigger, version: int, progress: int | None, now: datetime) -> _Changes:
    """The columns a trigger changes on a task in `state` at `version` (the lifecycle says the new state)."""
    changes: _Changes = {"state": lifecycle.destination(state, trigger), "updated_at": now, "version": version + 1}
    if progress is not None:
        changes["progress"] = progress
    if trigger == Trigger.ACCEPT:
        changes["progress"], changes["completed_at"] = 100, now
    elif trigger == Trigger.SUBMIT:
        changes["submitted_at"] = now
    elif trigger == Trigger.REOPEN:
        changes["completed_at"] = None
    return changes


def _write(connection: Connection, task_id: int, read_version: int, changes: _Changes,
           event: dict[str, object]) -> int:
    """The guarded UPDATE of the columns in `changes` and the audit event; returns the event's id.

    Optimistic locking: the UPDATE only matches the version we read. It is
    written on every action, even one that changes no other column, so a
    concurrent change is always detected (StaleDataError) and no update is
    ever lost.
    """
    columns = tuple(name for name in _WRITTEN if name in changes)
    written = connection.execute(_update_task(columns), {"task_id": task_id, "read_version": read_version, **changes})
    if written.rowcount != 1:
        raise StaleDataError(f"task {task_id} changed since version {read_version}")
    # The new id as the driver reports it (SQLite's lastrowid; PostgreSQL adds RETURNING by itself):
    # an explicit RETURNING costs SQLite a result set to read.
    inserted = connection.execute(_INSERT_EVENT, event).inserted_primary_key
    assert inserted is not None, "a single-row INSERT reports the row's key"
    event_id: int = inserted[0]
    return event_id


_WRITTEN = ("state", "progress", "updated_at", "version", "submitted_at", "completed_at")
_EVENT_COLUMNS = ("task_id", "actor_id", "trigger", "from_state", "to_state", "progress", "note", "evidence", "at")

_TASKS, _EVENTS = Task.__table__, Event.__table__


@cache
def _update_task(columns: tuple[str, ...]) -> Update:
    # One statement per set of changed columns (a handful: the trigger decides), built once each.
    # Writing only what changed spares the unchanged values' conversions, and reading them.
    return (
        update(_TASKS)
        .where(_TASKS.c.id == bindparam("task_id"), _TASKS.c.version == bindparam("read_version"))
        .values({name: bindparam(name, type_=_TASKS.c[name].type) for name in columns})
    )


_INSERT_EVENT = insert(_EVENTS).values(
    {name: bindparam(name, type_=_EVENTS.c[name].type) for name in _EVENT_COLUMNS}
)


def _columns(event: Event) -> dict[str, object]:
    return {name: getattr(event, name) for name in _EVENT_COLUMNS}


def _refusal_reason(actor: User, task: Task, trigger: Trigger) -> str:
    if lifecycle.RULES[trigger].by == lifecycle.OVERSEER:
        return "only the Department's overseers may do that"
    if task.group.owner == Owner.DEPARTMENT:
        return "this task group is the Department's own"
    if actor.role == Role.PROVINCE:
        yours = actor.province.slug if actor.province else "no province"
        return f"the task belongs to {task.province.slug}, you to {yours}"
    return f"only {task.province.slug}'s province users may do that"


class Tracker:
    """The workflow engine as the CLI and the scheduler use it."""

    def __init__(self, db: Database, clock: Clock | None = None, hooks: tuple[Hook, ...] = ()) -> None:
        self.db = db
        self.clock = clock or Clock()
        self.hooks = hooks

    def fire(
        self,
        task_ref: str,
        trigger: str | Trigger,
        actor_email: str,
        *,
        note: str | None = None,
        evidence: str | None = None,
        progress: int | str | None = None,
        expected_version: int | str | None = None,
    ) -> Outcome:
        """Apply one action in its own transaction and return what happened.

        `expected_version` is the task version the user saw (a web form
        carries it): if the task changed since, nothing is done and
        `ConcurrentUpdate` names who changed it and when.
        """
        trigger = parse_trigger(trigger) if isinstance(trigger, str) else trigger
        checked_progress = parse_progress(progress)
        if not self.hooks:  # hooks take the ORM task and session: they go the usual way
            done = self._fire_on_core(task_ref, trigger, actor_email, note, evidence, checked_progress,
                                      expected_version)
            if done is not None:
                return done
        key = task_ref
        try:
            with self.db.session() as session:
                found = find_task_and_user(session, task_ref, actor_email)
                if found is not None:
                    (task, actor), ref_note = found, None
                else:  # an id, an old province name, or something missing: the lookups that say which
                    actor = find_user(session, actor_email)
                    task, ref_note = find_task(session, task_ref)
                key = task.key
                # Who may not read the task learns nothing about it, not even who changed it last.
                task_id = task.id
                check_active(actor, trigger, key)
                if not may_read_province(actor, task.province_id):
                    raise unseen_task(task_ref)  # the answer for a missing task: ids of others are not revealed
                if _version_differs(task.version, expected_version):
                    raise conflict(session, task_id, key, self.clock.tz)
                from_state = task.state
                event = apply(
                    session, task, trigger, actor, self.clock.now(),
                    note=note, evidence=evidence, progress=checked_progress, hooks=self.hooks,
                )
                outcome = Outcome(task.id, key, trigger.value, from_state, task.state, task.progress, event.id,
                                  ref_note)
        except StaleDataError:
            with self.db.session() as session:  # the failed transaction is gone: read who won in a new one
                raise conflict(session, task_id, key, self.clock.tz) from None
        return outcome

    def _fire_on_core(self, task_ref: str, trigger: Trigger, actor_email: str, note: str | None,
                      evidence: str | None, progress: int | None,
                      expected_version: int | str | None) -> Outcome | None:
        """`fire`'s common case on one Connection and plain rows: an id or a key with today's slug, allowed as asked.

        The same reads, checks and writes as `fire` and `apply` (one SELECT,
        the guarded UPDATE, the event, `cancel_stale` only when the task has
        pending reminders), without ORM objects or a Session. Anything else
        (an old name, a missing task or user, any refusal, a version
        mismatch) returns None having written nothing, and `fire` takes the
        usual path, which raises the same errors it always did.
        """
        note = (note or "").strip() or None
        evidence = (evidence or "").strip() or None
        if not (_short_clean(note) and _short_clean(evidence)):
            return None
        row = key = None
        try:
            with self.db.transaction() as connection:
                row = read_for_transition(connection, task_ref, actor_email)
                if row is None or not _plainly_allowed(row, trigger, note, expected_version):
                    return None
                key = task_key(row.code, row.ordinal, row.slug, row.period)
                now = self.clock.now()
                changes = _changes(row.state, trigger, row.version, progress, now)
                to_state, to_progress = changes["state"], changes.get("progress", row.progress)
                event = {"task_id": row.id, "actor_id": row.actor_id, "trigger": trigger.value,
                         "from_state": row.state, "to_state": to_state, "progress": to_progress, "note": note,
                         "evidence": evidence, "at": now}
                event_id = _write(connection, row.id, row.version, changes, event)
                if row.state != to_state and row.has_pending_reminders:
                    # Reminders written for the old state no longer apply (with none pending there is nothing to do).
                    cancel_stale_of_task(connection, now, row.id)
        except StaleDataError:
            assert row is not None and key is not None, "raised by _write, after the task was read"
            with self.db.session() as session:  # the failed transaction is gone: read who won in a new one
                raise conflict(session, row.id, key, self.clock.tz) from None
        return Outcome(row.id, key, trigger.value, row.state, to_state, to_progress, event_id, None)


def _short_clean(text: str | None) -> bool:
    try:
        check_text("note", text)
    except InvalidInput:
        return False
    return True


def _version_differs(version: int, expected: int | str | None) -> bool:
    """The form's (or caller's) version names another state of the task than the row's."""
    return expected is not None and str(version) != str(expected).strip()


def _plainly_allowed(row: AnyRow, trigger: Trigger, note: str | None, expected_version: int | str | None) -> bool:
    """Whether `fire` would let the actor of `row` fire `trigger` on its task: `fire`'s checks, then `apply`'s."""
    if not may_read(row.actor_role, row.actor_disabled, row.actor_province_id, row.province_id):
        return False
    if _version_differs(row.version, expected_version):
        return False
    actor_owns = _owns(row.actor_role, row.actor_province_id, row.owner, row.province_id)
    return action_refusal(trigger, row.actor_role, row.actor_disabled, actor_owns, row.state, note) is None


def conflict(session: Session, task_id: int, key: str, tz: str) -> ConcurrentUpdate:
    """The conflict error naming the last change of the task (who, when in local time)."""
    row = session.execute(
        select(User.name, Event.at).select_from(Event).outerjoin(User, Event.actor_id == User.id)
        .where(Event.task_id == task_id).order_by(Event.id.desc()).limit(1)).first()
    if row is None:
        return ConcurrentUpdate(key)
    at = local_dmy_hm(row.at, tz)
    return ConcurrentUpdate(key, row.name or "dtrack", at)


__all__ = ["Hook", "Outcome", "Tracker", "apply", "conflict", "owns", "owns_group", "parse_progress", "parse_trigger"]
