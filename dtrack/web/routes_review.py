"""The Department's pages: review queue, overdue list, matrices, group extension, reports."""
from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session
from starlette.responses import Response

from dtrack.errors import InvalidInput, NotFound
from dtrack.i18n.labels import DEADLINE_LABELS, REGION_LABELS, STATE_LABELS
from dtrack.persistence.database import row_id
from dtrack.reading.list_search import group_choices
from dtrack.reading.overdue import CELLS
from dtrack.reading.part_counts import parts_figures, province_part_counts
from dtrack.reading.scope import directive_choices
from dtrack.reading.task_names import TaskName, task_names
from dtrack.reading.worklists import (
    OverdueFilters,
    ReviewFilters,
    overdue_page,
    review_page,
    status_page,
    status_units_page,
    timeliness_page,
)
from dtrack.reports.every_directive import every_directive_report, wants_every_directive
from dtrack.reports.figures import Share
from dtrack.reports.indicators import DEFAULT_DIRECTIVE
from dtrack.reports.national import national_report_for
from dtrack.reports.province import province_report_for
from dtrack.reports.render import cell_text
from dtrack.web.downloads import list_download, report_download, report_options, wants_list_file
from dtrack.web.edge import Ctx, Routes
from dtrack.web.error_words import web_say
from dtrack.web.forms import parse_day
from dtrack.workflow.access import check_oversight
from dtrack.workflow.bulk import BulkResult, accept_submissions, extend_each
from dtrack.workflow.provinces import select_provinces, unit_choices
from dtrack.workflow.timeliness import OnTimeRate
from dtrack.workflow.vocabulary import Region

routes = Routes()
DIRECTIVE = DEFAULT_DIRECTIVE


def _labels(ctx: Ctx) -> dict:
    return {"states": STATE_LABELS[ctx.lang], "deadlines": DEADLINE_LABELS[ctx.lang],
            "regions": REGION_LABELS[ctx.lang], "region_list": list(Region)}


@routes.get("/review", memo=True)
def review(ctx: Ctx) -> Response:
    filters = ReviewFilters(*(_query(ctx, n) for n in ("region", "province", "group", "directive", "q", "sort")))
    query = _request_query(ctx)
    with ctx.app.db.session() as session:
        pickers = _pickers(session, filters.directive)
        try:
            found = review_page(session, ctx.user, ctx.today, filters=filters)
        except (NotFound, InvalidInput) as exc:
            return _bad_filter(ctx, session, exc, "review.html.j2", waiting=[], requests=[], filters=filters,
                               order=None, request_query=query, select_all=False, **pickers, **_labels(ctx))
        fmt = wants_list_file(ctx.request.query_params)
        if fmt:
            return list_download(found.waiting, "cho-cuc-xem-xet", fmt, ctx.lang)
        # The JSON stays the review queue (as `dtrack overdue --json` lists it); the page adds the requests.
        return ctx.page("review.html.j2", data=found.waiting, waiting=found.waiting, requests=found.requests,
                        filters=filters, order=found.sort, request_query=query, **pickers,
                        select_all=_query(ctx, "all") == "1",
                        **_directive_context(session, found.directive), **_labels(ctx))


@routes.post("/review/accept", form_page=review)
def bulk_accept(ctx: Ctx) -> Response:
    chosen = [name.removeprefix("task_") for name in ctx.form if name.startswith("task_")]
    result = accept_submissions(ctx.app.db, ctx.app.clock, ctx.user, chosen, note=ctx.value("note") or None)
    # The database failed midway: the page still says what was accepted and what was not (503: try again).
    return ctx.page("bulk_result.html.j2", status=503 if result.failed_on else 200, data=result, result=result,
                    refused=_refused(ctx, result), names=_names(ctx, result),
                    states=STATE_LABELS[ctx.lang])


def _request_query(ctx: Ctx) -> list[tuple[str, str]]:
    """The page's query without what a link must not repeat (a download, the page number, a message)."""
    return [(k, v) for k, v in ctx.request.query_params.items() if k not in ("format", "page", "flash")]


