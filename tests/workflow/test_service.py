"""The engine: audit completeness, optimistic locking, rollback, notes."""
from __future__ import annotations

import threading
from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from dtrack.errors import ConcurrentUpdate, InvalidInput, UnknownTask, UnknownTrigger, UnknownUser
from dtrack.persistence.models import Event, Task
from dtrack.workflow.service import Tracker, parse_progress
from dtrack.workflow.tasks import find_task
from dtrack.workflow.vocabulary import State


def replay(events) -> str:
    """Rebuild a task's state from its audit trail alone."""
    state = State.NOT_STARTED.value
    for event in events:
        assert event.from_state == state, "each event starts where the previous one ended"
        state = event.to_state
    return state


def test_scripted_scenario_history_replays_to_current_state(world):
    hanoi = world.user("province", "ha-noi")
    cantho = world.user("province", "can-tho")
    overseer = world.user("overseer", None)
    script = [
        ("20/CT-BCT:1:ha-noi", "start", hanoi, {}),
        ("20/CT-BCT:1:ha-noi", "update", hanoi, {"progress": 40, "note": "đã có dự thảo"}),
        ("20/CT-BCT:1:ha-noi", "submit", hanoi, {"evidence": "QĐ 123/QĐ-UBND"}),
        ("20/CT-BCT:1:ha-noi", "send_back", overseer, {"note": "thiếu phụ lục"}),
        ("20/CT-BCT:1:ha-noi", "submit", hanoi, {"note": "đã bổ sung"}),
        ("20/CT-BCT:1:ha-noi", "accept", overseer, {}),
        ("20/CT-BCT:2:can-tho", "block", cantho, {"note": "chưa có kinh phí"}),
        ("20/CT-BCT:2:can-tho", "unblock", cantho, {}),
        ("20/CT-BCT:2:can-tho", "submit", cantho, {}),
        ("20/CT-BCT:1:ha-noi", "reopen", overseer, {"note": "cần cập nhật theo NĐ 235"}),
    ]
    for key, trigger, actor, extra in script:
        world.fire(key, trigger, actor, **extra)
    with world.db.session() as s:
        tasks = s.scalars(select(Task).where(Task.version > 1)).all()
        assert len(tasks) == 2
        for task in tasks:
            assert replay(task.events) == task.state
            assert task.events[-1].progress == task.progress
        total = s.scalar(select(func.count()).select_from(Event))
    assert total == len(script)
    hanoi_task = _task(world, "20/CT-BCT:1:ha-noi")
    assert (hanoi_task.state, hanoi_task.completed_at) == (State.IN_PROGRESS, None)


def _task(world, key):
    with world.db.session() as s:
        return find_task(s, key)[0]


def test_accept_completes_at_full_progress_and_keeps_evidence(world):
    officer = world.user("province", "hue")
    overseer = world.user("overseer", None)
    world.fire("20/CT-BCT:4:hue", "start", officer, progress="30%")
    world.fire("20/CT-BCT:4:hue", "submit", officer, evidence="Công văn 45/SCT-KC")
    world.fire("20/CT-BCT:4:hue", "accept", overseer)
    task = _task(world, "20/CT-BCT:4:hue")
    assert (task.state, task.progress) == (State.COMPLETED, 100)
    assert task.completed_at is not None and task.completed_at.tzinfo is not None
    with world.db.session() as s:
        evidence = s.scalar(select(Event.evidence).where(Event.trigger == "submit"))
    assert evidence == "Công văn 45/SCT-KC"


def test_old_province_name_in_a_key_resolves_with_a_note(world):
    officer = world.user("province", "an-giang")
    outcome = world.fire("20/CT-BCT:3:kien-giang", "start", officer)
    assert outcome.task_key == "20/CT-BCT:3:an-giang"
    assert "Kiên Giang" in outcome.note and "An Giang" in outcome.note


def test_a_failing_hook_rolls_the_whole_change_back(world):
    officer = world.user("province", "ha-noi")

    def explode(connection, outcome):
        raise RuntimeError("mail server exploded")

    with pytest.raises(RuntimeError):
        Tracker(world.db, world.clock, hooks=(explode,)).fire("20/CT-BCT:5:ha-noi", "start", officer)
    task = _task(world, "20/CT-BCT:5:ha-noi")
    assert (task.state, task.version) == (State.NOT_STARTED, 1)
    with world.db.session() as s:
        assert s.scalar(select(func.count()).select_from(Event)) == 0


