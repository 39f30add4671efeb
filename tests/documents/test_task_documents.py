"""Document numbers on tasks: recorded by hand, recorded by every letter dtrack issues, shown in the history."""
from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dtrack.config.today import Today
from dtrack.documents.issuing import issue_urge
from dtrack.documents.task_documents import check_number, documents_of, record_for
from dtrack.documents.urge import UrgeRequest, urge_letter
from dtrack.errors import InvalidInput, UnknownTask
from dtrack.usecases.demo import OVERSEER, province_email
from dtrack.workflow.users import find_user

AS_OF = date(2026, 12, 5)
NOW = datetime(2026, 12, 5, 3, 0, tzinfo=UTC)


@pytest.fixture
def db_url(demo_url) -> str:
    return demo_url


def _late_keys(db, slug: str) -> list[tuple[int, str]]:
    with db.session() as session:
        return [(t.task_id, t.key) for t in urge_letter(session, slug, UrgeRequest(Today(AS_OF))).tasks]


def test_an_officer_records_the_provinces_report_and_the_letter_adds_its_own(db):
    (task_id, key), *_ = _late_keys(db, "ca-mau")
    with db.session() as session:
        officer = find_user(session, province_email("ca-mau"))
        row = record_for(session, officer, key, "Số: 123/BC-SCT", date(2026, 11, 10), "Sở Công Thương tỉnh Cà Mau",
                         "", "in", NOW)
        assert row.number == "123/BC-SCT"
        with pytest.raises(UnknownTask):  # another province's task is unknown to an officer
            record_for(session, find_user(session, province_email("ha-noi")), key, "1/BC-SCT", date(2026, 11, 1),
                       "Sở Công Thương", "", "in", NOW)
        with pytest.raises(InvalidInput) as bad:
            record_for(session, officer, key, "báo cáo tháng", date(2026, 11, 10), "Sở", "", "in", NOW)
        assert bad.value.error_code == "not_a_document_number"
    with db.session() as session:
        overseer = find_user(session, OVERSEER)
        issue_urge(session, urge_letter(session, "ca-mau", UrgeRequest(Today(AS_OF))), overseer, NOW)
    with db.session() as session:
        found = documents_of(session, [task_id])[task_id]
    assert [(d.number, d.issued_on, d.direction) for d in found] == [("123/BC-SCT", date(2026, 11, 10), "in"),
                                                                     ("1/KC", AS_OF, "out")]
    assert found[1].issuer.startswith("Cục Đổi mới sáng tạo")


def test_the_cli_records_a_number(cli_runner, db):
    (task_id, key), *_ = _late_keys(db, "ca-mau")
    done = cli_runner("task", "document", key, "--number", "45/UBND-KT", "--date", "01/12/2026",
                      "--issuer", "Ủy ban nhân dân tỉnh Cà Mau", "--as", province_email("ca-mau"))
    assert done.exit_code == 0 and "45/UBND-KT" in done.output and "01/12/2026" in done.output
    refused = cli_runner("task", "document", key, "--number", "abc", "--date", "01/12/2026",
                         "--issuer", "Ủy ban", "--as", province_email("ca-mau"))
    assert refused.exit_code == 1
    with db.session() as session:
        assert [d.number for d in documents_of(session, [task_id])[task_id]] == ["45/UBND-KT"]


@given(st.integers(1, 999999), st.sampled_from(["BC-SCT", "UBND-KT", "KC", "2026/TT-BCT", "CĐ-BCT"]))
def test_well_formed_numbers_are_taken(n, symbol):
    assert check_number(f"Số {n}/{symbol}") == f"{n}/{symbol}"


@given(st.text(max_size=20))
def test_text_without_a_number_is_refused(text):
    if text.strip() and text.strip()[0].isdigit() and "/" in text:
        return  # may be a number: the other test covers those
    with pytest.raises(InvalidInput):
        check_number(text)


def test_the_province_report_lists_the_numbers(db):
    from dtrack.documents.files import render_any
    from dtrack.reports.document import ReportOptions
    from dtrack.reports.province import province_report

    (task_id, key), *_ = _late_keys(db, "ca-mau")
    with db.session() as session:
        officer = find_user(session, province_email("ca-mau"))
        record_for(session, officer, key, "123/BC-SCT", date(2026, 11, 10), "Sở Công Thương tỉnh Cà Mau",
                   "V/v báo cáo tiến độ", "in", NOW)
        record_for(session, officer, key, "130/BC-SCT", date(2026, 12, 20), "Sở Công Thương tỉnh Cà Mau", "", "in",
                   NOW)  # borne after the report's day: not in it
    with db.session() as session:
        report = province_report(session, "ca-mau", ReportOptions(Today(AS_OF), "vi", None, "20/CT-BCT"))
        _, _, html = render_any(report, "html")
        _, _, docx = render_any(report, "docx")
    rows = report.table("documents").rows
    assert [(r[1], r[2], r[4]) for r in rows] == [("123/BC-SCT", date(2026, 11, 10), "V/v báo cáo tiến độ")]
    assert "123/BC-SCT" in html.decode() and "130/BC-SCT" not in html.decode()
    from .docx_reading import read_docx

    cells = [c.text for table in read_docx(docx).tables for row in table.rows for c in row.cells]
    assert "123/BC-SCT" in cells
