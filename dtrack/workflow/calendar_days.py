"""The working calendar in force: the statute, and the days an administrator declared.

Weekends and public holidays come with the package (`deadlines.WorkCalendar`,
the `holidays` package). Each year the Government announces more: days off
moved next to a holiday (nghỉ bù, the Tết schedule) and Saturdays worked in
exchange (làm bù). An administrator declares those (`calendar_declarations`);
they are rows of `calendar_days`, so every process (CLI, web workers, the
scheduler) counts deadlines on the same calendar, read here.

The settings' DTRACK_EXTRA_DAYS_OFF / DTRACK_EXTRA_WORKING_DAYS are the older
way and still count (the `base` calendar); a declaration wins over them.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from dtrack.persistence.models import CalendarDay, User
from dtrack.workflow.deadlines import STATUTORY, WorkCalendar
from dtrack.workflow.views import View


@dataclass(frozen=True)
class Declaration(View):
    """One declared day, as the calendar lists it."""

    day: date
    working: bool  # True: a make-up working day (làm bù); False: a day off (nghỉ bù)
    note: str
    declared_by: str
    declared_at: datetime
    withdrawn_by: str | None = None
    withdrawn_at: datetime | None = None


def declared(session: Session) -> list[tuple[date, bool]]:
    """(day, working) of every declaration in force."""
    return [(row.day, row.working) for row in session.execute(
        select(CalendarDay.day, CalendarDay.working).where(CalendarDay.withdrawn_at.is_(None)))]


def merged(base: WorkCalendar, declared: list[tuple[date, bool]]) -> WorkCalendar:
    """`base` with the `declared` (day, working) pairs over it."""
    working = {day for day, is_working in declared if is_working}
    off = {day for day, is_working in declared if not is_working}
    return WorkCalendar(frozenset((base.extra_working_days - off) | working),
                        frozenset((base.extra_days_off - working) | off))


def calendar_in_force(session: Session, base: WorkCalendar | None = None) -> WorkCalendar:
    """The calendar deadlines count on: `base` (the statute and the settings' days) and the declared days."""
    return merged(base or STATUTORY, declared(session))


def list_days(session: Session, year: int | None = None, *, with_withdrawn: bool = False) -> list[Declaration]:
    """The declarations, by day (with `year`, that year's only)."""
    declarer, withdrawer = aliased(User), aliased(User)
    query = (select(CalendarDay, declarer.email, withdrawer.email)
             .join(declarer, CalendarDay.declared_by == declarer.id)
             .outerjoin(withdrawer, CalendarDay.withdrawn_by == withdrawer.id)
             .order_by(CalendarDay.day, CalendarDay.id))
    if year is not None:
        query = query.where(CalendarDay.day >= date(year, 1, 1), CalendarDay.day <= date(year, 12, 31))
    if not with_withdrawn:
        query = query.where(CalendarDay.withdrawn_at.is_(None))
    return [Declaration(row.day, row.working, row.note, by, row.declared_at, gone_by, row.withdrawn_at)
            for row, by, gone_by in session.execute(query)]




__all__ = ["Declaration", "calendar_in_force", "declared", "list_days", "merged"]


__all__ = ["Declaration", "calendar_in_force", "declared", "list_days", "merged"]
