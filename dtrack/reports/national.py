"""The national synthesis for the Department and the Minister, assembled from the database.

The 34 x 10 matrix (state and timeliness per cell; a recurring group's cell
shows its latest period and how many of its periods are overdue), counts per
state and per timeliness status for every province, region and the country
(of EVERY task, all periods of a recurring group: each row adds up to its
task count, and the overdue counts are `dtrack overdue`'s), the
on-time completion rate, the longest-overdue tasks, blocked tasks with their
reasons, submissions waiting for review, the parts provinces delegated to
communes (`reports.commune_parts`), what changed since a given day,
and the reported figures: when the directive declares a plan/actual pair
of indicators (`role`), the plan against the actual per region; when it
has indicators, each of them per region.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import date, timedelta
from typing import TypedDict

from sqlalchemy.orm import Session

from dtrack.config.today import Today
from dtrack.errors import InvalidInput
from dtrack.i18n.periods import period_name
from dtrack.persistence.models import Province, User
from dtrack.reports.collector import collector_paused
from dtrack.reports.commune_parts import commune_parts_table
from dtrack.reports.document import Report, ReportOptions, Table, national_header
from dtrack.reports.figures import Figures, Money, Percent, Share, Total, rate
from dtrack.reports.labels import (
    TEXT,
    region_label,
    state_label,
    timeliness_label,
    timeliness_text,
    trigger_label,
)
from dtrack.reports.snapshot import TaskRow, TaskSnapshot, UnitRow, latest_per_cell, per_cell, standing_snapshot
from dtrack.reports.wording import DirectiveWording, directive_wording
from dtrack.workflow.access import check_oversight
from dtrack.workflow.assignments import find_directive
from dtrack.workflow.checkpoints import judged_checkpoints
from dtrack.workflow.provinces import all_provinces
from dtrack.workflow.timeliness import OnTimeRate
from dtrack.workflow.vocabulary import DeadlineStatus, Owner, Region, State, Trigger

LONGEST_OVERDUE = 15


class MatrixRow(TypedDict):
    """One province's row of the matrix, as the templates read it (`report.extra["matrix"]`)."""
    province: Province
    name: str
    region: str
    region_label: str
    cells: list[TaskSnapshot | None]  # per group: the shown (latest) period's task, if the province has one
    overdue: list[int]  # per group: how many of its periods are overdue
    tasks: list[int]  # per group: how many periods it has


def group_title(snap: TaskSnapshot, lang: str) -> str:
    return snap.task.group.title_vi if lang == "vi" else snap.task.group.title_en


def province_name(province: Province | UnitRow, lang: str) -> str:
    return province.name if lang == "vi" else province.name_en


def timeliness_statuses(snaps: list[TaskSnapshot]) -> list[DeadlineStatus]:
    """The statuses shown as columns: all but no_deadline, which appears only when some task has it."""
    present = {s.timeliness.status for s in snaps}
    hidden = (DeadlineStatus.NO_DEADLINE, DeadlineStatus.NOT_APPLICABLE)
    return [d for d in DeadlineStatus if d not in hidden or d in present]


def count_rows(label: str, snaps: list[TaskSnapshot], statuses: list[DeadlineStatus],
               as_of: date) -> tuple[list, list]:
    """One row of state counts and one of timeliness counts (each adds up to the task count).

    The timeliness row ends with the on-time rate as of `as_of` beside its denominator
    (`workflow.timeliness.rate_share`, the rule every view uses).
    """
    states = Counter(s.state for s in snaps)
    timely = Counter(s.timeliness.status for s in snaps)
    done = states[State.COMPLETED.value]
    rate = OnTimeRate()
    for s in snaps:
        rate.add(s.timeliness.status, s.task.due_on, as_of)
    state_row = [label, len(snaps), *[states[s.value] for s in State], Percent(done / len(snaps)) if snaps else None]
    time_row = [label, len(snaps), *[timely[d] for d in statuses], Share.of(rate)]
    return state_row, time_row


