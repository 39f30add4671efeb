"""Deadline rules from directive files, and the calendar they are computed on.

A task group's rule is one of:
  * a fixed date (`deadline = 2026-06-30`);
  * an offset from the assignment date (`"+6 months"`, `"+90 days"`,
    `"+2 weeks"`, `"+1 year"`, `"+30 working days"`);
  * a recurrence (`{ rrule = "FREQ=MONTHLY;INTERVAL=6;...", ... }`) for
    periodic obligations: the deadline is the next occurrence.
Working days skip weekends and Vietnamese public holidays (the `holidays`
package, country VN, which includes Tết); the government's declared make-up
working days (làm bù) and extra days off (nghỉ bù) come from the settings
`extra_working_days` and `extra_days_off` (see `WorkCalendar`).

Every rule's deadline is a legal deadline: a raw date that falls on a day
off moves to the next working day (Civil Code 2015, art. 148). That rule
lives in one place, `WorkCalendar.next_working_day`, applied through
`legal_deadline` by every `due`, `step` and period below; the raw date
stays available (`raw_due`, `raw_step`, `Recurring.occurrences`,
`Period.raw_due_on`) where a caller needs the date as the rule writes it.

Recurring groups produce one task per period: each rrule occurrence is a
due date, its period (`2026-H1`, `2026-Q3`, `2026-12`, `2026`) is derived
from the occurrence, the rule's spacing and the group's `covers`, and a
period opens the day after the previous occurrence (`periods_open`).
`covers = "current"` names the period that contains the occurrence (a
six-month report due 15/06 covers H1); `"previous"` the period that ended
before it (a quarterly report due 10/01/2027 covers 2026-Q4: "trước ngày 10
của tháng đầu quý sau"). The period is part of the task key, so the key and
every label say the period reported on; `period_words` is the one label. Continuous groups have review
checkpoints: their offset repeated from the assignment date (`checkpoints`).
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache
from typing import Any

from dateutil.relativedelta import relativedelta

from dtrack.config.settings import Settings
from dtrack.errors import RuleError

_OFFSET = re.compile(r"^\+\s*(\d{1,4})\s+(working\s+days?|days?|weeks?|months?|years?)$", re.IGNORECASE)


@dataclass(frozen=True)
class FixedDate:
    on: date

    def raw_due(self, assigned_on: date, calendar: WorkCalendar | None = None) -> date:
        return self.on

    def due(self, assigned_on: date, calendar: WorkCalendar | None = None) -> date:
        return legal_deadline(self.on, calendar)

    def to_json(self) -> Any:
        return self.on.isoformat()


@dataclass(frozen=True)
class Offset:
    amount: int
    unit: str  # days | weeks | months | years | working_days

    def raw_due(self, assigned_on: date, calendar: WorkCalendar | None = None) -> date:
        return self.raw_step(assigned_on, 1, calendar)

    def due(self, assigned_on: date, calendar: WorkCalendar | None = None) -> date:
        return self.step(assigned_on, 1, calendar)

    def raw_step(self, start: date, times: int, calendar: WorkCalendar | None = None) -> date:
        """`start` plus the offset `times` times (counted from `start`, so months do not drift), as written."""
        if self.unit == "working_days":
            return add_working_days(start, self.amount * times, calendar)
        moved: date = start + relativedelta(**{self.unit: self.amount * times})  # dateutil ships no types
        return moved

    def step(self, start: date, times: int, calendar: WorkCalendar | None = None) -> date:
        """The legal deadline of `raw_step` (a working-day count already ends on a working day)."""
        return legal_deadline(self.raw_step(start, times, calendar), calendar)

    def to_json(self) -> Any:
        unit = "working days" if self.unit == "working_days" else self.unit
        return f"+{self.amount} {unit}"


@dataclass(frozen=True)
class Recurring:
    rrule: str
    period_vi: str = ""
    period_en: str = ""

    def occurrences(self, start: date) -> Iterator[date]:
        """Every occurrence strictly after `start` (the rule has no DTSTART: dtrack counts from `start`)."""
        from dateutil.rrule import rrulestr

        rule = rrulestr(self.rrule, dtstart=datetime.combine(start, datetime.min.time()))
        for moment in rule:
            if moment.date() > start:
                yield moment.date()

    def occurrences_after(self, start: date, count: int = 1) -> list[date]:
        found = []
        for day in self.occurrences(start):
            found.append(day)
            if len(found) == count:
                break
        return found

    def raw_due(self, assigned_on: date, calendar: WorkCalendar | None = None) -> date | None:
        found = self.occurrences_after(assigned_on)
        return found[0] if found else None

    def due(self, assigned_on: date, calendar: WorkCalendar | None = None) -> date | None:
        raw = self.raw_due(assigned_on)
        return None if raw is None else legal_deadline(raw, calendar)

    def spacing_months(self, start: date) -> int:
        """How many months apart occurrences are (the smallest gap among the first few)."""
        days = self.occurrences_after(start, 5)
        gaps = [(b.year - a.year) * 12 + b.month - a.month for a, b in zip(days, days[1:], strict=False)]
        return min(gaps) if gaps else 12

    def to_json(self) -> Any:
        return {"rrule": self.rrule, "period_vi": self.period_vi, "period_en": self.period_en}


@dataclass(frozen=True)
class Period:
    """One occurrence of a recurring obligation: its label, due date and opening day.

    The label and the opening day come from the raw occurrence, so a day off
    declared later never renames a period or opens it on another day (task
    keys stay stable); only `due_on`, the legal deadline, moves.
    """

    label: str  # 2026-H1, 2026-Q3, 2026-12, 2026 or 2026-06-15 (part of the task key)
    due_on: date  # the legal deadline: raw_due_on, or the next working day after it
    opens_on: date  # the day after the previous occurrence (or the assignment date)
    raw_due_on: date  # the occurrence as the rrule gives it


COVERS = ("current", "previous")
_CALENDAR_SPACINGS = (1, 3, 6, 12)


def period_label(due_on: date, spacing_months: int, covers: str = "current") -> str:
    """The period an occurrence reports on, named by the rule's spacing.

    current: the calendar period (month, quarter, half, year) containing
    `due_on`; previous: the one just before it, i.e. the latest period that
    ended before `due_on`. An occurrence with another spacing is named by
    its date either way (there is no calendar period to step back to).
    """
    if covers not in COVERS:
        raise RuleError("bad_covers", value=covers, choices=list(COVERS))
    if covers == "previous" and spacing_months in _CALENDAR_SPACINGS:
        first_month = (due_on.month - 1) // spacing_months * spacing_months + 1
        due_on = date(due_on.year, first_month, 1) - timedelta(days=1)
    if spacing_months == 1:
        return f"{due_on.year}-{due_on.month:02d}"
    if spacing_months == 3:
        return f"{due_on.year}-Q{(due_on.month - 1) // 3 + 1}"
    if spacing_months == 6:
        return f"{due_on.year}-H{1 if due_on.month <= 6 else 2}"
    if spacing_months == 12:
        return str(due_on.year)
    return due_on.isoformat()


def period_span(label: str) -> tuple[date, date] | None:
    """The first and last day of a calendar period label (None for a dated one, 2026-06-15)."""
    match = re.fullmatch(r"(\d{4})(?:-(H[12]|Q[1-4]|\d{2}))?", label)
    if not match:
        return None
    year, part = int(match.group(1)), match.group(2)
    if part is None:
        first, months = 1, 12
    elif part.startswith("H"):
        first, months = (1 if part == "H1" else 7), 6
    elif part.startswith("Q"):
        first, months = (int(part[1]) - 1) * 3 + 1, 3
    else:
        first, months = int(part), 1
    start = date(year, first, 1)
    return start, start + relativedelta(months=months) - timedelta(days=1)


_PERIOD_WORDS = {
    "vi": {"H1": "6 tháng đầu năm {y}", "H2": "6 tháng cuối năm {y}", "Q": "quý {q} năm {y}",
           "M": "tháng {m} năm {y}", "Y": "năm {y}", "D": "kỳ {d}"},
    "en": {"H1": "the first half of {y}", "H2": "the second half of {y}", "Q": "Q{q} {y}",
           "M": "{month} {y}", "Y": "{y}", "D": "the period ending {d}"},
}
_ROMAN = ("I", "II", "III", "IV")


def period_words(label: str, lang: str) -> str:
    """A period label in words: 2026-H1 -> '6 tháng đầu năm 2026' / 'the first half of 2026'."""
    words = _PERIOD_WORDS[lang]
    match = re.fullmatch(r"(\d{4})(?:-(H[12]|Q[1-4]|\d{2}|\d{2}-\d{2}))?", label)
    if not match:
        return label
    year, part = match.group(1), match.group(2)
    if part is None:
        return words["Y"].format(y=year)
    if part.startswith("H"):
        return words[part].format(y=year)
    if part.startswith("Q"):
        quarter = int(part[1])
        return words["Q"].format(q=_ROMAN[quarter - 1] if lang == "vi" else quarter, y=year)
    if len(part) == 2:
        month = int(part)
        return words["M"].format(m=month, month=date(2000, month, 1).strftime("%B"), y=year)
    day = date.fromisoformat(label)
    return words["D"].format(d=day.strftime("%d/%m/%Y"))


def period_title(rule: Recurring, label: str, lang: str, fallback: str) -> str:
    """A recurring task's title from the rule's period_vi / period_en template."""
    template = rule.period_vi if lang == "vi" else rule.period_en
    if not template:
        return f"{fallback} ({period_words(label, lang)})"
    return template.replace("{period_vi}", period_words(label, "vi")).replace("{period_en}", period_words(label, "en"))


@cache
def task_titles(rule_text: str, period: str, title_vi: str, title_en: str) -> tuple[str, str]:
    """A task's title in both languages: the group's, with its period in words for a recurring group.

    The one label of a period: task lists, pages, reports and digests all
    call it (cached: a digest build labels thousands of tasks of few groups).
    """
    if not period:
        return title_vi, title_en
    rule = rule_from_text(rule_text)
    if not isinstance(rule, Recurring):
        return title_vi, title_en
    return period_title(rule, period, "vi", title_vi), period_title(rule, period, "en", title_en)


def periods_open(rule: Recurring, assigned_on: date, as_of: date,
                 calendar: WorkCalendar | None = None, covers: str = "current") -> list[Period]:
    """Every period whose task should exist on `as_of`: those that have opened by then.

    The first period opens on the assignment date; each later one the day
    after the previous occurrence. With covers="previous" an occurrence that
    reports on a period ended before the assignment is skipped. The list
    always has at least the first. Each period's deadline is the legal one on `calendar`; its label says
    the period it `covers` (see `period_label`).
    """
    spacing = rule.spacing_months(assigned_on)
    found: list[Period] = []
    opens_on = assigned_on
    for raw in rule.occurrences(assigned_on):
        if found and opens_on > as_of:
            break
        label = period_label(raw, spacing, covers)
        span = period_span(label) if covers == "previous" else None
        if span is not None and span[1] < assigned_on:
            # A report on a period that ended before the directive reached the province is not owed
            # (assigned 02/11, due 05/11 for October): the first task is the next period's.
            continue
        found.append(Period(label, legal_deadline(raw, calendar), opens_on, raw))
        opens_on = raw + timedelta(days=1)
    return found


def raw_checkpoints(rule: Rule, assigned_on: date, calendar: WorkCalendar | None = None) -> Iterator[date]:
    """A continuous group's review checkpoints as the rule writes them: its offset repeated from assignment."""
    if isinstance(rule, Offset):
        times = 1
        while True:
            yield rule.raw_step(assigned_on, times, calendar)
            times += 1
    elif isinstance(rule, Recurring):
        yield from rule.occurrences(assigned_on)
    else:
        yield rule.on