def _pickers(session: Session, directive: str | None) -> dict[str, Any]:
    """The choices of the filters' pickers: every province, the task groups (of the directive chosen)."""
    known = directive if directive in {d.code for d in directive_choices(session)} else None
    return {"provinces": unit_choices(session), "groups": group_choices(session, known)}


def _query(ctx: Ctx, name: str) -> str | None:
    return ctx.request.query_params.get(name) or None


def _directive_context(session: Session, shown: str | None) -> dict[str, Any]:
    """What a page's directive line and filter need: the directive shown (None: all) and the loaded ones."""
    return {"directive": shown, "directives": directive_choices(session)}


# The query's filters each page has (`?province=xyz` is the filter's mistake, not a missing page).
_FILTERS = ("directive", "region", "province", "group", "min_days", "page", "q", "sort")


def _bad_filter(ctx: Ctx, session: Session, exc: NotFound | InvalidInput, template: str,
                       **context: Any) -> Response:
    """A filter naming nothing (no such directive, province, region, group): the page again, the message
    beside the filter (422), never a 404 page.

    The page's JSON and downloads have no filter to show it beside: the edge answers them (404, 400).
    """
    field = getattr(exc, "field", None) or (exc.kind if isinstance(exc, NotFound) else None)
    if field not in _FILTERS or ctx.wants_json or wants_list_file(ctx.request.query_params):
        raise exc
    ctx.errors[field] = web_say(ctx.app.db, exc, ctx.lang, beside=True)
    return ctx.page(template, status=422, **_directive_context(session, None), **context)


@routes.get("/overdue", memo=True)
def overdue(ctx: Ctx) -> Response:
    filters = OverdueFilters(*(_query(ctx, n) for n in ("region", "province", "group", "directive", "min_days",
                                                          "page", "q", "sort")))
    with ctx.app.db.session() as session:
        pickers = _pickers(session, filters.directive)
        fmt = wants_list_file(ctx.request.query_params)
        if fmt:  # the whole filtered list, not the page on screen
            every = overdue_page(session, ctx.user, ctx.today, filters, per_page=1_000_000)
            return list_download(every.rows, "qua-han", fmt, ctx.lang)
        query = _request_query(ctx)
        try:
            result = overdue_page(session, ctx.user, ctx.today, filters)
        except (NotFound, InvalidInput) as exc:
            return _bad_filter(ctx, session, exc, "overdue.html.j2", result=None, filters=filters, order=None,
                               request_query=query, **pickers, **_labels(ctx))
        return ctx.page("overdue.html.j2", data=result, result=result, filters=filters, request_query=query,
                        order=result.sort, **pickers, **_directive_context(session, result.review.directive),
                        **_labels(ctx))


@routes.get("/matrix", memo=True)
def matrix(ctx: Ctx) -> Response:
    region = _query(ctx, "region")
    shown: dict[str, Any] = {"cells": [str(c) for c in CELLS], "region": region or "",
                             "share": lambda rate: _share(rate, ctx.lang)}
    with ctx.app.db.session() as session:
        try:
            result = timeliness_page(session, ctx.user, ctx.today, region, _query(ctx, "directive"))
        except (NotFound, InvalidInput) as exc:
            return _bad_filter(ctx, session, exc, "matrix.html.j2", m=None, **shown, **_labels(ctx))
        parts = parts_figures(session, ctx.user, ctx.today, directive=result.directive)  # one GROUP BY (issue 24)
        return ctx.page("matrix.html.j2", data=result, m=result, parts=parts if parts and parts.any else None,
                        **shown, **_directive_context(session, result.directive), **_labels(ctx))


def _share(rate: OnTimeRate, lang: str) -> str:
    """The on-time rate beside its denominator, as the reports write it ("66,7 % (4/6)"; "–" when none is due)."""
    return cell_text(Share.of(rate), lang)


