"""The dashboard's kept figures (`reading.dashboard_kept`, table `dashboard_figures`) say what computing afresh says.

On the demo season, both back-ends: the dashboard of the season's last day is drawn once (its closed
months and last month's checkpoints are kept in the database), then the season changes (transitions in
the current month, an extension of a deadline in a closed month, a recompute of deadlines, an event
written with a past instant, a task added), and the dashboard drawn from the kept figures must equal the
dashboard drawn with the table emptied and nothing remembered in the process.
"""
from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import delete, func, insert, select

from dtrack.config.clock import Clock
from dtrack.config.today import Today
from dtrack.persistence.dashboard_models import DashboardFigures
from dtrack.persistence.database import Database
from dtrack.persistence.models import Event, Task
from dtrack.reading import dashboard as module
from dtrack.reading.dashboard import dashboard, keep_trend, last_closed
from dtrack.reading.dashboard_kept import CHECKPOINTS, MONTH, READS, keep, kept, marks, scope_text
from dtrack.reading.overdue import overdue_review
from dtrack.reading.overdue_counts import MEMO
from dtrack.reading.scope import Scope
from dtrack.usecases.demo import OVERSEER, SEASON_END
from dtrack.workflow.deadlines import WorkCalendar
from dtrack.workflow.extension import extend
from dtrack.workflow.recompute import recompute
from dtrack.workflow.service import Tracker
from dtrack.workflow.vocabulary import State

TODAY = Today(SEASON_END)
WHOLE = Scope()
EVERYWHERE = scope_text(WHOLE.key())


@pytest.fixture(autouse=True)
def every_month(monkeypatch):
    """Every month worked out on the first page, however loaded the machine."""
    monkeypatch.setattr(module, "MONTH_BUDGET", 600.0)


def _forget() -> None:
    """Nothing remembered in this process: what is shown comes from the database."""
    READS.clear()
    MEMO.clear()


def drawn(db: Database, scope: Scope = WHOLE) -> dict:
    _forget()
    with db.session() as session:
        return dashboard(session, TODAY, scope).to_json()


def afresh(db: Database, scope: Scope = WHOLE) -> dict:
    """The dashboard with nothing kept anywhere (then kept again, as a page would)."""
    with db.engine.begin() as connection:
        connection.execute(delete(DashboardFigures))
    return drawn(db, scope)


def _rows(db: Database, kind: str) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(DashboardFigures)
                              .where(DashboardFigures.kind == kind)) or 0


def _kept_months(db: Database) -> dict:
    _forget()
    with db.session() as session:
        return kept(session, MONTH, EVERYWHERE, TODAY, [last_closed(SEASON_END)], marks(session))


def test_the_first_dashboard_keeps_its_closed_months_and_the_next_reads_them(demo_db):
    first = afresh(demo_db)
    months = [p for p in first["trend"][:-1]]
    assert months and all(p["due"] is not None for p in months)
    assert _rows(demo_db, MONTH) == len(months)
    assert _rows(demo_db, CHECKPOINTS) >= 1
    assert _kept_months(demo_db)  # they hold
    assert drawn(demo_db) == first


def test_transitions_in_the_current_month_keep_the_months_and_change_today(demo_db):
    before = afresh(demo_db)
    with demo_db.session() as session:
        waiting = [t.id for t in session.scalars(select(Task).where(Task.state == State.SUBMITTED.value).limit(3))]
    assert waiting
    tracker = Tracker(demo_db, Clock(pinned=SEASON_END))
    for task in waiting:
        tracker.fire(task, "accept", OVERSEER, note="Đạt yêu cầu")
    assert _kept_months(demo_db)  # the closed months still hold
    kept_now = drawn(demo_db)
    assert kept_now["total"]["completed"] == before["total"]["completed"] + len(waiting)
    assert kept_now["trend"][:-1] == before["trend"][:-1]
    assert kept_now == afresh(demo_db)


def test_an_extension_in_a_closed_month_is_seen_at_once(demo_db):
    afresh(demo_db)
    day = date(2026, 3, 31)
    with demo_db.session() as session:
        late = next(t for t in overdue_review(session, Today(day)).overdue if t.state != "completed")
    extend(demo_db, Clock(pinned=SEASON_END), OVERSEER, date(2026, 9, 30), "Gia hạn theo đề nghị của tỉnh",
           task_refs=[late.key])
    assert not _kept_months(demo_db)  # no longer holds
    kept_now = drawn(demo_db)
    assert kept_now == afresh(demo_db)


