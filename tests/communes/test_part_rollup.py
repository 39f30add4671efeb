"""The roll-up's arithmetic: any mix of part states, deadlines and progress gives the right counts, in SQL too.

The counts are checked against a plain reading of the rule (a part is
overdue when its commune still owes it after its deadline; submitted is the
province's turn), on the pure function and on the grouped query of both
back-ends; the average is rounded half up.
"""
from __future__ import annotations

from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, insert, select

from dtrack.persistence.models import Commune, Task
from dtrack.persistence.part_models import TaskPart
from dtrack.workflow.part_rollup import Rollup, average, counts, rollups
from dtrack.workflow.vocabulary import State

TODAY = date(2026, 3, 10)
STATES = [s.value for s in State]
PARTS = st.lists(st.tuples(st.sampled_from(STATES), st.integers(-5, 5), st.integers(0, 100)), max_size=30)


def expected(parts: list[tuple[str, int, int]]) -> Rollup:
    owed = {"not_started", "in_progress", "returned", "blocked"}
    total = len(parts)
    exact = sum(p for _, _, p in parts) / total if total else 0
    return Rollup(total=total,
                  completed=len([1 for s, _, _ in parts if s == "completed"]),
                  overdue=len([1 for s, d, _ in parts if s in owed and d < 0]),
                  blocked=len([1 for s, _, _ in parts if s == "blocked"]),
                  submitted=len([1 for s, _, _ in parts if s == "submitted"]),
                  progress=int(exact) + (1 if exact - int(exact) >= 0.5 else 0))


@given(PARTS)
def test_counts_match_the_rule_for_any_mix(parts):
    got = counts([(s, TODAY + timedelta(days=d), p) for s, d, p in parts], TODAY)
    assert got == expected(parts)
    assert got.open == got.total - got.completed


@given(st.lists(st.integers(0, 100), min_size=1, max_size=50))
def test_the_average_is_rounded_half_up_and_stays_a_percentage(values):
    got = average(values)
    assert 0 <= got <= 100
    assert abs(got - sum(values) / len(values)) <= 0.5
    if (2 * sum(values)) % (2 * len(values)) == len(values):  # exactly half way
        assert got > sum(values) / len(values)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(parts=PARTS)
def test_the_grouped_query_counts_as_the_rule_does(db, parts):
    with db.session() as session:
        task = session.scalar(select(Task).join(Task.province).where(Task.province.has(slug="ha-noi")).limit(1))
        communes = session.scalars(select(Commune.id).where(Commune.province_id == task.province_id)
                                   .order_by(Commune.code).limit(len(parts))).all()
        session.execute(delete(TaskPart))
        now = task.updated_at
        if parts:
            session.execute(insert(TaskPart), [
                {"task_id": task.id, "commune_id": commune, "instruction": "x", "due_on": TODAY + timedelta(days=d),
                 "state": s, "progress": p, "version": 1, "created_at": now, "updated_at": now}
                for commune, (s, d, p) in zip(communes, parts, strict=True)])
        found = rollups(session, [task.id], TODAY)
        session.execute(delete(TaskPart))
    assert found.get(task.id, Rollup()) == expected(parts)
