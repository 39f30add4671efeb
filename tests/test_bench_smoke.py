"""The benchmark's data generator at a tiny size: the shape and a season that follows its dates, never timings.

The commune-scale season (bench/season_parts.py) is held to the same: parts
of the provinces' tasks, delegated as `workflow.parts.delegate` would, whose
states follow their dates.
"""
from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter, defaultdict
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import func, select

from bench.generate import AS_OF, DIRECTIVE_20_ON, generate, largest_province, unit_region
from bench.rollup import full_pass
from bench.season_parts import ALL_TASKS, COORDINATION_GROUPS
from dtrack.persistence.commune_models import Commune
from dtrack.persistence.database import Database
from dtrack.persistence.models import Directive, Event, Province, Task, TaskGroup, User
from dtrack.persistence.part_models import PartEvent, TaskPart
from dtrack.reading.part_counts import part_counts
from dtrack.workflow.deadlines import STATUTORY
from dtrack.workflow.lifecycle import DEFAULT
from dtrack.workflow.vocabulary import (
    OWED_BY_PROVINCE,
    DeadlineTrigger,
    Owner,
    PartTrigger,
    Region,
    Role,
    State,
    Trigger,
)


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


DELEGATE_TO = 8  # each province but Hà Nội delegates to its first 8 communes here
BY_PROVINCE = {Trigger.ACCEPT.value, Trigger.SEND_BACK.value}  # the province judges its communes' parts


def test_the_provinces_delegate_parts_to_their_communes_whose_states_follow_the_dates(empty_url):
    stats = generate(empty_url, directives=3, units=40, groups=10, delegate_to=DELEGATE_TO)

    db = Database(empty_url)
    with db.session() as s:
        # The official communes are loaded, as `dtrack init` loads them, each with its officer.
        assert s.scalar(select(func.count()).select_from(Commune)) == 3321
        officers = {u.id: u for u in s.scalars(select(User).where(User.role.in_((Role.COMMUNE, Role.PROVINCE))))}
        assert sum(1 for u in officers.values() if u.role == Role.COMMUNE) == 3321
        communes = {c.id: c for c in s.scalars(select(Commune))}
        parts = list(s.scalars(select(TaskPart).order_by(TaskPart.id)))
        assert stats.parts == len(parts) > 2000
        history = defaultdict(list)
        for e in s.scalars(select(PartEvent).order_by(PartEvent.id)):
            history[e.part_id].append(e)
        assert stats.part_events == sum(len(v) for v in history.values())
        tasks = {t.id: t for t in s.scalars(select(Task).join(Province).join(TaskGroup).where(
            Province.kind.not_in(("xa", "department")), TaskGroup.owner == Owner.PROVINCE))}
        by_task = defaultdict(list)
        for part in parts:
            by_task[part.task_id].append(part)
        assert set(by_task) <= set(tasks)  # the 34 provinces' own tasks: no commune unit's, no Department's
        assert stats.delegated_tasks == len(by_task)
        # Hà Nội: every task it carries out, to all its 126 communes; the others groups 5 and 7 at least.
        hanoi = [t for t in tasks.values() if t.province.slug == ALL_TASKS]
        assert hanoi and all(len(by_task[t.id]) == 126 for t in hanoi)
        coordination = [t for t in tasks.values() if t.province.slug != ALL_TASKS
                        and t.group.ordinal in COORDINATION_GROUPS and t.assigned_on < AS_OF - timedelta(days=30)]
        assert coordination and all(len(by_task[t.id]) == DELEGATE_TO for t in coordination)
        assert len(by_task) < len(tasks)  # the others keep some tasks to themselves
        for task_id, its_parts in by_task.items():
            task = tasks[task_id]
            assert len({p.due_on for p in its_parts}) == 1  # one delegation, one deadline
            for part in its_parts:
                commune = communes[part.commune_id]
                assert commune.province_id == task.province_id
                assert part.created_at.date() <= part.due_on <= task.due_on
                assert STATUTORY.is_working_day(part.due_on) and STATUTORY.is_working_day(part.created_at.date())
                assert (part.completed_at is not None) == (part.state == State.COMPLETED)
                assert (part.submitted_at is not None) == (part.state in (State.SUBMITTED, State.COMPLETED,
                                                                          State.RETURNED))
                # The history: delegated by the province officer, then a walk through the lifecycle to the
                # part's state by AS_OF, the commune's officer acting and the province's judging.
                first, *lived = history[part.id]
                assert first.trigger == PartTrigger.DELEGATE and first.to_state == State.NOT_STARTED
                assert officers[first.actor_id].province_id == task.province_id == part.task.province_id
                assert part.delegated_by == first.actor_id and first.at == part.created_at
                state, last = State.NOT_STARTED.value, first.at
                for e in lived:
                    assert e.from_state == state and e.trigger in DEFAULT.triggers_from(e.from_state)
                    assert last <= e.at and e.at.date() <= AS_OF
                    actor = officers[e.actor_id]
                    if e.trigger in BY_PROVINCE:
                        assert actor.role == Role.PROVINCE and actor.province_id == task.province_id
                    else:
                        assert actor.role == Role.COMMUNE and actor.commune_id == part.commune_id
                    state, last = e.to_state, e.at
                assert state == part.state and part.version == len(lived) + 1 and part.updated_at == last
        # States follow the dates: some parts done, some sent back, some late, most recent ones open.
        states = Counter(p.state for p in parts)
        assert states == Counter(stats.part_states)
        assert states[State.COMPLETED] and states[State.RETURNED] + states[State.SUBMITTED] and states[State.BLOCKED]
        late = sum(1 for p in parts if p.state in OWED_BY_PROVINCE and p.due_on < AS_OF)
        assert 0.01 < late / len(parts) < 0.3
        old = [p for p in parts if p.due_on < date(2024, 1, 1)]
        assert sum(p.state == State.COMPLETED for p in old) / len(old) > 0.6
        # The one count every overseer view reads agrees.
        counted = part_counts(s, AS_OF)
        assert sum(c.total for c in counted.values()) == len(parts)
        assert sum(c.overdue for c in counted.values()) == late
        assert len(counted) == 34
    db.dispose()


