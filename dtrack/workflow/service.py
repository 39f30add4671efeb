"""Applying a user's action to a task: the one place state changes happen, and the one way they are written.

`Tracker.fire` works on one Connection: it reads the task and its actor as
one plain row (`tasks.read_for_transition`, by the task's id or key), checks
who may see the task, the version the user saw, and the action's rules
(`lifecycle.current()`: who may, from which state, a note if it needs one),
then writes the task's new columns and the audit event, and cancels
reminders of the old state. The writes commit together or not at all (on
PostgreSQL as one statement, two round trips in all: `_unit`). A concurrent
change to the same task is caught by the version column and reported as
`ConcurrentUpdate`; nothing is lost.

`apply` is the same step inside a caller's transaction on loaded objects,
for batches (the demo season, bulk imports): both go through `_act`, which
checks and writes on plain values. `_act` works on a `Subject`: a task, or
a commune's part of one (`workflow.part_service`), which runs the same
actions, checks and guarded writes on its own table and audit table. tests/workflow/oracle.py keeps an
independent implementation on the ORM that a property test compares with.
"""
from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, replace
from datetime import datetime
from functools import cache
from typing import Required, TypedDict

from sqlalchemy import Connection, Insert, Table, Update, bindparam, exists, insert, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError

from dtrack.config.clock import Clock
from dtrack.errors import (
    InvalidInput,
    PermissionDenied,
    Reason,
    TransitionNotAllowed,
    UnknownTask,
    because,
)
from dtrack.persistence.database import Database
from dtrack.persistence.models import Event, Province, Task, User, task_key
from dtrack.workflow import lifecycle
from dtrack.workflow.access import check_four_eyes, may_read, unseen_task
from dtrack.workflow.actions import Action, Who
from dtrack.workflow.conflicts import conflict
from dtrack.workflow.inputs import MAX_NOTE, check_text, parse_progress
from dtrack.workflow.one_statement import write_in_one
from dtrack.workflow.part_rollup import parts_average
from dtrack.workflow.reminders import cancel_stale_of_task
from dtrack.workflow.submission import check_submission
from dtrack.workflow.tasks import find_task, read_for_transition
from dtrack.workflow.users import find_user
from dtrack.workflow.views import View
from dtrack.workflow.vocabulary import Owner, Role, State, Trigger


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


# Called inside the transaction after the event is written; raising rolls the whole change back (tests use it).
Hook = Callable[[Connection, Outcome], None]


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


@dataclass(frozen=True, slots=True)
class _Party:
    """What a transition knows of its task and its actor, as plain values (a Core row's, or loaded objects')."""

    task_id: int
    key: str
    state: str
    progress: int
    version: int
    province_id: int
    province_slug: str
    owner: str
    actor_id: int
    actor_email: str
    actor_role: str
    actor_province_id: int | None
    actor_disabled: bool
    pending_reminders: bool  # False only when known: then a change of state has no reminder to cancel
    open_parts: bool = False  # the task has parts delegated to communes not yet completed
    follows_parts: bool = False  # its progress is its parts' average (workflow.part_rollup), not what is typed
    subject: Subject | None = None  # None: a task (`TASK`)
    # (owns, judges) when the subject says who may, not the task's rule: a part's commune and province.
    rights: tuple[bool, bool] | None = None


@dataclass(frozen=True, slots=True)
class Subject:
    """What the write path works on besides a task: its table, its audit table, and the rules that differ.

    `table` has the task's lifecycle columns (`_WRITTEN`) and a version;
    `events` the columns of `events` with `event_key` for `task_id`.
    `refusal` says why an actor may not fire an action, `four_eyes` refuses a
    judgement by whoever submitted.
    """

    table: Table
    events: Table
    event_key: str
    refusal: Callable[[Connection, _Party, Action], Reason]
    four_eyes: Callable[[Connection, _Party, Action], None]