def checkpoints(rule: Rule, assigned_on: date, calendar: WorkCalendar | None = None) -> Iterator[date]:
    """The review checkpoints as legal deadlines, in order (two raw ones a weekend apart may give one day)."""
    for raw in raw_checkpoints(rule, assigned_on, calendar):
        yield legal_deadline(raw, calendar)


def next_checkpoint(rule: Rule, assigned_on: date, after: date, calendar: WorkCalendar | None = None) -> date | None:
    """The legal deadline of the first checkpoint whose raw date is strictly after `after` (None if none).

    `after` is the checkpoint in force: its legal date (moved past a
    weekend) or, for a deadline stored before the rule, its raw date. Both
    lie before the next raw checkpoint, so comparing raw dates never picks
    the checkpoint just reviewed again under its legal date.
    """
    for raw in raw_checkpoints(rule, assigned_on, calendar):
        if raw > after:
            return legal_deadline(raw, calendar)
    return None


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
                raise RuleError("rule_not_a_real_date", value=text) from None
        match = _OFFSET.match(text)
        if not match:
            raise RuleError("not_a_deadline_rule", value=text)
        amount, unit = int(match.group(1)), match.group(2).lower()
        if unit.startswith("working"):
            unit = "working_days"
        elif not unit.endswith("s"):
            unit += "s"
        if amount == 0:
            raise RuleError("offset_zero", value=text)
        return Offset(amount, unit)
    if isinstance(value, dict):
        unknown = set(value) - {"rrule", "period_vi", "period_en"}
        if unknown:
            raise RuleError("rule_unknown_keys", keys=sorted(unknown))
        if "rrule" not in value or not isinstance(value["rrule"], str):
            raise RuleError("rule_needs_rrule")
        rule = Recurring(value["rrule"], str(value.get("period_vi", "")), str(value.get("period_en", "")))
        _check_rrule(rule.rrule)
        return rule
    raise RuleError("not_a_deadline_rule", value=value)


