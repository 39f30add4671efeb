"""The national synthesis for the Department and the Minister, assembled from the database.

The 34 x 10 matrix (state and timeliness per cell; a recurring group shows
its latest period), counts per state and per timeliness status for every
province, region and the country (of the matrix's tasks, so each row adds up
to its task count and the country's to 34 x 10), the
on-time completion rate, the longest-overdue tasks, blocked tasks with their
reasons, submissions waiting for review, what changed since a given day,
and the reported figures: budget plan against disbursement per region.
"""
from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

from sqlalchemy.orm import Session

from dtrack.reports.document import Report, ReportOptions, Table, national_header
from dtrack.reports.figures import Figures, Money, Percent, Total, rate
from dtrack.reports.labels import (
    TEXT,
    region_label,
    state_label,
    timeliness_label,
    timeliness_text,
    trigger_label,
)
from dtrack.reports.snapshot import TaskSnapshot, end_of_day, latest_per_cell, snapshot
from dtrack.workflow.clock import Clock
from dtrack.workflow.errors import InvalidInput
from dtrack.workflow.models import Province
from dtrack.workflow.provinces import all_provinces
from dtrack.workflow.vocabulary import DeadlineStatus, Owner, Region, State, Trigger

LONGEST_OVERDUE = 15


def group_title(snap: TaskSnapshot, lang: str) -> str:
    return snap.task.group.title_vi if lang == "vi" else snap.task.group.title_en


def province_name(province: Province, lang: str) -> str:
    return province.name if lang == "vi" else province.name_en


def timeliness_statuses(snaps: list[TaskSnapshot]) -> list[DeadlineStatus]:
    """The statuses shown as columns: all but no_deadline, which appears only when some task has it."""
    present = {s.timeliness.status for s in snaps}
    hidden = (DeadlineStatus.NO_DEADLINE, DeadlineStatus.NOT_APPLICABLE)
    return [d for d in DeadlineStatus if d not in hidden or d in present]


def count_rows(label: str, snaps: list[TaskSnapshot], statuses: list[DeadlineStatus]) -> tuple[list, list]:
    """One row of state counts and one of timeliness counts (each adds up to the task count)."""
    states = Counter(s.state for s in snaps)
    timely = Counter(s.timeliness.status for s in snaps)
    done = states[State.COMPLETED.value]
    on_time = timely[DeadlineStatus.COMPLETED_ON_TIME]
    state_row = [label, len(snaps), *[states[s.value] for s in State], Percent(done / len(snaps)) if snaps else None]
    time_row = [label, len(snaps), *[timely[d] for d in statuses], Percent(on_time / done) if done else None]
    return state_row, time_row


def summary_counts(snaps: list[TaskSnapshot]) -> dict[str, object]:
    """The few numbers a covering message quotes."""
    states = Counter(s.state for s in snaps)
    timely = Counter(s.timeliness.status for s in snaps)
    done = states[State.COMPLETED.value]
    return {"tasks": len(snaps), "completed": done, "completion": Percent(done / len(snaps)) if snaps else None,
            "on_time": timely[DeadlineStatus.COMPLETED_ON_TIME], "overdue": timely[DeadlineStatus.OVERDUE],
            "blocked": states[State.BLOCKED.value], "waiting": timely[DeadlineStatus.AWAITING_REVIEW]}


def budget_table(figures: Figures, scopes: list[tuple[str, Total, Total]], lang: str, key: str, title: str,
                 first_header: str) -> Table:
    """Plan, disbursed and rate for each (label, plan Total, disbursed Total)."""
    t = TEXT[lang]
    rows = []
    for label, plan, done in scopes:
        basis = {"reported": t["basis_reported"], "parts": t["basis_parts"].format(n=max(plan.parts, done.parts))}
        rows.append([label, figures.typed("budget_plan", plan.value), figures.typed("budget_disbursed", done.value),
                     rate(done, plan), basis.get(plan.basis or done.basis, ""),
                     "; ".join(dict.fromkeys([*plan.notes, *done.notes]))])
    return Table(key, t[title].format(year=figures.year), [first_header, t["plan"], t["disbursed"], t["disbursement_rate"],
                  t["basis"], t["note"]], rows, empty=t["no_figures"])