def judged_snapshots(session: Session, snaps: list[TaskSnapshot], today: Today) -> list[TaskSnapshot]:
    """Each checkpoint the tasks of `snaps` have moved past, as a completed task of its period (counted, not shown).

    Judged against its own checkpoint (`workflow.checkpoints`), so a review accepted on
    time stays on time after the sweep has moved the task on to the next checkpoint.
    """
    by_id = {s.task.id: s for s in snaps}
    found = []
    for task_id, judged in judged_checkpoints(session, today, by_id).items():
        task = by_id[task_id].task
        for checkpoint in judged:
            row = replace(task, due_on=checkpoint.due_on) if isinstance(task, TaskRow) else task
            snap = TaskSnapshot(row, State.COMPLETED.value, 100, checkpoint.submitted_at, checkpoint.completed_at)
            snap.timeliness = checkpoint.timeliness(today)
            found.append(snap)
    return found


def overdue_in(snaps: list[TaskSnapshot]) -> int:
    overdue = DeadlineStatus.OVERDUE  # once: an enum member's lookup costs more than the comparison
    return sum(1 for s in snaps if s.timeliness.status == overdue)


def cell_text(shown: TaskSnapshot, overdue: int, tasks: int, lang: str) -> str:
    """A matrix cell: the shown (latest) period's state and timeliness; with several periods, how many are overdue."""
    text = f"{state_label(shown.state, lang)} / {timeliness_label(shown.timeliness.status, lang)}"
    if tasks > 1 and overdue:
        text += " · " + TEXT[lang]["cell_overdue"].format(n=overdue, total=tasks)
    return text


def summary_counts(snaps: list[TaskSnapshot]) -> dict[str, object]:
    """The few numbers a covering message quotes."""
    states = Counter(s.state for s in snaps)
    timely = Counter(s.timeliness.status for s in snaps)
    done = states[State.COMPLETED.value]
    return {"tasks": len(snaps), "completed": done, "completion": Percent(done / len(snaps)) if snaps else None,
            "on_time": timely[DeadlineStatus.COMPLETED_ON_TIME], "overdue": timely[DeadlineStatus.OVERDUE],
            "blocked": states[State.BLOCKED.value], "waiting": timely[DeadlineStatus.AWAITING_REVIEW]}


def budget_pair(figures: Figures) -> tuple[str, str] | None:
    """The codes of the directive's plan and actual indicators, or None when it declares no such pair."""
    roles = {i.role: i.code for i in figures.indicators if i.role}
    if "plan" in roles and "actual" in roles:
        return roles["plan"], roles["actual"]
    return None


def budget_table(figures: Figures, pair: tuple[str, str], scopes: list[tuple[str, Total, Total]], lang: str, key: str,
                 title: str, first_header: str, name: str) -> Table:
    """Plan, actual and rate for each (label, plan Total, actual Total)."""
    t = TEXT[lang]
    rows = []
    for label, plan, done in scopes:
        rows.append([label, figures.typed(pair[0], plan.value), figures.typed(pair[1], done.value),
                     rate(done, plan), _basis(figures, plan, done, lang),
                     "; ".join(dict.fromkeys([*plan.notes, *done.notes]))])
    return Table(key, t[title].format(year=figures.year, name=name),
                 [first_header, t["plan"], t["disbursed"], t["disbursement_rate"], t["basis"], t["note"]], rows,
                 empty=t["no_figures"])


def section_name(name: str, lang: str) -> str:
    """A section's name inside an English sentence ("National industrial promotion budget"): lower first letter."""
    return name if lang == "vi" else name[:1].lower() + name[1:]


def _basis(figures: Figures, plan: Total, done: Total, lang: str) -> str:
    """What the plan and the disbursement stand for; each said apart when they differ."""
    t = TEXT[lang]
    labels = [(t[key], figures.coverage_label(total, lang)) for key, total in (("plan", plan), ("disbursed", done))
              if total.value is not None]
    if len({label for _, label in labels}) <= 1:
        return labels[0][1] if labels else ""
    return "; ".join(f"{head}: {label}" for head, label in labels)


