"""Settings: one typed, frozen object, declared once with each setting's default and parser.

Settings come from the environment (and command-line options that override
it) and are checked once at start-up, so a typo in DTRACK_DUE_SOON_DAYS is
an error before any work is done, not a surprise in the middle of a sweep.
The edge (the CLI's group, the ASGI factory, the scheduler) builds the one
`Settings` with `load_settings` and passes it down; nothing reads the
environment later. `dtrack settings` and the admin page list `SETTINGS`,
which is read off the dataclass's fields: the fields are the declaration.
"""
from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from datetime import date, time
from typing import Any

from dtrack.config import values as check
from dtrack.config.database_url import MASK, check_database_url, mask_url
from dtrack.config.values import SmtpTarget, Weekday
from dtrack.errors import InvalidInput

# A setting's parser: (text as typed, where it was typed) -> the checked value.
Parser = Callable[[str, str], Any]


def _declare(default: str, parse: Parser = check.plain_text) -> Any:
    """One setting: its default as it would be typed, and the parser that checks it.

    What it means is worded in the catalog (`setting.<name>.help`), in each language.
    """
    return field(metadata={"default": default, "parse": parse})


@dataclass(frozen=True, slots=True, kw_only=True)
class Settings:
    """The checked values in force, one typed field per setting. Build with `load_settings`."""

    database_url: str = _declare("sqlite:///dtrack.db", check_database_url)
    today: date | None = _declare("", check.optional_date)
    timezone: str = _declare("Asia/Ho_Chi_Minh", check.timezone)
    language: str = _declare("vi", check.language)
    lang: str = _declare("vi", check.language)
    due_soon_days: int = _declare("7", check.non_negative_int)
    base_url: str = _declare("http://127.0.0.1:8000")
    # Empty: no server, .eml files in mail_dir.
    smtp_url: SmtpTarget | None = _declare("", check.parse_smtp_url)
    mail_dir: str = _declare("mail")
    mail_from: str = _declare("no-reply@dtrack.example.vn", check.mail_address)
    mail_sender_name: str = _declare("Cục Đổi mới sáng tạo, Chuyển đổi xanh và Khuyến công")
    mail_max_attempts: int = _declare("5", check.positive_int)
    mail_retry_seconds: int = _declare("60", check.non_negative_int)
    mail_stale_seconds: int = _declare("90", check.positive_int)
    digest_weekday: Weekday = _declare("monday", check.weekday)
    digest_send_empty: bool = _declare("no", check.yes_no)
    digest_cap: int = _declare("20", check.positive_int)
    # An overseer reads about a hundred tasks a morning otherwise; the web pages list them all.
    digest_overseer_top: int = _declare("5", check.positive_int)
    # Deadlines (issue 3): the government announces these each year.
    extra_working_days: tuple[date, ...] = _declare("", check.date_list)
    extra_days_off: tuple[date, ...] = _declare("", check.date_list)
    # Reminder policy (issue 3).
    remind_before_days: tuple[int, ...] = _declare("14,7,1", check.day_list)
    remind_overdue_every: int = _declare("7", check.positive_int)
    escalate_after_days: int = _declare("14", check.positive_int)
    review_nudge_days: int = _declare("7", check.positive_int)
    # The scheduler (issue 3).
    sweep_interval_minutes: int = _declare("60", check.positive_int)
    digest_time: time = _declare("07:30", check.clock_time)
    # The web application and accounts (issue 10).
    session_idle_minutes: int = _declare("60", check.positive_int)
    session_absolute_hours: int = _declare("12", check.positive_int)
    login_max_attempts: int = _declare("5", check.positive_int)
    login_lockout_minutes: int = _declare("15", check.positive_int)
    login_max_failures_per_address: int = _declare("30", check.positive_int)
    invite_valid_hours: int = _declare("48", check.positive_int)
    account_rows_kept_days: int = _declare("30", check.positive_int)
    # Evidence files and comments (issue 13).
    evidence_dir: str = _declare("")
    evidence_max_mb: int = _declare("20", check.positive_int)
    comment_max_chars: int = _declare("4000", check.positive_int)
    page_memo: bool = _declare("yes", check.yes_no)
    secure_cookies: bool = _declare("no", check.yes_no)
    web_secret: str = _declare("")


@dataclass(frozen=True, slots=True)
class Setting:
    """One row of the declaration, as `dtrack settings` and the admin page list it."""

    name: str
    default: str
    parse: Parser

    @property
    def env(self) -> str:
        return "DTRACK_" + self.name.upper()

    @property
    def help_id(self) -> str:
        """The catalog's id of what the setting means (`dtrack settings`, the admin page)."""
        return f"setting.{self.name}.help"


SETTINGS: tuple[Setting, ...] = tuple(
    Setting(f.name, f.metadata["default"], f.metadata["parse"]) for f in fields(Settings))
_BY_NAME = {s.name: s for s in SETTINGS}

# Values `dtrack settings` and the admin page must not show in full: URLs without their credentials,
# and secrets not at all.
SECRET_SETTINGS = ("database_url", "smtp_url")
HIDDEN_SETTINGS = ("web_secret",)


def load_settings(environ: Mapping[str, str] | None = None, **overrides: str | None) -> Settings:
    """Read every declared setting from overrides, then the environment, then its default.

    The first value that does not parse is refused naming the setting as its
    field (`due_soon_days`), and its environment variable (`env`) when the
    value came from there, so a front end can say `DTRACK_DUE_SOON_DAYS`.
    """
    environ = os.environ if environ is None else environ
    unknown = set(overrides) - set(_BY_NAME)
    if unknown:
        raise InvalidInput("settings", "unknown_settings", names=sorted(unknown))
    values: dict[str, Any] = {}
    for setting in SETTINGS:
        raw = overrides.get(setting.name)
        env = None
        if raw is None:
            raw = environ.get(setting.env)
            env = setting.env if raw is not None else None
        if raw is None:
            raw = setting.default
        try:
            values[setting.name] = setting.parse(raw, setting.name)
        except InvalidInput as exc:
            if env:  # where the value was written, for the front end to name
                exc.params["env"] = env
            raise
    return Settings(**values)


def display(value: Any) -> str:
    """A setting's value as `dtrack settings` shows it (lists comma-separated, times HH:MM)."""
    if value is None:
        return ""
    if isinstance(value, tuple):
        return ",".join(display(v) for v in value)
    if isinstance(value, time):
        return value.strftime("%H:%M")
    return value.isoformat() if isinstance(value, date) else str(value)


def masked(name: str, value: Any) -> str:
    """A setting's value for display: the whole user name and password inside a URL are replaced by ***."""
    text = display(value)  # an SMTP target's str() already hides its credentials
    if name in HIDDEN_SETTINGS and text:
        return MASK
    return mask_url(text) if name in SECRET_SETTINGS and text else text


def shown(settings: Settings) -> list[tuple[Setting, str]]:
    """Every declared setting with its value in force as shown to people (secrets masked)."""
    return [(s, masked(s.name, getattr(settings, s.name))) for s in SETTINGS]