def apply(
    session: Session,
    task: Task,
    trigger: str,
    actor: User,
    now: datetime,
    *,
    note: str | None = None,
    evidence: str | None = None,
    progress: int | None = None,
) -> Outcome:
    """Check and fire one trigger on a loaded task inside the caller's transaction (a batch of actions)."""
    action = lifecycle.current().action(trigger)
    connection = session.connection()
    party = _Party(task.id, task.key, task.state, task.progress, task.version, task.province_id, task.province.slug,
                   task.group.owner, actor.id, actor.email, actor.role, actor.province_id,
                   actor.disabled_at is not None, True,
                   action.effects.submitted and _has_open_parts(connection, task.id), task.progress_from_parts)
    outcome, changes = _act(connection, party, action, now, note, evidence, progress)
    # Written on the session's connection: the ORM must not write the row again, so the values are committed ones.
    for name, value in changes.items():
        set_committed_value(task, name, value)
    return outcome


def _act(connection: Connection, party: _Party, action: Action, now: datetime, note: str | None,
         evidence: str | None, progress: int | None, submit_default: str | None = None) -> tuple[Outcome, _Changes]:
    """The action's rules, then its writes: the task's changed columns, the audit event, stale reminders."""
    note = (note or "").strip() or None
    evidence = (evidence or "").strip() or None
    _check(connection, party, action, note)
    check_text("note", note)
    check_text("evidence", evidence)
    if action.effects.submitted and party.subject is None:  # what the directive says a submission carries
        check_submission(connection, party.task_id, note, evidence, submit_default)
    if action.trigger == Trigger.UPDATE and note is None and evidence is None and progress in (None, party.progress):
        raise InvalidInput("progress", "nothing_to_update")  # an update that says nothing writes nothing (no event)
    if party.follows_parts and progress is not None:
        progress = parts_average(connection, party.task_id)
    changes = _changes(party.state, action, party.version, progress, now)
    to_state, to_progress = changes["state"], changes.get("progress", party.progress)
    subject = party.subject or TASK
    event = {subject.event_key: party.task_id, "actor_id": party.actor_id, "trigger": str(action.trigger),
             "from_state": party.state, "to_state": to_state, "progress": to_progress, "note": note,
             "evidence": evidence, "at": now}
    # Reminders written for the old state (e.g. "overdue" once submitted) no longer apply. On PostgreSQL `fire`
    # runs in autocommit mode: a write added to a transition goes into `_write`'s one statement, or is a hook.
    cancel = party.state != to_state and party.pending_reminders
    event_id = _write(connection, party.task_id, party.version, changes, event, subject, cancel)
    outcome = Outcome(party.task_id, party.key, str(action.trigger), party.state, to_state, to_progress, event_id)
    return outcome, changes


def _check(connection: Connection, party: _Party, action: Action, note: str | None) -> None:
    """The action's rules, in this order: an active account, a role that may, a state that allows it, four eyes
    (an action that judges a submission), a note."""
    if party.actor_disabled:
        raise PermissionDenied(party.actor_email, action.trigger, party.key, because("account_disabled"))
    rules = lifecycle.current()
    subject = party.subject or TASK
    if party.rights is None:
        actor_owns, judge = _owns(party.actor_role, party.actor_province_id, party.owner, party.province_id), None
    else:
        actor_owns, judge = party.rights
    if not rules.may_fire(action, party.actor_role, actor_owns, judge):
        raise PermissionDenied(party.actor_email, action.trigger, party.key, subject.refusal(connection, party, action))
    if action.trigger not in rules.triggers_from(party.state):
        allowed = rules.allowed_for(party.state, party.actor_role, actor_owns, judge)
        raise TransitionNotAllowed(party.key, action.trigger, party.state, [rules.action(t).command for t in allowed])
    if action.judges:
        subject.four_eyes(connection, party, action)
    if action.needs_note and not note:
        raise InvalidInput("note", "needs_note", trigger=action.command)
    if party.open_parts and action.effects.submitted and not note:
        # Submitting a task whose communes' parts are open takes a reason, kept as the submission's note.
        raise InvalidInput("note", "open_parts_need_reason", trigger=action.command)


def _refusal(connection: Connection, party: _Party, action: Action) -> Reason:
    """Why the actor may not fire `action` on the task (read only then: the actor's province is asked for)."""
    if action.by == Who.OVERSEER:
        return because("overseers_only")
    if party.owner == Owner.DEPARTMENT:
        return because("department_group")
    if party.actor_role == Role.PROVINCE:
        yours = None if party.actor_province_id is None else connection.scalar(
            select(Province.slug).where(Province.id == party.actor_province_id))
        return because("other_province", province=party.province_slug, yours=yours)
    return because("province_users_only", province=party.province_slug)


