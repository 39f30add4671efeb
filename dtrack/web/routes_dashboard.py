"""The overseer's dashboard (the Department's home) and the provinces' scorecard: thin handlers.

The figures come from `reading.dashboard` / `reading.scorecard` (task counts)
and `reports.disbursement` (the reported money); `web.charts` places them, the
templates draw them as SVG. Both pages are narrowed by `?directive=` like the
other lists, and take `?as_of=` (a day not after today) to show a past day.
"""
from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.responses import Response

from dtrack.errors import InvalidInput, UnknownDirective
from dtrack.i18n.error_messages import say
from dtrack.i18n.labels import REGION_LABELS
from dtrack.persistence.models import Province
from dtrack.reading.changes import changes_count
from dtrack.reading.dashboard import Dashboard, dashboard
from dtrack.reading.part_counts import parts_figures
from dtrack.reading.scope import Scope, checked_directive, directive_choices
from dtrack.reading.scorecard import scorecard
from dtrack.reports.disbursement import Disbursement, disbursement
from dtrack.usecases.trend_filler import fill_later
from dtrack.web import charts
from dtrack.web.edge import Ctx, Routes
from dtrack.web.forms import parse_day
from dtrack.workflow.access import check_oversight
from dtrack.workflow.applicability import province_units
from dtrack.workflow.vocabulary import Region

routes = Routes()
FIRST_YEAR = 2000


def _as_of(ctx: Ctx) -> date | None:
    """The day asked for (`?as_of=`), never after today; None: today."""
    text = ctx.request.query_params.get("as_of") or ""
    if not text:
        return None
    day = parse_day(text, "as_of")
    if day > ctx.today.day:
        raise InvalidInput("as_of", "figure_in_future", day=day)
    return day


def _scope_and_day(ctx: Ctx, session: Session) -> tuple[Scope, Any, dict[str, Any]]:
    """The scope and the day asked for; a wrong directive or day is a message beside its filter."""
    shown: dict[str, Any] = {"directives": directive_choices(session), "directive": None, "as_of": None}
    directive, day = None, None
    try:
        directive = checked_directive(session, ctx.request.query_params.get("directive"))
        shown["directive"] = directive
    except UnknownDirective as exc:
        ctx.errors["directive"] = say(exc, ctx.lang, "web", where="")
    try:
        day = _as_of(ctx)
        shown["as_of"] = day
    except InvalidInput as exc:
        ctx.errors["as_of"] = say(exc, ctx.lang, "web", where="")
    today = ctx.today.on(day) if day else ctx.today
    return Scope(directive=directive), today, shown


def _province_ids(session: Session) -> list[tuple[str, int]]:
    return [(slug, pid) for slug, pid in session.execute(select(Province.slug, Province.id).where(province_units()))]


@routes.get("/dashboard", memo=True)
def dashboard_page(ctx: Ctx) -> Response:
    check_oversight(ctx.user, "dashboard")
    with ctx.app.db.session() as session:
        scope, today, shown = _scope_and_day(ctx, session)
        found = dashboard(session, today, scope)
        fill_later(ctx.app.db, today, scope, found)  # months not worked out in time: kept for a later page
        money = disbursement(session, scope.directive, today.day.year, today.day, [])
        if ctx.wants_json:
            return ctx.page("dashboard.html.j2", data=found)
        parts = parts_figures(session, ctx.user, today, directive=scope.directive)  # None: a past day since moved
        return ctx.page("dashboard.html.j2", status=422 if ctx.errors else 200, d=found,
                        changes=changes_count(session, ctx.user, ctx.today),
                        parts=parts if parts and parts.any else None,
                        **_figures(ctx, found, money, scope.directive), **shown)