def test_units_are_spread_over_the_regions_like_the_provinces():
    regions = Counter(unit_region(i, 3321) for i in range(3321))
    assert sum(regions.values()) == 3321
    # 15/11/8 of 34, to within one unit.
    for region, share in ((Region.NORTH, 15), (Region.CENTRAL, 11), (Region.SOUTH, 8)):
        assert abs(regions[region.value] - 3321 * share / 34) <= 1


_SEASON_OF = """
import sys
from bench.generate import generate
stats = generate(sys.argv[1], directives=3, units=40, groups=10, delegate_to=8)
print(stats.tasks, stats.events, sorted(stats.states.items()))
print(stats.parts, stats.part_events, stats.delegated_tasks, sorted(stats.part_states.items()))
"""


def test_the_season_is_the_same_whatever_the_hash_seed(tmp_path):
    # The season is simulated in Python, so one back-end tells: two runs, one season (its tasks and its
    # communes' parts), whatever order a set of strings comes out in (the figures of runs must be comparable).
    root = Path(__file__).resolve().parents[1]
    seasons = []
    for seed in ("1", "2"):
        done = subprocess.run([sys.executable, "-c", _SEASON_OF, f"sqlite:///{tmp_path}/season-{seed}.db"],
                              capture_output=True, text=True, cwd=root, timeout=120,
                              env={**os.environ, "PYTHONHASHSEED": seed})
        assert done.returncode == 0, done.stderr[-2000:]
        seasons.append(done.stdout)
    assert seasons[0] == seasons[1] and seasons[0].strip()
