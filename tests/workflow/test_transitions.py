"""The full permission/transition table, checked against a hand-written expectation."""
from __future__ import annotations

from functools import partial

import pytest
from sqlalchemy import func, select, update

from dtrack.errors import InvalidInput, PermissionDenied, TransitionNotAllowed, UnknownTask
from dtrack.persistence.models import Event, Province, Task, TaskGroup
from dtrack.workflow.vocabulary import State, Trigger

# Written out by hand, not derived from workflow.lifecycle, so a change to the
# lifecycle must be a deliberate change here too.
EXPECTED: dict[tuple[State, Trigger], State] = {
    (State.NOT_STARTED, Trigger.START): State.IN_PROGRESS,
    (State.NOT_STARTED, Trigger.BLOCK): State.BLOCKED,
    (State.IN_PROGRESS, Trigger.UPDATE): State.IN_PROGRESS,
    (State.IN_PROGRESS, Trigger.SUBMIT): State.SUBMITTED,
    (State.IN_PROGRESS, Trigger.BLOCK): State.BLOCKED,
    (State.SUBMITTED, Trigger.SEND_BACK): State.RETURNED,
    (State.SUBMITTED, Trigger.ACCEPT): State.COMPLETED,
    (State.RETURNED, Trigger.UPDATE): State.RETURNED,
    (State.RETURNED, Trigger.SUBMIT): State.SUBMITTED,
    (State.RETURNED, Trigger.BLOCK): State.BLOCKED,
    (State.BLOCKED, Trigger.UNBLOCK): State.IN_PROGRESS,
    (State.COMPLETED, Trigger.REOPEN): State.IN_PROGRESS,
}
PROVINCE_SIDE = {Trigger.START, Trigger.UPDATE, Trigger.SUBMIT, Trigger.BLOCK, Trigger.UNBLOCK}
ACTORS = ("own_province", "other_province", "overseer", "admin")


def may(actor: str, trigger: Trigger) -> bool:
    if actor == "admin":
        return True
    if trigger in PROVINCE_SIDE:
        return actor == "own_province"
    return actor == "overseer"


def snapshot(db, task_id: int):
    with db.session() as s:
        task = s.get(Task, task_id)
        events = s.scalar(select(func.count()).select_from(Event).where(Event.task_id == task_id))
        return task.state, task.progress, task.version, events


@pytest.mark.parametrize("state", list(State))
def test_every_trigger_and_role_in_state(world, state):
    db = world.db
    with db.session() as s:
        provinces = list(s.scalars(select(Province).order_by(Province.ordinal)))
        tasks = list(s.execute(
            select(Task.id, Task.province_id).join(TaskGroup).where(TaskGroup.owner == "province").order_by(Task.id)
        ))
        s.execute(update(Task).where(Task.id.in_([t.id for t in tasks])).values(state=state.value))
    by_id = {p.id: p.slug for p in provinces}
    overseer = world.user("overseer", None)
    admin = world.user("admin", None)
    users: dict[str, str] = {}
    cases = [(t, a) for t in Trigger for a in ACTORS]
    for (trigger, actor), (task_id, province_id) in zip(cases, tasks, strict=False):  # one task per case, more exist
        slug = by_id[province_id]
        other = next(p for p in by_id.values() if p != slug)
        email = {
            "own_province": users.get(slug) or users.setdefault(slug, world.user("province", slug)),
            "other_province": users.get(other) or users.setdefault(other, world.user("province", other)),
            "overseer": overseer,
            "admin": admin,
        }[actor]
        before = snapshot(db, task_id)
        call = partial(world.fire, str(task_id), trigger.value, email, note="lý do", progress=None)
        expected = EXPECTED.get((state, trigger))
        if actor == "other_province":  # another province's task is unknown to them, as a missing one
            with pytest.raises(UnknownTask):
                call()
        elif not may(actor, trigger):
            with pytest.raises(PermissionDenied):
                call()
        elif expected is None:
            with pytest.raises(TransitionNotAllowed) as info:
                call()
            assert info.value.state == state
            assert set(info.value.allowed) == {
                t.value.replace("_", "-") for (s, t) in EXPECTED if s == state and may(actor, t)
            }
        else:
            outcome = call()
            assert (outcome.from_state, outcome.to_state) == (state, expected)
            after = snapshot(db, task_id)
            assert after[0] == expected
            assert after[2] == before[2] + 1, "the version moves on every change"
            assert after[3] == before[3] + 1, "exactly one audit event"
            continue
        assert snapshot(db, task_id) == before, f"{actor} {trigger} in {state} changed the task"


def test_department_group_is_the_overseers_to_carry_out(world):
    overseer = world.user("overseer", None)
    officer = world.user("province", "ha-noi")
    with pytest.raises(UnknownTask):  # province officers do not see the Department's own task at all
        world.fire("20/CT-BCT:10:cuc", "start", officer)
    assert world.fire("20/CT-BCT:10:cuc", "start", overseer).to_state == State.IN_PROGRESS


@pytest.mark.parametrize("trigger", ["block", "send_back", "reopen"])
def test_note_is_required_where_a_reason_matters(world, trigger):
    officer = world.user("province", "ha-noi")
    overseer = world.user("overseer", None)
    key = "20/CT-BCT:3:ha-noi"
    if trigger != "block":
        world.fire(key, "start", officer)
        world.fire(key, "submit", officer)
    if trigger == "reopen":
        world.fire(key, "accept", overseer)
    actor = officer if trigger == "block" else overseer
    before = snapshot(world.db, _id(world, key))
    with pytest.raises(InvalidInput, match="needs_note"):
        world.fire(key, trigger, actor, note="   ")
    assert snapshot(world.db, _id(world, key)) == before


def _id(world, key: str) -> int:
    from dtrack.workflow.tasks import find_task

    with world.db.session() as s:
        return find_task(s, key)[0].id
