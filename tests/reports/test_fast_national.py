"""The national report's fast path gives the report the full replay gives, byte for byte.

`national_report` reads tasks as rows, takes each standing from the task's
row unless the task changed after the day (`reports.snapshot.standing_snapshot`),
and renders its big tables and matrix in Python (`reports.render.data_rows`,
`matrix_row`) and its XLSX in write-only mode. Here the same report is built
from the full replay (`reports.snapshot.snapshot`, every event of every task)
and rendered through the templates' original loops and the normal-mode XLSX
writer, on the demo season plus a reopening, an extension, marks of not
applicable (one undone), and a block whose reason a spreadsheet would read
as a formula; on days before, between and after those changes.
"""
from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from jinja2 import ChoiceLoader, DictLoader, Environment
from openpyxl import load_workbook
from sqlalchemy import select

from dtrack.config.clock import Clock
from dtrack.config.today import Today
from dtrack.persistence.models import Province, Task, TaskGroup
from dtrack.reports import national
from dtrack.reports.document import ReportOptions
from dtrack.reports.figures import Money, Percent, Share
from dtrack.reports.labels import trigger_label
from dtrack.reports.national import national_report
from dtrack.reports.render import _context, _sheet_name, cell_text, render
from dtrack.reports.snapshot import snapshot
from dtrack.reports.spreadsheet_safety import keep_text
from dtrack.templates.environment import environment
from dtrack.usecases.demo import OVERSEER, province_email, run_demo
from dtrack.workflow.exemption import set_applicability
from dtrack.workflow.extension import extend
from dtrack.workflow.service import Tracker
from dtrack.workflow.vocabulary import Owner, State


@pytest.fixture
def db_url(demo_url) -> str:
    """Every test here starts from the demo season (a copy of the run's template)."""
    return demo_url

# Before the changes below (replayed), between them, and after the last one (every task as its row says).
DAYS = (date(2025, 12, 31), date(2026, 3, 31), date(2026, 6, 30), date(2026, 7, 12), date(2026, 7, 31))
FORMULA_NOTE = '=HYPERLINK("http://example.com","x")'


@pytest.fixture
def season(db):
    """The demo season, then in July 2026: a reopening, an extension, two not-applicable marks (one undone), a block."""
    run_demo(db)
    with db.session() as s:
        rows = s.execute(select(Task.id, Task.state, Province.slug).join(Province, Task.province_id == Province.id)
                         .join(TaskGroup, Task.group_id == TaskGroup.id)
                         .where(Province.kind != "department", TaskGroup.owner == Owner.PROVINCE)
                         .order_by(Task.id)).all()
        keys = {task_id: s.get(Task, task_id).key for task_id, _, _ in rows}
    by_state: dict[str, list[tuple[str, str]]] = {}
    for task_id, state, slug in rows:
        by_state.setdefault(state, []).append((keys[task_id], slug))
    done, working = by_state[State.COMPLETED.value], by_state[State.IN_PROGRESS.value]
    assert len(done) >= 2 and len(working) >= 3

    def on(day: date) -> Clock:
        return Clock(pinned=day)

    Tracker(db, on(date(2026, 7, 2))).fire(done[0][0], "reopen", OVERSEER, note="Cần bổ sung minh chứng")
    extend(db, on(date(2026, 7, 3)), OVERSEER, date(2026, 9, 30), "Gia hạn theo đề nghị", task_refs=[working[0][0]])
    set_applicability(db, on(date(2026, 7, 5)), OVERSEER, working[1][0], not_applicable=True,
                      reason="Tỉnh không có làng nghề")
    set_applicability(db, on(date(2026, 7, 6)), OVERSEER, done[1][0], not_applicable=True, reason="Trùng nhiệm vụ")
    set_applicability(db, on(date(2026, 7, 20)), OVERSEER, done[1][0], not_applicable=False, reason=None)
    key, slug = working[2]
    Tracker(db, on(date(2026, 7, 8))).fire(key, "block", province_email(slug), note=FORMULA_NOTE)
    return db


def _full_replay(session, code, today, *, since=None):
    return snapshot(session, code, today)