def national_report_for(session: Session, actor: User, options: ReportOptions, since: date | None = None) -> Report:
    """`national_report` for a user of the pages or the API: the Department (overseers, admins) only."""
    check_oversight(actor, "national_report")
    return national_report(session, options, since)


def national_report(session: Session, options: ReportOptions, since: date | None = None) -> Report:
    """The synthesis as of `options.as_of`; `since` adds what changed after that day."""
    with collector_paused():
        return _national_report(session, options, since)


def _national_report(session: Session, options: ReportOptions, since: date | None) -> Report:
    as_of, lang, directive, today, year = (options.as_of, options.lang, options.directive, options.today,
                                           options.figures_year)
    if since is not None and since >= as_of:
        raise InvalidInput("since", "since_not_before", since=since, as_of=as_of)
    t = TEXT[lang]
    # Only what the report shows of the history (`standing_snapshot`): the figures of a full replay, far faster.
    every = standing_snapshot(session, directive, today,
                              since=today.on(since).ends_at() if since is not None else None)
    # The Department's own tasks have their section; tasks marked not applicable are shown, never counted.
    own = [s for s in every if s.department]
    snaps = [s for s in every if s.in_province_figures]
    snaps += judged_snapshots(session, snaps, today)  # counted, never shown as a cell's task
    provinces = all_provinces(session)
    # A cell shows its latest period, a not-applicable one too (as such); counts are of `snaps` only.
    shown = [s for s in every if s.provinces_own]
    cells = latest_per_cell(shown)
    everyone = per_cell(snaps)
    groups = sorted({s.ordinal for s in shown})
    words = directive_wording(find_directive(session, directive), lang)
    report = Report("national", lang, as_of, year, national_header(directive, as_of, lang, words))

    # Matrix: a cell shows its latest period; every count below is made of every counted task.
    statuses = timeliness_statuses(snaps)
    late = {key: overdue_in(members) for key, members in everyone.items()}
    matrix_rows: list[MatrixRow] = []
    for province in provinces:
        pid = province.id  # an ORM attribute: read once a unit, not once a cell
        matrix_rows.append({"province": province, "name": province_name(province, lang), "region": province.region,
                            "region_label": region_label(province.region, lang),
                            "cells": [cells.get((pid, g)) for g in groups],
                            "overdue": [late.get((pid, g), 0) for g in groups],
                            "tasks": [len(everyone.get((pid, g), ())) for g in groups]})
    report.extra.update(matrix=matrix_rows, groups=groups, statuses=statuses, summary=summary_counts(snaps))
    report.tables.append(Table(
        "matrix", t["matrix"], [t["province"], t["region"], *[str(g) for g in groups]],
        [[r["name"], region_label(r["region"], lang),
          *[cell_text(c, n, total, lang) if c else None
            for c, n, total in zip(r["cells"], r["overdue"], r["tasks"], strict=True)]]
         for r in matrix_rows], note=t["matrix_note"]))

    by_region: dict[str, list[TaskSnapshot]] = {r.value: [] for r in Region}
    for s in snaps:
        if (members := by_region.get(s.task.province.region)) is not None:
            members.append(s)
    state_heads = [state_label(s.value, lang) for s in State]
    time_heads = [timeliness_label(d.value, lang) for d in statuses]
    region_states, region_times = [], []
    for region, members in by_region.items():
        a, b = count_rows(region_label(region, lang), members, statuses, as_of)
        region_states.append(a)
        region_times.append(b)
    a, b = count_rows(t["total"], snaps, statuses, as_of)
    region_states.append(a)
    region_times.append(b)
    chart_counts = {r: Counter(x.state for x in m) for r, m in by_region.items()}
    report.extra["chart"] = [{"label": region_label(r, lang), "counts": [(s.value, state_label(s.value, lang),
                              chart_counts[r][s.value]) for s in State], "total": len(m)}
                             for r, m in by_region.items()]
    report.extra["on_time_rate"] = region_times[-1][-1]
    report.extra["completion_rate"] = region_states[-1][-1]
    report.tables.append(Table("states", t["states"], [t["region"], t["tasks"], *state_heads, t["completion_rate"]],
                               region_states))
    report.tables.append(Table("timeliness", t["timeliness"], [t["region"], t["tasks"], *time_heads, t["on_time_rate"]],
                               region_times, note=t["on_time_rule"]))
    province_states, province_times = [], []
    for province in provinces:
        pid = province.id
        members = [s for g in groups for s in everyone.get((pid, g), ())]
        a, b = count_rows(province_name(province, lang), members, statuses, as_of)
        province_states.append(a)
        province_times.append(b)
    report.tables.append(Table("province_states", t["states"], [t["province"], t["tasks"], *state_heads,
                                                                t["completion_rate"]], province_states))
    report.tables.append(Table("province_timeliness", t["timeliness"], [t["province"], t["tasks"], *time_heads,
                                                                         t["on_time_rate"]], province_times,
                               note=t["on_time_rule"]))

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
          today.local_date(e.at) if (e := s.last_with(Trigger.BLOCK)) else None, e.note if e else None]
         for s in blocked], empty=t["none"]))

    waiting = sorted((s for s in snaps if s.timeliness.status == DeadlineStatus.AWAITING_REVIEW),
                     key=lambda s: -(s.timeliness.days or 0))
    report.tables.append(Table(
        "waiting", t["waiting"].format(overseer=words.short),
        [t["task"], t["province"], t["group"], t["submitted_on"], t["days_waiting"], t["evidence"]],
        [[s.task.key, province_name(s.task.province, lang), group_title(s, lang),
          today.local_date(s.submitted_at) if s.submitted_at else None, s.timeliness.days,
          e.evidence if (e := s.last_with(Trigger.SUBMIT)) else None] for s in waiting], empty=t["none"]))

    report.tables.append(Table(
        Owner.DEPARTMENT, t["department_tasks"].format(overseer=words.short),
        [t["task"], t["group"], t["period"], t["state"], t["deadline"], t["timeliness"]],
        [[s.task.key, group_title(s, lang), period_name(s.task.period, lang) or None, state_label(s.state, lang),
          s.task.due_on, timeliness_text(s.timeliness.status, s.timeliness.days, lang)] for s in own], empty=t["none"]))
    not_applicable = [s for s in every if s.not_applicable and s.provinces_own]
    report.tables.append(Table(
        "not_applicable", t["not_applicable_tasks"], [t["task"], t["province"], t["group"], t["reason"]],
        [[s.task.key, province_name(s.task.province, lang), group_title(s, lang), s.not_applicable_reason]
         for s in not_applicable], empty=t["none"]))

    parts = commune_parts_table(session, today, directive, provinces, lang)  # only when some province delegated
    if parts is not None:
        report.tables.append(parts)
    if since is not None:
        report.tables.append(_changes(snaps, since, today, lang))

    report.tables.extend(_figure_tables(session, year, as_of, directive, lang, report, words, provinces))
    return report


