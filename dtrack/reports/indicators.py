"""The indicator catalogue and the figures provinces, regions and the country report.

A figure names its unit (a province by slug, name or pre-2025 name; a region;
or `national`), an indicator code from the directive's catalogue, a period
(`2025`, `2025-H1`, `2025-Q3`, `2025-09`) and a whole-number value (VND for
money). `report_value` records one figure; `import_file` records a CSV or
XLSX file of them, all rows or none. Rows are never updated: a later figure
for the same indicator, unit and period supersedes the earlier one, and
each row keeps who reported it, when, and where it came from.

A figure keeps the name it was reported under (`source_unit`): a row for
"Kiên Giang" is stored against An Giang with source `kien-giang`, beside An
Giang's own row, and reports.figures adds the two up; neither overwrites the
other. Within one (indicator, period, unit, source, as_of) a file cannot
change a figure silently: the same value is "unchanged" (so importing a file
again changes nothing), a different one is refused with its line number
unless the import says `replace`, which appends the new value as the next
revision and keeps the old row.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from dataclasses import replace as dataclass_replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from dtrack.config.values import parse_date
from dtrack.errors import (
    DtrackError,
    ImportInvalid,
    InvalidInput,
    PermissionDenied,
    Reason,
    UnknownIndicator,
    because,
)
from dtrack.i18n.labels import REGION_LABELS
from dtrack.persistence.models import Indicator, IndicatorValue, Province, User
from dtrack.reports.figure_files import COLUMNS, read_rows
from dtrack.workflow.assignments import find_directive
from dtrack.workflow.provinces import resolve, slugify
from dtrack.workflow.users import find_user
from dtrack.workflow.views import View
from dtrack.workflow.vocabulary import Region, Role, Scope

DEFAULT_DIRECTIVE = "20/CT-BCT"
MAX_VALUE = 10**18  # fits a BIGINT with room to spare; VND amounts never come near it
MAX_TEXT = 4000

_PERIOD = re.compile(r"^(\d{4})(?:-(H[12]|Q[1-4]|0[1-9]|1[0-2]))?$")
# Whole numbers, optionally grouped by threes with '.', ',', ' ' or '_' (1.234.567 or 1,234,567).
_VALUE = re.compile(r"^\d+$|^\d{1,3}(?:([.,  _])\d{3})(?:\1\d{3})*$")
_NATIONAL_NAMES = {"national", "toan-quoc", "ca-nuoc", "quoc-gia"}


@dataclass(frozen=True)
class Unit:
    """Who a figure is about."""

    scope: Scope
    province: Province | None = None
    region: str | None = None
    note: str | None = None  # an old province name was mapped to its merged unit
    source: str = ""  # the slug it was reported under: kien-giang, an-giang, south, national; "" = its own

    def __post_init__(self) -> None:
        # A unit named directly (not through resolve_unit) is reported under its own name.
        if not self.source:
            object.__setattr__(self, "source", self.own)

    @property
    def own(self) -> str:
        """The unit's own slug: the province's, the region, or national."""
        return self.province.slug if self.province else (self.region or "national")

    def label(self) -> str:
        """How a message names it: `an-giang (as kien-giang)`."""
        return self.own if self.source == self.own else f"{self.own} (as {self.source})"


def _region_names() -> dict[str, str]:
    names = {r.value: r.value for r in Region}
    for labels in REGION_LABELS.values():
        for region, label in labels.items():
            names[slugify(label)] = str(region)
    return names


def resolve_unit(session: Session, ref: str) -> Unit:
    """A province (slug, name or old name), a region (north, Miền Nam...) or national."""
    slug = slugify(ref)
    if slug in _NATIONAL_NAMES:
        return Unit(Scope.NATIONAL)
    region = _region_names().get(slug)
    if region is not None:
        return Unit(Scope.REGION, region=region, source=region)
    resolved = resolve(session, ref)
    return Unit(Scope.PROVINCE, province=resolved.province, note=resolved.note, source=resolved.source)


def parse_period(text: str) -> str:
    period = str(text).strip().upper()
    if not _PERIOD.match(period):
        raise InvalidInput("period", "not_a_period", value=text)
    return period


def parse_value(raw: Any) -> int:
    """A whole, non-negative number: 8340000000, 8.340.000.000 or an XLSX number."""
    if isinstance(raw, bool):
        raise InvalidInput("value", "not_a_number", value=raw)
    if isinstance(raw, int):
        number = raw
    elif isinstance(raw, float):
        if not raw.is_integer():
            raise InvalidInput("value", "figure_not_whole", value=raw)
        number = int(raw)
    else:
        text = str(raw).strip()
        if not _VALUE.match(text):
            raise InvalidInput("value", "figure_not_whole", value=text)
        number = int(re.sub(r"\D", "", text))
    if number < 0:
        raise InvalidInput("value", "figure_negative", value=number)
    if number >= MAX_VALUE:
        raise InvalidInput("value", "too_large", value=number, max=MAX_VALUE - 1)
    return number


def catalogue(session: Session, directive: str = DEFAULT_DIRECTIVE) -> list[Indicator]:
    found = find_directive(session, directive)
    return list(session.scalars(
        select(Indicator).where(Indicator.directive_id == found.id).order_by(Indicator.ordinal)))


@dataclass(frozen=True)
class IndicatorView(View):
    code: str
    name: str
    unit: str
    aggregate: str  # sum | latest

    @classmethod
    def of(cls, indicator: Indicator, lang: str) -> IndicatorView:
        vi = lang == "vi"
        return cls(indicator.code, indicator.name_vi if vi else indicator.name_en,
                   indicator.unit_vi if vi else indicator.unit_en, indicator.aggregate)


def find_indicator(session: Session, code: str, directive: str = DEFAULT_DIRECTIVE) -> Indicator:
    indicators = {i.code: i for i in catalogue(session, directive)}
    try:
        return indicators[code.strip()]
    except KeyError:
        raise UnknownIndicator(code, indicators) from None


def own_unit(actor: User) -> str | None:
    """The unit a province officer reports for (their province's slug); None for the Department, who choose."""
    if actor.role == Role.PROVINCE and actor.province is not None:
        return actor.province.slug
    return None


def check_may_report(actor: User, unit: Unit) -> None:
    """Province officers report their own province's figures; the Department reports any."""
    if actor.role in (Role.OVERSEER, Role.ADMIN):
        return
    if unit.scope == Scope.PROVINCE and unit.province is not None and actor.province_id == unit.province.id:
        return
    raise PermissionDenied(actor.email, "report_figures", unit.own, because("own_province_figures"))


@dataclass(frozen=True)
class Figure:
    """One checked figure, ready to store."""

    unit: Unit
    indicator: Indicator
    period: str
    value: int
    as_of: date
    note: str | None = None
    source: str | None = None


def _text(value: Any, name: str) -> str | None:
    text = "" if value is None else str(value).strip()
    if len(text) > MAX_TEXT:
        raise InvalidInput(name, "too_long", length=len(text), max=MAX_TEXT)
    if "\x00" in text:
        raise InvalidInput(name, "has_nul")
    return text or None


def check_figure(
    session: Session,
    *,
    unit: str | None,  # None: a spreadsheet's empty cell, refused below like an empty text
    indicator: str | None,
    period: str | None,
    value: Any,
    as_of: date | str | None,
    today: date,
    note: Any = None,
    source: Any = None,
    directive: str = DEFAULT_DIRECTIVE,
) -> Figure:
    """Validate one figure's fields (raises the first problem found)."""
    if not str(unit or "").strip():
        raise InvalidInput("unit", "empty_unit")
    checked_unit = resolve_unit(session, str(unit))
    found = find_indicator(session, str(indicator or ""), directive)
    checked_period = parse_period(str(period or ""))
    number = parse_value(value)
    if isinstance(as_of, datetime):
        day = as_of.date()
    elif isinstance(as_of, date):
        day = as_of
    elif as_of is None or not str(as_of).strip():
        day = today
    else:
        day = parse_date(str(as_of), "as_of")
    if day > today:
        raise InvalidInput("as_of", "figure_in_future", day=day)
    if int(checked_period[:4]) > day.year:
        raise InvalidInput("period", "period_not_started", period=checked_period, day=day)
    return Figure(checked_unit, found, checked_period, number, day, _text(note, "note"), _text(source, "source"))


def store(session: Session, figure: Figure, actor: User | None, now: datetime, revision: int = 1) -> IndicatorValue:
    row = IndicatorValue(
        indicator=figure.indicator, scope=figure.unit.scope.value, province=figure.unit.province,
        region=figure.unit.region, source_unit=figure.unit.source, period=figure.period, as_of=figure.as_of,
        revision=revision, value=figure.value, note=figure.note, source=figure.source, actor=actor, created_at=now,
    )
    session.add(row)
    return row


def standing(session: Session, figure: Figure) -> IndicatorValue | None:
    """The row in force on the figure's day for its indicator, period, unit and source unit."""
    return session.scalar(
        select(IndicatorValue).where(
            IndicatorValue.indicator_id == figure.indicator.id, IndicatorValue.scope == figure.unit.scope.value,
            IndicatorValue.source_unit == figure.unit.source, IndicatorValue.period == figure.period,
            IndicatorValue.as_of <= figure.as_of,
        ).order_by(IndicatorValue.as_of.desc(), IndicatorValue.revision.desc()).limit(1)
    )


@dataclass(frozen=True)
class Change:
    """What recording a figure does: `new`, `unchanged`, `replace` (same day, other value)."""

    kind: str
    previous: IndicatorValue | None = None

    @property
    def revision(self) -> int:
        return self.previous.revision + 1 if self.kind == "replace" and self.previous else 1


def change_of(session: Session, figure: Figure) -> Change:
    row = standing(session, figure)
    if row is not None and row.value == figure.value:
        return Change("unchanged", row)  # nothing new: the figure already stands at that day
    if row is not None and row.as_of == figure.as_of:
        return Change("replace", row)
    return Change("new", row)


def report_value(
    session: Session,
    *,
    unit: str,
    indicator: str,
    period: str,
    value: Any,
    actor_email: str,
    now: datetime,
    today: date,
    as_of: date | None = None,
    note: str | None = None,
    directive: str = DEFAULT_DIRECTIVE,
) -> tuple[IndicatorValue, str | None]:
    """Record one figure by a user; returns the row and a note (an old name mapped, a figure replaced).

    Typing a figure is explicit: a different value for the same day replaces
    the day's figure as a new revision (the old row stays, the note says so);
    the same value records nothing and returns the row already there.
    """
    actor = find_user(session, actor_email)
    figure = check_figure(session, unit=unit, indicator=indicator, period=period, value=value, as_of=as_of,
                          today=today, note=note, source=f"reported by {actor.email}", directive=directive)
    check_may_report(actor, figure.unit)
    notes = [figure.unit.note] if figure.unit.note else []
    change = change_of(session, figure)
    if change.kind == "unchanged" and change.previous is not None:
        notes.append(f"{figure.indicator.code} {figure.period} already stands at {figure.value} "
                     f"on {change.previous.as_of:%d/%m/%Y}; nothing recorded")
        return change.previous, "; ".join(notes)
    if change.kind == "replace" and change.previous is not None:
        notes.append(f"replaces {change.previous.value} reported for {figure.as_of:%d/%m/%Y}")
    row = store(session, figure, actor, now, change.revision)
    session.flush()
    return row, "; ".join(notes) or None


# --- files ----------------------------------------------------------------------


@dataclass
class ImportResult:
    path: str
    imported: int  # rows added: new figures and replacements
    unchanged: int  # figures already standing with the same value (importing a file again: all of them)
    notes: list[str]
    replaced: int = 0  # same-day figures given another value, with `replace` (counted in imported too)

    def summary(self) -> str:
        text = f"{self.path}: {self.imported} figure(s) imported, {self.unchanged} unchanged"
        return text + (f", {self.replaced} replaced" if self.replaced else "")


def import_file(
    session: Session,
    path: str | Path,
    actor_email: str | None,
    now: datetime,
    today: date,
    *,
    directive: str = DEFAULT_DIRECTIVE,
    replace: bool = False,
) -> ImportResult:
    """Import every row or none; bad rows are all reported with their line numbers.

    actor_email None means shipped seed data. A row whose figure already
    stands is unchanged; a different value for a day that has one is refused
    (its line number, the value there) unless `replace`.
    """
    actor = find_user(session, actor_email) if actor_email else None
    figures: list[tuple[int, Figure]] = []
    problems: list[tuple[int, DtrackError | Reason]] = []
    notes: list[str] = []
    in_file: dict[tuple, tuple[int, int]] = {}  # key -> (line, value): a file says one thing per key
    for line, row in read_rows(path):
        try:
            figure = check_figure(session, today=today, directive=directive,
                                  **{name: row.get(name) for name in COLUMNS})
            if actor is not None:
                check_may_report(actor, figure.unit)
        except DtrackError as exc:
            problems.append((line, exc))
            continue
        if figure.unit.note:
            notes.append(f"line {line}: {figure.unit.note}")
        if figure.source is None:
            figure = dataclass_replace(figure, source=Path(path).name)
        key = (figure.indicator.id, figure.unit.scope, figure.unit.source, figure.period, figure.as_of)
        earlier = in_file.get(key)
        if earlier is not None:
            if earlier[1] != figure.value:
                problems.append((line, because("figure_twice", **_figure_key(figure), first=earlier[1],
                                               first_line=earlier[0], value=figure.value)))
            continue  # the same figure twice: once is enough
        in_file[key] = (line, figure.value)
        figures.append((line, figure))
    if problems:
        raise ImportInvalid(str(path), problems)
    planned = [(line, figure, change_of(session, figure)) for line, figure in figures]
    conflicts: list[tuple[int, DtrackError | Reason]] = [
        (line, because("figure_conflict", **_figure_key(figure), previous=change.previous.value, value=figure.value))
        for line, figure, change in planned
        if change.kind == "replace" and change.previous is not None and not replace]
    if conflicts:
        raise ImportInvalid(str(path), conflicts, code="import_conflicts")
    unchanged = replaced = 0
    for line, figure, change in planned:
        if change.kind == "unchanged":
            unchanged += 1
            continue
        if change.kind == "replace":
            replaced += 1
            notes.append(f"line {line}: {_what(figure)} was {change.previous.value if change.previous else '?'}, "
                         f"now {figure.value}")
        store(session, figure, actor, now, change.revision)
    session.flush()
    return ImportResult(str(path), len(planned) - unchanged, unchanged, notes, replaced)


def _figure_key(figure: Figure) -> dict[str, object]:
    """The key a conflict is about, as an error's values: its wording says `budget_disbursed 2024, an-giang ...`."""
    unit = figure.unit
    named = unit.own if unit.source == unit.own else f"{unit.own} ({unit.source})"
    return {"indicator": figure.indicator.code, "period": figure.period, "unit": named, "as_of": figure.as_of}


def _what(figure: Figure) -> str:
    """`budget_disbursed 2024 for an-giang (as kien-giang) on 31/12/2024`: the key a conflict is about."""
    return f"{figure.indicator.code} {figure.period} for {figure.unit.label()} on {figure.as_of:%d/%m/%Y}"