def _both(db, monkeypatch, options: ReportOptions, since: date | None):
    with db.session() as s:
        fast = national_report(s, options, since)
    with monkeypatch.context() as patch:
        patch.setattr(national, "standing_snapshot", _full_replay)
        with db.session() as s:
            slow = national_report(s, options, since)
    return fast, slow


@pytest.mark.parametrize("day", DAYS, ids=[d.isoformat() for d in DAYS])
def test_the_fast_path_gives_the_full_replays_report(season, monkeypatch, day):
    for lang, since in (("vi", day - timedelta(days=30)), ("en", None)):
        fast, slow = _both(season, monkeypatch, ReportOptions(Today(day), lang=lang), since)
        assert [(t.key, t.title, t.headers, t.rows) for t in fast.tables] == \
               [(t.key, t.title, t.headers, t.rows) for t in slow.tables]
        assert fast.extra["summary"] == slow.extra["summary"] and fast.extra["chart"] == slow.extra["chart"]
        for fmt in ("html", "md", "csv"):
            assert render(fast, fmt) == render(slow, fmt), (fmt, lang)


def test_the_season_has_what_the_comparison_is_about(season, monkeypatch):
    fast, _ = _both(season, monkeypatch, ReportOptions(Today(date(2026, 7, 12))), date(2026, 6, 30))
    reasons = [row[-1] for row in fast.table("not_applicable").rows]
    assert "Tỉnh không có làng nghề" in reasons and "Trùng nhiệm vụ" in reasons
    assert FORMULA_NOTE in [row[-1] for row in fast.table("blocked").rows]
    kinds = {row[3] for row in fast.table("changes").rows}
    assert {trigger_label("reopen", "vi"), trigger_label("block", "vi")} <= kinds
    after, _ = _both(season, monkeypatch, ReportOptions(Today(date(2026, 7, 31))), None)
    assert [row[-1] for row in after.table("not_applicable").rows] == ["Tỉnh không có làng nghề"]


# The templates' loops as they were before `data_rows` and `matrix_row` replaced them.
_TABLE_LOOP = """  <tbody>
  {% for row in tbl.rows %}
    <tr{% if total_last and loop.last %} class="total"{% endif %}>{% for v in row %}<td{% if numeric(v) %} class="num"{% endif %}>{{ cell(v) }}</td>{% endfor %}</tr>
  {% endfor %}
  </tbody>"""  # noqa: E501 - the old template verbatim: a line break would change the rendered bytes
_MATRIX_LOOP = """    <tr data-province="{{ row.province.slug }}"><td class="name">{{ row.name }}</td>
    {% for c in row.cells %}{% set n = row.overdue[loop.index0] %}{% set total = row.tasks[loop.index0] %}
      {% if c %}<td class="c s-{{ c.state }} t-{{ c.timeliness.status.value }}{% if n %} has-overdue{% endif %}" data-state="{{ c.state }}" data-timeliness="{{ c.timeliness.status.value }}" data-overdue="{{ n }}" data-tasks="{{ total }}" title="{{ c.task.key }}: {{ state_label(c.state) }}, {{ timeliness_label(c.timeliness.status.value) }}{% if total > 1 and n %}; {{ t.cell_overdue.format(n=n, total=total) }}{% endif %}">{{ GLYPHS[c.state] }}{% if n %}!{% if n > 1 %}{{ n }}{% endif %}{% elif c.timeliness.status.value == "due_soon" %}~{% endif %}</td>
      {% else %}<td class="c">–</td>{% endif %}
    {% endfor %}
    </tr>
"""  # noqa: E501 - the old template verbatim: a line break would change the rendered bytes


