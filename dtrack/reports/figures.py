"""Adding reported figures up: per province, per region and for the whole country.

One unit's figure for a year is built per source unit, then across them.
A source unit is the name a row was reported under: a province's own name
or a pre-2025 name merged into it (Kiên Giang's rows count for An Giang,
kept beside An Giang's own, never overwriting them).

Per source: the year's own row if there is one, otherwise its sub-periods
(2025-H1, 2025-Q3, 2025-09...) combined as the indicator says: `sum` adds
them (flows such as money disbursed), `latest` keeps the most recent
(stocks such as staff: the figure standing at the latest day, of the period
ending last on that day, then by period text, so any order of rows gives the
same figure). Within one period the latest row up to the report's day wins
(figures are cumulative; a correction is a new row or revision).

Across sources: `sum` adds every source's figure (the merged unit's money
is its parts' money). `latest` adds the figures of the sources that report
the latest period (ending last) and leaves out those whose latest figure
is for an earlier period: a merged unit's staff is its parts' staff as they
stood at the same time, and a figure reported under the unit's own name for
a later period (after the merger) replaces the old units' older ones.

A region's total is the figure reported for the region when there is one
(a conference's synthesis, never spread over provinces), otherwise what its
provinces add up to. The country's is the reported national figure;
otherwise the regions' totals added up, which is marked with its coverage
("cộng Bắc + Nam (2/3 vùng)") and never passed off as a national figure.
"""
from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from dtrack.persistence.models import Indicator, IndicatorValue, Province, ProvinceAlias
from dtrack.reports.indicators import DEFAULT_DIRECTIVE, catalogue
from dtrack.reports.labels import TEXT
from dtrack.workflow.timeliness import OnTimeRate
from dtrack.workflow.vocabulary import Region, Scope

MONEY_UNIT = "VND"


class Money(int):
    """An amount in VND: formatted as `56,31 tỷ đồng`, stored in XLSX as a number."""


class Percent(float):
    """A ratio (0.148) shown as a percentage (`14,8 %`)."""


class Share(Percent):
    """A ratio with the counts it is made of, shown `66,7 % (4/6)`: the on-time rate beside its denominator.

    Equal only to a Share of the same counts (a cell cache must not show 2/3's text for 4/6).
    """

    part: int
    whole: int

    def __new__(cls, part: int, whole: int) -> Share:
        share = super().__new__(cls, part / whole)
        share.part, share.whole = part, whole
        return share

    @classmethod
    def of(cls, rate: OnTimeRate) -> Share | None:
        """The on-time rate as a report cell; None (shown "–") when no task is due yet."""
        return cls(rate.on_time, rate.due) if rate.due else None

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Share) and (self.part, self.whole) == (other.part, other.whole)

    def __ne__(self, other: object) -> bool:  # float's own __ne__ would compare the ratios
        return not self == other

    def __hash__(self) -> int:
        return hash((Share, self.part, self.whole))

    def __reduce__(self) -> tuple[type[Share], tuple[int, int]]:
        return (Share, (self.part, self.whole))


@dataclass(frozen=True)
class Total:
    """A figure and what it stands for.

    basis "reported": a figure reported for the unit itself (for a province,
    `covers` names the source units whose figures were added, when more than
    one). basis "parts": its parts added up; `covers` names them (regions, or
    provinces by slug), `of` how many there are, `partial` whether some are
    missing (directly or inside a part).
    """

    value: int | None
    basis: str = ""  # "reported" | "parts" | "" (nothing)
    parts: int = 0  # how many provinces or regions contributed (basis "parts")
    notes: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()  # documents: files, articles
    covers: tuple[str, ...] = ()
    of: int = 0
    kind: str = ""  # what `covers` lists: "source" | "province" | "region"
    partial: bool = False
    national: bool = False  # a figure reported for the whole country

    def coverage(self) -> tuple:
        """What the figure stands for: two figures compare only when this is equal."""
        return (self.basis, self.kind, self.covers, self.partial)


def rate(done: Total, plan: Total) -> Percent | None:
    if done.value is None or not plan.value:
        return None
    if done.coverage() != plan.coverage():
        return None  # e.g. a plan from two regions against disbursement from one: no honest rate
    return Percent(done.value / plan.value)


def period_end(period: str) -> date:
    """The last day of 2025, 2025-H1, 2025-Q3 or 2025-09."""
    year, _, part = period.partition("-")
    month = 12
    if part.startswith("H"):
        month = 6 * int(part[1])
    elif part.startswith("Q"):
        month = 3 * int(part[1])
    elif part:
        month = int(part)
    return date(int(year), month, calendar.monthrange(int(year), month)[1])


def combine_sources(by_source: dict[str, list[IndicatorValue]], year: int, aggregate: str) -> Total:
    """One unit's figure from the latest row per (source, period): see the module's rule."""
    picked: dict[str, list[IndicatorValue]] = {}
    for source, rows in by_source.items():
        whole = [r for r in rows if r.period == str(year)]
        if whole:
            picked[source] = whole
        elif aggregate == "latest":
            picked[source] = [max(rows, key=lambda r: (r.as_of, period_end(r.period), r.period))]
        else:
            picked[source] = rows
    if aggregate == "latest":
        last = max(period_end(r.period) for rows in picked.values() for r in rows)
        picked = {s: rows for s, rows in picked.items() if period_end(rows[0].period) == last}
    used = [r for source in sorted(picked) for r in sorted(picked[source], key=lambda r: r.period)]
    return Total(sum(r.value for r in used), "reported", 0,
                 tuple(r.note for r in used if r.note), tuple(dict.fromkeys(r.source for r in used if r.source)),
                 covers=tuple(sorted(picked)) if len(picked) > 1 else (), kind="source" if len(picked) > 1 else "")


