"""Disbursement against plan for the dashboard and the scorecard: the reports' figures, never recomputed.

The directive's indicator pair (one `plan`, one `actual`: `reports.national.budget_pair`)
added up as the national report adds it (`reports.figures`): per region and for
the country, each total with what it stands for; a rate only where plan and
actual cover the same units (`reports.figures.rate`). A directive without the
pair, or a year without figures, has no bars: the page says so.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from dtrack.reports.figures import Figures, Total, rate
from dtrack.reports.indicators import DEFAULT_DIRECTIVE
from dtrack.reports.national import budget_pair
from dtrack.workflow.vocabulary import Region


@dataclass(frozen=True)
class Disbursed:
    """One unit's plan and disbursement (VND) and the rate when they compare."""

    unit: str  # a region's value, "national", or a province's slug
    plan: int | None
    disbursed: int | None
    rate: float | None


@dataclass(frozen=True)
class Disbursement:
    year: int
    directive: str
    national: Disbursed | None
    regions: list[Disbursed]
    provinces: dict[str, Disbursed]  # slug -> its own figures (only provinces with one)

    @property
    def any(self) -> bool:
        units = [*self.regions, *self.provinces.values(), *([self.national] if self.national else [])]
        return any(u.plan is not None or u.disbursed is not None for u in units)


def _pair(unit: str, plan: Total, done: Total) -> Disbursed:
    return Disbursed(unit, plan.value, done.value, rate(done, plan))


def disbursement(session: Session, directive: str | None, year: int, as_of: date,
                 provinces: list[tuple[str, int]]) -> Disbursement | None:
    """Plan and disbursement of `year` as they stood on `as_of`; None when the directive declares no pair.

    `provinces`: (slug, id) of the provinces to give their own figures for.
    """
    code = directive or DEFAULT_DIRECTIVE
    figures = Figures(session, year, as_of, code)
    pair = budget_pair(figures)
    if pair is None:
        return None
    plan, actual = pair
    regions = [_pair(r.value, figures.region(plan, r.value), figures.region(actual, r.value)) for r in Region]
    national = _pair("national", figures.national(plan), figures.national(actual))
    own = {slug: _pair(slug, figures.province(plan, pid), figures.province(actual, pid)) for slug, pid in provinces}
    return Disbursement(year, code, national, regions,
                        {s: d for s, d in own.items() if d.plan is not None or d.disbursed is not None})


__all__ = ["Disbursed", "Disbursement", "disbursement"]