def _figures(ctx: Ctx, found: Dashboard, money: Disbursement | None, directive: str | None) -> dict[str, Any]:
    """The dashboard's figures placed for drawing (`web.charts`)."""
    w, lang = ctx.w, ctx.lang
    regions = REGION_LABELS[lang]
    cell_words = {c: w[f"dash_cell_{c}"] for c in charts.CELLS}
    rows = [(r, regions[Region(r)], c, charts.link("/matrix", region=r, directive=directive))
            for r, c in found.regions.items()]
    rows.append(("total", w["total"], found.total, charts.link("/matrix", directive=directive)))
    tiles, width, height = charts.tiles(found.provinces, lang, directive, {"tile": w["dash_tile_label"]})
    points, line, top = charts.trend(found.trend, lang, {"point": w["dash_point_label"],
                                                         "pending": w["dash_point_pending"]})
    money_units = []
    if money is not None and money.any:
        money_units = [(regions[Region(d.unit)], d) for d in money.regions]
        if money.national is not None:
            money_units.append((w["dash_national"], money.national))
    return {"pending": any(p.counts is None for p in found.trend), "tiles": tiles, "map_w": width, "map_h": height,
            "bands": charts.BANDS, "cell_words": cell_words,
            "bars": charts.cell_bars(rows, lang, cell_words, w["on_time_rate"]), "points": points, "line": line,
            "top": top,
            "money_bars": charts.money_bars(money_units, lang), "money": money,
            "share": lambda v: charts.share_text(v, lang),
            "whole": lambda v: charts.whole(v, lang), "link": charts.link, "regions": regions,
            "geometry": {"bar_left": charts.BAR_LEFT, "bar_w": charts.BAR_WIDTH, "bar_h": charts.BAR_H,
                         "tile_w": charts.TILE_W, "tile_h": charts.TILE_H, "plot_left": charts.PLOT_LEFT,
                         "plot_top": charts.PLOT_TOP, "plot_w": charts.PLOT_W, "plot_h": charts.PLOT_H}}


def _year(ctx: Ctx) -> int:
    text = (ctx.request.query_params.get("year") or "").strip()
    if not text:
        return ctx.today.day.year
    if not (text.isascii() and text.isdigit()) or not FIRST_YEAR <= int(text) <= ctx.today.day.year:
        raise InvalidInput("year", "not_a_year", value=text)
    return int(text)


@routes.get("/scorecard", memo=True)
def scorecard_page(ctx: Ctx) -> Response:
    check_oversight(ctx.user, "scorecard")
    with ctx.app.db.session() as session:
        scope, today, shown = _scope_and_day(ctx, session)
        try:
            year = _year(ctx)
        except InvalidInput as exc:
            ctx.errors["year"] = say(exc, ctx.lang, "web", where="")
            year = today.day.year
        card = scorecard(session, today, year, scope)
        money = disbursement(session, scope.directive, year, card.as_of, _province_ids(session))
        if ctx.wants_json:
            return ctx.page("scorecard.html.j2", data=card)
        return ctx.page("scorecard.html.j2", status=422 if ctx.errors else 200, card=card, year=year,
                        years=list(range(today.day.year, max(FIRST_YEAR, today.day.year - 5) - 1, -1)),
                        money=money, share=lambda v: charts.share_text(v, ctx.lang),
                        whole=lambda v: charts.whole(v, ctx.lang), link=charts.link,
                        days=lambda v: "–" if v is None else charts.decimal(v, ctx.lang),
                        regions=REGION_LABELS[ctx.lang], **shown)


def rank_block(session: Session, ctx: Ctx, province: Province | None) -> dict[str, Any] | None:
    """A province's place in this year's ranking and its own on-time rate month by month (the province home's block).

    None for a view of no province, or of a unit without an official code (a data set's commune-level
    unit is not ranked among the provinces). The rank is among every unit, of every directive's tasks due
    this year.
    """
    if province is None or province.code is None:
        return None
    year = ctx.today.day.year
    card = scorecard(session, ctx.today, year, Scope())
    row = card.row(province.slug)
    if row is None:
        return None
    own = dashboard(session, ctx.today, Scope(province=province))
    lang = ctx.lang
    top = 40
    spark = []
    for i, point in enumerate(own.trend):
        if point.counts is None:
            continue  # not worked out yet: the next visit shows it
        rate = point.counts.on_time_rate
        height = round(top * (rate or 0.0), 1)
        spark.append({"x": i * 22, "h": height, "y": top - height, "drawn": rate is not None,
                      "label": ctx.w["dash_point_label"].format(
                          day=f"{point.day:%d/%m/%Y}", rate=charts.share_text(rate, lang),
                          on_time=charts.whole(point.counts.on_time, lang), due=charts.whole(point.counts.due, lang),
                          overdue=charts.whole(point.counts.overdue, lang))})
    line = ctx.w["rank_line"].format(rank=row.rank, of=len(card.rows), year=year,
                                     rate=charts.share_text(row.counts.on_time_rate, lang),
                                     on_time=charts.whole(row.counts.on_time, lang),
                                     due=charts.whole(row.counts.due, lang))
    return {"line": line, "rank": row.rank, "of": len(card.rows), "spark": spark,
            "spark_w": max(22 * len(own.trend), 22), "spark_h": top}


__all__ = ["dashboard_page", "rank_block", "routes", "scorecard_page"]
