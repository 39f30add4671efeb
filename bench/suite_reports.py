"""Rendering reports on a database with a year of history, and on the scale data set.

The database: the 34 x 10 tasks of `ctx.fresh_url()`, the `dtrack demo`
season (Nov 2025 - Jun 2026, through the engine) followed by monthly
progress updates on every open province task until the year is full, and
monthly budget figures (plan, disbursed) from every province for twelve
months. Measured: the national report as of the end of that year in each
format (target for HTML: under 0.5 s) and the province report for all 34
provinces (HTML). Then the national report (HTML, XLSX) and the largest
province's report on the scale data set (about 1M tasks) as of its day
(target for the national HTML: under 1 s).
"""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from bench.context import BenchContext, Result, measure
from bench.generate import AS_OF, largest_province
from dtrack.config.clock import Clock
from dtrack.config.today import Today
from dtrack.persistence.database import Database
from dtrack.persistence.models import Directive, Event, Task, TaskGroup
from dtrack.reports.document import DEFAULT_DIRECTIVE, ReportOptions
from dtrack.reports.indicators import Figure, Unit, find_indicator, store
from dtrack.reports.national import national_report
from dtrack.reports.province import province_report
from dtrack.reports.render import FORMATS, render
from dtrack.usecases.demo import SEASON_END, SEASON_START, province_email, run_demo
from dtrack.workflow.provinces import all_provinces
from dtrack.workflow.service import apply
from dtrack.workflow.users import find_user
from dtrack.workflow.vocabulary import Owner, Scope, State, Trigger

SUITE = "reports"
YEAR_END = SEASON_START + timedelta(days=365)


