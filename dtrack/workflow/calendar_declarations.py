"""Declaring a day off or a make-up working day, and withdrawing one.

Declaring or withdrawing a day is one transaction with its consequences: the
open deadlines the change moves are recomputed at once (`recompute`, one
audited event per task naming the administrator and the declaration's note),
so a deadline is never left on a day that has become a day off. `preview`
lists those deadlines first, changing nothing. The declaration row is its own
audit: who declared, when and why; who withdrew it and when.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from dtrack.errors import InvalidInput, PermissionDenied, because
from dtrack.persistence import locks
from dtrack.persistence.models import CalendarDay, User
from dtrack.workflow.access import check_admin
from dtrack.workflow.calendar_days import calendar_in_force, declared, merged
from dtrack.workflow.deadlines import STATUTORY, WorkCalendar
from dtrack.workflow.recompute import Recomputation, recompute
from dtrack.workflow.service import check_text
from dtrack.workflow.views import View
from dtrack.workflow.vocabulary import Role

# Declarations are refused before this year and after the next few: a typo such as 2207 is not a plan.
FIRST_YEAR = 2000
YEARS_AHEAD = 5


@dataclass(frozen=True)
class CalendarChange(View):
    """A declaration made or withdrawn (or, from `preview`, one that would be), and the deadlines it moves."""

    day: date
    working: bool
    withdrawn: bool
    recomputed: Recomputation


def check_may_recompute(actor: User) -> None:
    """Deadlines are the Department's to move: overseers and administrators, on an active account."""
    if actor.disabled_at is not None or actor.role not in (Role.OVERSEER, Role.ADMIN):
        raise PermissionDenied(actor.email, "recompute", "deadlines", because("overseers_extend"))


def _check_day(day: date, today: date) -> None:
    if not FIRST_YEAR <= day.year <= today.year + YEARS_AHEAD:
        raise InvalidInput("day", "calendar_day_out_of_range", day=day, first=FIRST_YEAR,
                           last=today.year + YEARS_AHEAD)


def _in_force(session: Session, day: date) -> CalendarDay | None:
    return session.scalars(select(CalendarDay).where(CalendarDay.day == day, CalendarDay.withdrawn_at.is_(None))
                           .order_by(CalendarDay.id)).first()


def _after_declaring(session: Session, day: date, working: bool, base: WorkCalendar) -> WorkCalendar:
    """The calendar in force once `day` is declared, refusing a declaration that would change nothing."""
    if _in_force(session, day) is not None:
        raise InvalidInput("day", "calendar_day_declared", day=day)
    current = calendar_in_force(session, base)
    if current.is_working_day(day) == working:
        raise InvalidInput("day", "calendar_day_already_working" if working else "calendar_day_already_off",
                           day=day)
    return merged(current, [(day, working)])


def _after_withdrawing(session: Session, day: date, base: WorkCalendar) -> tuple[CalendarDay, WorkCalendar]:
    row = _in_force(session, day)
    if row is None:
        raise InvalidInput("day", "calendar_day_not_declared", day=day)
    rest = [(d, w) for d, w in declared(session) if d != day]
    return row, merged(base, rest)


def _checked_note(note: str | None) -> str:
    """A declaration says why (the announcement): refused empty at the preview already, not after it."""
    note = (note or "").strip()
    if not note:
        raise InvalidInput("note", "calendar_day_needs_note")
    check_text("note", note)
    return note


def preview(session: Session, day: date, working: bool, today: date, now: datetime,
            base: WorkCalendar | None = None, *, withdraw: bool = False, note: str | None = None) -> CalendarChange:
    """The deadlines a declaration (or its withdrawal) would move, as of `today`; changes nothing.

    A declaration's `note` is checked here as `declare` checks it, so a preview
    the administrator confirms cannot then be refused for its note.
    """
    _check_day(day, today)
    if not withdraw:
        _checked_note(note)
    if withdraw:
        row, calendar = _after_withdrawing(session, day, base or STATUTORY)
        working = row.working
    else:
        calendar = _after_declaring(session, day, working, base or STATUTORY)
    return CalendarChange(day, working, withdraw, recompute(session, today, now, calendar, dry_run=True))


def declare(session: Session, actor: User, day: date, working: bool, note: str | None, today: date,
            now: datetime, base: WorkCalendar | None = None) -> CalendarChange:
    """Declare `day` a day off (`working` False) or a make-up working day, and move the deadlines it moves.

    In the caller's transaction, under the calendar lock: two administrators
    declaring the same day at once get one declaration and one refusal.
    """
    check_admin(actor, "calendar")
    _check_day(day, today)
    note = _checked_note(note)
    locks.hold(session, "calendar")
    calendar = _after_declaring(session, day, working, base or STATUTORY)
    session.add(CalendarDay(day=day, working=working, note=note, declared_by=actor.id, declared_at=now))
    session.flush()
    moved = recompute(session, today, now, calendar, actor_id=actor.id, note=note)
    return CalendarChange(day, working, False, moved)


def withdraw(session: Session, actor: User, day: date, today: date, now: datetime,
             base: WorkCalendar | None = None) -> CalendarChange:
    """Withdraw the declaration in force for `day`; the deadlines follow the calendar without it."""
    check_admin(actor, "calendar")
    _check_day(day, today)
    locks.hold(session, "calendar")
    row, calendar = _after_withdrawing(session, day, base or STATUTORY)
    row.withdrawn_by, row.withdrawn_at = actor.id, now
    session.flush()
    moved = recompute(session, today, now, calendar, actor_id=actor.id, note=row.note)
    return CalendarChange(day, row.working, True, moved)


__all__ = ["CalendarChange", "check_may_recompute", "declare", "preview", "withdraw"]
