"""The Department's own task and tasks marked not applicable in the national and province reports (issue 11)."""
from __future__ import annotations

from dtrack.config.today import Today
from dtrack.reports.document import ReportOptions
from dtrack.reports.national import national_report
from dtrack.reports.province import province_report
from dtrack.reports.render import render
from dtrack.workflow.exemption import set_applicability
from tests.scoped_directive import CODE, DEPARTMENT_KEY, TODAY, load_and_assign

REASON = "Tỉnh không có làng nghề đan lát"


def _reports(db, directive: str, province: str, lang: str = "vi"):
    with db.session() as session:
        national = national_report(session, ReportOptions(Today(TODAY), lang, directive=directive))
        local = province_report(session, province, ReportOptions(Today(TODAY), lang, directive=directive))
        return national, local, render(national, "html").decode(), render(local, "html").decode()


def test_directive_20s_group_10_is_the_departments_section_never_a_provinces(db, world, parse):
    national, local, html, local_html = _reports(db, "20/CT-BCT", "ha-noi")
    department = parse(html).tables["department"][1:]
    assert [row[0] for row in department] == ["20/CT-BCT:10:cuc"]
    assert national.extra["groups"] == list(range(1, 10))
    assert national.extra["summary"]["tasks"] == 9 * 34
    assert [int(row[0]) for row in parse(local_html).tables["groups"][1:]] == list(range(1, 10))
    assert local.extra["summary"]["tasks"] == 9


def test_the_scoped_directive_in_the_reports(db, world, parse):
    load_and_assign(db, world.clock)
    overseer = world.user("overseer", None)
    national, local, html, local_html = _reports(db, CODE, "can-tho")
    # Cần Thơ owes groups 1 and 2 (South only); never 3 (pottery provinces) nor 4 (the Department's).
    assert [int(row[0]) for row in parse(local_html).tables["groups"][1:]] == [1, 2]
    assert local.extra["summary"]["overdue"] == 2
    assert national.extra["summary"]["tasks"] == 34 + 8 + 3 and national.extra["summary"]["overdue"] == 45
    assert [row[0] for row in parse(html).tables["department"][1:]] == [DEPARTMENT_KEY]
    overdue_keys = {row[0] for row in parse(html).tables["overdue"][1:]}
    assert DEPARTMENT_KEY not in overdue_keys and f"{CODE}:2:ha-noi" not in overdue_keys

    set_applicability(db, world.clock, overseer, f"{CODE}:2:can-tho", not_applicable=True, reason=REASON)
    national, local, html, local_html = _reports(db, CODE, "can-tho")
    rows = {int(row[0]): row for row in parse(local_html).tables["groups"][1:]}
    assert f"Không áp dụng: {REASON}" in rows[2]
    assert local.extra["summary"]["overdue"] == 1 and local.extra["summary"]["tasks"] == 1
    assert national.extra["summary"]["overdue"] == 44 and national.extra["summary"]["tasks"] == 44
    assert [row[0] for row in parse(html).tables["not_applicable"][1:]] == [f"{CODE}:2:can-tho"]
    english = _reports(db, CODE, "can-tho", "en")[3]
    assert f"Not applicable: {REASON}" in {int(r[0]): r for r in parse(english).tables["groups"][1:]}[2]
