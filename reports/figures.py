"""Adding reported figures up: per province, per region and for the whole country.

For one unit and year, the figure is the year's own row if there is one,
otherwise its sub-periods (2025-H1, 2025-Q3, 2025-09...) combined as the
indicator says: `sum` adds them (flows such as money disbursed), `latest`
keeps the most recent (stocks such as staff). Within one period the latest
row up to the report's day wins (figures are cumulative; a correction is a
new row).

A region's total is the figure reported for the region when there is one
(a conference's synthesis, never spread over provinces), otherwise what its
provinces add up to; the country's is the national figure, otherwise the
regions' totals added up. `Total.basis` says which, and how many parts.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from dtrack.reports.indicators import DEFAULT_DIRECTIVE, catalogue
from dtrack.workflow.models import Indicator, IndicatorValue, Province
from dtrack.workflow.vocabulary import Region, Scope

MONEY_UNIT = "VND"


class Money(int):
    """An amount in VND: formatted as `56,31 tỷ đồng`, stored in XLSX as a number."""


class Percent(float):
    """A ratio (0.148) shown as a percentage (`14,8 %`)."""


@dataclass(frozen=True)
class Total:
    value: int | None
    basis: str = ""  # "reported": a figure for the unit itself; "parts": its parts added up; "": nothing
    parts: int = 0  # how many provinces or regions contributed (basis "parts")
    notes: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()


def rate(done: Total, plan: Total) -> Percent | None:
    if done.value is None or not plan.value:
        return None
    if (done.basis, done.parts) != (plan.basis, plan.parts):
        return None  # e.g. a plan from two regions against disbursement from one: no honest rate
    return Percent(done.value / plan.value)


class Figures:
    """The figures of one year as they stood on a day."""

    def __init__(self, session: Session, year: int, as_of: date, directive: str = DEFAULT_DIRECTIVE) -> None:
        self.year = year
        self.as_of = as_of
        self.indicators: list[Indicator] = catalogue(session, directive)
        self._by_code = {i.code: i for i in self.indicators}
        self.regions = {p.id: p.region for p in session.scalars(select(Province))}
        rows = session.scalars(
            select(IndicatorValue)
            .where(IndicatorValue.indicator_id.in_([i.id for i in self.indicators]),
                   IndicatorValue.period.like(f"{year}%"), IndicatorValue.as_of <= as_of)
            .order_by(IndicatorValue.as_of, IndicatorValue.id)
        )
        latest: dict[tuple, IndicatorValue] = {}
        for row in rows:
            latest[(row.indicator_id, row.scope, row.province_id or row.region, row.period)] = row
        per_unit: dict[tuple, list[IndicatorValue]] = {}
        for (indicator_id, scope, unit, _), row in latest.items():
            per_unit.setdefault((indicator_id, scope, unit), []).append(row)
        self._units = {key: self._combine(rows) for key, rows in per_unit.items()}

    def _combine(self, rows: list[IndicatorValue]) -> Total:
        whole = [r for r in rows if r.period == str(self.year)]
        if whole:
            used = whole
        elif rows[0].indicator.aggregate == "latest":
            used = [max(rows, key=lambda r: (r.as_of, r.period, r.id))]
        else:
            used = rows
        return Total(sum(r.value for r in used), "reported", 0,
                     tuple(r.note for r in used if r.note), tuple(dict.fromkeys(r.source for r in used if r.source)))

    def indicator(self, code: str) -> Indicator:
        return self._by_code[code]

    def province(self, code: str, province_id: int) -> Total:
        return self._units.get((self._by_code[code].id, Scope.PROVINCE.value, province_id), Total(None))

    def region(self, code: str, region: str) -> Total:
        reported = self._units.get((self._by_code[code].id, Scope.REGION.value, region))
        if reported is not None:
            return reported
        parts = [self.province(code, pid) for pid, r in self.regions.items() if r == region]
        return _added([p for p in parts if p.value is not None])

    def national(self, code: str) -> Total:
        reported = self._units.get((self._by_code[code].id, Scope.NATIONAL.value, None))
        if reported is not None:
            return reported
        parts = [self.region(code, r.value) for r in Region]
        return _added([p for p in parts if p.value is not None])

    def is_money(self, code: str) -> bool:
        return self._by_code[code].unit_en == MONEY_UNIT

    def typed(self, code: str, value: int | None) -> int | Money | None:
        if value is None:
            return None
        return Money(value) if self.is_money(code) else value


def _added(parts: list[Total]) -> Total:
    if not parts:
        return Total(None)
    return Total(sum(p.value or 0 for p in parts), "parts", len(parts),
                 sources=tuple(dict.fromkeys(s for p in parts for s in p.sources)))