@routes.get("/status", memo=True)
def status(ctx: Ctx) -> Response:
    directive, region = _query(ctx, "directive") or DIRECTIVE, _query(ctx, "region")
    with ctx.app.db.session() as session:
        try:
            if ctx.wants_json:  # the whole matrix, as `dtrack status --json`
                result = status_page(session, ctx.user, directive, region, ctx.today)
                return ctx.page("status.html.j2", data=result)
            # The page: a page of units (rows), each cell linking to its task.
            found = status_units_page(session, ctx.user, directive, region, ctx.today, _query(ctx, "page"))
        except (NotFound, InvalidInput) as exc:
            return _bad_filter(ctx, session, exc, "status.html.j2", m=None, found=None, region=region or "",
                                      **_labels(ctx))
        return ctx.page("status.html.j2", m=found.matrix, found=found, region=region or "",
                        parts=province_part_counts(session, ctx.user, ctx.today.day,  # one GROUP BY (issue 24)
                                                   directive=found.matrix.directive),
                        **_directive_context(session, found.matrix.directive), **_labels(ctx))


def extend_group_form(ctx: Ctx) -> Response:
    check_oversight(ctx.user, "deadline_extension")
    with ctx.app.db.session() as session:  # pickers, not free-text codes (issue 26)
        return ctx.page("extend_group.html.j2", directives=directive_choices(session),
                        **_pickers(session, ctx.value("directive") or DIRECTIVE), **_labels(ctx))


@routes.get("/extend-group")
def extend_group_page(ctx: Ctx) -> Response:
    return extend_group_form(ctx)


@routes.post("/extend-group", form_page=extend_group_form)
def extend_group(ctx: Ctx) -> Response:
    group = ctx.value("group").strip()
    if row_id(group) is None:  # ASCII digits only: '²' is a digit to isdigit(), not to int()
        raise InvalidInput("group", "not_a_group_number", value=group)
    with ctx.app.db.session() as session:
        chosen, _ = select_provinces(session, ctx.value("provinces") or "all")
    result = extend_each(ctx.app.db, ctx.app.clock, ctx.user, parse_day(ctx.value("to"), "to"), ctx.value("reason"),
                         directive=ctx.value("directive") or DIRECTIVE, group=int(group), provinces=chosen,
                         period=ctx.value("period") or None)
    return ctx.page("bulk_result.html.j2", data=result, result=result, refused=_refused(ctx, result),
                    names=_names(ctx, result), states=STATE_LABELS[ctx.lang])


def _refused(ctx: Ctx, result: BulkResult) -> list[tuple[str, str]]:
    """Each refused task with why, in the page's language."""
    return [(ref, web_say(ctx.app.db, why, ctx.lang)) for ref, why in result.refused]


def _names(ctx: Ctx, result: BulkResult) -> dict[str, TaskName]:
    """Every task the result names (by key or id), by its title and province: a page never lists bare ids."""
    refs = [d.task_key for d in result.done] + [ref for ref, _ in result.refused] + result.not_done
    refs += [result.failed_on] if result.failed_on else []
    with ctx.app.db.session() as session:
        return task_names(session, refs, ctx.lang)


@routes.get("/reports/national")
def report_national(ctx: Ctx) -> Response:
    options, fmt = report_options(ctx.request.query_params, ctx.app, ctx.lang)
    with ctx.app.db.session() as session:
        if wants_every_directive(options.directive):  # ?directive=all: the report over every directive
            check_oversight(ctx.user, "national_report")
            return report_download(every_directive_report(session, options), fmt)
        return report_download(national_report_for(session, ctx.user, options), fmt)


@routes.get("/reports/province/{slug}")
def report_province(ctx: Ctx, slug: str) -> Response:
    options, fmt = report_options(ctx.request.query_params, ctx.app, ctx.lang)
    with ctx.app.db.session() as session:
        return report_download(province_report_for(session, ctx.user, slug, options), fmt)
