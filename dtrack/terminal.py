"""Plain-text renderings for the terminal: tables, the status matrix, histories.

Pure functions from data to text, so the CLI stays a thin layer and tests
can check the text without running a command.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING

from dtrack import unseen
from dtrack.config.clock import local_dmy_hm
from dtrack.i18n.labels import (
    DEADLINE_LABELS,
    REGION_LABELS,
    REMINDER_LABELS,
    REQUEST_STATUS_LABELS,
    STATE_LABELS,
    TRIGGER_LABELS,
)
from dtrack.terminal_wording import value_text, words
from dtrack.workflow.overseer import overseer_of
from dtrack.workflow.vocabulary import (
    STATE_GLYPHS,
    DeadlineStatus,
    DeadlineTrigger,
    Region,
    ReminderKind,
    RequestStatus,
    State,
    Trigger,
)

if TYPE_CHECKING:  # types only: a command imports the modules it uses (start-up time, issue 12)
    from dtrack.i18n.catalog import Words
    from dtrack.persistence.models import Task
    from dtrack.reading.overdue import CellCounts, OverdueReview, TimelinessMatrix
    from dtrack.reading.status import StatusMatrix
    from dtrack.workflow.extension_requests import RequestView
    from dtrack.workflow.reminders import SweepResult
    from dtrack.workflow.tasks import TaskView


# What a terminal would act on instead of showing (`dtrack.unseen`), and CR, which sends the
# cursor back to overwrite the line; a table cell also must not break its row with a tab or newline.
_UNSAFE = re.compile(f"[{unseen.CONTROLS}{unseen.CR}{unseen.BIDI}]")
_UNSAFE_IN_CELL = re.compile(f"[{unseen.CONTROLS}{unseen.CR}{unseen.BIDI}\t\n]")


def _visible(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    if char in "\t\n":  # inside a table cell: a line break or tab would break the columns
        return " "
    if code < 0x20:
        return "^" + chr(code + 0x40)  # caret notation, as `cat -v`: ESC is ^[, BEL ^G, CR ^M
    if code == 0x7F:
        return "^?"
    return f"\\u{code:04x}"  # C1 and bidi controls: \u009b, \u202e


def neutralise(text: str, *, cell: bool = False) -> str:
    """`text` safe to print on a terminal: every control and bidi character shown as a visible escape.

    Newlines and tabs stay, except in a table cell (`cell=True`), where they become spaces.
    Apply it to whatever a user or a file provided; dtrack's own output has no control characters.
    """
    pattern = _UNSAFE_IN_CELL if cell else _UNSAFE
    return pattern.sub(_visible, text) if pattern.search(text) else text


def json_safe(dumped: str) -> str:
    """JSON text (from `json.dumps(..., ensure_ascii=False)`) with DEL, C1 and bidi controls as \\u escapes.

    json.dumps escapes C0 controls itself; the rest would reach the terminal raw. An escape
    inside a JSON string reads back as the same character, so scripts get the data unchanged.
    """
    return _UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", dumped) if _UNSAFE.search(dumped) else dumped


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
    cells = [[neutralise(_cell(v), cell=True) for v in row] for row in rows]
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


def state_text(state: str, lang: str = "vi") -> str:
    """A state in words ('Chưa bắt đầu'); an unknown value is shown as it is."""
    try:
        return STATE_LABELS[lang][State(state)]
    except (KeyError, ValueError):
        return state


def role_text(role: str, lang: str = "vi") -> str:
    """A role as the terminal names it (`cli.role.<role>`); the stored value stays in --json."""
    return value_text(role, lang, area="cli.role")


def task_table(views: Sequence[TaskView], lang: str = "vi") -> str:
    w = words(lang)
    if not views:
        return w["no_tasks"]
    rows = [
        (v.key, v.province_name, _shorten(title(v, lang), 48), state_text(v.state, lang), f"{v.progress}%", v.due_on,
         deadline_status_text(v.deadline_status, v.deadline_days, lang))
        for v in views
    ]
    return (table((w["h_task"], w["h_province"], w["h_title"], w["h_state"], w["h_progress"], w["h_deadline"],
                   w["h_deadline_status"]), rows)
            + "\n" + w["n_tasks"].format(n=len(views)))


def request_table(views: Sequence[RequestView], lang: str = "vi", tz: str | None = None) -> str:
    """Extension requests: what was asked, by whom and when, and the decision."""
    w = words(lang)
    if not views:
        return w["no_requests"]
    labels = REQUEST_STATUS_LABELS[lang]
    rows = [
        (v.id, v.task_key, v.province_name, labels[RequestStatus(v.status)], v.current_due_on, v.proposed_due_on,
         v.granted_due_on, v.requested_by, local_dmy_hm(v.requested_at, tz) if tz else v.requested_at,
         _shorten(v.reason if v.status == "pending" else (v.decision_note or v.reason), 40))
        for v in views
    ]
    return table(w["requests_headers"].split("|"), rows) + "\n" + w["n_requests"].format(n=len(views))


def deadline_status_text(status: str | None, days: int | None, lang: str = "vi") -> str:
    """A deadline status in words with its days, e.g. 'Quá hạn (12 ngày)'."""
    if status is None:
        return "-"
    label = DEADLINE_LABELS[lang][DeadlineStatus(status)]
    if not days:
        return label
    unit = words(lang)["day_unit" if days == 1 else "days_unit"]
    return f"{label} ({days} {unit})"


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def task_details(task: Task, lang: str = "vi", view: TaskView | None = None,
                 allowed: Sequence[str] = ()) -> str:
    """`task show`: the task, its deadline status as of the view's day, what may happen next, its history."""
    w = words(lang)
    group = task.group
    # The Department's own unit has no region.
    region = REGION_LABELS[lang][Region(task.province.region)] if task.province.region else w["department_unit"]
    lines = [
        f"{task.key}  ({w['id']} {task.id})",
        f"  {title(view, lang) if view else (group.title_vi if lang == 'vi' else group.title_en)}",
        f"  {w['d_province']}{task.province.name} ({task.province.slug}, {region})",
        f"  {w['d_overseer']}{overseer_of(group.directive).name(lang)}",
        f"  {w['d_state']}{state_text(task.state, lang)}   {w['d_progress']}: {task.progress}%",
        f"  {w['d_assigned']}{_cell(task.assigned_on)}   {w['d_deadline']}: {_cell(task.due_on)}"
        + (f" ({w['d_originally']} {_cell(task.original_due_on)})" if task.original_due_on != task.due_on else ""),
    ]
    if task.not_applicable_since is not None:
        label = DEADLINE_LABELS[lang][DeadlineStatus.NOT_APPLICABLE]
        lines.append(f"  {label}: {task.not_applicable_reason or '-'}")
    if view is not None and view.deadline_status is not None:
        lines.append(f"  {w['d_timeliness']}{deadline_status_text(view.deadline_status, view.deadline_days, lang)}")
    if allowed:
        lines.append(f"  {w['d_allowed']} {', '.join(a.replace('_', '-') for a in allowed)}")
    lines += ["", w["d_history"]]
    rows = [
        (
            e.at, _person(e.actor, w), _action_text(e.trigger, lang),
            f"{state_text(e.from_state, lang)} -> {state_text(e.to_state, lang)}", f"{e.progress}%",
            _join(e.note, e.evidence, e.from_due_on, e.to_due_on, lang),
        )
        for e in task.events
    ]
    lines.append(table((w["h_when"], w["h_who"], w["h_action"], w["h_state"], w["h_progress"], w["h_note"]), rows)
                 if rows else w["d_none_yet"])
    return neutralise("\n".join(lines))  # the title and reason above the table come from files and users


