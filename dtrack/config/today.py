"""`Today`: the day a command or a request is about, where that day is, and when a deadline is "due soon".

Built once at the edge (a command from --as-of or DTRACK_TODAY, a web request
from the server's clock, the scheduler from its run) and passed down whole:
every list, count, matrix, page and report of one command or request then
judges deadlines on the same day, in the same time zone, with the same
due-soon window, and no function takes the three apart.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dtrack.config.clock import LOCAL_TZ, Clock

DUE_SOON_DAYS = 7  # the setting's default (`due_soon_days`)


@dataclass(frozen=True, slots=True)
class Today:
    day: date
    zone: str = LOCAL_TZ  # an IANA name: stored instants (UTC) fall on days here
    due_soon_days: int = DUE_SOON_DAYS  # an open task is due soon this many days before its deadline

    @classmethod
    def of(cls, clock: Clock, due_soon_days: int = DUE_SOON_DAYS) -> Today:
        """The clock's today, in its zone."""
        return cls(clock.today(), clock.tz, due_soon_days)

    def on(self, day: date) -> Today:
        """Another day judged the same way (a report's `since`)."""
        return replace(self, day=day)

    def local_date(self, instant: datetime) -> date:
        """The calendar day a stored (UTC) instant falls on in this zone."""
        return instant.astimezone(ZoneInfo(self.zone)).date()

    def ends_at(self) -> datetime:
        """The first UTC instant after this day ends in this zone: what happened before it, happened by the day."""
        return datetime.combine(self.day + timedelta(days=1), time(0), tzinfo=ZoneInfo(self.zone)).astimezone(UTC)