def _changes(snaps: list[TaskSnapshot], since: date, today: Today, lang: str) -> Table:
    """Transitions and completions after `since` up to `today`, and tasks that fell overdue in between."""
    t = TEXT[lang]
    as_of, start = today.day, today.on(since).ends_at()
    rows = []
    # At 1M tasks this table has about 12,000 rows: each label is worked out once, not once a row.
    kinds: dict[str, str] = {
        trigger: t["kind_completed"] if trigger == Trigger.ACCEPT else trigger_label(trigger, lang)
        for trigger in Trigger}
    states = {state.value: state_label(state.value, lang) for state in State}
    overdue = DeadlineStatus.OVERDUE
    for s in snaps:
        key = name = None
        for e in s.events:
            if e.at < start or e.from_state == e.to_state:
                continue
            if key is None:
                key, name = s.task.key, province_name(s.task.province, lang)
            rows.append([today.local_date(e.at), key, name, kinds.get(e.trigger) or trigger_label(e.trigger, lang),
                         states.get(e.from_state) or state_label(e.from_state, lang),
                         states.get(e.to_state) or state_label(e.to_state, lang), e.note])
        due = s.task.due_on
        if s.timeliness.status == overdue and due is not None and since <= due < as_of:
            label = states.get(s.state) or state_label(s.state, lang)
            rows.append([due + timedelta(days=1), s.task.key, province_name(s.task.province, lang),
                         t["kind_new_overdue"], label, label, None])
    rows.sort(key=lambda r: (r[0], r[1]))
    return Table("changes", t["changes"].format(date=f"{since:%d/%m/%Y}"),
                 [t["date"], t["task"], t["province"], t["action"], t["from_state"], t["to_state"], t["note"]],
                 rows, empty=t["changes_none"])


