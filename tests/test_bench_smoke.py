"""The benchmark's data generator at a tiny size: the shape and a season that follows its dates, never timings."""
from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path

from sqlalchemy import func, select

from bench.generate import AS_OF, DIRECTIVE_20_ON, generate, largest_province, unit_region
from bench.rollup import full_pass
from dtrack.persistence.database import Database
from dtrack.persistence.models import Directive, Event, Province, Task, TaskGroup, User
from dtrack.workflow.lifecycle import DEFAULT
from dtrack.workflow.vocabulary import DeadlineTrigger, Region, Role, State


def test_generator_builds_a_season_whose_states_follow_the_dates(empty_url):
    stats = generate(empty_url, directives=3, units=40, groups=10)

    db = Database(empty_url)
    with db.session() as s:
        assert stats.tasks == s.scalar(select(func.count()).select_from(Task)) > 340
        assert stats.size_bytes > 0
        assert s.scalar(select(func.count()).select_from(Directive)) == 3
        assert s.scalar(select(func.count()).select_from(TaskGroup)) == 30
        units = s.execute(select(Province.region, func.count()).where(Province.kind == "xa").group_by(Province.region))
        assert dict(units.all()) == {"north": 18, "central": 13, "south": 9}
        provinces = select(func.count()).select_from(Province).where(Province.kind.not_in(("xa", "department")))
        assert s.scalar(provinces) == 34  # and the Department's own unit
        # One officer per unit: the digests' recipients.
        assert s.scalar(select(func.count()).select_from(User).where(User.role == Role.PROVINCE.value)) == 74
        generated = list(s.scalars(select(Task)))  # `dtrack init`'s tasks too: they hold the same invariants
        events = defaultdict(list)
        for e in s.scalars(select(Event).order_by(Event.id)):
            events[e.task_id].append(e)
        assert stats.events == sum(len(v) for v in events.values())
        for t in generated:
            assert t.due_on >= t.original_due_on >= t.assigned_on
            assert (t.completed_at is not None) == (t.state == State.COMPLETED)
            assert (t.submitted_at is not None) == (t.state in (State.SUBMITTED, State.COMPLETED, State.RETURNED))
            history = events[t.id]
            # The history is a walk through the lifecycle from not_started to the task's state, by AS_OF.
            state = State.NOT_STARTED.value
            for e in history:
                assert e.from_state == state
                assert e.at.date() <= AS_OF
                if e.trigger != DeadlineTrigger.CHECKPOINT.value:
                    assert e.trigger in DEFAULT.triggers_from(e.from_state)
                state = e.to_state
            assert state == t.state
        # A realistic history depth: a task that went the whole way has 5-10 events on average.
        done = [len(events[t.id]) for t in generated if t.state == State.COMPLETED]
        assert 5 <= sum(done) / len(done) <= 10
        # States follow the dates: old directives' tasks are mostly done, the newest ones mostly open.
        issued = dict(s.execute(select(TaskGroup.id, Directive.issued_on).join(Directive)).all())
        by_age = defaultdict(Counter)
        for t in generated:
            by_age[issued[t.group_id] or DIRECTIVE_20_ON][t.state == State.COMPLETED] += 1
        oldest, newest = min(by_age), max(by_age)
        share = {d: c[True] / sum(c.values()) for d, c in by_age.items()}
        assert share[oldest] > 0.5 > 0.2 > share[newest]
        overdue = sum(1 for t in generated if t.state != State.COMPLETED and t.due_on < AS_OF)
        assert 0.02 < overdue / len(generated) < 0.25
        assert any(t.due_on > t.original_due_on for t in generated)  # some deadlines were extended
        # The largest province is chosen by its tasks, deterministically.
        pid, slug, count = largest_province(s)
        assert s.get(Province, pid).kind != "xa" and s.get(Province, pid).slug == slug
        counts = dict(s.execute(select(Task.province_id, func.count()).join(Province)
                                .where(Province.kind != "xa").group_by(Task.province_id)).all())
        assert count == max(counts.values())
    db.dispose()

    rolled = full_pass(empty_url)
    assert rolled["tasks"] == stats.tasks


def test_units_are_spread_over_the_regions_like_the_provinces():
    regions = Counter(unit_region(i, 3321) for i in range(3321))
    assert sum(regions.values()) == 3321
    # 15/11/8 of 34, to within one unit.
    for region, share in ((Region.NORTH, 15), (Region.CENTRAL, 11), (Region.SOUTH, 8)):
        assert abs(regions[region.value] - 3321 * share / 34) <= 1


_SEASON_OF = """
import sys
from bench.generate import generate
stats = generate(sys.argv[1], directives=3, units=40, groups=10)
print(stats.tasks, stats.events, sorted(stats.states.items()))
"""


def test_the_season_is_the_same_whatever_the_hash_seed(tmp_path):
    # The season is simulated in Python, so one back-end tells: two runs, one season, whatever order a
    # set of strings comes out in (the figures of different runs must be comparable).
    root = Path(__file__).resolve().parents[1]
    seasons = []
    for seed in ("1", "2"):
        done = subprocess.run([sys.executable, "-c", _SEASON_OF, f"sqlite:///{tmp_path}/season-{seed}.db"],
                              capture_output=True, text=True, cwd=root, timeout=120,
                              env={**os.environ, "PYTHONHASHSEED": seed})
        assert done.returncode == 0, done.stderr[-2000:]
        seasons.append(done.stdout)
    assert seasons[0] == seasons[1] and seasons[0].strip()