def _check_rrule(text: str) -> None:
    from dateutil.rrule import rrulestr

    try:
        rrulestr(text, dtstart=date(2000, 1, 1))
    except (ValueError, TypeError) as exc:
        raise RuleError("malformed_rrule", value=text, detail=str(exc)) from None
    # dateutil accepts days no month has (BYMONTHDAY=40) and then yields nothing,
    # after searching to the year 9999: refuse them here instead.
    for part, limit in (("BYMONTHDAY", 31), ("BYMONTH", 12), ("BYYEARDAY", 366)):
        match = re.search(rf"(?:^|;){part}=([^;]*)", text.upper())
        if match:
            for value in match.group(1).split(","):
                if not value.strip().lstrip("+-").isdigit() or not 1 <= abs(int(value)) <= limit:
                    raise RuleError("rrule_out_of_range", value=text, part=part, number=value, limit=limit)


def rule_to_text(rule: Rule) -> str:
    """The canonical stored form (JSON), read back with `rule_from_text`."""
    return json.dumps(rule.to_json(), ensure_ascii=False, sort_keys=True)


@cache
def rule_from_text(text: str) -> Rule:
    """A stored rule (cached: listing many tasks parses each group's rule once)."""
    return parse_rule(json.loads(text))


@cache
def _vn_holidays(year: int) -> frozenset[date]:
    import holidays

    return frozenset(holidays.country_holidays("VN", years=year))