def _figure_tables(session: Session, year: int, as_of: date, directive: str, lang: str, report: Report,
                   words: DirectiveWording, provinces: list[Province]) -> list[Table]:
    """The budget section (a plan/actual pair) and the results section (every indicator), when defined."""
    t = TEXT[lang]
    figures = Figures(session, year, as_of, directive)
    tables = []
    report.extra["split"] = None
    pair = budget_pair(figures)
    if pair is not None:
        plan, actual = pair
        scopes = [(region_label(r.value, lang), figures.region(plan, r.value), figures.region(actual, r.value))
                  for r in Region]
        scopes.append((t["total"], figures.national(plan), figures.national(actual)))
        tables.append(budget_table(figures, pair, scopes, lang, "budget", "budget", t["region"], words.budget))
        per_province = [(province_name(p, lang), figures.province(plan, p.id), figures.province(actual, p.id))
                        for p in provinces]
        reported = [scope for scope in per_province if scope[1].value is not None or scope[2].value is not None]
        tables.append(budget_table(figures, pair, reported, lang, "budget_provinces", "budget_provinces",
                                   t["province"], words.budget))
        report.extra["split"] = _split(figures, plan, lang, words)
    if not figures.indicators:
        return tables
    rows = []
    for indicator in figures.indicators:
        country = figures.national(indicator.code)
        totals = [*(figures.region(indicator.code, r.value) for r in Region), country]
        values = [total.value for total in totals]
        if all(v is None for v in values):
            continue
        # What the sources say of a figure ("gần 2.000", "9 tháng đầu năm", the decision behind it), once.
        notes = "; ".join(dict.fromkeys(note for total in totals for note in total.notes)) or None
        rows.append([indicator.name_vi if lang == "vi" else indicator.name_en,
                     indicator.unit_vi if lang == "vi" else indicator.unit_en,
                     *[figures.typed(indicator.code, v) for v in values], figures.coverage_label(country, lang),
                     notes])
    tables.append(Table("indicators", t["indicators"].format(year=year, name=words.indicators),
                        [t["indicator"], t["unit"], *[region_label(r.value, lang) for r in Region], t["total"],
                         t["basis"], t["note"]], rows, note=t["totals_note"], empty=t["no_figures"]))
    return tables


def _split(figures: Figures, plan: str, lang: str, words: DirectiveWording) -> dict | None:
    """The country's plan as the sum of its parts (indicators with role plan_part), when all are reported."""
    parts = [i for i in figures.indicators if i.role == "plan_part"]
    whole = figures.national(plan)
    totals = [figures.national(i.code) for i in parts]
    # Only reported national figures split: a sum over some regions is not the country's plan.
    if not parts or whole.value is None or not whole.national or any(x.value is None or not x.national for x in totals):
        return None
    total, values = whole.value, [x.value for x in totals if x.value is not None]  # every one, as checked above
    labels = [(i.short_vi or i.name_vi) if lang == "vi" else (i.short_en or i.name_en) for i in parts]
    return {"name": section_name(words.budget, lang), "total": Money(total),
            "parts": [(Money(v), label) for v, label in zip(values, labels, strict=True)]}
