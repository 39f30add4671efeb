"""Settings as a declared table: name, default, environment variable, help.

Settings come from the environment (and command-line options that override
it) and are checked once at start-up, so a typo in DTRACK_DUE_SOON_DAYS is
an error before any work is done, not a surprise in the middle of a sweep.
`dtrack settings` prints this table with the values in force.
"""
from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from workflow.errors import InvalidInput


def parse_date(text: str, field_name: str = "date") -> date:
    """Parse YYYY-MM-DD strictly; impossible dates such as 2026-02-30 are refused."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(field_name, f"{text!r} is not a valid date", "write it as YYYY-MM-DD, e.g. 2026-11-22") from None


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


def _text(text: str, field_name: str) -> str:
    return text


def _optional_date(text: str, field_name: str) -> date | None:
    return parse_date(text, field_name) if text else None


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
    Setting("database_url", "sqlite:///dtrack.db", "SQLAlchemy URL of the database, e.g. postgresql+psycopg://user@host/db"),
    Setting("today", "", "Pretend today is this date (YYYY-MM-DD); empty means the real date in the time zone below", _optional_date),
    Setting("timezone", "Asia/Ho_Chi_Minh", "Time zone that decides what 'today' is; timestamps are stored in UTC"),
    Setting("language", "vi", "Language of reports and emails: vi or en", _language),
    Setting("due_soon_days", "7", "An open task is due soon this many days before its deadline", _non_negative_int),
    Setting("base_url", "", "Web address used to link tasks in emails and reports (optional)"),
)

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
