"""The overdue review of a past day on a live database reads only the tasks that can be listed, and lists them all.

`reading.overdue` narrows a past day's query to the tasks changed since, the owed ones past their deadline
and the submitted ones (issue 25: every task went through Python, 30-50 s at a million). The oracle: every
task assigned by the day, replayed from its whole trail and judged by `classify`.
"""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from dtrack.config.today import Today
from dtrack.persistence.models import Directive, Province, Task, TaskGroup, task_key
from dtrack.reading.overdue import overdue_review
from dtrack.workflow.history import assigned_by, countable, nothing_after, replay
from dtrack.workflow.timeliness import classify
from dtrack.workflow.vocabulary import OWED_BY_PROVINCE, DeadlineStatus


@pytest.fixture
def db_url(demo_url) -> str:
    return demo_url


def _oracle(session, today: Today) -> tuple[set[tuple[str, int]], set[str]]:
    rows = session.execute(select(Task.id, Task.due_on, Directive.code, TaskGroup.ordinal, Province.slug, Task.period)
                           .join(TaskGroup, Task.group_id == TaskGroup.id)
                           .join(Directive, TaskGroup.directive_id == Directive.id)
                           .join(Province, Task.province_id == Province.id)
                           .where(*assigned_by(today.day), *countable(today.day))).all()
    stood = replay(session, [r.id for r in rows], today.ends_at())
    overdue, waiting = set(), set()
    for r in rows:
        s = stood[r.id]
        if s.not_applicable:
            continue
        verdict = classify(s.state, r.due_on, today, submitted_at=s.submitted_at, completed_at=s.completed_at)
        key = task_key(r.code, r.ordinal, r.slug, r.period)
        if verdict.status == DeadlineStatus.OVERDUE and s.state in OWED_BY_PROVINCE:
            overdue.add((key, verdict.days))
        elif verdict.status == DeadlineStatus.AWAITING_REVIEW:
            waiting.add(key)
    return overdue, waiting


@pytest.mark.parametrize("day", [date(2025, 12, 20), date(2026, 3, 1), date(2026, 5, 15)])
def test_a_past_days_review_lists_what_the_full_replay_lists(db, day):
    today = Today(day)
    with db.session() as session:
        assert not nothing_after(session, today)  # events after the day: the past day's path
        review = overdue_review(session, today)
        overdue, waiting = _oracle(session, today)
    listed = {(t.key, t.days) for t in [*review.overdue, *review.department]}
    assert listed == overdue
    assert {t.key for t in review.awaiting_review} == waiting
    assert overdue and waiting  # the season has both on each of these days