def national_report(session: Session, options: ReportOptions, since: date | None = None) -> Report:
    """The synthesis as of `options.as_of`; `since` adds what changed after that day."""
    as_of, lang, directive, clock, year = (options.as_of, options.lang, options.directive, options.clock,
                                           options.figures_year)
    if since is not None and since >= as_of:
        raise InvalidInput("--since", f"{since:%d/%m/%Y} is not before {as_of:%d/%m/%Y}",
                           "give a day before the report's day (--as-of)")
    t = TEXT[lang]
    every = snapshot(session, directive, as_of, clock, due_soon_days=options.due_soon_days)
    # The Department's own tasks have their section; tasks marked not applicable are shown, never counted.
    own = [s for s in every if s.department]
    snaps = [s for s in every if s.in_province_figures]
    provinces = all_provinces(session)
    cells = latest_per_cell([s for s in every if not s.department and s.task.group.owner != Owner.DEPARTMENT])
    groups = sorted({s.ordinal for s in every if not s.department and s.task.group.owner != Owner.DEPARTMENT})
    report = Report("national", lang, as_of, year, national_header(directive, as_of, lang))

    # Matrix: one task per cell, the same tasks every count below is made of.
    matrix_snaps = [s for s in cells.values() if not s.not_applicable]
    statuses = timeliness_statuses(matrix_snaps)
    matrix_rows = []
    for province in provinces:
        matrix_rows.append({"province": province, "name": province_name(province, lang), "region": province.region,
                            "region_label": region_label(province.region, lang), "cells": [cells.get((province.id, g)) for g in groups]})
    report.extra.update(matrix=matrix_rows, groups=groups, statuses=statuses, summary=summary_counts(matrix_snaps))
    report.tables.append(Table(
        "matrix", t["matrix"], [t["province"], t["region"], *[str(g) for g in groups]],
        [[r["name"], region_label(r["region"], lang),
          *[f"{state_label(c.state, lang)} / {timeliness_label(c.timeliness.status, lang)}" if c else None
            for c in r["cells"]]] for r in matrix_rows]))

    by_region = {r.value: [s for s in matrix_snaps if s.task.province.region == r.value] for r in Region}
    state_heads = [state_label(s.value, lang) for s in State]
    time_heads = [timeliness_label(d.value, lang) for d in statuses]
    region_states, region_times = [], []
    for region, members in by_region.items():
        a, b = count_rows(region_label(region, lang), members, statuses)
        region_states.append(a)
        region_times.append(b)
    a, b = count_rows(t["total"], matrix_snaps, statuses)
    region_states.append(a)
    region_times.append(b)
    report.extra["chart"] = [{"label": region_label(r, lang), "counts": [(s.value, state_label(s.value, lang),
                              sum(1 for x in m if x.state == s.value)) for s in State], "total": len(m)}
                             for r, m in by_region.items()]
    report.extra["on_time_rate"] = region_times[-1][-1]
    report.extra["completion_rate"] = region_states[-1][-1]
    report.tables.append(Table("states", t["states"], [t["region"], t["tasks"], *state_heads, t["completion_rate"]],
                               region_states))
    report.tables.append(Table("timeliness", t["timeliness"], [t["region"], t["tasks"], *time_heads, t["on_time_rate"]],
                               region_times))
    province_states, province_times = [], []
    for province in provinces:
        members = [cells[(province.id, g)] for g in groups if (province.id, g) in cells]
        a, b = count_rows(province_name(province, lang), members, statuses)
        province_states.append(a)
        province_times.append(b)
    report.tables.append(Table("province_states", t["states"], [t["province"], t["tasks"], *state_heads,
                                                                t["completion_rate"]], province_states))
    report.tables.append(Table("province_timeliness", t["timeliness"], [t["province"], t["tasks"], *time_heads,
                                                                         t["on_time_rate"]], province_times))

    overdue = sorted((s for s in snaps if s.timeliness.status == DeadlineStatus.OVERDUE),
                     key=lambda s: (-(s.timeliness.days or 0), s.task.province.ordinal, s.ordinal))
    report.tables.append(Table(
        "overdue", t["overdue"], [t["task"], t["province"], t["group"], t["state"], t["deadline"], t["days_overdue"]],
        [[s.task.key, province_name(s.task.province, lang), group_title(s, lang), state_label(s.state, lang),
          s.task.due_on, s.timeliness.days] for s in overdue[:LONGEST_OVERDUE]], empty=t["none"]))

    blocked = [s for s in snaps if s.state == State.BLOCKED]
    report.tables.append(Table(
        "blocked", t["blocked"], [t["task"], t["province"], t["group"], t["since"], t["reason"]],
        [[s.task.key, province_name(s.task.province, lang), group_title(s, lang),
          clock.local_date(e.at) if (e := s.last_with(Trigger.BLOCK)) else None, e.note if e else None]
         for s in blocked], empty=t["none"]))

    waiting = sorted((s for s in snaps if s.timeliness.status == DeadlineStatus.AWAITING_REVIEW),
                     key=lambda s: -(s.timeliness.days or 0))
    report.tables.append(Table(
        "waiting", t["waiting"], [t["task"], t["province"], t["group"], t["submitted_on"], t["days_waiting"],
                                  t["evidence"]],
        [[s.task.key, province_name(s.task.province, lang), group_title(s, lang),
          clock.local_date(s.submitted_at) if s.submitted_at else None, s.timeliness.days,
          e.evidence if (e := s.last_with(Trigger.SUBMIT)) else None] for s in waiting], empty=t["none"]))

    report.tables.append(Table(
        Owner.DEPARTMENT, t["department_tasks"],
        [t["task"], t["group"], t["period"], t["state"], t["deadline"], t["timeliness"]],
        [[s.task.key, group_title(s, lang), s.task.period or None, state_label(s.state, lang), s.task.due_on,
          timeliness_text(s.timeliness.status, s.timeliness.days, lang)] for s in own], empty=t["none"]))
    not_applicable = [s for s in every if s.not_applicable and not s.department
                      and s.task.group.owner != Owner.DEPARTMENT]
    report.tables.append(Table(
        "not_applicable", t["not_applicable_tasks"], [t["task"], t["province"], t["group"], t["reason"]],
        [[s.task.key, province_name(s.task.province, lang), group_title(s, lang), s.not_applicable_reason]
         for s in not_applicable], empty=t["none"]))

    if since is not None:
        report.tables.append(_changes(snaps, since, as_of, clock, lang))

    report.tables.extend(_figure_tables(session, year, as_of, directive, lang, report))
    return report


