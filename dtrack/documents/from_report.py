"""A report (reports/document.py) as an official document: the same figures the HTML shows, worded once.

The tables come in the HTML report's order; cells are formatted by `reports.render.cell_text`
(Vietnamese "56,31 tỷ đồng", "14,8 %", dd/mm/yyyy), so every rendering shows the same text. The
national matrix keeps the HTML's compact cells (the state's letter, "!" overdue, "~" due soon) with
its legend: 10 groups of long words do not fit an A4 page's width.
"""
from __future__ import annotations

from typing import Any

from dtrack.documents.model import Block, Grid, OfficialDocument, Para, Signature
from dtrack.reports.document import Report, Table
from dtrack.reports.labels import TEXT, state_label, timeliness_label
from dtrack.reports.render import cell_text, split_text
from dtrack.workflow.vocabulary import STATE_GLYPHS, State

NATIONAL_ORDER = ("states", "timeliness", "split", "budget", "budget_provinces", "indicators", "matrix", "overdue",
                  "blocked", "waiting", "department", "not_applicable", "changes", "province_states",
                  "province_timeliness", "commune_parts")
# Tables whose last row is the country's.
TOTAL_LAST = ("states", "timeliness", "budget", "commune_parts", "directives", "regions", "provinces")
DIRECTIVES_ORDER = ("directives", "regions", "provinces")  # reports/every_directive.py: counts only
PROVINCE_ORDER = ("groups", "notes", "obstacles", "proposals", "documents", "province_budget", "indicators")


def _numeric(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def grid(table: Table, lang: str, total_last: bool = False) -> Grid:
    """A report table's cells as the text every rendering shows."""
    numeric = tuple(any(_numeric(row[i]) for row in table.rows) for i in range(len(table.headers)))
    rows = tuple(tuple(cell_text(v, lang) for v in row) for row in table.rows)
    return Grid(tuple(str(h) for h in table.headers), rows, numeric, total_last=total_last)


def table_blocks(table: Table, lang: str, total_last: bool = False) -> list[Block]:
    blocks: list[Block] = [Para(table.title, heading=True)]
    if not table.rows and table.empty:
        blocks.append(Para(table.empty, italic=True))
    elif not table.rows:
        blocks.append(Para(TEXT[lang]["none"], italic=True))
    else:
        blocks.append(grid(table, lang, total_last))
    if table.note:
        blocks.append(Para(table.note, italic=True))
    return blocks


def matrix_blocks(report: Report) -> list[Block]:
    """The provinces x groups matrix as compact cells, its legend first."""
    lang, t = report.lang, TEXT[report.lang]
    glyphs = {s.value: g for s, g in STATE_GLYPHS.items()}
    legend = "; ".join(f"{glyphs[s.value]}: {state_label(s.value, lang)}" for s in State)
    legend += f"; !: {timeliness_label('overdue', lang)}; ~: {timeliness_label('due_soon', lang)}"
    groups = report.extra["groups"]
    rows = []
    for row in report.extra["matrix"]:
        cells = []
        for c, n in zip(row["cells"], row["overdue"], strict=True):
            if not c:
                cells.append("–")
                continue
            mark = ("!" + (str(n) if n > 1 else "")) if n else ("~" if str(c.timeliness.status) == "due_soon" else "")
            cells.append(glyphs[c.state] + mark)
        rows.append((row["name"], *cells))
    headers = (t["province"], *(str(g) for g in groups))
    return [Para(t["matrix"], heading=True), Para(f"{t['legend']}: {legend}.", italic=True),
            Grid(headers, tuple(rows), (False,) * len(headers), small=True)]


def _body(report: Report) -> list[Block]:
    lang, t = report.lang, TEXT[report.lang]
    blocks: list[Block] = [Para(t["as_of"].format(date=report.as_of.strftime("%d/%m/%Y")), italic=True)]
    present = {table.key: table for table in report.tables}
    order: tuple[str, ...]
    if report.kind in ("national", "directives"):
        blocks.append(Para(f"{t['completion_rate']}: {cell_text(report.extra['completion_rate'], lang)}; "
                           f"{t['on_time_rate']}: {cell_text(report.extra['on_time_rate'], lang)}."))
        order = NATIONAL_ORDER if report.kind == "national" else DIRECTIVES_ORDER
    else:
        order = PROVINCE_ORDER
    for key in order:
        if key == "split":
            split = split_text(report)
            if split:
                blocks.append(Para(split))
        elif key == "matrix" and "matrix" in report.extra:
            blocks += matrix_blocks(report)
        elif key in present:
            blocks += table_blocks(present[key], lang, total_last=key in TOTAL_LAST)
    return blocks


def report_document(report: Report) -> OfficialDocument:
    """The report's header, body and signature as the decree lays them out."""
    h, t = report.header, TEXT[report.lang]
    return OfficialDocument(
        parent=h.parent, issuer=h.issuer, country=h.country, motto=h.motto, number=h.number,
        place_date=h.place_date, kind=h.kind, title=h.title, recipient=h.recipient, blocks=tuple(_body(report)),
        signature=Signature(position=h.signer, hint=t["signature_hint"]), recipients_label=t["recipients"],
        recipients=(*h.recipients, t["archive"]), file_title=f"{h.kind}: {h.title}", lang=report.lang)
