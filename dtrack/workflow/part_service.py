"""Applying an action to a commune's part of a task: the task's write path, on the part's subject.

A part runs the lifecycle's actions (`workflow.actions`) through the same
`service._act` as a task: the same checks in the same order, the same
guarded UPDATE with the version read, the same audit row (in
`part_events`), one transaction. What differs is said by `PART`, the
part's `Subject`, and by the rights computed here: the part's owner is the
officer of its commune, its judge (accept, send back, reopen) the province
officer of the task's province; an admin may do both. The task's progress
follows in the same transaction when it follows its parts.
"""
from __future__ import annotations

from sqlalchemy import Connection, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from dtrack.config.clock import Clock
from dtrack.errors import PermissionDenied, Reason, because
from dtrack.persistence.database import Database
from dtrack.persistence.part_models import PartEvent, TaskPart
from dtrack.workflow import lifecycle
from dtrack.workflow.actions import Action, Who
from dtrack.workflow.conflicts import conflict
from dtrack.workflow.inputs import parse_progress
from dtrack.workflow.part_rollup import follow_parts
from dtrack.workflow.parts import UnknownPart, find_part, may_read_part, part_key
from dtrack.workflow.service import Outcome, Subject, _act, _Party, _version_differs
from dtrack.workflow.users import find_user
from dtrack.workflow.vocabulary import Role, Trigger

_PARTS, _PART_EVENTS = TaskPart.__table__, PartEvent.__table__


def _refusal(connection: Connection, party: _Party, action: Action) -> Reason:
    """Why the actor may not fire `action` on the part."""
    if action.by == Who.OVERSEER:
        return because("province_judges_parts", province=party.province_slug)
    return because("commune_parts_own_commune")


def _four_eyes(connection: Connection, party: _Party, action: Action) -> None:
    """Whoever submitted the part may not judge it (an admin who did both)."""
    submitter = connection.scalar(select(_PART_EVENTS.c.actor_id).where(
        _PART_EVENTS.c.part_id == party.task_id, _PART_EVENTS.c.trigger == Trigger.SUBMIT.value)
        .order_by(_PART_EVENTS.c.id.desc()).limit(1))
    if submitter is not None and submitter == party.actor_id:
        raise PermissionDenied(party.actor_email, action.trigger, party.key, because("four_eyes"))


PART = Subject(_PARTS, _PART_EVENTS, "part_id", _refusal, _four_eyes)


class PartTracker:
    """The engine for parts, as the CLI and the web use it (`service.Tracker` is the tasks')."""

    def __init__(self, db: Database, clock: Clock | None = None) -> None:
        self.db = db
        self.clock = clock or Clock()

    def fire(self, part: int | str, trigger: str, actor_email: str, *, note: str | None = None,
             evidence: str | None = None, progress: int | str | None = None,
             expected_version: int | str | None = None) -> Outcome:
        """Apply one action to the part named by `part` (its id or TASKKEY/COMMUNE) in its own transaction."""
        action = lifecycle.current().action(trigger)
        checked_progress = parse_progress(progress)
        party = None
        try:
            with self.db.transaction() as connection:
                party, task_id = _read(connection, str(part), actor_email, action)
                if _version_differs(party.version, expected_version):
                    raise conflict(connection, party.task_id, party.key, self.clock.tz, _PART_EVENTS, "part_id")
                outcome, _ = _act(connection, party, action, self.clock.now(), note, evidence, checked_progress)
                follow_parts(connection, task_id)
        except StaleDataError:
            assert party is not None, "raised by the write, after the part was read"
            with self.db.transaction() as connection:
                raise conflict(connection, party.task_id, party.key, self.clock.tz, _PART_EVENTS,
                               "part_id") from None
        return outcome


def _read(connection: Connection, ref: str, actor_email: str, action: Action) -> tuple[_Party, int]:
    """The part and its actor as the write path's plain values, and the part's task id."""
    with Session(bind=connection) as session:
        actor = find_user(session, actor_email)
        found: TaskPart = find_part(session, ref)
        if actor.disabled_at is not None:
            raise PermissionDenied(actor.email, action.trigger, ref.strip(), because("account_disabled"))
        if not may_read_part(actor, found):  # another commune's part is missing to them, as a task is
            raise UnknownPart(ref.strip())
        task = found.task
        owns = actor.role == Role.COMMUNE and actor.commune_id == found.commune_id
        judges = actor.role == Role.PROVINCE and actor.province_id == task.province_id
        party = _Party(found.id, part_key(task.key, found.commune.code), found.state, found.progress, found.version,
                       task.province_id, task.province.slug, task.group.owner, actor.id, actor.email, actor.role,
                       actor.province_id, False, False, subject=PART, rights=(owns, judges))
        return party, task.id


__all__ = ["PART", "PartTracker"]