def _person(user, w: Words) -> str:
    """Who acted: their name and email ('Nguyễn Văn An <an@...>'), or the system."""
    if user is None:
        return w["system"]
    return f"{user.name} <{user.email}>" if user.name else user.email


def _action_text(trigger: str, lang: str) -> str:
    """An audited action as the CLI spells it (send-back), followed by its words in Vietnamese."""
    cli_name = trigger.replace("_", "-")
    if lang != "vi":
        return cli_name
    for kind in (Trigger, DeadlineTrigger):
        try:
            return f"{cli_name} ({TRIGGER_LABELS['vi'][kind(trigger)]})"
        except ValueError:
            continue
    return cli_name


def _join(note: str | None, evidence: str | None, from_due: date | None = None, to_due: date | None = None,
          lang: str = "vi") -> str:
    w = words(lang)
    moved = f"[{w['deadline_moved']} {_cell(from_due)} -> {_cell(to_due)}]" if to_due else None
    parts = [p for p in (note, f"[{w['evidence']}: {evidence}]" if evidence else None, moved) if p]
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
        status = matrix.timeliness.get(cell)
        mark = TIMELINESS_MARKS.get(status, "") if status is not None else ""
    return f"{mark}{STATE_GLYPHS[State(matrix.cells[cell])]}".rjust(3)


