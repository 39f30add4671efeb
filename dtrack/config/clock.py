"""What time it is: stored in UTC, "today" judged in Asia/Ho_Chi_Minh.

Every command that depends on today accepts --as-of (or DTRACK_TODAY); a
pinned clock makes runs reproducible, and the demo moves one through a
simulated season.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

# Events recorded on a pinned day get this local time, so a reproducible run
# writes reproducible timestamps (midday: safely inside the day in any zone).
PINNED_LOCAL_TIME = time(12, 0)


LOCAL_TZ = "Asia/Ho_Chi_Minh"

# The days a command may be asked about (--as-of, --since, --to, DTRACK_TODAY). Far dates
# are typos (9999-12-31), and date arithmetic on them overflows (the day after 31/12/9999).
FIRST_YEAR, LAST_YEAR = 2000, 2100


def in_range(day: date, field_name: str, typed: str | None = None) -> date:
    """`day` if its year is FIRST_YEAR..LAST_YEAR; otherwise refused naming the field (`as_of`, `today`)."""
    if FIRST_YEAR <= day.year <= LAST_YEAR:
        return day
    from dtrack.errors import InvalidInput

    raise InvalidInput(field_name, "date_out_of_range", value=typed or day.isoformat(), first=FIRST_YEAR,
                       last=LAST_YEAR)


def local_dmy_hm(instant: datetime, tz: str = LOCAL_TZ) -> str:
    """A stored (UTC) instant as people read it where they are: 05/01/2026 14:30."""
    return instant.astimezone(ZoneInfo(tz)).strftime("%d/%m/%Y %H:%M")


@dataclass(frozen=True)
class Clock:
    tz: str = LOCAL_TZ
    pinned: date | None = None
    # A running clock set to another day (`shifted_to`): time still passes, so
    # a web server started --as-of a day expires sessions and lockouts as usual.
    shift: timedelta = timedelta(0)

    @classmethod
    def shifted_to(cls, day: date, tz: str = LOCAL_TZ) -> Clock:
        """A clock whose today is `day` at the moment it is made, and that runs on from there."""
        return cls(tz, shift=timedelta(days=(day - datetime.now(ZoneInfo(tz)).date()).days))

    def today(self) -> date:
        if self.pinned is not None:
            return self.pinned
        return (datetime.now(ZoneInfo(self.tz)) + self.shift).date()

    def now(self) -> datetime:
        """The current instant, timezone-aware in UTC."""
        if self.pinned is not None:
            local = datetime.combine(self.pinned, PINNED_LOCAL_TIME, tzinfo=ZoneInfo(self.tz))
            return local.astimezone(UTC)
        return datetime.now(UTC) + self.shift

    def local_date(self, instant: datetime) -> date:
        """The calendar day an instant falls on in the local time zone."""
        return instant.astimezone(ZoneInfo(self.tz)).date()

    def on(self, day: date) -> Clock:
        return Clock(self.tz, day)
