"""The benchmark's data generator at a tiny size: the counts and the spread, never timings."""
from __future__ import annotations

from collections import Counter

from sqlalchemy import func, select

from bench.generate import generate, unit_region
from bench.rollup import full_pass
from dtrack.workflow.database import Database
from dtrack.workflow.lifecycle import machine
from dtrack.workflow.models import Directive, Event, Province, Task, TaskGroup
from dtrack.workflow.vocabulary import Region, State


def test_generator_fills_the_shape_with_a_realistic_spread(empty_url):
    stats = generate(empty_url, directives=3, units=40, groups=10)

    assert stats.tasks == 3 * 40 * 10 + 9 * 34 + 1  # Directive 20: group 10 is one Department task
    assert stats.size_bytes > 0
    db = Database(empty_url)
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Directive)) == 3
        assert s.scalar(select(func.count()).select_from(TaskGroup)) == 30
        units = s.execute(select(Province.region, func.count()).where(Province.kind == "xa").group_by(Province.region))
        assert dict(units.all()) == {"north": 18, "central": 13, "south": 9}
        assert s.scalar(select(func.count()).select_from(Province).where(Province.kind.not_in(("xa", "department")))) == 34
        synthetic = select(Task).join(Task.province).where(Province.kind == "xa")
        tasks = list(s.scalars(synthetic))
        states = Counter(t.state for t in tasks)
        # Every state occurs, none dominates: 1,200 draws from the weights.
        assert set(states) == {st.value for st in State}
        assert max(states.values()) < 0.5 * len(tasks)
        for t in tasks:
            assert t.due_on >= t.original_due_on >= t.assigned_on
            assert (t.completed_at is not None) == (t.state == State.COMPLETED)
            if t.state in (State.SUBMITTED, State.COMPLETED, State.RETURNED):
                assert t.submitted_at is not None
        assert any(t.due_on > t.original_due_on for t in tasks)  # some deadlines were extended
        # One audit event per task that has moved, consistent with the lifecycle.
        events = list(s.scalars(select(Event)))
        assert stats.events == len(events) == sum(1 for t in tasks if t.state != State.NOT_STARTED)
        by_task = {t.id: t for t in tasks}
        for e in events:
            assert e.to_state == by_task[e.task_id].state
            assert machine().get_triggers(e.from_state).count(e.trigger) == 1
    db.dispose()

    rolled = full_pass(empty_url)
    assert rolled["tasks"] == stats.tasks
    # Directive 20's group 10 is one task of the Department's, in no province's cell.
    assert rolled["matrix_cells"] == stats.tasks - 1


def test_units_are_spread_over_the_regions_like_the_provinces():
    regions = Counter(unit_region(i, 3321) for i in range(3321))
    assert sum(regions.values()) == 3321
    # 15/11/8 of 34, to within one unit.
    for region, share in ((Region.NORTH, 15), (Region.CENTRAL, 11), (Region.SOUTH, 8)):
        assert abs(regions[region.value] - 3321 * share / 34) <= 1