def status_text(matrix: StatusMatrix, lang: str = "vi") -> str:
    name_width = max((width(p.name) for p in matrix.provinces), default=10)
    w = words(lang)
    header = pad(w["h_province"], name_width) + " " + " ".join(f"{g:>3}" for g in matrix.groups)
    lines = [w["matrix_title"].format(directive=matrix.directive), header]
    current_region = None
    for province in matrix.provinces:
        if province.region != current_region:
            current_region = province.region
            lines.append(f"-- {REGION_LABELS[lang][Region(current_region)]}")
        glyphs = " ".join(_status_cell(matrix, (province.id, g)) for g in matrix.groups)
        lines.append(pad(province.name, name_width) + " " + glyphs)
    lines.append("")
    lines.append(f"{w['legend']}: " + "  ".join(f"{STATE_GLYPHS[s]} {STATE_LABELS[lang][s]}" for s in State)
                 + f"  - {w['not_assigned']}  x {DEADLINE_LABELS[lang][DeadlineStatus.NOT_APPLICABLE]}")
    if matrix.as_of is not None:
        lines.append(w["deadline_as_of"].format(day=f"{matrix.as_of:%d/%m/%Y}") + ": " + "  ".join(
            f"{mark}x {DEADLINE_LABELS[lang][status]}" for status, mark in TIMELINESS_MARKS.items())
            + "  " + w["periods_note"])
    return "\n".join(lines)


# Marks put before a cell's state letter in the status matrix.
TIMELINESS_MARKS = {DeadlineStatus.OVERDUE: "!", DeadlineStatus.DUE_SOON: "~"}


