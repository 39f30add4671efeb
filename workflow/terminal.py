"""Plain-text renderings for the terminal: tables, the status matrix, histories.

Pure functions from data to text, so the CLI stays a thin layer and tests
can check the text without running a command.
"""
from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

from workflow.clock import LOCAL_TZ
from workflow.models import Task
from workflow.status import StatusMatrix
from workflow.tasks import TaskView
from workflow.vocabulary import REGION_LABELS, STATE_GLYPHS, STATE_LABELS, Region, State


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
        return value.astimezone(ZoneInfo(LOCAL_TZ)).strftime("%d/%m/%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return str(value)


def title(view: TaskView, lang: str) -> str:
    return view.title_vi if lang == "vi" else view.title_en


def task_table(views: Sequence[TaskView], lang: str = "vi") -> str:
    if not views:
        return "(no tasks match)"
    rows = [
        (v.key, v.province_name, _shorten(title(v, lang), 48), v.state, f"{v.progress}%", v.due_on)
        for v in views
    ]
    return table(("task", "province", "title", "state", "progress", "deadline"), rows) + f"\n{len(views)} task(s)"


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
        "",
        "history:",
    ]
    rows = [
        (
            e.at, e.actor.email if e.actor else "system", e.trigger.replace("_", "-"),
            f"{e.from_state} -> {e.to_state}", f"{e.progress}%", _join(e.note, e.evidence),
        )
        for e in task.events
    ]
    lines.append(table(("when (Asia/Ho_Chi_Minh)", "who", "action", "state", "progress", "note / evidence"), rows) if rows else "  (none yet)")
    return "\n".join(lines)


def _join(note: str | None, evidence: str | None) -> str:
    parts = [p for p in (note, f"[evidence: {evidence}]" if evidence else None) if p]
    return " ".join(parts) if parts else "-"


def status_text(matrix: StatusMatrix, lang: str = "vi") -> str:
    name_width = max((width(p.name) for p in matrix.provinces), default=10)
    header = pad("province", name_width) + "  " + " ".join(f"{g:>2}" for g in matrix.groups)
    lines = [f"{matrix.directive}: provinces x task groups", header]
    current_region = None
    for province in matrix.provinces:
        if province.region != current_region:
            current_region = province.region
            lines.append(f"-- {REGION_LABELS[lang][Region(current_region)]}")
        glyphs = " ".join(f"{STATE_GLYPHS[State(matrix.cells[(province.id, g)])]:>2}"
                          if (province.id, g) in matrix.cells else " -" for g in matrix.groups)
        lines.append(pad(province.name, name_width) + "  " + glyphs)
    lines.append("")
    lines.append("legend: " + "  ".join(f"{STATE_GLYPHS[s]} {STATE_LABELS[lang][s]}" for s in State) + "  - not assigned")
    return "\n".join(lines)


def region_summary(matrix: StatusMatrix, lang: str = "vi") -> str:
    headers = ["region", "provinces", *[s.value for s in State], "done %"]
    rows = []
    scopes = [(r, REGION_LABELS[lang][Region(r)]) for r in matrix.regions()] + [(None, "all")]
    for region, label in scopes:
        counts = matrix.state_counts(region)
        total = sum(counts.values())
        provinces = sum(1 for p in matrix.provinces if region is None or p.region == region)
        done = 100 * counts.get(State.COMPLETED.value, 0) / total if total else 0
        rows.append([label, provinces, *[counts.get(s.value, 0) for s in State], f"{done:.1f}"])
    return table(headers, rows)
