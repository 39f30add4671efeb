"""Months of the trend a page could not work out in time are kept in the background, for a later page.

At a million tasks reading the checkpoints alone took a page 5 s, after which the
budget was spent and nothing was kept, on every page. Here the budget is made too
small to read them: the page shows the months as not worked out, and does not try
again; the filler keeps them in a thread of its own; the next page shows them.
"""
from __future__ import annotations

import threading

from sqlalchemy import delete

from dtrack.config.today import Today
from dtrack.persistence.dashboard_models import DashboardFigures
from dtrack.persistence.database import Database
from dtrack.reading import dashboard as module
from dtrack.reading.dashboard import dashboard
from dtrack.reading.scope import EVERYWHERE
from dtrack.usecases.demo import SEASON_END
from dtrack.usecases.trend_filler import fill_later


def test_months_too_slow_for_a_page_are_kept_by_the_filler(demo_db: Database, monkeypatch) -> None:
    with demo_db.engine.begin() as connection:
        connection.execute(delete(DashboardFigures))
    monkeypatch.setattr(module, "MONTH_BUDGET", 1e-9)  # any read of the checkpoints is over it
    today = Today(SEASON_END)
    with demo_db.session() as session:
        first = dashboard(session, today)
    missing = [p.day for p in first.trend if p.counts is None]
    assert missing and first.trend[-1].counts is not None  # today's point is always there
    monkeypatch.setattr(module, "MONTH_BUDGET", 600.0)
    with demo_db.session() as session:  # this database and scope are known to be too slow: not tried again
        assert [p.day for p in dashboard(session, today).trend if p.counts is None] == missing

    thread = fill_later(demo_db, today, EVERYWHERE, first)
    assert thread is not None
    thread.join(60)
    assert fill_later(demo_db, today, EVERYWHERE, first) is not thread  # the finished one is not running
    with demo_db.session() as session:
        later = dashboard(session, today)
    assert all(p.counts is not None for p in later.trend)
    assert fill_later(demo_db, today, EVERYWHERE, later) is None  # nothing lacking: no thread


def test_one_filler_at_a_time_for_a_database_day_and_scope(demo_db: Database, monkeypatch) -> None:
    from dtrack.usecases import trend_filler

    with demo_db.engine.begin() as connection:
        connection.execute(delete(DashboardFigures))
    monkeypatch.setattr(module, "MONTH_BUDGET", 0.0)
    gate = threading.Event()
    real = trend_filler.keep_trend

    def held(*args, **kwargs):  # the real job, once the test lets it start
        gate.wait(30)
        return real(*args, **kwargs)

    monkeypatch.setattr(trend_filler, "keep_trend", held)
    today = Today(SEASON_END)
    with demo_db.session() as session:
        found = dashboard(session, today)
    first = fill_later(demo_db, today, EVERYWHERE, found)
    assert first is not None and first.is_alive()
    assert fill_later(demo_db, today, EVERYWHERE, found) is None  # the same months are being kept already
    gate.set()
    first.join(60)
    with demo_db.session() as session:
        assert all(p.counts is not None for p in dashboard(session, today).trend)