def region_summary(matrix: StatusMatrix, lang: str = "vi") -> str:
    # Every task of every period, so the overdue column is `dtrack overdue`'s count.
    w = words(lang)
    headers = [w["h_region"], w["h_provinces"], *[STATE_LABELS[lang][s] for s in State], w["h_done"]]
    if matrix.as_of is not None:
        headers += [w["h_overdue"], w["h_due_soon"]]
    rows = []
    scopes = [(r, REGION_LABELS[lang][Region(r)]) for r in matrix.regions()] + [(None, w["all"])]
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
    w = words(lang)
    lines = [directive_line(review.directive, lang),
             w["overdue_as_of"].format(day=f"{review.as_of:%d/%m/%Y}", n=review.total)
             + (w["most_overdue_shown"].format(n=len(review.overdue)) if len(review.overdue) < review.total else "")]
    if review.overdue:
        lines.append(table(
            (w["h_days"], w["h_task"], w["h_province"], w["h_title"], w["h_state"], w["h_deadline"], w["h_original"]),
            [(t.days, t.key, t.province_name, _shorten(t.title_vi if lang == "vi" else t.title_en, 60),
              state_text(t.state, lang), t.due_on, t.original_due_on if t.original_due_on != t.due_on else "")
             for t in review.overdue]))
    # Totals come from the review's counts, never from the (possibly --limit-ed) lists.
    lines += ["", w["awaiting_title"].format(n=review.awaiting_total)
              + (w["longest_waiting_shown"].format(n=len(review.awaiting_review))
                 if len(review.awaiting_review) < review.awaiting_total else "")]
    if review.awaiting_review:
        lines.append(table((w["h_waited"], w["h_task"], w["h_province"], w["h_deadline"]),
                           [(f"{t.days} {w['d']}", t.key, t.province_name, t.due_on) for t in review.awaiting_review]))
    per_province = review.counts("province")
    if per_province:
        lines += ["", w["overdue_per_province"]]
        lines.append(table((w["h_province"], w["h_overdue"]),
                           [(review.province_names[slug], n) for slug, n in
                            sorted(per_province.items(), key=lambda item: (-item[1], item[0]))]))
    per_region = review.counts("region")
    lines += ["", w["overdue_per_region"]]
    lines.append(table((w["h_region"], w["h_overdue"]),
                       [(REGION_LABELS[lang][r], per_region.get(r.value, 0)) for r in Region]
                       + [(w["all"], review.total)]))
    if review.department:
        lines += ["", w["department_overdue"]]
        lines.append(table(w["department_headers"].split("|"),
                           [(t.days, t.key, _shorten(t.title_vi if lang == "vi" else t.title_en, 60),
                             state_text(t.state, lang), t.due_on) for t in review.department]))
    return "\n".join(lines)


def timeliness_matrix_text(matrix: TimelinessMatrix, lang: str = "vi") -> str:
    """The Government Office's four cells per province and region, with the on-time completion rate."""
    from dtrack.reading.overdue import CELLS as cells

    w = words(lang)
    headers = (w["h_province"], w["h_on_time"], w["h_late"], w["h_open_in_time"], w["h_open_overdue"], w["h_awaiting"],
               w["h_on_time_rate"])

    from dtrack.reports.figures import Share
    from dtrack.reports.render import cell_text

    def row(label: str, counts: CellCounts) -> tuple:  # the rate beside its denominator, as the reports write it
        return (label, *[counts.counts[str(c)] for c in cells], cell_text(Share.of(counts.rate), lang))

    rows = [row(name, matrix.by_province[slug]) for slug, name, _ in matrix.provinces]
    rows += [row(REGION_LABELS[lang][Region(r)], c) for r, c in matrix.by_region.items()]
    rows.append(row(w["all"], matrix.total))
    if any(matrix.department.counts.values()):
        rows.append(row(w["department_row"], matrix.department))
    as_of = w["timeliness_as_of"].format(day=f"{matrix.as_of:%d/%m/%Y}")
    return "\n".join((directive_line(matrix.directive, lang), as_of, table(headers, rows), w["on_time_rule"]))


def directive_line(code: str | None, lang: str = "vi") -> str:
    """Which directive a list or count shows: "Chỉ thị 20/CT-BCT", or every directive."""
    w = words(lang)
    return w["directive_shown"].format(code=neutralise(code)) if code else w["directive_all"]


def sweep_text(result: SweepResult, lang: str = "vi") -> str:
    """A reminder sweep in one line of the terminal's language (`SweepResult.line()` is the log's)."""
    names = {k: REMINDER_LABELS[lang][ReminderKind(k)] if lang == "vi" else k for k in result.generated}
    w = words(lang)
    kinds = ", ".join(f"{names[k]} {result.generated[k]}" for k in sorted(result.generated)) or w["none"]
    day = f"{result.as_of:%d/%m/%Y}" if lang == "vi" else result.as_of.isoformat()  # English: ISO 8601
    seconds = f"{result.seconds:.2f}".replace(".", "," if lang == "vi" else ".")
    return w["sweep"].format(day=day, total=result.total, kinds=kinds, cancelled=result.cancelled,
                             periods=result.periods_opened, checkpoints=result.checkpoints,
                             scanned=result.scanned, seconds=seconds)