class Figures:
    """The figures of one year as they stood on a day."""

    def __init__(self, session: Session, year: int, as_of: date, directive: str = DEFAULT_DIRECTIVE) -> None:
        self.year = year
        self.as_of = as_of
        self.indicators: list[Indicator] = catalogue(session, directive)
        self._by_code = {i.code: i for i in self.indicators}
        # Plain rows: the 3,355 units as ORM objects cost more than the figures (a national report at scale).
        provinces = session.execute(select(Province.id, Province.region, Province.slug, Province.name,
                                           Province.name_en).order_by(Province.ordinal)).all()
        self._members: dict[str, list[int]] = {}
        for p in provinces:
            self._members.setdefault(p.region, []).append(p.id)
        # A region's or the country's total, once per indicator: the national report asks 3,355 times.
        self._added: dict[tuple[str, str | None], Total] = {}
        self._slugs = {p.id: p.slug for p in provinces}
        self._names = {p.slug: (p.name, p.name_en) for p in provinces}
        self._names.update({a.slug: (a.name, a.name) for a in session.scalars(select(ProvinceAlias))})
        rows = session.scalars(
            select(IndicatorValue)
            .where(IndicatorValue.indicator_id.in_([i.id for i in self.indicators]),
                   IndicatorValue.period.like(f"{year}%"), IndicatorValue.as_of <= as_of)
            .order_by(IndicatorValue.as_of, IndicatorValue.revision, IndicatorValue.id)
        )
        latest: dict[tuple, IndicatorValue] = {}
        for row in rows:
            latest[(row.indicator_id, row.scope, row.province_id or row.region, row.source_unit, row.period)] = row
        per_unit: dict[tuple, dict[str, list[IndicatorValue]]] = {}
        for (indicator_id, scope, unit, source, _), row in latest.items():
            per_unit.setdefault((indicator_id, scope, unit), {}).setdefault(source, []).append(row)
        aggregate = {i.id: i.aggregate for i in self.indicators}
        self._units = {key: combine_sources(by_source, year, aggregate[key[0]]) for key, by_source in per_unit.items()}

    def indicator(self, code: str) -> Indicator:
        return self._by_code[code]

    def province(self, code: str, province_id: int) -> Total:
        return self._units.get((self._by_code[code].id, _PROVINCE, province_id), _NONE)

    def region(self, code: str, region: str) -> Total:
        if (code, region) not in self._added:
            self._added[(code, region)] = self._region(code, region)
        return self._added[(code, region)]

    def _region(self, code: str, region: str) -> Total:
        reported = self._units.get((self._by_code[code].id, Scope.REGION.value, region))
        if reported is not None:
            return reported
        members = self._members.get(region, [])
        parts = [(self._slugs[pid], self.province(code, pid)) for pid in members]
        return _added([(slug, p) for slug, p in parts if p.value is not None], len(members), "province")

    def national(self, code: str) -> Total:
        """The reported national figure for the year; otherwise the regions' sum, marked with its coverage."""
        reported = self._units.get((self._by_code[code].id, Scope.NATIONAL.value, None))
        if reported is not None:
            return Total(reported.value, reported.basis, 0, reported.notes, reported.sources, national=True)
        parts = [(r.value, self.region(code, r.value)) for r in Region]
        return _added([(name, p) for name, p in parts if p.value is not None], len(Region), "region")

    def coverage_label(self, total: Total, lang: str) -> str:
        """What a total stands for, in words: `số liệu báo cáo cả nước`, `cộng Bắc + Nam (2/3 vùng)`."""
        t = TEXT[lang]
        if total.value is None or not total.basis:
            return ""
        if total.national:
            return t["basis_national"]
        if total.basis == "reported":
            if total.kind == "source":
                return t["basis_sources"].format(names=" + ".join(self._name(s, lang) for s in total.covers))
            return t["basis_reported"]
        if total.kind == "region":
            names = " + ".join(t[f"short_{r}"] for r in total.covers)
            label = t["basis_regions"].format(names=names, n=total.parts, of=total.of)
            return label + (t["basis_incomplete"] if total.partial and total.parts == total.of else "")
        return t["basis_provinces"].format(n=total.parts, of=total.of)

    def _name(self, slug: str, lang: str) -> str:
        names = self._names.get(slug)
        return (names[0] if lang == "vi" else names[1]) if names else slug

    def is_money(self, code: str) -> bool:
        return self._by_code[code].unit_en == MONEY_UNIT

    def typed(self, code: str, value: int | None) -> int | Money | None:
        if value is None:
            return None
        return Money(value) if self.is_money(code) else value


# Looked up some 50,000 times a national report: an enum's `.value` costs more than the dict lookup.
_PROVINCE = Scope.PROVINCE.value
_NONE = Total(None)


def _added(parts: list[tuple[str, Total]], of: int, kind: str) -> Total:
    """Parts added up: `covers` names them (in their display order), `of` how many there are."""
    if not parts:
        return Total(None)
    totals = [p for _, p in parts]
    return Total(sum(p.value or 0 for p in totals), "parts", len(parts),
                 sources=tuple(dict.fromkeys(s for p in totals for s in p.sources)),
                 covers=tuple(name for name, _ in parts), of=of, kind=kind,
                 partial=len(parts) < of or any(p.partial for p in totals))
