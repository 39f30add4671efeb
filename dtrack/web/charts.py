"""The dashboard's figures as geometry: where each tile, bar and point goes, with its words and its link.

The SVG is written by hand in Jinja macros (`templates/web/_charts.html.j2`)
from what these functions return. A charting library (pygal, the one
well-kept pure-Python SVG library) was weighed and not taken: it has no tile
map, its tooltips need its JavaScript, and giving every bar its own link,
Vietnamese number formats ("66,7 %") and our own <title>/aria-label would mean
overriding most of what it draws; the five figures here are a few dozen lines
of arithmetic. Every figure prints and works without JavaScript.
"""
from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from babel.numbers import format_decimal

from dtrack.reading.dashboard import Counts, MonthPoint, ProvinceFigures
from dtrack.reports.disbursement import Disbursed
from dtrack.reports.render import money, percent
from dtrack.templates.environment import whole
from dtrack.web.tile_map import COLUMNS, ROWS, place

TILE_W, TILE_H, GAP = 84, 46, 4
# Share overdue (open overdue / due by the day): the lower bound of each band, its colour class.
BANDS = ((0.0, "b0"), (0.0001, "b1"), (0.10, "b2"), (0.25, "b3"), (0.50, "b4"))
CELLS = ("completed_on_time", "completed_late", "within", "overdue", "awaiting")


def decimal(value: float, lang: str) -> str:
    """One decimal, as the language writes it (12,5 in Vietnamese)."""
    return format_decimal(value, "#,##0.0", locale=lang)


def share_text(value: float | None, lang: str) -> str:
    return "–" if value is None else percent(value, lang)


def link(path: str, **query: str | None) -> str:
    """`path` with the query parameters that have a value (a directive, a province...)."""
    given = {k: v for k, v in query.items() if v}
    return f"{path}?{urlencode(given)}" if given else path


def band(share: float | None) -> str:
    """The colour class of a share overdue; "none" when nothing is due yet."""
    if share is None:
        return "none"
    chosen = BANDS[0][1]
    for lower, name in BANDS:
        if share >= lower:
            chosen = name
    return chosen


@dataclass(frozen=True)
class Tile:
    x: int
    y: int
    slug: str
    name: str
    band: str
    figure: str  # the share overdue as shown on the tile
    label: str  # what a screen reader and the tooltip say
    href: str


def tiles(provinces: list[ProvinceFigures], lang: str, directive: str | None,
          words: dict[str, str]) -> tuple[list[Tile], int, int]:
    """One tile per province, at its place on the grid; and the map's width and height.

    Only units with an official code are drawn (the 34 provinces; a data set's other units are counted, not mapped).
    """
    provinces = [p for p in provinces if p.code is not None]
    placed = place([p.code for p in provinces])
    out = []
    for p, (column, row) in zip(provinces, placed, strict=True):
        c = p.counts
        name = p.name if lang == "vi" else p.name_en
        label = words["tile"].format(name=name, overdue=whole(c.overdue, lang), due=whole(c.due, lang),
                                     share=share_text(c.share_overdue, lang))
        short = name.removeprefix("TP. ")  # "Hồ Chí Minh" fits a tile; the label keeps the full name
        out.append(Tile(column * (TILE_W + GAP), row * (TILE_H + GAP), p.slug, short, band(c.share_overdue),
                        share_text(c.share_overdue, lang), label,
                        link("/overdue", province=p.slug, directive=directive)))
    rows = max([ROWS - 1, *(r for _, r in placed)]) + 1
    return out, COLUMNS * (TILE_W + GAP) - GAP, rows * (TILE_H + GAP) - GAP


@dataclass(frozen=True)
class Segment:
    cell: str
    x: float
    width: float
    count: int
    label: str


@dataclass(frozen=True)
class BarRow:
    key: str
    name: str
    y: int
    segments: list[Segment]
    total: int
    rate: str
    href: str
    label: str  # the bar in words: its name, each cell's count, the rate


BAR_LEFT, BAR_WIDTH, BAR_H = 92, 270, 26