def _changes(snaps: list[TaskSnapshot], since: date, as_of: date, clock: Clock, lang: str) -> Table:
    """Transitions and completions after `since` up to `as_of`, and tasks that fell overdue in between."""
    t = TEXT[lang]
    start = end_of_day(since, clock)
    rows = []
    for s in snaps:
        for e in s.events:
            if e.at < start or e.from_state == e.to_state:
                continue
            kind = t["kind_completed"] if e.trigger == Trigger.ACCEPT else trigger_label(e.trigger, lang)
            rows.append([clock.local_date(e.at), s.task.key, province_name(s.task.province, lang), kind,
                         state_label(e.from_state, lang), state_label(e.to_state, lang), e.note])
        due = s.task.due_on
        if s.timeliness.status == DeadlineStatus.OVERDUE and due is not None and since <= due < as_of:
            rows.append([due + timedelta(days=1), s.task.key, province_name(s.task.province, lang),
                         t["kind_new_overdue"], state_label(s.state, lang), state_label(s.state, lang), None])
    rows.sort(key=lambda r: (r[0], r[1]))
    return Table("changes", t["changes"].format(date=f"{since:%d/%m/%Y}"),
                 [t["date"], t["task"], t["province"], t["action"], t["from_state"], t["to_state"], t["note"]],
                 rows, empty=t["changes_none"])


def _figure_tables(session: Session, year: int, as_of: date, directive: str, lang: str, report: Report) -> list[Table]:
    t = TEXT[lang]
    figures = Figures(session, year, as_of, directive)
    scopes = [(region_label(r.value, lang), figures.region("budget_plan", r.value),
               figures.region("budget_disbursed", r.value)) for r in Region]
    scopes.append((t["total"], figures.national("budget_plan"), figures.national("budget_disbursed")))
    tables = [budget_table(figures, scopes, lang, "budget", "budget", t["region"])]
    per_province = [(province_name(p, lang), figures.province("budget_plan", p.id),
                     figures.province("budget_disbursed", p.id)) for p in all_provinces(session)]
    reported = [scope for scope in per_province if scope[1].value is not None or scope[2].value is not None]
    tables.append(budget_table(figures, reported, lang, "budget_provinces", "budget_provinces", t["province"]))
    national, local = figures.national("budget_national_program"), figures.national("budget_local")
    total = figures.national("budget_plan")
    report.extra["split"] = None
    if national.value is not None and local.value is not None and total.value is not None:
        report.extra["split"] = (Money(total.value), Money(national.value), Money(local.value))
    rows = []
    for indicator in figures.indicators:
        values = [figures.region(indicator.code, r.value).value for r in Region]
        values.append(figures.national(indicator.code).value)
        if all(v is None for v in values):
            continue
        rows.append([indicator.name_vi if lang == "vi" else indicator.name_en,
                     indicator.unit_vi if lang == "vi" else indicator.unit_en,
                     *[figures.typed(indicator.code, v) for v in values]])
    tables.append(Table("indicators", t["indicators"].format(year=year),
                        [t["indicator"], t["unit"], *[region_label(r.value, lang) for r in Region], t["total"]],
                        rows, note=t["totals_note"], empty=t["no_figures"]))
    return tables