@dataclass(frozen=True)
class WorkCalendar:
    """Vietnamese working days, with the government's declared adjustments.

    `extra_working_days`: make-up working days (làm bù), often a Saturday;
    `extra_days_off`: extra days off (nghỉ bù, or a bridge day the
    government declares), both announced each year and not in `holidays`.
    """

    extra_working_days: frozenset[date] = field(default_factory=frozenset)
    extra_days_off: frozenset[date] = field(default_factory=frozenset)

    @classmethod
    def of(cls, settings: Settings) -> WorkCalendar:
        """Working days under the adjustments the settings declare (extra_working_days, extra_days_off)."""
        return cls(frozenset(settings.extra_working_days), frozenset(settings.extra_days_off))

    def is_working_day(self, day: date) -> bool:
        if day in self.extra_working_days:
            return True
        if day in self.extra_days_off:
            return False
        return day.weekday() < 5 and day not in _vn_holidays(day.year)

    def next_working_day(self, day: date) -> date:
        """`day` if it is a working day, else the first working day after it.

        The one place of Civil Code 2015, art. 148: a time limit whose last
        day falls on a weekly day off or a public holiday ends on the next
        working day. Terminates: days off are finitely many beyond weekends.
        """
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day


# Weekends and public holidays only. Callers that know the settings pass
# `Settings.calendar`, which adds the declared làm bù / nghỉ bù days; the
# calendar is never read from the environment behind a caller's back, so a
# --db or test override reaches every deadline.
STATUTORY = WorkCalendar()


def is_working_day(day: date, calendar: WorkCalendar | None = None) -> bool:
    return (calendar or STATUTORY).is_working_day(day)


def legal_deadline(raw: date, calendar: WorkCalendar | None = None) -> date:
    """The deadline in law for a rule's raw date: see `WorkCalendar.next_working_day`."""
    return (calendar or STATUTORY).next_working_day(raw)


def add_working_days(start: date, count: int, calendar: WorkCalendar | None = None) -> date:
    """The day `count` working days after `start` (never a weekend or public holiday)."""
    calendar = calendar or STATUTORY
    day = start
    remaining = count
    while remaining > 0:
        day += timedelta(days=1)
        if calendar.is_working_day(day):
            remaining -= 1
    return day