def cell_bars(rows: list[tuple[str, str, Counts, str]], lang: str, cell_words: dict[str, str],
              rate_word: str) -> list[BarRow]:
    """The four cells (and the Department's waiting) of each (key, name, counts, link) as one stacked bar."""
    out = []
    for i, (key, name, counts, href) in enumerate(rows):
        values = [(cell, counts.figures.get(cell, 0)) for cell in CELLS]
        total = sum(v for _, v in values)
        x: float = BAR_LEFT
        segments = []
        for cell, value in values:
            width = BAR_WIDTH * value / total if total else 0.0
            segments.append(Segment(cell, round(x, 1), round(width, 1), value,
                                    f"{name}: {cell_words[cell]} {whole(value, lang)}"))
            x += width
        rate = share_text(counts.on_time_rate, lang)
        said = ", ".join(f"{cell_words[c]} {whole(v, lang)}" for c, v in values)
        out.append(BarRow(key, name, i * (BAR_H + 14), segments, total, rate, href,
                          f"{name}: {said}; {rate_word} {rate}"))
    return out


@dataclass(frozen=True)
class TrendPoint:
    x: float
    y: float  # the on-time rate's point (None rate: not drawn)
    drawn: bool
    bar_y: float
    bar_h: float
    month: str
    rate: str
    overdue: str
    label: str


PLOT_LEFT, PLOT_TOP, PLOT_W, PLOT_H = 44, 16, 440, 190


def trend(points: list[MonthPoint], lang: str, words: dict[str, str]) -> tuple[list[TrendPoint], str, int]:
    """Each month's point: the rate on the left scale (0-100 %), overdue tasks as bars on the right scale.

    Returns the points, the rate line's SVG `points`, and the overdue scale's top.
    """
    if not points:
        return [], "", 0
    top = _nice(max([1, *(p.counts.overdue for p in points if p.counts is not None)]))
    step = PLOT_W / len(points)
    out = []
    for i, p in enumerate(points):
        x = PLOT_LEFT + step * (i + 0.5)
        month = f"{p.day:%m/%Y}"
        if p.counts is None:  # not worked out yet: a gap, and the page says a later visit fills it
            out.append(TrendPoint(round(x, 1), 0.0, False, PLOT_TOP + PLOT_H, 0.0, month, "–", "–",
                                  words["pending"].format(day=f"{p.day:%d/%m/%Y}")))
            continue
        rate = p.counts.on_time_rate
        y = PLOT_TOP + PLOT_H * (1 - (rate or 0.0))
        bar_h = PLOT_H * p.counts.overdue / top
        label = words["point"].format(day=f"{p.day:%d/%m/%Y}", rate=share_text(rate, lang),
                                      on_time=whole(p.counts.on_time, lang), due=whole(p.counts.due, lang),
                                      overdue=whole(p.counts.overdue, lang))
        out.append(TrendPoint(round(x, 1), round(y, 1), rate is not None, round(PLOT_TOP + PLOT_H - bar_h, 1),
                              round(bar_h, 1), month, share_text(rate, lang), whole(p.counts.overdue, lang), label))
    line = " ".join(f"{p.x},{p.y}" for p in out if p.drawn)
    return out, line, top


def _nice(value: int) -> int:
    """A top for a scale of four whole steps at or above `value`, each step round (1, 2, 2.5 or 5 x 10^k)."""
    power = 1
    while True:
        for step in (power, 2 * power, 5 * power // 2 if power >= 10 else 2 * power, 5 * power):
            if 4 * step >= value:
                return 4 * step
        power *= 10


@dataclass(frozen=True)
class MoneyBar:
    name: str
    y: int
    plan_w: float
    done_w: float
    plan: str
    done: str
    rate: str


def money_bars(units: list[tuple[str, Disbursed]], lang: str) -> list[MoneyBar]:
    """Plan (outline) and disbursed (filled) per unit, on one scale: the largest plan or disbursement."""
    top = max([1, *(max(d.plan or 0, d.disbursed or 0) for _, d in units)])
    return [MoneyBar(name, i * (BAR_H + 14), round(BAR_WIDTH * (d.plan or 0) / top, 1),
                     round(BAR_WIDTH * (d.disbursed or 0) / top, 1),
                     money(d.plan, lang) if d.plan is not None else "–",
                     money(d.disbursed, lang) if d.disbursed is not None else "–", share_text(d.rate, lang))
            for i, (name, d) in enumerate(units)]


__all__ = ["BANDS", "CELLS", "BarRow", "MoneyBar", "Tile", "TrendPoint", "band", "cell_bars", "decimal", "link",
           "money_bars", "share_text", "tiles", "trend", "whole"]
