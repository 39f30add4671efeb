"""Deadline rules from directive files, and the calendar they are computed on.

A task group's rule is one of:
  * a fixed date (`deadline = 2026-06-30`);
  * an offset from the assignment date (`"+6 months"`, `"+90 days"`,
    `"+2 weeks"`, `"+1 year"`, `"+30 working days"`);
  * a recurrence (`{ rrule = "FREQ=MONTHLY;INTERVAL=6;...", ... }`) for
    periodic obligations: the deadline is the next occurrence.
Working days skip weekends and Vietnamese public holidays (the `holidays`
package, country VN, which includes Tết).
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from typing import Any

from dateutil.relativedelta import relativedelta

_OFFSET = re.compile(r"^\+\s*(\d{1,4})\s+(working\s+days?|days?|weeks?|months?|years?)$", re.IGNORECASE)


class RuleError(ValueError):
    """A deadline rule cannot be understood; the message says why."""


@dataclass(frozen=True)
class FixedDate:
    on: date

    def due(self, assigned_on: date) -> date:
        return self.on

    def to_json(self) -> Any:
        return self.on.isoformat()


@dataclass(frozen=True)
class Offset:
    amount: int
    unit: str  # days | weeks | months | years | working_days

    def due(self, assigned_on: date) -> date:
        if self.unit == "working_days":
            return add_working_days(assigned_on, self.amount)
        return assigned_on + relativedelta(**{self.unit: self.amount})

    def to_json(self) -> Any:
        unit = "working days" if self.unit == "working_days" else self.unit
        return f"+{self.amount} {unit}"


@dataclass(frozen=True)
class Recurring:
    rrule: str
    period_vi: str = ""
    period_en: str = ""

    def occurrences_after(self, start: date, count: int = 1) -> list[date]:
        from dateutil.rrule import rrulestr
        from datetime import datetime

        rule = rrulestr(self.rrule, dtstart=datetime.combine(start, datetime.min.time()))
        found = []
        for moment in rule:
            found.append(moment.date())
            if len(found) == count:
                break
        return found

    def due(self, assigned_on: date) -> date | None:
        found = self.occurrences_after(assigned_on)
        return found[0] if found else None

    def to_json(self) -> Any:
        return {"rrule": self.rrule, "period_vi": self.period_vi, "period_en": self.period_en}


Rule = FixedDate | Offset | Recurring


def parse_rule(value: Any) -> Rule:
    """Read a rule as written in a directive file (TOML value) or stored JSON."""
    if isinstance(value, date):
        return FixedDate(value)
    if isinstance(value, str):
        text = value.strip()
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            try:
                return FixedDate(date.fromisoformat(text))
            except ValueError:
                raise RuleError(f"{text!r} is not a real date") from None
        match = _OFFSET.match(text)
        if not match:
            raise RuleError(
                f"{text!r} is not a deadline rule; write a date (2026-06-30), an offset "
                "('+6 months', '+30 working days') or a table with rrule"
            )
        amount, unit = int(match.group(1)), match.group(2).lower()
        if unit.startswith("working"):
            unit = "working_days"
        elif not unit.endswith("s"):
            unit += "s"
        if amount == 0:
            raise RuleError(f"{text!r}: the offset must be at least 1")
        return Offset(amount, unit)
    if isinstance(value, dict):
        unknown = set(value) - {"rrule", "period_vi", "period_en"}
        if unknown:
            raise RuleError(f"unknown key(s) {', '.join(sorted(unknown))} in deadline table")
        if "rrule" not in value or not isinstance(value["rrule"], str):
            raise RuleError("a deadline table needs rrule = \"FREQ=...\"")
        rule = Recurring(value["rrule"], str(value.get("period_vi", "")), str(value.get("period_en", "")))
        _check_rrule(rule.rrule)
        return rule
    raise RuleError(f"{value!r} is not a deadline rule")


def _check_rrule(text: str) -> None:
    from dateutil.rrule import rrulestr

    try:
        rrulestr(text, dtstart=date(2000, 1, 1))
    except (ValueError, TypeError) as exc:
        raise RuleError(f"malformed RRULE {text!r}: {exc}") from None


def rule_to_text(rule: Rule) -> str:
    """The canonical stored form (JSON), read back with `rule_from_text`."""
    return json.dumps(rule.to_json(), ensure_ascii=False, sort_keys=True)


def rule_from_text(text: str) -> Rule:
    return parse_rule(json.loads(text))


@cache
def _vn_holidays(year: int) -> frozenset[date]:
    import holidays

    return frozenset(holidays.country_holidays("VN", years=year))


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _vn_holidays(day.year)


def add_working_days(start: date, count: int) -> date:
    """The day `count` working days after `start` (never a weekend or public holiday)."""
    day = start
    remaining = count
    while remaining > 0:
        day += timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    return day