@pytest.mark.parametrize("value", ["-1", "101", "abc", "4.5", ""])
def test_progress_outside_0_100_or_not_a_number_is_refused(value):
    with pytest.raises(InvalidInput) as refused:
        parse_progress(value)
    assert (refused.value.field, refused.value.error_code) == ("progress", "bad_progress")


@pytest.mark.parametrize(
    ("ref", "trigger", "actor", "error"),
    [
        ("20/CT-BCT:99:ha-noi", "start", "officer", UnknownTask),
        ("nonsense", "start", "officer", UnknownTask),
        ("20/CT-BCT:1:atlantis", "start", "officer", Exception),
        ("20/CT-BCT:1:ha-noi", "launch", "officer", UnknownTrigger),
        ("20/CT-BCT:1:ha-noi", "start", "ghost@nowhere.vn", UnknownUser),
    ],
)
def test_unknown_things_are_named_in_the_error(world, ref, trigger, actor, error):
    officer = world.user("province", "ha-noi")
    with pytest.raises(error) as info:
        world.fire(ref, trigger, officer if actor == "officer" else actor)
    assert info.value.hint if hasattr(info.value, "hint") else True


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(note=st.text(min_size=1, max_size=300).filter(lambda t: t.strip() and "\x00" not in t))
def test_any_note_is_stored_exactly_as_given_minus_outer_space(world, note):
    officer = world.user("province", "ha-noi")
    key = "20/CT-BCT:6:ha-noi"
    task = _task(world, key)
    if task.state == State.NOT_STARTED:
        world.fire(key, "start", officer)
    outcome = world.fire(key, "update", officer, note=note)
    with world.db.session() as s:
        assert s.get(Event, outcome.event_id).note == note.strip()


def test_concurrent_writers_never_lose_an_update(world):
    """Threads hammer the same tasks: every success is audited, every refusal is a conflict."""
    officer = world.user("province", "ha-noi")
    keys = [f"20/CT-BCT:{g}:ha-noi" for g in (1, 2, 3)]
    for key in keys:
        world.fire(key, "start", officer)
    outcomes: Counter = Counter()
    lock = threading.Lock()
    barrier = threading.Barrier(6)

    def worker(n: int) -> None:
        tracker = Tracker(world.db, world.clock)
        barrier.wait()
        for i in range(15):
            key = keys[(n + i) % len(keys)]
            try:
                tracker.fire(key, "update", officer, progress=(n * 7 + i) % 101, note=f"w{n}-{i}")
                result = "ok"
            except ConcurrentUpdate:
                result = "conflict"
            with lock:
                outcomes[result] += 1

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes["ok"] + outcomes["conflict"] == 6 * 15
    with world.db.session() as s:
        updates = s.scalar(select(func.count()).select_from(Event).where(Event.trigger == "update"))
        versions = sum(find_task(s, k)[0].version for k in keys)
    assert updates == outcomes["ok"]
    # Each task: version 1 at creation, +1 for start, +1 per successful update.
    assert versions == 3 * 2 + outcomes["ok"]
    # The last audited progress of each task is the task's progress: nothing overwritten unseen.
    with world.db.session() as s:
        for key in keys:
            task = find_task(s, key)[0]
            assert task.events[-1].progress == task.progress


@pytest.mark.parametrize("hooks", [(), (lambda connection, outcome: None,)], ids=["without-hooks", "with-hooks"])
def test_interleaved_writer_gets_a_conflict_and_nothing_is_lost(world, monkeypatch, hooks):
    """Read, someone else commits, then write: the second writer is refused with a clear error.

    With or without hooks: the one way a transition runs either way.
    """
    import dtrack.workflow.service as service

    officer = world.user("province", "ha-noi")
    key = "20/CT-BCT:7:ha-noi"
    world.fire(key, "start", officer)
    real_write = service._write
    interleaved = []

    def write_after_someone_else(*args, **kwargs):
        if not interleaved:  # between the late writer's read and its write
            interleaved.append(True)
            world.fire(key, "update", officer, progress=10, note="the other writer")
        return real_write(*args, **kwargs)

    monkeypatch.setattr(service, "_write", write_after_someone_else)
    with pytest.raises(ConcurrentUpdate) as refused:
        Tracker(world.db, world.clock, hooks=hooks).fire(key, "update", officer, progress=50, note="the late writer")
    assert refused.value.error_code == "concurrent_update_by" and refused.value.by  # changed by someone, named
    assert interleaved
    with world.db.session() as s:
        task = find_task(s, key)[0]
        assert task.progress == 10
        assert [e.note for e in task.events] == [None, "the other writer"]