def build_history(url: str) -> Database:
    db = Database(url)
    run_demo(db)
    clock = Clock(pinned=SEASON_END)
    day = SEASON_END
    while day < YEAR_END:
        day += timedelta(days=30)
        with db.session() as session:
            open_tasks = session.scalars(
                select(Task).join(TaskGroup)
                .where(TaskGroup.owner == Owner.PROVINCE, Task.state == State.IN_PROGRESS)
            ).all()
            actors = {}
            for task in open_tasks:
                email = province_email(task.province.slug)
                actor = actors.get(email) or actors.setdefault(email, find_user(session, email))
                apply(session, task, Trigger.UPDATE, actor, clock.on(day).now(),
                      progress=min(95, task.progress + 5), note="Cập nhật tiến độ hằng tháng")
    with db.session() as session:
        plan, disbursed = find_indicator(session, "budget_plan"), find_indicator(session, "budget_disbursed")
        for number, province in enumerate(all_provinces(session)):
            yearly = 2_000_000_000 + 150_000_000 * number
            for month in range(1, 13):
                as_of = date(2025, month, 28)
                store(session, Figure(Unit(Scope.PROVINCE, province=province), plan, f"2025-{month:02d}",
                                      yearly // 12, as_of), None, clock.now())
                store(session, Figure(Unit(Scope.PROVINCE, province=province), disbursed, f"2025-{month:02d}",
                                      yearly * month // 150, as_of), None, clock.now())
    return db


def at_scale(ctx: BenchContext) -> list[Result]:
    """The same reports on the scale data set (about 1M tasks), as of its day."""
    db = Database(ctx.big_url())
    repeat = 2 if ctx.quick else 3
    with db.session() as session:
        tasks = session.scalar(select(func.count(Task.id)))
        directive_tasks = session.scalar(select(func.count(Task.id)).join(TaskGroup).join(Directive)
                                         .where(Directive.code == DEFAULT_DIRECTIVE))
        _, slug, province_tasks = largest_province(session)
    results = []
    for fmt in ("html", "xlsx"):
        def national(fmt: str = fmt) -> bytes:
            with db.session() as session:
                built = national_report(session, ReportOptions(Today(AS_OF)), since=AS_OF - timedelta(days=30))
                return render(built, fmt)

        # XLSX took 84-99 s a run at 1M tasks (2026-12-01): once, so `make bench` stays within 15 minutes.
        timing = measure(national, repeat=repeat) if fmt == "html" else measure(national, repeat=1, warmup=0)
        results.append(Result(SUITE, f"national report ({fmt}), scale data set", ctx.backend, tasks, timing.median,
                              timing.minimum, timing.maximum, "s", "< 1 s" if fmt == "html" else "",
                              f"{DEFAULT_DIRECTIVE}: {directive_tasks:,} tasks of {tasks:,}, as of {AS_OF}"))

    def one_province() -> bytes:
        with db.session() as session:
            return render(province_report(session, slug, ReportOptions(Today(AS_OF))), "html")

    timing = measure(one_province, repeat=repeat)
    results.append(Result(SUITE, f"province report ({slug}, html), scale data set", ctx.backend, province_tasks,
                          timing.median, timing.minimum, timing.maximum, "s", "", "the largest province"))
    results += _official_at_scale(ctx, db, slug, tasks, directive_tasks, province_tasks)
    results += _every_directive_at_scale(ctx, db, tasks)
    results += _past_day_at_scale(ctx, db, tasks, directive_tasks)
    db.dispose()
    return results


def _past_day_at_scale(ctx: BenchContext, db: Database, tasks: int, directive_tasks: int) -> list[Result]:
    """A past day on a live database (issue 25): the season's week of events after it, so each view replays the
    tasks changed since. The national report (HTML), and the overseer's review queue and overdue list as the
    pages read them (`reading.worklists`, first page, every directive); once each: the pages took 30-50 s."""
    from dtrack.persistence.models import User
    from dtrack.reading.worklists import OverdueFilters, ReviewFilters, overdue_page, review_page
    from dtrack.workflow.vocabulary import Role

    day = Today(AS_OF - timedelta(days=7))
    with db.session() as session:
        overseer_id = session.scalar(select(User.id).where(User.role == Role.OVERSEER.value).limit(1))

    def national() -> bytes:
        with db.session() as session:
            return render(national_report(session, ReportOptions(day)), "html")

    def review() -> int:
        with db.session() as session:
            actor = session.get(User, overseer_id)
            return len(review_page(session, actor, day, filters=ReviewFilters(*[None] * 6)).waiting)

    def overdue() -> int:
        with db.session() as session:
            actor = session.get(User, overseer_id)
            return len(overdue_page(session, actor, day, OverdueFilters(*[None] * 8)).rows)

    results = []
    for name, fn, rows, repeat in (("national report (html), as of a past day", national, directive_tasks, 2),
                                   ("review queue, as of a past day", review, tasks, 1),
                                   ("overdue list (first page), as of a past day", overdue, tasks, 1)):
        timing = measure(fn, repeat=1 if ctx.quick else repeat, warmup=0)
        results.append(Result(SUITE, name, ctx.backend, rows, timing.median, timing.minimum, timing.maximum, "s",
                              "< 2 s", f"as of {day.day}, the season's events of the week after it in the database"))
    return results


def _every_directive_at_scale(ctx: BenchContext, db: Database, tasks: int) -> list[Result]:
    """The report over every directive in force (issue 25), HTML and PDF, from its queries to its bytes:
    on the season's day, and as of a week before it (a past day on a live database: the week's events after it).
    `rows` is the number of tasks the report covers (its country line, checkpoints moved past included)."""
    from dtrack.documents.files import render_any
    from dtrack.reports.every_directive import every_directive_report

    results = []
    for day, label in ((AS_OF, ""), (AS_OF - timedelta(days=7), ", as of a past day")):
        with db.session() as session:
            built = every_directive_report(session, ReportOptions(Today(day)))
        covered = built.table("directives").rows[-1][2]
        for fmt in ("html", "pdf"):
            def every(day: date = day, fmt: str = fmt) -> bytes:
                with db.session() as session:
                    return render_any(every_directive_report(session, ReportOptions(Today(day))), fmt)[2]

            timing = measure(every, repeat=1 if ctx.quick else 2, warmup=0)
            results.append(Result(SUITE, f"report over every directive ({fmt}){label}", ctx.backend, covered,
                                  timing.median, timing.minimum, timing.maximum, "s", "< 2 s",
                                  f"{built.extra['directives']} directives, {covered:,} tasks of {tasks:,} "
                                  f"(34 provinces; commune-level units added up per region), as of {day}"))
    return results


def _official_at_scale(ctx: BenchContext, db: Database, slug: str, tasks: int, directive_tasks: int,
                       province_tasks: int) -> list[Result]:
    """The Decree 30 documents (issue 23) on the scale data set: the national and the largest province's
    reports as DOCX and PDF, and the urge letter to that province; each from its query to its bytes."""
    from dtrack.documents.files import official_bytes
    from dtrack.documents.from_report import report_document
    from dtrack.documents.urge import UrgeRequest, urge_letter

    def national(fmt: str) -> bytes:
        with db.session() as session:
            built = national_report(session, ReportOptions(Today(AS_OF)), since=AS_OF - timedelta(days=30))
            return official_bytes(report_document(built), fmt)

    def province(fmt: str) -> bytes:
        with db.session() as session:
            return official_bytes(report_document(province_report(session, slug, ReportOptions(Today(AS_OF)))), fmt)

    def urge(fmt: str) -> bytes:
        with db.session() as session:
            return official_bytes(urge_letter(session, slug, UrgeRequest(Today(AS_OF))).document, fmt)

    results = []
    for name, build, rows, work in (
            ("national report", national, tasks, f"{DEFAULT_DIRECTIVE}: {directive_tasks:,} tasks of {tasks:,}"),
            (f"province report ({slug})", province, province_tasks, "the largest province"),
            (f"urge letter ({slug})", urge, province_tasks, "its overdue tasks of " + DEFAULT_DIRECTIVE)):
        for fmt in ("docx", "pdf"):
            timing = measure(lambda build=build, fmt=fmt: build(fmt), repeat=1 if ctx.quick else 2, warmup=0)
            results.append(Result(SUITE, f"{name} ({fmt}), scale data set", ctx.backend, rows, timing.median,
                                  timing.minimum, timing.maximum, "s", "< 2 s", f"{work}, as of {AS_OF}"))
    return results


def run(ctx: BenchContext) -> list[Result]:
    return [*on_history(ctx), *at_scale(ctx)]


def on_history(ctx: BenchContext) -> list[Result]:
    db = build_history(ctx.fresh_url())
    repeat = 2 if ctx.quick else 5
    as_of = YEAR_END
    results = []
    with db.session() as session:
        events = session.scalar(select(func.count(Event.id)))
    for fmt in FORMATS:
        def national(fmt: str = fmt) -> bytes:
            with db.session() as session:
                built = national_report(session, ReportOptions(Today(as_of), year=2025),
                                        since=as_of - timedelta(days=30))
                return render(built, fmt)

        timing = measure(national, repeat=repeat)
        results.append(Result(SUITE, f"national report ({fmt})", ctx.backend, events, timing.median,
                              timing.minimum, timing.maximum, "s", "< 0.5 s" if fmt == "html" else "",
                              f"34 x 10 tasks, {events} events of history"))

    def every_province() -> None:
        with db.session() as session:
            for province in all_provinces(session):
                render(province_report(session, province.slug, ReportOptions(Today(as_of), year=2025)), "html")

    timing = measure(every_province, repeat=max(1, repeat // 2))
    results.append(Result(SUITE, "province reports, all 34 (html)", ctx.backend, 34, timing.median, timing.minimum,
                          timing.maximum, "s", "", "one session, 34 reports"))
    db.dispose()
    return results
