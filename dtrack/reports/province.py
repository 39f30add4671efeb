"""A province's report to the Department on the directive, assembled from the database.

For each task group: state, progress, deadline (and the original one when it
was extended) and timeliness; the latest notes and evidence; obstacles (the
reasons given when blocking); proposals (notes that start with "Đề xuất",
"Kiến nghị" or "Proposal", the way officers write them); then, when the
directive defines indicators, the figures the province reported (its plan
against the actual beside its region's, when the directive has such a pair).
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from dtrack.i18n.catalog import Words
from dtrack.persistence.document_models import TaskDocument
from dtrack.persistence.models import Task, User
from dtrack.reports.document import Report, ReportOptions, Table, province_header
from dtrack.reports.figures import Figures
from dtrack.reports.labels import (
    TEXT,
    region_label,
    state_label,
    timeliness_text,
    trigger_label,
)
from dtrack.reports.national import (
    budget_pair,
    budget_table,
    province_name,
    summary_counts,
)
from dtrack.reports.snapshot import snapshot
from dtrack.reports.wording import directive_wording
from dtrack.workflow.access import check_province
from dtrack.workflow.assignments import find_directive
from dtrack.workflow.deadlines import period_words, task_titles
from dtrack.workflow.provinces import resolve
from dtrack.workflow.vocabulary import DocumentTrigger, Owner, State, Trigger

LATEST_NOTES = 3
DOCUMENT_TRIGGERS = frozenset(DocumentTrigger)
PROPOSAL_PREFIXES = ("đề xuất", "kiến nghị", "đề nghị", "proposal", "propose")


def is_proposal(note: str | None) -> bool:
    return note is not None and note.strip().lower().startswith(PROPOSAL_PREFIXES)


def province_report_for(session: Session, actor: User, province_ref: str, options: ReportOptions) -> Report:
    """`province_report` for a user of the pages or the API: the Department, or the province's own officers."""
    check_province(actor, resolve(session, province_ref).province)
    return province_report(session, province_ref, options)


def province_report(session: Session, province_ref: str, options: ReportOptions) -> Report:
    """The report of one province (slug, name or pre-2025 name) as of `options.as_of`."""
    as_of, lang, directive, today, year = (options.as_of, options.lang, options.directive, options.today,
                                           options.figures_year)
    t = TEXT[lang]
    resolved = resolve(session, province_ref)
    province = resolved.province
    # A Department-owned group is never in a province's report (tasks folded from before included);
    # a task marked not applicable is shown as such, and left out of the counts.
    snaps = [s for s in snapshot(session, directive, today, province_id=province.id)
             if s.task.group.owner != Owner.DEPARTMENT]
    words = directive_wording(find_directive(session, directive), lang)
    report = Report("province", lang, as_of, year, province_header(directive, province, as_of, lang, words),
                    extra={"slug": province.slug, "province": province_name(province, lang), "note": resolved.note,
                           "summary": summary_counts([s for s in snaps if s.in_province_figures])})

    rows, notes, obstacles, proposals = [], [], [], []
    for s in snaps:
        task = s.task
        assert isinstance(task, Task), "snapshot() reads ORM tasks (only standing_snapshot reads rows)"
        extended = task.original_due_on if task.original_due_on != task.due_on else None
        timely = timeliness_text(s.timeliness.status, s.timeliness.days, lang)
        # A document's number is the documents table's line, not the province's words on its work.
        noted = [e for e in s.events if (e.note or e.evidence) and e.trigger not in DOCUMENT_TRIGGERS]
        last = noted[-1] if noted else None
        if s.not_applicable:
            timely = f"{timely}: {s.not_applicable_reason}" if s.not_applicable_reason else timely
        titles = task_titles(task.group.deadline_rule, task.period, task.group.title_vi, task.group.title_en)
        # The period in words, as lists and digests name it (the covered period, not the due date's).
        rows.append([task.group.ordinal, titles[0] if lang == "vi" else titles[1],
                     period_words(task.period, lang) if task.period else None, state_label(s.state, lang),
                     s.progress, task.due_on, extended, timely, last.note if last else None,
                     last.evidence if last else None])
        for e in noted[-LATEST_NOTES:]:
            notes.append([task.group.ordinal, today.local_date(e.at), trigger_label(e.trigger, lang), e.note,
                          e.evidence])
        blocks = [e for e in s.events if e.trigger == Trigger.BLOCK]
        for e in blocks:
            current = s.state == State.BLOCKED and e is blocks[-1]
            obstacles.append([task.group.ordinal, today.local_date(e.at), e.note,
                              t["still_blocked"] if current else t["resolved"]])
        proposals += [[task.group.ordinal, today.local_date(e.at), e.note] for e in s.events if is_proposal(e.note)]

    report.tables.append(Table(
        "groups", t["groups"],
        [t["group"], t["task"], t["period"], t["state"], t["progress"], t["deadline"], t["original_deadline"],
         t["timeliness"], t["note"], t["evidence"]], rows))
    report.tables.append(Table("notes", t["latest_notes"], [t["group"], t["date"], t["action"], t["note"],
                                                            t["evidence"]], notes, empty=t["none"]))
    report.tables.append(Table("obstacles", t["obstacles"], [t["group"], t["date"], t["reason"], t["state"]],
                               obstacles, empty=t["none"]))
    report.tables.append(Table("proposals", t["proposals"], [t["group"], t["date"], t["note"]], proposals,
                               empty=t["none"]))
    report.tables.append(_documents_table(session, snaps, as_of, t))

    figures = Figures(session, year, as_of, directive)
    pair = budget_pair(figures)
    if pair is not None:
        plan, actual = pair
        scopes = [(province_name(province, lang), figures.province(plan, province.id),
                   figures.province(actual, province.id)),
                  (region_label(province.region, lang), figures.region(plan, province.region),
                   figures.region(actual, province.region))]
        report.tables.append(budget_table(figures, pair, scopes, lang, "province_budget", "budget", t["province"],
                                          words.budget))
    if not figures.indicators:
        return report  # a directive without indicators has no results section
    indicator_rows = []
    for indicator in figures.indicators:
        own = figures.province(indicator.code, province.id)
        if own.value is None:
            continue
        indicator_rows.append([indicator.name_vi if lang == "vi" else indicator.name_en,
                               indicator.unit_vi if lang == "vi" else indicator.unit_en,
                               figures.typed(indicator.code, own.value), "; ".join(own.notes) or None])
    report.tables.append(Table("indicators", t["indicators"].format(year=year, name=words.indicators),
                               [t["indicator"], t["unit"], t["value"], t["note"]], indicator_rows,
                               empty=t["no_figures"]))
    return report


def _documents_table(session: Session, snaps: list, as_of: date, t: Words) -> Table:
    """The numbers and dates of documents exchanged about the tasks (issue 23), borne on or before `as_of`."""
    ordinal = {s.task.id: s.task.group.ordinal for s in snaps}
    found: list[TaskDocument] = []
    ids = list(ordinal)
    for chunk in (ids[i:i + 5000] for i in range(0, len(ids), 5000)):
        found += session.scalars(select(TaskDocument).where(TaskDocument.task_id.in_(chunk),
                                                            TaskDocument.issued_on <= as_of))
    found.sort(key=lambda d: (d.issued_on, ordinal[d.task_id], d.id))
    rows = [[ordinal[d.task_id], d.number, d.issued_on, d.issuer, d.summary or None] for d in found]
    return Table("documents", t["task_documents"], [t["group"], t["document_number"], t["date"], t["issuer"],
                                                     t["document_summary"]], rows, empty=t["none"])