class _Changes(TypedDict, total=False):
    """The task columns one action writes: the first three always, the rest as the action's effects say."""
    state: Required[str]
    updated_at: Required[datetime]
    version: Required[int]
    progress: int
    submitted_at: datetime
    completed_at: datetime | None


def _changes(state: str, action: Action, version: int, progress: int | None, now: datetime) -> _Changes:
    """The columns `action` changes on a task in `state` at `version` (the lifecycle says the new state)."""
    changes: _Changes = {"state": lifecycle.current().destination(state, action.trigger), "updated_at": now,
                         "version": version + 1}
    effects = action.effects
    if effects.progress is not None:
        changes["progress"] = effects.progress
    elif progress is not None:
        changes["progress"] = progress
    if effects.submitted:
        changes["submitted_at"] = now
    if effects.completed is not None:
        changes["completed_at"] = now if effects.completed else None
    return changes


def _write(connection: Connection, task_id: int, read_version: int, changes: _Changes,
           event: dict[str, object], subject: Subject | None = None, cancel: bool = False) -> int:
    """The guarded UPDATE of `changes`, the audit event, with `cancel` stale reminders; the event's id.

    Optimistic locking: the UPDATE only matches the version we read. It is
    written on every action, even one that changes no other column, so a
    concurrent change is always detected (StaleDataError) and no update is
    ever lost. PostgreSQL: one statement (`workflow.one_statement`); SQLite,
    no wire to save: one after the other in the caller's transaction.
    """
    columns = tuple(name for name in _WRITTEN if name in changes)
    params = {"subject_id": task_id, "read_version": read_version, **changes}
    if connection.dialect.name == "postgresql":
        on = subject or TASK
        found = write_in_one(connection, on.table, on.events, on.event_key, columns, params, event, cancel)
        if found is None:
            raise StaleDataError(f"{on.table.name} {task_id} changed since version {read_version}")
        return found
    table, events = (_TASKS, _INSERT_EVENT) if subject is None else (subject.table, _insert_event(subject))
    written = connection.execute(_update_task(columns, table), params)
    if written.rowcount != 1:
        raise StaleDataError(f"{table.name} {task_id} changed since version {read_version}")
    # The new id as the driver reports it (SQLite's lastrowid; PostgreSQL adds RETURNING by itself):
    # an explicit RETURNING costs SQLite a result set to read.
    inserted = connection.execute(events, event).inserted_primary_key
    assert inserted is not None, "a single-row INSERT reports the row's key"
    event_id: int = inserted[0]
    if cancel:
        cancel_stale_of_task(connection, changes["updated_at"], task_id)
    return event_id


_WRITTEN = ("state", "progress", "updated_at", "version", "submitted_at", "completed_at")
_EVENT_COLUMNS = ("task_id", "actor_id", "trigger", "from_state", "to_state", "progress", "note", "evidence", "at")

_TASKS, _EVENTS = Task.__table__, Event.__table__


@cache
def _update_task(columns: tuple[str, ...], table: Table = _TASKS) -> Update:
    # One statement per set of changed columns (a handful: the action decides), built once each.
    # Writing only what changed spares the unchanged values' conversions, and reading them.
    return (
        update(table)
        .where(table.c.id == bindparam("subject_id"), table.c.version == bindparam("read_version"))
        .values({name: bindparam(name, type_=table.c[name].type) for name in columns})
    )


_INSERT_EVENT = insert(_EVENTS).values(
    {name: bindparam(name, type_=_EVENTS.c[name].type) for name in _EVENT_COLUMNS}
)


@cache
def _insert_event(subject: Subject) -> Insert:
    """A subject's audit row, as `_INSERT_EVENT` is the task's."""
    names = (subject.event_key, *_EVENT_COLUMNS[1:])
    return insert(subject.events).values({name: bindparam(name, type_=subject.events.c[name].type) for name in names})


def _has_open_parts(connection: Connection, task_id: int) -> bool:
    """A part of the task its commune has not completed (read by `apply` only for a submission)."""
    from dtrack.persistence.part_models import TaskPart  # mapped on first use, as the reminders are

    parts = TaskPart.__table__
    return bool(connection.scalar(select(exists().where(parts.c.task_id == task_id,
                                                        parts.c.state != State.COMPLETED.value))))


def _task_four_eyes(connection: Connection, party: _Party, action: Action) -> None:
    check_four_eyes(connection, action.trigger, party.task_id, party.key, party.actor_id, party.actor_email)


