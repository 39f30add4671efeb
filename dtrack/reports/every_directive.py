"""The report over every directive: one line per directive, then the regions and provinces over all of them.

`dtrack report national --directive all` (and the web's national report with
`?directive=all`). Where the national report of one directive shows each task,
this one shows counts only, so it stays a few pages long however many
directives are in force: per directive (tasks, completed, on time, overdue,
completion rate, on-time rate beside its denominator), per region and per
province over every directive, and the country's total.

The tasks are counted by the dashboard's query (`reading.dashboard_sql.province_counts`,
one grouped SQL query a directive, judged in the database: never a loop over a
million tasks in Python), which counts what a directive's national report counts: every countable
task of the provinces (not marked not applicable on the day, not the
Department's own), every period of a recurring group, and each checkpoint a
continuous task has moved past as a completed task of its own
(tests/reports/test_every_directive.py checks the two agree).

Units: a report names the 34 provinces. A unit that is not one of them (a
commune-level unit kept as a unit of its own, as the benchmark's season keeps
3,321 of them) has no province to be added to in the schema, so such units are
added up per region, one line each ("Đơn vị cấp xã khác, Miền Bắc"), and a page
or a PDF keeps tens of rows, never thousands.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from dtrack.config.today import Today
from dtrack.errors import InvalidInput
from dtrack.persistence.models import Directive, Event, Province, Task, TaskGroup
from dtrack.reading.dashboard import Counts
from dtrack.reading.dashboard_sql import FIELDS, province_counts
from dtrack.reading.scope import Scope
from dtrack.reports.collector import collector_paused
from dtrack.reports.document import Header, Report, ReportOptions, Table, national_header
from dtrack.reports.figures import Percent, Share
from dtrack.reports.indicators import DEFAULT_DIRECTIVE
from dtrack.reports.labels import TEXT, region_label
from dtrack.reports.wording import directive_wording
from dtrack.workflow.applicability import counted, province_units
from dtrack.workflow.assignments import find_directive
from dtrack.workflow.checkpoints import judged_checkpoints
from dtrack.workflow.history import nothing_after
from dtrack.workflow.timeliness import rate_share
from dtrack.workflow.vocabulary import DEPARTMENT_KIND, DeadlineStatus, DeadlineTrigger, Region

ALL = "all"  # what --directive and ?directive= take for this report
KIND = "directives"
PROVINCE_KINDS = ("province", "city")  # the 34 units a report names; other kinds are added up per region


@dataclass(frozen=True)
class DirectiveLine:
    """One directive in force on the day, with its counts over every unit."""

    code: str
    title: str
    counts: Counts


def wants_every_directive(directive: str | None) -> bool:
    return (directive or "").strip().lower() == ALL


def every_directive_report(session: Session, options: ReportOptions, since: date | None = None) -> Report:
    """The report over every directive issued by `options.as_of` (see the module)."""
    if since is not None:  # a list of what changed belongs to one directive's report
        raise InvalidInput("since", "since_one_directive")
    with collector_paused():
        return _build(session, options)


def _build(session: Session, options: ReportOptions) -> Report:
    as_of, lang = options.as_of, options.lang
    t = TEXT[lang]
    directives = list(session.execute(
        select(Directive.code, Directive.title_vi, Directive.title_en)
        .where((Directive.issued_on <= as_of) | Directive.issued_on.is_(None)).order_by(Directive.code)))
    units = list(session.execute(select(Province.slug, Province.name, Province.name_en, Province.region,
                                        Province.kind).where(Province.kind != DEPARTMENT_KIND)
                                 .order_by(Province.ordinal)))
    per_directive = _counts(session, options.today, [code for code, _, _ in directives])
    lines: list[DirectiveLine] = []
    # Added up as plain dicts: some 140,000 (directive, unit) pairs at a million tasks (a Counts each: 2.4 s).
    per_unit: dict[str, dict[str, int]] = {}
    for code, title_vi, title_en in directives:
        total = dict.fromkeys(FIELDS, 0)
        for slug, figures in per_directive.get(code, {}).items():
            mine = per_unit.get(slug) or per_unit.setdefault(slug, dict.fromkeys(FIELDS, 0))
            for name, value in figures.items():
                total[name] += value
                mine[name] += value
        lines.append(DirectiveLine(code, title_vi if lang == "vi" else title_en, Counts(total)))

    first = lines[0].code if lines else DEFAULT_DIRECTIVE
    report = Report(KIND, lang, as_of, as_of.year, _header(session, first, as_of, lang))
    heads = [t["tasks"], t["completed"], t["on_time_done"], t["overdue_count"], t["completion_rate"],
             t["on_time_rate"]]
    country = Counts.sum(line.counts for line in lines)
    report.tables.append(Table(
        "directives", t["directives_table"], [t["directive"], t["directive_title"], *heads],
        [*([line.code, line.title, *_cells(line.counts)] for line in lines), [t["total"], None, *_cells(country)]],
        note=t["on_time_rule"], empty=t["none"]))

    in_region: dict[str, list[Counts]] = {r.value: [] for r in Region}
    provinces: list[list[object]] = []
    others: dict[str, list[Counts]] = {r.value: [] for r in Region}  # units that are not provinces
    for slug, name, name_en, region, kind in units:
        counts = Counts(per_unit.get(slug, {}))
        if region in in_region:
            in_region[region].append(counts)
        if kind in PROVINCE_KINDS:
            provinces.append([name if lang == "vi" else name_en, region_label(region, lang), *_cells(counts)])
        elif region in others and counts.tasks:
            others[region].append(counts)
    regions = {region: Counts.sum(many) for region, many in in_region.items()}
    for region, many in others.items():
        if many:
            provinces.append([t["other_units"].format(n=len(many), region=region_label(region, lang)),
                              region_label(region, lang), *_cells(Counts.sum(many))])
    report.tables.append(Table(
        "regions", t["every_directive_regions"], [t["region"], *heads],
        [*([region_label(r, lang), *_cells(c)] for r, c in regions.items()), [t["total"], *_cells(country)]]))
    report.tables.append(Table(
        "provinces", t["every_directive_provinces"], [t["province"], t["region"], *heads],
        [*provinces, [t["total"], None, *_cells(country)]], empty=t["none"]))
    # `summary`: what a covering message quotes (reports.covering), as the national report gives it.
    report.extra.update(summary={"tasks": country.tasks, "completed": country.completed,
                                 "completion": _completion(country), "on_time": country.completed_on_time,
                                 "overdue": country.overdue, "blocked": country.blocked,
                                 "waiting": country.awaiting},
                        directives=len(lines), completion_rate=_completion(country), on_time_rate=_rate(country))
    return report


def _counts(session: Session, today: Today, codes: list[str]) -> dict[str, dict[str, dict[str, int]]]:
    """Directive code -> unit slug -> the day's counts (`reading.dashboard_sql.FIELDS`), checkpoints included.

    The tasks: the dashboard's grouped query, one a directive. The checkpoints continuous tasks have
    moved past: read once for every directive (`workflow.checkpoints.judged_checkpoints`, the national
    report's reading) and each counted as a completed task of its unit, judged against its own checkpoint
    (the dashboard's grouped judgement, `reading.dashboard_checkpoints`, reads the whole trail again for
    each directive: minutes at a million tasks).
    """
    current = nothing_after(session, today)
    found = {code: province_counts(session, today, Scope(directive=code), current=current) for code in codes}
    judged = judged_checkpoints(session, today)
    if not judged:
        return found
    until, day = today.ends_at(), today.day
    moved = select(Event.task_id).where(Event.trigger == DeadlineTrigger.CHECKPOINT.value, Event.at < until)
    owners = session.execute(
        select(Task.id, Directive.code, Province.slug).join(TaskGroup, Task.group_id == TaskGroup.id)
        .join(Directive, TaskGroup.directive_id == Directive.id).join(Province, Task.province_id == Province.id)
        .where(Task.id.in_(moved), province_units(), counted(), Task.assigned_on <= day))
    for task_id, code, slug in owners:
        if code not in found:
            continue
        figures = found[code].setdefault(slug, dict.fromkeys(FIELDS, 0))
        for checkpoint in judged.get(task_id, ()):
            status = checkpoint.timeliness(today).status
            on_time, due = rate_share(status, checkpoint.due_on, day)
            late = status == DeadlineStatus.COMPLETED_LATE
            figures["on_time"] += on_time
            figures["due"] += due
            figures["completed_late" if late else "completed_on_time"] += 1
            figures["completed"] += 1
            figures["tasks"] += 1
    return found


def _completion(counts: Counts) -> Percent | None:
    return Percent(counts.completed / counts.tasks) if counts.tasks else None


def _rate(counts: Counts) -> Share | None:
    """The on-time rate beside its denominator (`workflow.timeliness.rate_share`'s rule, as the dashboard's)."""
    return Share(counts.on_time, counts.due) if counts.due else None


def _cells(counts: Counts) -> list[object]:
    return [counts.tasks, counts.completed, counts.completed_on_time, counts.overdue, _completion(counts),
            _rate(counts)]


def _header(session: Session, code: str, as_of: date, lang: str) -> Header:
    """The overseer's header as a directive's national report has it (the default directive's, else `code`'s),
    with this report's title."""
    directive = session.scalar(select(Directive).where(Directive.code == DEFAULT_DIRECTIVE)) or \
        find_directive(session, code)
    header = national_header(directive.code, as_of, lang, directive_wording(directive, lang))
    return replace(header, title=TEXT[lang]["every_directive_title"])


__all__ = ["ALL", "KIND", "every_directive_report", "wants_every_directive"]
