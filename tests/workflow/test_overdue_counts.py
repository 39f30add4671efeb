"""The overdue review's counts read the covering indexes alone, and count what the full list holds."""
from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import pytest
from sqlalchemy import text

from dtrack.config.today import Today
from dtrack.persistence.models import Province
from dtrack.reading.overdue import Scope, overdue_review
from dtrack.reading.overdue_counts import awaiting_count_query, overdue_counts_query

DAY = date(2026, 1, 5)


# The planner's statistics of the 1M-task season (bench/generate.py runs ANALYZE): with them SQLite
# makes the choices it makes at scale, on the test's few hundred tasks.
SEASON_STATS = [
    ("provinces", "ix_provinces_region", "3356 839"),
    ("provinces", "sqlite_autoindex_provinces_1", "3356 1"),
    ("tasks", "ix_tasks_state_submitted", "955244 159208 75 41 41 2 1"),
    ("tasks", "ix_tasks_state_due", "955244 159208 785 3 1 1 1"),
    ("tasks", "ix_tasks_province_state", "955244 285 60"),
    ("tasks", "sqlite_autoindex_tasks_1", "955244 2275 2 1"),
]


def _season_statistics(session) -> None:
    session.execute(text("ANALYZE"))
    session.execute(text("DELETE FROM sqlite_stat1 WHERE tbl IN ('tasks', 'provinces')"))
    for table, index, stat in SEASON_STATS:
        session.execute(text("INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES (:t, :i, :s)"),
                        {"t": table, "i": index, "s": stat})
    session.execute(text("ANALYZE sqlite_schema"))  # reload them


def _plan(session, query) -> str:
    compiled = query.compile(session.get_bind(), compile_kwargs={"literal_binds": True})
    return "\n".join(row[-1] for row in session.execute(text(f"EXPLAIN QUERY PLAN {compiled}")))


@pytest.mark.parametrize("backend", ["sqlite"])  # its planner is the one that chose the (province, state) index
@pytest.mark.parametrize("region", [None, "south"])
def test_the_counts_are_read_on_a_covering_index(world, region):
    # The plan the speed rests on (issue 12): no task row is read to count.
    scope = Scope(region=region)
    with world.db.session() as s:
        _season_statistics(s)
        late = _plan(s, overdue_counts_query(DAY, scope, DAY - timedelta(days=1)))
        waiting = _plan(s, awaiting_count_query(DAY, scope))
    assert "COVERING INDEX ix_tasks_state_due" in late, late
    assert "COVERING INDEX ix_tasks_state_submitted" in waiting, waiting
    assert "ix_tasks_province_state" not in late + waiting


@pytest.mark.parametrize("min_days", [0, 10])
def test_the_counts_equal_the_full_list_in_every_scope(world, min_days):
    ha_noi = world.user("province", "ha-noi")
    world.fire("20/CT-BCT:9:ha-noi:2025-H2", "start", ha_noi)
    world.fire("20/CT-BCT:9:ha-noi:2025-H2", "submit", ha_noi)
    with world.db.session() as s:
        hue = s.query(Province).filter_by(slug="hue").one()
        for scope in (Scope(), Scope(region="central"), Scope(province=hue), Scope(group=9)):
            full = overdue_review(s, Today(DAY), scope, min_days=min_days)
            assert full.per_province == Counter(t.province for t in full.overdue)
            assert full.per_region == Counter(t.region for t in full.overdue)
            assert full.total > 0 or scope.province is not None
            # Within a tie of deadlines (the 33 group 9 reports share one), at the count, past it.
            for limit in {1, 5, full.total - 1, full.total, full.total + 1} - {0, -1}:
                first = overdue_review(s, Today(DAY), scope, min_days=min_days, limit=limit)
                assert first.per_province == full.per_province and first.per_region == full.per_region
                assert first.overdue == full.overdue[:limit], limit
                assert first.awaiting_review == full.awaiting_review[:limit]
                assert first.awaiting_total == full.awaiting_total == len(full.awaiting_review)