def _original_templates() -> Environment:
    shared = environment()
    sources = {}
    for name, new, old in (
        ("reports/_tables.html.j2", "{% if tbl.rows %}\n{{ data_rows(tbl, total_last) }}\n{% endif %}", None),
        ("reports/_matrix.html.j2", "{{ matrix_row(row) }}\n", _MATRIX_LOOP),
    ):
        text, _, _ = shared.loader.get_source(shared, name)
        if old is None:  # the table: from <tbody> to </tbody>
            start, end = text.index("  <tbody>"), text.index("  </tbody>") + len("  </tbody>")
            assert new in text[start:end]
            text = text[:start] + _TABLE_LOOP + text[end:]
        else:
            start = text.index("    {# reports.render.matrix_row")
            end = text.index(new, start) + len(new)
            text = text[:start] + old + text[end:]
        sources[name] = text
    env = Environment(loader=ChoiceLoader([DictLoader(sources), shared.loader]), autoescape=shared.autoescape,
                      undefined=shared.undefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.filters.update(shared.filters)
    env.globals.update(shared.globals)
    return env


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_html_rows_written_in_python_are_the_templates_bytes(season, lang):
    original = _original_templates()
    for day in (date(2026, 6, 30), date(2026, 7, 12)):
        with season.session() as s:
            report = national_report(s, ReportOptions(Today(day), lang=lang), day - timedelta(days=60))
        assert report.table("changes").rows and report.extra["matrix"]
        expected = original.get_template("reports/national.html.j2").render(**_context(report))
        assert render(report, "html").decode("utf-8") == expected


def _normal_mode_xlsx(report) -> bytes:
    """The XLSX writer as it was (openpyxl's normal mode), to compare the write-only one with."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    book = Workbook()
    book.remove(book.active)
    names: set[str] = set()
    for table in report.tables:
        sheet = book.create_sheet(_sheet_name(table, report.lang, names))
        sheet.append([table.title])
        sheet["A1"].font = Font(bold=True, size=12)
        sheet.append(table.headers)
        for cell in sheet[2]:
            cell.font, cell.fill = Font(bold=True), PatternFill("solid", fgColor="DDE5F0")
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for row in table.rows:
            sheet.append([int(v) if isinstance(v, Money) else float(v) if isinstance(v, Percent) else v for v in row])
            # The sheet's row spans its widest row, which may be wider than this one.
            for cell, value in zip(sheet[sheet.max_row], row, strict=False):
                if isinstance(value, Money):
                    cell.number_format = "#,##0"
                elif isinstance(value, Share):  # the on-time rate, its denominator beside it
                    cell.number_format = f'0.0%" ({value.part}/{value.whole})"'
                elif isinstance(value, Percent):
                    cell.number_format = "0.0%"
                elif isinstance(value, date):
                    cell.number_format = "DD/MM/YYYY"
        if table.note:
            sheet.append([])
            sheet.append([table.note])
            sheet.cell(sheet.max_row, 1).font = Font(italic=True)
        for line in sheet.iter_rows():
            for cell in line:
                keep_text(cell)
        sheet.freeze_panes = "B3"
        if table.rows:
            sheet.auto_filter.ref = f"A2:{sheet.cell(2, len(table.headers)).column_letter}{len(table.rows) + 2}"
        for index, header in enumerate(table.headers, start=1):
            longest = max([len(str(header))] + [len(cell_text(r[index - 1], report.lang)) for r in table.rows[:200]])
            sheet.column_dimensions[sheet.cell(2, index).column_letter].width = min(60, max(8, longest + 2))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _cells(data: bytes) -> dict:
    book = load_workbook(io.BytesIO(data))
    sheets = {}
    for sheet in book.worksheets:
        cells = [(c.coordinate, c.value, c.data_type, c.number_format, c.font.b, c.font.sz, c.fill.fill_type,
                  c.fill.fgColor.rgb, c.alignment.wrap_text, c.alignment.vertical, c.quotePrefix)
                 for row in sheet.iter_rows() for c in row if c.value is not None]
        sheets[sheet.title] = (cells, sheet.freeze_panes, sheet.auto_filter.ref,
                               {k: d.width for k, d in sheet.column_dimensions.items()})
    return sheets


def test_the_write_only_xlsx_holds_what_the_normal_mode_wrote(season):
    with season.session() as s:
        report = national_report(s, ReportOptions(Today(date(2026, 7, 12)), year=2025), date(2026, 6, 1))
    assert any(isinstance(v, Percent) for t in report.tables for r in t.rows for v in r)
    assert any(isinstance(v, date) for t in report.tables for r in t.rows for v in r)
    written, expected = _cells(render(report, "xlsx")), _cells(_normal_mode_xlsx(report))
    assert written == expected
    formula = [c for c in written["Vướng mắc"][0] if c[1] == FORMULA_NOTE]
    assert formula and formula[0][2] == "s" and formula[0][-1] is True  # text, quote-prefixed: never a formula
