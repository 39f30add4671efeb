"""Plain-text renderings for the terminal: tables, the status matrix, histories.

Pure functions from data to text, so the CLI stays a thin layer and tests
can check the text without running a command.
"""
from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from datetime import date, datetime

from dtrack.workflow.clock import local_dmy_hm
from dtrack.workflow.extension_requests import RequestView
from dtrack.workflow.models import Task
from dtrack.workflow.overdue import CELLS, CellCounts, OverdueReview, TimelinessMatrix
from dtrack.workflow.status import StatusMatrix
from dtrack.workflow.tasks import TaskView
from dtrack.workflow.vocabulary import (
    DEADLINE_LABELS,
    REGION_LABELS,
    REQUEST_STATUS_LABELS,
    STATE_GLYPHS,
    STATE_LABELS,
    DeadlineStatus,
    Region,
    State,
)


def width(text: str) -> int:
    """Columns a string takes: combining marks take none, wide characters two."""
    total = 0
    for char in unicodedata.normalize("NFC", text):
        if unicodedata.combining(char):
            continue
        total += 2 if unicodedata.east_asian_width(char) in "WF" else 1
    return total


def pad(text: str, columns: int) -> str:
    return text + " " * max(0, columns - width(text))


def table(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    cells = [[_cell(v) for v in row] for row in rows]
    widths = [width(h) for h in headers]
    for row in cells:
        for i, value in enumerate(row):
            widths[i] = max(widths[i], width(value))
    lines = ["  ".join(pad(h, widths[i]) for i, h in enumerate(headers)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(pad(v, widths[i]) for i, v in enumerate(row)).rstrip() for row in cells]
    return "\n".join(lines)


def _cell(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, datetime):
        # Stored in UTC; people read the time of day where they are.
        return local_dmy_hm(value)
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return str(value)


def title(view: TaskView, lang: str) -> str:
    return view.title_vi if lang == "vi" else view.title_en


def task_table(views: Sequence[TaskView], lang: str = "vi") -> str:
    if not views:
        return "(no tasks match)"
    rows = [
        (v.key, v.province_name, _shorten(title(v, lang), 48), v.state, f"{v.progress}%", v.due_on,
         deadline_status_text(v.deadline_status, v.deadline_days, lang))
        for v in views
    ]
    return (table(("task", "province", "title", "state", "progress", "deadline", "deadline status"), rows)
            + f"\n{len(views)} task(s)")


def request_table(views: Sequence[RequestView], lang: str = "vi", tz: str | None = None) -> str:
    """Extension requests: what was asked, by whom and when, and the decision."""
    if not views:
        return "(no extension requests)"
    labels = REQUEST_STATUS_LABELS[lang]
    rows = [
        (v.id, v.task_key, v.province_name, labels[v.status], v.current_due_on, v.proposed_due_on, v.granted_due_on,
         v.requested_by, local_dmy_hm(v.requested_at, tz) if tz else v.requested_at,
         _shorten(v.reason if v.status == "pending" else (v.decision_note or v.reason), 40))
        for v in views
    ]
    return (table(("id", "task", "province", "status", "deadline", "asked for", "granted", "by", "at",
                   "reason / decision"), rows) + f"\n{len(views)} request(s)")


def deadline_status_text(status: str | None, days: int | None, lang: str = "vi") -> str:
    """A deadline status in words with its days, e.g. 'Quá hạn (12 ngày)'."""
    if status is None:
        return "-"
    label = DEADLINE_LABELS[lang][DeadlineStatus(status)]
    if not days:
        return label
    unit = "ngày" if lang == "vi" else ("day" if days == 1 else "days")
    return f"{label} ({days} {unit})"


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def task_details(task: Task, lang: str = "vi") -> str:
    group = task.group
    lines = [
        f"{task.key}  (id {task.id})",
        f"  {group.title_vi if lang == 'vi' else group.title_en}",
        f"  province:  {task.province.name} ({task.province.slug}, {task.province.region})",
        f"  state:     {task.state}   progress: {task.progress}%",
        f"  assigned:  {_cell(task.assigned_on)}   deadline: {_cell(task.due_on)}"
        + (f" (originally {_cell(task.original_due_on)})" if task.original_due_on != task.due_on else ""),
    ]
    if task.not_applicable_since is not None:
        label = DEADLINE_LABELS[lang][DeadlineStatus.NOT_APPLICABLE]
        lines.append(f"  {label}: {task.not_applicable_reason or '-'}")
    lines += [
        "",
        "history:",
    ]
    rows = [
        (
            e.at, e.actor.email if e.actor else "system", e.trigger.replace("_", "-"),
            f"{e.from_state} -> {e.to_state}", f"{e.progress}%", _join(e.note, e.evidence, e.from_due_on, e.to_due_on),
        )
        for e in task.events
    ]
    lines.append(table(("when (Asia/Ho_Chi_Minh)", "who", "action", "state", "progress", "note / evidence"), rows) if rows else "  (none yet)")
    return "\n".join(lines)


def _join(note: str | None, evidence: str | None, from_due: date | None = None, to_due: date | None = None) -> str:
    moved = f"[deadline {_cell(from_due)} -> {_cell(to_due)}]" if to_due else None
    parts = [p for p in (note, f"[evidence: {evidence}]" if evidence else None, moved) if p]
    return " ".join(parts) if parts else "-"


def _status_cell(matrix: StatusMatrix, cell: tuple[int, int]) -> str:
    """The shown task's state letter, after "!" when some task of the cell is overdue ("2!" when two are).

    "x": the shown task is marked not applicable (shown, never counted).
    """
    if cell not in matrix.cells:
        return "-".rjust(3)
    if cell in matrix.not_applicable:  # shown, never counted
        return "x".rjust(3)
    overdue = matrix.overdue_count(cell)
    if overdue:
        mark = "!" if overdue == 1 else f"{overdue}!"
    else:
        mark = TIMELINESS_MARKS.get(matrix.timeliness.get(cell), "")
    return f"{mark}{STATE_GLYPHS[State(matrix.cells[cell])]}".rjust(3)


def status_text(matrix: StatusMatrix, lang: str = "vi") -> str:
    name_width = max((width(p.name) for p in matrix.provinces), default=10)
    header = pad("province", name_width) + " " + " ".join(f"{g:>3}" for g in matrix.groups)
    lines = [f"{matrix.directive}: provinces x task groups", header]
    current_region = None
    for province in matrix.provinces:
        if province.region != current_region:
            current_region = province.region
            lines.append(f"-- {REGION_LABELS[lang][Region(current_region)]}")
        glyphs = " ".join(_status_cell(matrix, (province.id, g)) for g in matrix.groups)
        lines.append(pad(province.name, name_width) + " " + glyphs)
    lines.append("")
    lines.append("legend: " + "  ".join(f"{STATE_GLYPHS[s]} {STATE_LABELS[lang][s]}" for s in State) + "  - not assigned"
                 + f"  x {DEADLINE_LABELS[lang][DeadlineStatus.NOT_APPLICABLE]}")
    if matrix.as_of is not None:
        lines.append("deadline as of " + f"{matrix.as_of:%d/%m/%Y}: " + "  ".join(
            f"{mark}x {DEADLINE_LABELS[lang][status]}" for status, mark in TIMELINESS_MARKS.items())
            + "  (a recurring group shows its latest period; N!x: N of its periods overdue)")
    return "\n".join(lines)


# Marks put before a cell's state letter in the status matrix.
TIMELINESS_MARKS = {DeadlineStatus.OVERDUE: "!", DeadlineStatus.DUE_SOON: "~"}


def region_summary(matrix: StatusMatrix, lang: str = "vi") -> str:
    # Every task of every period, so the overdue column is `dtrack overdue`'s count.
    headers = ["region", "provinces", *[s.value for s in State], "done %"]
    if matrix.as_of is not None:
        headers += ["overdue", "due soon"]
    rows = []
    scopes = [(r, REGION_LABELS[lang][Region(r)]) for r in matrix.regions()] + [(None, "all")]
    for region, label in scopes:
        counts = matrix.state_counts(region)
        total = sum(counts.values())
        provinces = sum(1 for p in matrix.provinces if region is None or p.region == region)
        done = 100 * counts.get(State.COMPLETED.value, 0) / total if total else 0
        row = [label, provinces, *[counts.get(s.value, 0) for s in State], f"{done:.1f}"]
        if matrix.as_of is not None:
            marks = matrix.timeliness_counts(region)
            row += [marks.get(DeadlineStatus.OVERDUE, 0), marks.get(DeadlineStatus.DUE_SOON, 0)]
        rows.append(row)
    return table(headers, rows)


def overdue_text(review: OverdueReview, lang: str = "vi") -> str:
    """The overdue list (most days late first), the Department's queue, and the counts."""
    lines = [f"overdue as of {review.as_of:%d/%m/%Y}: {review.total} task(s)"
             + (f", the {len(review.overdue)} most overdue shown (--limit 0 shows all)"
                if len(review.overdue) < review.total else "")]
    if review.overdue:
        lines.append(table(
            ("days", "task", "province", "title", "state", "deadline", "original"),
            [(t.days, t.key, t.province_name, _shorten(t.title_vi if lang == "vi" else t.title_en, 60), t.state,
              t.due_on, t.original_due_on if t.original_due_on != t.due_on else "") for t in review.overdue]))
    # Totals come from the review's counts, never from the (possibly --limit-ed) lists.
    lines += ["", f"waiting on the Department (submitted, not yet reviewed): {review.awaiting_total} task(s)"
              + (f", the {len(review.awaiting_review)} longest waiting shown"
                 if len(review.awaiting_review) < review.awaiting_total else "")]
    if review.awaiting_review:
        lines.append(table(("waited", "task", "province", "deadline"),
                           [(f"{t.days} d", t.key, t.province_name, t.due_on) for t in review.awaiting_review]))
    per_province = review.counts("province")
    if per_province:
        lines += ["", "overdue per province:"]
        lines.append(table(("province", "overdue"),
                           [(review.province_names[slug], n) for slug, n in
                            sorted(per_province.items(), key=lambda item: (-item[1], item[0]))]))
    per_region = review.counts("region")
    lines += ["", "overdue per region:"]
    lines.append(table(("region", "overdue"), [(REGION_LABELS[lang][r], per_region.get(r.value, 0)) for r in Region]
                       + [("all", review.total)]))
    if review.department:
        lines += ["", "the Department's own tasks, overdue (not in any province's count):"]
        lines.append(table(("days", "task", "title", "state", "deadline"),
                           [(t.days, t.key, _shorten(t.title_vi if lang == "vi" else t.title_en, 60), t.state,
                             t.due_on) for t in review.department]))
    return "\n".join(lines)


def timeliness_matrix_text(matrix: TimelinessMatrix, lang: str = "vi") -> str:
    """The Government Office's four cells per province and region, with the on-time completion rate."""
    headers = ("province", "on time", "late", "open, in time", "open, overdue", "awaiting review", "on-time %")

    def row(label: str, counts: CellCounts) -> tuple:
        rate = counts.on_time_rate
        return (label, *[counts.counts[str(c)] for c in CELLS], "-" if rate is None else f"{100 * rate:.1f}")

    rows = [row(name, matrix.by_province[slug]) for slug, name, _ in matrix.provinces]
    rows += [row(REGION_LABELS[lang][Region(r)], c) for r, c in matrix.by_region.items()]
    rows.append(row("all", matrix.total))
    if any(matrix.department.counts.values()):
        rows.append(row("the Department's own", matrix.department))
    return f"timeliness as of {matrix.as_of:%d/%m/%Y}\n" + table(headers, rows)