TASK = Subject(_TASKS, _EVENTS, "task_id", _refusal, _task_four_eyes)


class Tracker:
    """The workflow engine as the CLI, the web and the scheduler use it."""

    def __init__(self, db: Database, clock: Clock | None = None, hooks: tuple[Hook, ...] = ()) -> None:
        self.db = db
        self.clock = clock or Clock()
        self.hooks = hooks

    def fire(
        self,
        task: int | str,
        trigger: str,
        actor_email: str,
        *,
        note: str | None = None,
        evidence: str | None = None,
        progress: int | str | None = None,
        expected_version: int | str | None = None,
        submit_default: str | None = None,
    ) -> Outcome:
        """Apply one action in its own transaction and return what happened.

        `task` is its id (as the web and the API have it) or its key; `trigger`
        the action's trigger or command name (`send_back`, `send-back`).
        `expected_version` is the task version the user saw (a web form
        carries it): if the task changed since, nothing is done and
        `ConcurrentUpdate` names who changed it and when. `submit_default`: what a
        submission carries when its directive says nothing (`workflow.submission`).
        """
        action = lifecycle.current().action(trigger)
        checked_progress = parse_progress(progress)
        party = None
        try:
            with self._unit() as connection:
                party, ref_note = _read(connection, task, actor_email)
                # Who may not read the task learns nothing about it, not even who changed it last.
                if party.actor_disabled:
                    raise PermissionDenied(party.actor_email, action.trigger, party.key, because("account_disabled"))
                if not may_read(party.actor_role, False, party.actor_province_id, party.province_id):
                    raise unseen_task(str(task))  # the answer for a missing task: ids of others are not revealed
                if _version_differs(party.version, expected_version):
                    raise conflict(connection, party.task_id, party.key, self.clock.tz)
                outcome, _ = _act(connection, party, action, self.clock.now(), note, evidence, checked_progress,
                                  submit_default)
                for hook in self.hooks:
                    hook(connection, outcome)
        except StaleDataError:
            assert party is not None, "raised by _write, after the task was read"
            with self.db.transaction() as connection:  # the failed transaction is gone: read who won in a new one
                raise conflict(connection, party.task_id, party.key, self.clock.tz) from None
        return replace(outcome, note=ref_note) if ref_note else outcome

    def _unit(self) -> AbstractContextManager[Connection]:
        """Where `fire` works: on PostgreSQL without hooks, a connection in autocommit mode.

        The read is one statement, the writes another (`_write`), each atomic:
        two round trips, no BEGIN or COMMIT. The UPDATE's version check refuses
        any change since the read (which READ COMMITTED would not prevent
        either). Hooks may roll the write back: then, and on SQLite, a transaction.
        """
        if self.hooks or self.db.is_sqlite:
            return self.db.transaction()
        return self.db.statement_connection()


def _read(connection: Connection, task: int | str, actor_email: str) -> tuple[_Party, str | None]:
    """The task and its actor, and a note if the key named the province by an old name.

    One statement when both exist and the key carries today's slug; else the
    lookups that say which is missing (the user first) or map the old name.
    """
    row = read_for_transition(connection, task, actor_email)
    ref_note = None
    if row is None:
        with Session(bind=connection) as session:
            find_user(session, actor_email)
            found, ref_note = find_task(session, str(task))
            found_id = found.id
        row = read_for_transition(connection, found_id, actor_email)
        if row is None:
            raise UnknownTask(str(task).strip())
    party = _Party(row.id, task_key(row.code, row.ordinal, row.slug, row.period), row.state, row.progress, row.version,
                   row.province_id, row.slug, row.owner, row.actor_id, actor_email.strip().lower(), row.actor_role,
                   row.actor_province_id, bool(row.actor_disabled), bool(row.has_pending_reminders),
                   bool(row.has_open_parts), bool(row.progress_from_parts))
    return party, ref_note


def _version_differs(version: int, expected: int | str | None) -> bool:
    """The form's (or caller's) version names another state of the task than the row's."""
    return expected is not None and str(version) != str(expected).strip()


__all__ = ["MAX_NOTE", "TASK", "Hook", "Outcome", "Subject", "Tracker", "apply", "check_text", "conflict", "owns",
           "owns_group", "parse_progress"]