def test_a_recompute_of_deadlines_is_seen_at_once(demo_db):
    before = afresh(demo_db)
    now = Clock(pinned=SEASON_END).now()
    days_off = frozenset({date(2026, 7, 1), date(2026, 7, 2), date(2026, 7, 3)})
    with demo_db.session() as session:
        moved = recompute(session, SEASON_END, now, WorkCalendar(extra_days_off=days_off))
    kept_now = drawn(demo_db)
    assert kept_now == afresh(demo_db)
    if moved.moved:
        assert not _kept_months(demo_db) or kept_now == before


def test_an_event_written_with_a_past_instant_is_seen(demo_db):
    afresh(demo_db)
    with demo_db.session() as session:
        task = session.scalars(select(Task).where(Task.state == State.IN_PROGRESS.value).limit(1)).one()
        row = {"task_id": task.id, "actor_id": None, "trigger": "comment", "from_state": task.state,
               "to_state": task.state, "progress": task.progress, "note": "Nhập bổ sung",
               "at": datetime(2026, 2, 10, 3, 0, tzinfo=UTC)}
        session.execute(insert(Event), [row])
    assert not _kept_months(demo_db)  # an instant inside a kept month: worked out again
    assert drawn(demo_db) == afresh(demo_db)


def test_nothing_is_kept_while_a_writer_is_open_and_a_refusal_is_not_an_error(demo_db):
    afresh(demo_db)
    with demo_db.session() as session:
        now = marks(session)
        quiet_ok = keep(session, MONTH, EVERYWHERE, TODAY, {date(2020, 1, 31): {"": {"tasks": 1}}}, now)
        assert quiet_ok
        # the same day again (another server got there first): replaced, never an error
        assert keep(session, MONTH, EVERYWHERE, TODAY, {date(2020, 1, 31): {"": {"tasks": 2}}}, now)
        open_writer = type(now)(now.event, now.task, quiet=False)
        assert not keep(session, MONTH, EVERYWHERE, TODAY, {date(2020, 2, 29): {"": {"tasks": 1}}}, open_writer)
    with demo_db.session() as session:
        found = kept(session, MONTH, EVERYWHERE, TODAY, [date(2020, 1, 31), date(2020, 2, 29)], marks(session))
    assert list(found) == [date(2020, 1, 31)] and found[date(2020, 1, 31)][""]["tasks"] == 2


def test_the_daily_job_fills_the_trend_so_the_page_computes_no_month(demo_db, monkeypatch):
    with demo_db.engine.begin() as connection:
        connection.execute(delete(DashboardFigures))
    _forget()
    with demo_db.session() as session:
        worked = keep_trend(session, TODAY)
    assert worked >= 1 and _rows(demo_db, MONTH) == worked
    with demo_db.session() as session:  # a second run finds them all
        assert keep_trend(session, TODAY) == 0
    monkeypatch.setattr(module, "MONTH_BUDGET", 0.0)  # the page may work out nothing: every month is there
    shown = drawn(demo_db)
    assert all(p["due"] is not None for p in shown["trend"])
    monkeypatch.setattr(module, "MONTH_BUDGET", 600.0)
    assert shown == afresh(demo_db)


def test_a_scope_keeps_its_own_figures(demo_db):
    scope = Scope(region="north")
    first = afresh(demo_db, scope)
    assert drawn(demo_db, scope) == first
    whole = drawn(demo_db)
    assert whole["total"]["tasks"] > first["total"]["tasks"]


def test_the_scheduler_keeps_the_dashboard(demo_db):
    from dtrack.usecases.scheduler import keep_dashboard

    with demo_db.engine.begin() as connection:
        connection.execute(delete(DashboardFigures))
    _forget()
    keep_dashboard(demo_db, Clock(pinned=SEASON_END))
    assert _rows(demo_db, MONTH) >= 1 and _rows(demo_db, CHECKPOINTS) >= 1
    assert _kept_months(demo_db)
