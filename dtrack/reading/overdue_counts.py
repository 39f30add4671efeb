"""The overdue review's counts and the choice of its first page, on the covering task indexes.

Split from `reading.overdue`, which assembles the review: these are the
queries its speed at 1M tasks rests on (issue 12). Every condition they ask
(state, deadline, province, group, assigned by the day, not marked not
applicable) is a column of `ix_tasks_state_due` or `ix_tasks_state_submitted`,
so counting reads an index and no task row; a test checks SQLite's plan. The
figures are remembered per PostgreSQL snapshot (`MEMO`, `persistence.snapshot_memo`):
recomputed after any commit, never stale.
"""
from __future__ import annotations

from collections import Counter
from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import ColumnElement, Select, func, select, union_all
from sqlalchemy.orm import Session

from dtrack.persistence.models import Directive, Province, Task, TaskGroup, task_key
from dtrack.persistence.snapshot_memo import SnapshotMemo
from dtrack.persistence.sql_types import AnySelect
from dtrack.workflow.applicability import in_province_figures
from dtrack.workflow.history import countable
from dtrack.workflow.vocabulary import OWED_BY_PROVINCE, State

if TYPE_CHECKING:  # the review's scope; only its task_filters() are used here
    from dtrack.reading.overdue import Scope

# The review's figures, remembered while the database shows the same data (PostgreSQL).
MEMO = SnapshotMemo()
_FEW = 200  # provinces named by id; more: the whole table is read
# The WHERE conditions of a kind of task (late, awaiting review), for a caller's query.
Conditions = tuple[ColumnElement[bool], ...]
# (slug, overdue) per province, (region, overdue) per region, (slug, name): tuples, so the memo can keep them.
OverdueCounts = tuple[tuple[tuple[str, int], ...], tuple[tuple[str, int], ...], tuple[tuple[str, str], ...]]


def joined(query: AnySelect) -> AnySelect:
    """`query` over tasks joined to their group, directive and province (what scopes filter on)."""
    return query.select_from(Task).join(TaskGroup, Task.group_id == TaskGroup.id).join(
        Directive, TaskGroup.directive_id == Directive.id).join(Province, Task.province_id == Province.id)

def late_conditions(as_of: date, latest_due: date) -> Conditions:
    """Owed by a province, due on or before `latest_due`, counted as of the day (today's rows)."""
    return (Task.state.in_(OWED_BY_PROVINCE), Task.due_on <= latest_due, *countable(as_of), in_province_figures())


def overdue_counts_query(as_of: date, scope: Scope, latest_due: date) -> Select[int, int]:
    """(province id, overdue tasks) of every province with one, on task columns alone.

    Every column asked is in the deadline index (`ix_tasks_state_due`), so the
    count reads that index and never a task row. Grouped on `province_id + 0`:
    on the plain column SQLite walks the (province, state) index in province
    order to skip a sort, reading every task's row (about 1 s at 1M tasks),
    where the deadline range holds a tenth of them.
    """
    province = (Task.province_id + 0).label("province")
    return (select(province, func.count()).where(*late_conditions(as_of, latest_due), *scope.task_filters())
            .group_by(province))


def awaiting_count_query(as_of: date, scope: Scope) -> Select[int]:
    """How many submissions wait for review, on the review index (`ix_tasks_state_submitted`) alone."""
    return select(func.count()).select_from(Task).where(*awaiting_conditions(as_of), *scope.task_filters())


def awaiting_conditions(as_of: date) -> Conditions:
    return (Task.state == State.SUBMITTED.value, Task.submitted_at.is_not(None), *countable(as_of))


def overdue_counts(session: Session, as_of: date, scope: Scope, latest_due: date) -> OverdueCounts:
    """(slug, overdue) per province, (region, overdue), (slug, name): immutable, for the memo."""
    per_province: Counter[str] = Counter()
    per_region: Counter[str] = Counter()
    names: dict[str, str] = {}
    counted = dict(session.execute(overdue_counts_query(as_of, scope, latest_due)).all())
    if counted:
        # Many provinces: every unit (3,356 short rows) rather than `id IN (3,000 ids)`, whose
        # binding and planning took PostgreSQL longer than the count itself.
        units = select(Province.id, Province.slug, Province.name, Province.region)
        for province_id, slug, name, region in session.execute(
                units if len(counted) > _FEW else units.where(Province.id.in_(list(counted)))):
            if province_id not in counted:
                continue
            per_province[slug] += counted[province_id]
            per_region[region] += counted[province_id]
            names[slug] = name
    return tuple(per_province.items()), tuple(per_region.items()), tuple(names.items())

def first_overdue(session: Session, scope: Scope, late: Conditions, limit: int) -> tuple[int, ...] | None:
    """The ids of the first `limit` overdue tasks (by deadline, then key); None when there are no more than that.

    Days late follow the deadline alone, so the database finds the deadline of the
    `limit`-th task on the deadline index (no join, few rows read). Tasks due by then
    are ranked here by (deadline, key) on a few light columns, as the full list is
    ranked; ranking them by id would list other tasks among those sharing that last
    deadline.
    """
    # One ordered scan per owed state: for `state IN (...)` neither database reads the index in
    # deadline order, so one query sorted every overdue task (81k at 1M, 40 ms on PostgreSQL) to
    # find one deadline; each state's first `limit` deadlines are a short index read.
    firsts = [select(Task.due_on).where(Task.state == state, *late, *scope.task_filters())
              .order_by(Task.due_on).limit(limit).subquery() for state in OWED_BY_PROVINCE]
    deadlines = sorted(session.scalars(union_all(*(select(first.c.due_on) for first in firsts))))
    if len(deadlines) < limit:  # no more than `limit` tasks, all of them listed
        return None
    boundary = deadlines[limit - 1]
    light = joined(select(Task.id, Task.due_on, Directive.code, TaskGroup.ordinal, Province.slug, Task.period))
    ranked = sorted(session.execute(light.where(*late, Task.due_on <= boundary, *scope.task_filters())),
                    key=lambda r: (r.due_on, task_key(r.code, r.ordinal, r.slug, r.period)))
    return tuple(r.id for r in ranked[:limit])


__all__ = ["MEMO", "awaiting_conditions", "awaiting_count_query", "first_overdue", "joined", "late_conditions",
           "overdue_counts", "overdue_counts_query"]
