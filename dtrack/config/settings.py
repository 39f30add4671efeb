"""Settings as a declared table: name, default, environment variable, help.

Settings come from the environment (and command-line options that override
it) and are checked once at start-up, so a typo in DTRACK_DUE_SOON_DAYS is
an error before any work is done, not a surprise in the middle of a sweep.
`dtrack settings` prints this table with the values in force.
"""
from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, time
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from dtrack.errors import InvalidInput
from dtrack.workflow.deadlines import WorkCalendar
from dtrack.workflow.vocabulary import Weekday

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
    raise InvalidInput(field_name, f"{text!r} is not a valid date",
                       "write it as dd/mm/yyyy or yyyy-mm-dd, e.g. 22/11/2026", code="bad_date", value=text)


def _non_negative_int(text: str, field_name: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise InvalidInput(field_name, f"{text!r} is not a whole number") from None
    if value < 0:
        raise InvalidInput(field_name, f"{value} is negative", "give 0 or more")
    return value


def _language(text: str, field_name: str) -> str:
    if text not in ("vi", "en"):
        raise InvalidInput(field_name, f"{text!r} is not a supported language", "use vi or en")
    return text


def _positive_int(text: str, field_name: str) -> int:
    value = _non_negative_int(text, field_name)
    if value == 0:
        raise InvalidInput(field_name, "is 0", "give 1 or more")
    return value


def _yes_no(text: str, field_name: str) -> bool:
    answer = text.strip().lower()
    if answer in ("1", "yes", "true", "on"):
        return True
    if answer in ("0", "no", "false", "off", ""):
        return False
    raise InvalidInput(field_name, f"{text!r} is not yes or no", "use yes or no")


def _weekday(text: str, field_name: str) -> Weekday:
    try:
        return Weekday(text.strip().lower())
    except ValueError:
        raise InvalidInput(field_name, f"{text!r} is not a weekday", "use monday ... sunday") from None


DEFAULT_SMTP_PORTS = {"smtp": 25, "smtps": 465}
_SMTP_URL_HINT = "write smtp://user:pass@host:587?starttls=1 or smtps://user:pass@host:465"


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
        raise InvalidInput(field_name, "is not a valid URL", _SMTP_URL_HINT) from None
    if parts.scheme not in DEFAULT_SMTP_PORTS:
        raise InvalidInput(field_name, f"scheme {parts.scheme or '(none)'!r} is not smtp or smtps", _SMTP_URL_HINT)
    if not parts.hostname:
        raise InvalidInput(field_name, "has no host", _SMTP_URL_HINT)
    query = parse_qs(parts.query)
    starttls = query.get("starttls", ["0"])[-1].lower() in ("1", "yes", "true")
    if starttls and parts.scheme == "smtps":
        raise InvalidInput(field_name, "smtps:// is already encrypted; starttls does not apply",
                           "use smtp://...?starttls=1 or smtps:// without starttls")
    return SmtpTarget(
        scheme=parts.scheme,
        host=parts.hostname,
        port=port or DEFAULT_SMTP_PORTS[parts.scheme],
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
        starttls=starttls,
    )


def _smtp_url(text: str, field_name: str) -> SmtpTarget | None:
    return parse_smtp_url(text, field_name)  # empty: no server, .eml files in mail_dir


def _mail_address(text: str, field_name: str) -> str:
    from email.utils import parseaddr

    name, address = parseaddr(text)
    if "@" not in address:
        raise InvalidInput(field_name, f"{text!r} has no email address", "write e.g. 'dtrack <no-reply@example.vn>'")
    return text.strip()


def _text(text: str, field_name: str) -> str:
    return text


def _database_url(text: str, field_name: str) -> str:
    from dtrack.persistence.database_url import check_database_url

    return check_database_url(text, field_name)


def _timezone(text: str, field_name: str) -> str:
    """An IANA zone name (Asia/Ho_Chi_Minh): checked now, not when the first date is computed."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    name = text.strip()
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # unknown key, or not a key at all ('../x', '')
        raise InvalidInput(field_name, f"{name!r} is not a time zone", "give a zone name such as Asia/Ho_Chi_Minh",
                           code="bad_timezone", value=name) from None
    return name


def _optional_date(text: str, field_name: str) -> date | None:
    from dtrack.config.clock import in_range

    return in_range(parse_date(text, field_name), field_name, text) if text else None




def _date_list(text: str, field_name: str) -> tuple[date, ...]:
    """Comma-separated YYYY-MM-DD dates (empty: none)."""
    return tuple(parse_date(part, field_name) for part in text.split(",") if part.strip())


def _day_list(text: str, field_name: str) -> tuple[int, ...]:
    """Comma-separated whole numbers of days, each 1 or more, largest first."""
    days = [_non_negative_int(part.strip(), field_name) for part in text.split(",") if part.strip()]
    if any(d == 0 for d in days):
        raise InvalidInput(field_name, "0 is not a number of days before a deadline",
                           "give numbers of 1 or more, e.g. 14,7,1")
    return tuple(sorted(set(days), reverse=True))


def _clock_time(text: str, field_name: str) -> time:
    """HH:MM on a 24-hour clock."""
    try:
        hour, minute = (int(part) for part in text.strip().split(":"))
    except ValueError:
        raise InvalidInput(field_name, f"{text!r} is not a time", "write it as HH:MM, e.g. 07:30") from None
    if not (0 <= hour < 24 and 0 <= minute < 60):
        raise InvalidInput(field_name, f"{text!r} is not a time of day", "write it as HH:MM, e.g. 07:30")
    return time(hour, minute)


def display(value: Any) -> str:
    """A setting's value as `dtrack settings` shows it (lists comma-separated, times HH:MM)."""
    if value is None:
        return ""
    if isinstance(value, tuple):
        return ",".join(display(v) for v in value)
    if isinstance(value, time):
        return value.strftime("%H:%M")
    return value.isoformat() if isinstance(value, date) else str(value)


@dataclass(frozen=True)
class Setting:
    name: str
    default: str
    help: str
    parse: Callable[[str, str], Any] = _text

    @property
    def env(self) -> str:
        return "DTRACK_" + self.name.upper()


SETTINGS: tuple[Setting, ...] = (
    Setting("database_url", "sqlite:///dtrack.db",
            "SQLAlchemy URL of the database, e.g. postgresql+psycopg://user@host/db", _database_url),
    Setting("today", "", "Pretend today is this date (YYYY-MM-DD); empty means the real date in the time zone below",
            _optional_date),
    Setting("timezone", "Asia/Ho_Chi_Minh", "Time zone that decides what 'today' is; timestamps are stored in UTC",
            _timezone),
    Setting("language", "vi", "Language of reports and emails: vi or en", _language),
    Setting("lang", "vi", "Language of the command line's tables and messages: vi or en (`dtrack --lang`)", _language),
    Setting("due_soon_days", "7", "An open task is due soon this many days before its deadline", _non_negative_int),
    Setting("base_url", "http://127.0.0.1:8000", "Public web address of `dtrack serve`: emails link task pages and "
            "lists under it (empty: no links)"),
    Setting("smtp_url", "", "Mail server: smtp://user:pass@host:587?starttls=1 or smtps://user:pass@host:465; "
            "empty: write each message as an .eml file into mail_dir", _smtp_url),
    Setting("mail_dir", "mail", "Folder that receives .eml files when no mail server is set"),
    Setting("mail_from", "no-reply@dtrack.example.vn",
            "Sender address of the emails (the name shown is mail_sender_name)", _mail_address),
    Setting("mail_sender_name", "Cục Đổi mới sáng tạo, Chuyển đổi xanh và Khuyến công",
            "Sender name shown in mail readers, e.g. the Department's name (empty: the name in mail_from, if any)"),
    Setting("mail_max_attempts", "5", "Tries per message before it is marked failed", _positive_int),
    Setting("mail_retry_seconds", "60", "Wait after a failed try; doubles with each further try", _non_negative_int),
    Setting("mail_stale_seconds", "90", "Lease of a sender on the messages it sends (renewed every third of it); "
            "a stopped sender's messages are taken over this long after its last renewal", _positive_int),
    Setting("digest_weekday", "monday", "Weekday on which overseers get the weekly summary instead of the daily digest",
            _weekday),
    Setting("digest_send_empty", "no", "Send a digest even when there is nothing to act on (yes/no)", _yes_no),
    Setting("digest_cap", "20", "Items listed per digest section; the rest are counted ('and 37 more')", _positive_int),
    # An overseer reads about a hundred tasks a morning otherwise; the web pages list them all.
    Setting("digest_overseer_top", "5", "Items listed per section of the overseers' digest, most urgent first; "
            "counts per region and a link to the full list stand for the rest", _positive_int),
    # Deadlines (issue 3): the government announces these each year.
    Setting("extra_working_days", "", "Make-up working days (làm bù), comma-separated YYYY-MM-DD, e.g. a Saturday",
            _date_list),
    Setting("extra_days_off", "", "Extra days off (nghỉ bù) declared by the government, comma-separated YYYY-MM-DD",
            _date_list),
    # Reminder policy (issue 3).
    Setting("remind_before_days", "14,7,1", "Remind the province this many days before a deadline (comma-separated)",
            _day_list),
    Setting("remind_overdue_every", "7",
            "After the day-after reminder, remind again every this many days while overdue", _positive_int),
    Setting("escalate_after_days", "14", "Tell the overseers when a task is this many days overdue", _positive_int),
    Setting("review_nudge_days", "7", "Nudge the overseers when a submission has waited this many days for review",
            _positive_int),
    # The scheduler (issue 3).
    Setting("sweep_interval_minutes", "60", "`dtrack scheduler`: minutes between reminder sweeps", _positive_int),
    Setting("digest_time", "07:30", "`dtrack scheduler`: daily digest time (HH:MM) in the time zone above",
            _clock_time),
    # The web application and accounts (issue 10).
    Setting("session_idle_minutes", "60", "A web session ends after this many minutes without a request",
            _positive_int),
    Setting("session_absolute_hours", "12", "A web session ends this many hours after login, however active",
            _positive_int),
    Setting("login_max_attempts", "5",
            "Failed logins for one email from one network address after which that pair must wait", _positive_int),
    Setting("login_lockout_minutes", "15",
            "The login throttle's window: failures older than this no longer count", _positive_int),
    Setting("login_max_failures_per_address", "30",
            "Failed logins from one network address within the lockout window after which it must wait", _positive_int),
    Setting("invite_valid_hours", "48", "How long a one-time invitation or password-reset link works", _positive_int),
    Setting("account_rows_kept_days", "30",
            "Ended web sessions and used or expired one-time links are deleted after this many days", _positive_int),
    # Evidence files and comments (issue 13).
    Setting("evidence_dir", "", "Folder of evidence files (never inside the web root); empty: beside the SQLite "
            "file (<database>.evidence), or ./dtrack-evidence for PostgreSQL"),
    Setting("evidence_max_mb", "20", "Largest evidence file accepted, in MB", _positive_int),
    Setting("comment_max_chars", "4000", "Longest comment accepted on a task, in characters", _positive_int),
    Setting("page_memo", "yes", "`dtrack serve`: keep each rendered page until the next commit and answer from it "
            "meanwhile (yes/no; never stale, see docs/performance.md)", _yes_no),
    Setting("secure_cookies", "no", "Mark cookies Secure: say yes when the site is served over HTTPS (yes/no)",
            _yes_no),
)

# Values `dtrack settings` and the admin page must not show in full.
SECRET_SETTINGS = ("database_url", "smtp_url")


def masked(name: str, value: Any) -> str:
    """A setting's value for display: the whole user name and password inside a URL are replaced by ***."""
    from dtrack.persistence.database_url import mask_url

    text = display(value)  # an SMTP target's str() already hides its credentials
    return mask_url(text) if name in SECRET_SETTINGS and text else text


_BY_NAME = {s.name: s for s in SETTINGS}


@dataclass(frozen=True)
class Settings:
    """The checked values in force. Build with `load_settings`."""

    values: Mapping[str, Any] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Any:
        try:
            return self.values[name]
        except KeyError:
            raise AttributeError(name) from None

    @property
    def calendar(self) -> WorkCalendar:
        """Working days under the declared adjustments (extra_working_days, extra_days_off)."""
        return WorkCalendar(frozenset(self.values.get("extra_working_days", ())),
                            frozenset(self.values.get("extra_days_off", ())))


def load_settings(environ: Mapping[str, str] | None = None, **overrides: str | None) -> Settings:
    """Read every declared setting from overrides, then the environment, then its default."""
    environ = os.environ if environ is None else environ
    unknown = set(overrides) - set(_BY_NAME)
    if unknown:
        raise InvalidInput("settings", f"unknown setting(s) {', '.join(sorted(unknown))}")
    values: dict[str, Any] = {}
    for setting in SETTINGS:
        raw = overrides.get(setting.name)
        source = f"--{setting.name.replace('_', '-')}"
        if raw is None:
            raw = environ.get(setting.env)
            source = setting.env
        if raw is None:
            raw, source = setting.default, setting.name
        values[setting.name] = setting.parse(raw, source)
    return Settings(values)
