"""The dashboard's month-end figures, kept in the database (issue 26/25).

One row per (kind, scope, zone, month's end, unit): the scope's counts at the
end of a closed month, summed (kind "month", unit ""), as the trend of
`reading.dashboard` draws them; or the checkpoints moved past by then, per
unit (kind "checkpoints", unit a province's slug), which today's figures add to.
A closed month's figures change only when something is written about the past
(see `reading.dashboard_kept`); each row carries the database's marks (the
highest event and task ids) at the time it was worked out, so a reader can tell
whether it still holds by reading the events added since, and only those.

Derived data, not a fact of the season: no audit row is written for it, and
deleting every row only makes the next dashboard work the months out again.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from dtrack.persistence.models import Base, UTCDateTime


class DashboardFigures(Base):
    """Counts at the end of one closed month (`reading.dashboard_sql.FIELDS`), of a scope or one of its units."""

    __tablename__ = "dashboard_figures"
    __table_args__ = (UniqueConstraint("kind", "scope", "zone", "day", "unit"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(12))  # "month" or "checkpoints" (`reading.dashboard_kept`)
    scope: Mapped[str] = mapped_column(String(120))  # `reading.scope.Scope.key()` as text
    zone: Mapped[str] = mapped_column(String(64))  # the time zone the days were read in
    day: Mapped[date] = mapped_column(Date)  # the month's last day
    unit: Mapped[str] = mapped_column(String(64))  # a unit's slug, or "" for the scope as a whole
    tasks: Mapped[int] = mapped_column(Integer)
    on_time: Mapped[int] = mapped_column(Integer)
    due: Mapped[int] = mapped_column(Integer)
    completed_on_time: Mapped[int] = mapped_column(Integer)
    completed_late: Mapped[int] = mapped_column(Integer)
    within: Mapped[int] = mapped_column(Integer)
    overdue: Mapped[int] = mapped_column(Integer)
    awaiting: Mapped[int] = mapped_column(Integer)
    blocked: Mapped[int] = mapped_column(Integer)
    overdue_days: Mapped[int] = mapped_column(Integer)
    late_days: Mapped[int] = mapped_column(Integer)
    completed: Mapped[int] = mapped_column(Integer)
    event_mark: Mapped[int] = mapped_column(Integer)  # the highest event id when worked out
    task_mark: Mapped[int] = mapped_column(Integer)  # the highest task id when worked out
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime)
