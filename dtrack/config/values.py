"""The kinds of value a setting holds, and how each is read from text.

Every parser takes the text as typed (an environment variable, a command-line
option, a form field) and the field it is for, and returns the checked value
or raises `InvalidInput` with that field, a code and the value (`negative`,
value -3); the front end words it (`DTRACK_DUE_SOON_DAYS: -3 là số âm`). They
are plain functions of text, so the settings table (`config.settings`), the
command line and the web forms share them.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, time
from enum import StrEnum
from urllib.parse import parse_qs, unquote, urlsplit

from dtrack.config.clock import in_range
from dtrack.errors import InvalidInput

_DMY = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


def parse_date(text: str, field_name: str = "date") -> date:
    """A day as dd/mm/yyyy (how Vietnamese readers write it) or yyyy-mm-dd; impossible dates are refused.

    Either spelling names the same day, so every command option, form field
    and setting that takes a date accepts both.
    """
    cleaned = text.strip()
    try:
        match = _DMY.match(cleaned)
        if match:
            day, month, year = (int(part) for part in match.groups())
            return date(year, month, day)
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", cleaned):
            return date.fromisoformat(cleaned)
    except ValueError:
        pass
    raise InvalidInput(field_name, "bad_date", value=text)


def non_negative_int(text: str, field_name: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise InvalidInput(field_name, "not_whole_number", value=text) from None
    if value < 0:
        raise InvalidInput(field_name, "negative", value=value)
    return value


def positive_int(text: str, field_name: str) -> int:
    value = non_negative_int(text, field_name)
    if value == 0:
        raise InvalidInput(field_name, "zero", value=value)
    return value


LANGUAGES = ("vi", "en")


def language(text: str, field_name: str) -> str:
    if text not in LANGUAGES:
        raise InvalidInput(field_name, "unsupported_language", value=text)
    return text


def yes_no(text: str, field_name: str) -> bool:
    answer = text.strip().lower()
    if answer in ("1", "yes", "true", "on"):
        return True
    if answer in ("0", "no", "false", "off", ""):
        return False
    raise InvalidInput(field_name, "not_yes_no", value=text)


class Weekday(StrEnum):
    """Days of the week as settings name them (Monday = 0, as `date.weekday()`)."""

    MONDAY = "monday"
    TUESDAY = "tuesday"
    WEDNESDAY = "wednesday"
    THURSDAY = "thursday"
    FRIDAY = "friday"
    SATURDAY = "saturday"
    SUNDAY = "sunday"

    @property
    def number(self) -> int:
        return list(Weekday).index(self)


def weekday(text: str, field_name: str) -> Weekday:
    try:
        return Weekday(text.strip().lower())
    except ValueError:
        raise InvalidInput(field_name, "not_a_weekday", value=text) from None


DEFAULT_SMTP_PORTS = {"smtp": 25, "smtps": 465}


@dataclass(frozen=True)
class SmtpTarget:
    """A parsed DTRACK_SMTP_URL. `str()` never shows the password."""

    scheme: str  # smtp | smtps
    host: str
    port: int
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    starttls: bool = False

    def __str__(self) -> str:
        user = "***@" if self.username else ""  # the user name too: a mail account is half a credential
        tls = "?starttls=1" if self.starttls else ""
        return f"{self.scheme}://{user}{self.host}:{self.port}{tls}"

    __repr__ = __str__


def parse_smtp_url(text: str, field_name: str = "smtp_url") -> SmtpTarget | None:
    """Check a mail server URL; empty means 'write .eml files'. Errors never echo the password."""
    text = text.strip()
    if not text:
        return None
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        raise InvalidInput(field_name, "smtp_url_invalid") from None
    if parts.scheme not in DEFAULT_SMTP_PORTS:
        raise InvalidInput(field_name, "smtp_url_scheme", scheme=parts.scheme)
    if not parts.hostname:
        raise InvalidInput(field_name, "smtp_url_no_host")
    query = parse_qs(parts.query)
    starttls = query.get("starttls", ["0"])[-1].lower() in ("1", "yes", "true")
    if starttls and parts.scheme == "smtps":
        raise InvalidInput(field_name, "smtps_starttls")
    return SmtpTarget(
        scheme=parts.scheme,
        host=parts.hostname,
        port=port or DEFAULT_SMTP_PORTS[parts.scheme],
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
        starttls=starttls,
    )


def mail_address(text: str, field_name: str) -> str:
    from email.utils import parseaddr

    name, address = parseaddr(text)
    if "@" not in address:
        raise InvalidInput(field_name, "no_mail_address", value=text)
    return text.strip()


def plain_text(text: str, field_name: str) -> str:
    return text


def timezone(text: str, field_name: str) -> str:
    """An IANA zone name (Asia/Ho_Chi_Minh): checked now, not when the first date is computed."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    name = text.strip()
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # unknown key, or not a key at all ('../x', '')
        raise InvalidInput(field_name, "bad_timezone", value=name) from None
    return name


def optional_date(text: str, field_name: str) -> date | None:
    return in_range(parse_date(text, field_name), field_name, text) if text else None


def date_list(text: str, field_name: str) -> tuple[date, ...]:
    """Comma-separated YYYY-MM-DD dates (empty: none)."""
    return tuple(parse_date(part, field_name) for part in text.split(",") if part.strip())


def day_list(text: str, field_name: str) -> tuple[int, ...]:
    """Comma-separated whole numbers of days, each 1 or more, largest first."""
    days = [non_negative_int(part.strip(), field_name) for part in text.split(",") if part.strip()]
    if any(d == 0 for d in days):
        raise InvalidInput(field_name, "zero_days_before")
    return tuple(sorted(set(days), reverse=True))


def clock_time(text: str, field_name: str) -> time:
    """HH:MM on a 24-hour clock."""
    try:
        hour, minute = (int(part) for part in text.strip().split(":"))
    except ValueError:
        raise InvalidInput(field_name, "not_a_time", value=text) from None
    if not (0 <= hour < 24 and 0 <= minute < 60):
        raise InvalidInput(field_name, "not_a_time", value=text)
    return time(hour, minute)
