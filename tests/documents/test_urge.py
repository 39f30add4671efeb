"""The "công văn đôn đốc": the parts of a Decree 30 letter, escalation, issuing with a number and an audit row."""
from __future__ import annotations

import io
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pypdf import PdfReader
from sqlalchemy import func, select

from dtrack.config.today import Today
from dtrack.documents.files import official_bytes
from dtrack.documents.issuing import issue_urge
from dtrack.documents.register import peek_number
from dtrack.documents.urge import AUTHORITIES, UrgeRequest, check_authority, letter_symbol, urge_letter, urge_letter_for
from dtrack.errors import InvalidInput, PermissionDenied
from dtrack.persistence.document_models import IssuedDocument
from dtrack.persistence.models import Event, Outbox, OutboxAttachment
from dtrack.usecases.demo import OVERSEER, province_email
from dtrack.workflow.users import find_user
from tests.documents import SHOTS

from .docx_reading import data_tables, lines, read_docx

AS_OF = date(2026, 12, 5)
NOW = datetime(2026, 12, 5, 3, 0, tzinfo=UTC)


@pytest.fixture
def db_url(demo_url) -> str:
    return demo_url


def _request(**kwargs) -> UrgeRequest:
    return UrgeRequest(Today(AS_OF), **kwargs)


def test_the_draft_letter_has_the_parts_of_a_cong_van(db):
    with db.session() as session:
        letter = urge_letter(session, "ca-mau", _request(escalate_after=400, authority="KT. CỤC TRƯỞNG",
                                                         position="PHÓ CỤC TRƯỞNG", signer="Nguyễn Văn A"))
    assert not letter.escalated and letter.tasks
    assert all(t.days > 0 and t.province == "ca-mau" for t in letter.tasks)
    doc = read_docx(official_bytes(letter.document, "docx"))
    found = lines(doc)
    texts = [line.text for line in found]
    assert not any(t == "BÁO CÁO" for t in texts)  # a công văn has no type name
    left = [line for line in found if line.where == "head-left"]
    assert [line.text for line in left] == ["BỘ CÔNG THƯƠNG", "CỤC ĐỔI MỚI SÁNG TẠO, CHUYỂN ĐỔI XANH VÀ KHUYẾN CÔNG",
                                            "Số:        /KC", "V/v đôn đốc thực hiện Chỉ thị số 20/CT-BCT"]
    assert left[-1].size == 12 and not left[-1].bold
    assert "Kính gửi: Sở Công Thương tỉnh Cà Mau" in texts
    body = " ".join(p.text for p in doc.paragraphs)
    assert f"còn {len(letter.tasks)} nhiệm vụ đã quá thời hạn" in body and "trước ngày 20/12/2026./." in body
    table = data_tables(doc)[0]
    assert [c.text for c in table.rows[0].cells] == ["TT", "Nhiệm vụ", "Kỳ", "Thời hạn", "Số ngày quá hạn",
                                                     "Tình trạng"]
    assert len(table.rows) == 1 + len(letter.tasks)
    assert [r.cells[4].text for r in table.rows[1:]] == [str(t.days) for t in letter.tasks]
    sign = [line for line in found if line.where == "sign-right"]
    assert [(s.text, s.size, s.bold) for s in sign] == [("KT. CỤC TRƯỞNG", 14, True), ("PHÓ CỤC TRƯỞNG", 14, True),
                                                         ("Nguyễn Văn A", 14, True)]
    copies = [line.text for line in found if line.where == "sign-left"]
    assert copies == ["Nơi nhận:", "- Như trên;", "- Bộ trưởng Bộ Công Thương (để báo cáo);",
                      "- Ủy ban nhân dân tỉnh Cà Mau (để chỉ đạo);", "- Lưu: VT, KC."]


def test_long_overdue_tasks_send_the_letter_to_the_peoples_committee(db):
    with db.session() as session:
        letter = urge_letter(session, "ca-mau", _request(escalate_after=30))
        assert letter.escalated and letter.document.recipient == "Kính gửi: Ủy ban nhân dân tỉnh Cà Mau"
        assert not any("để chỉ đạo" in r for r in letter.document.recipients)
        custom = urge_letter(session, "ca-mau", _request(copies=("Văn phòng Bộ",)))
        assert custom.document.recipients == ("Như trên", "Văn phòng Bộ", "Lưu: VT, KC")


def test_pdf_letter_keeps_its_vietnamese(db):
    with db.session() as session:
        letter = urge_letter(session, "ca-mau", _request(authority="KT. CỤC TRƯỞNG", position="PHÓ CỤC TRƯỞNG"))
    data = official_bytes(letter.document, "pdf")
    reader = PdfReader(io.BytesIO(data))
    text = " ".join(reader.pages[0].extract_text().split())
    for words in ("Độc lập - Tự do - Hạnh phúc", "V/v đôn đốc thực hiện Chỉ thị số", "Ủy ban nhân dân tỉnh Cà Mau",
                  "KT. CỤC TRƯỞNG", "Nơi nhận:", "Hà Nội, ngày 05 tháng 12 năm 2026"):
        assert words in text, words
    import pypdfium2 as pdfium

    SHOTS.mkdir(parents=True, exist_ok=True)
    pdfium.PdfDocument(data)[0].render(scale=1.5).to_pil().save(SHOTS / "urge-ca-mau-p1.png")


def test_issuing_numbers_the_letter_and_audits_each_task(db):
    with db.session() as session:
        overseer = find_user(session, OVERSEER)
        letter = urge_letter_for(session, overseer, "ca-mau", _request())
        first = issue_urge(session, letter, overseer, NOW)
    with db.session() as session:
        overseer = find_user(session, OVERSEER)
        second = issue_urge(session, urge_letter(session, "ca-mau", _request()), overseer, NOW)
    assert (first.reference, second.reference) == ("1/KC", "2/KC")
    assert first.document.number == "Số: 1/KC"
    doc = read_docx(official_bytes(first.document, "docx"))
    assert any(line.text == "Số: 1/KC" for line in lines(doc))
    with db.session() as session:
        events = session.execute(select(Event.task_id, Event.note, Event.from_state, Event.to_state)
                                 .where(Event.trigger == "urge")).all()
        assert sorted(e.task_id for e in events if e.note == "1/KC") == sorted(t.task_id for t in letter.tasks)
        assert all(e.from_state == e.to_state for e in events)
        rows = session.scalars(select(IssuedDocument).order_by(IssuedDocument.number)).all()
        assert [(r.number, r.symbol, r.kind, r.tasks) for r in rows] == [(1, "/KC", "urge", len(letter.tasks)),
                                                                           (2, "/KC", "urge", len(letter.tasks))]


def test_a_province_officer_can_neither_draft_nor_issue(db):
    with db.session() as session:
        officer = find_user(session, province_email("ca-mau"))
        with pytest.raises(PermissionDenied):
            urge_letter_for(session, officer, "ca-mau", _request())
        letter = urge_letter(session, "ca-mau", _request())
        with pytest.raises(PermissionDenied):
            issue_urge(session, letter, officer, NOW)
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(IssuedDocument)) == 0
        assert peek_number(session, letter.issuer, 2026) == 0


def test_a_failed_issue_leaves_no_number_and_no_audit_row(db):
    class RenderingFailed(Exception):
        pass

    with pytest.raises(RenderingFailed), db.session() as session:
        overseer = find_user(session, OVERSEER)
        issue_urge(session, urge_letter(session, "ca-mau", _request()), overseer, NOW)
        raise RenderingFailed  # e.g. the PDF could not be made: the block rolls the issue back
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(Event).where(Event.trigger == "urge")) == 0
        overseer = find_user(session, OVERSEER)
        again = issue_urge(session, urge_letter(session, "ca-mau", _request()), overseer, NOW)
        assert again.reference == "1/KC"


def test_nothing_overdue_is_refused(db):
    with db.session() as session, pytest.raises(InvalidInput) as raised:
        urge_letter(session, "ca-mau", UrgeRequest(Today(date(2025, 11, 4))))
    assert raised.value.error_code == "nothing_overdue"


def test_the_cli_writes_a_draft_and_issues(cli_runner, tmp_path):
    target = tmp_path / "draft.docx"
    drafted = cli_runner("report", "urge", "ca-mau", "--as", OVERSEER, "--as-of", "2026-12-05", "-o", str(target))
    assert drafted.exit_code == 0 and target.read_bytes()[:2] == b"PK"
    issued = cli_runner("report", "urge", "ca-mau", "--as", OVERSEER, "--as-of", "2026-12-05", "--issue",
                        "--format", "pdf", "-o", str(tmp_path / "issued.pdf"), "--authority", "KT. CỤC TRƯỞNG")
    assert issued.exit_code == 0 and "1/KC" in issued.output
    assert "Số: 1/KC" in PdfReader(tmp_path / "issued.pdf").pages[0].extract_text()
    refused = cli_runner("report", "urge", "ca-mau", "--as", OVERSEER, "--as-of", "2026-12-05",
                         "--authority", "Giám đốc")
    assert refused.exit_code == 1 and "--authority" in refused.output


def test_an_issued_letter_is_queued_to_the_provinces_officers(cli_runner, db, tmp_path):
    refused = cli_runner("report", "urge", "ca-mau", "--as", OVERSEER, "--as-of", "2026-12-05", "--send")
    assert refused.exit_code == 1 and "--send" in refused.output
    sent = cli_runner("report", "urge", "ca-mau", "--as", OVERSEER, "--as-of", "2026-12-05", "--issue", "--send",
                      "--format", "pdf", "-o", str(tmp_path / "l.pdf"))
    assert sent.exit_code == 0, sent.output
    with db.session() as session:
        rows = session.execute(select(Outbox.recipient, Outbox.subject, Outbox.id).where(Outbox.kind == "letter")).all()
        assert [r.recipient for r in rows] == [province_email("ca-mau")]
        assert rows[0].subject == "Công văn số 1/KC V/v đôn đốc thực hiện Chỉ thị số 20/CT-BCT"
        files = session.scalars(select(OutboxAttachment).where(OutboxAttachment.outbox_id == rows[0].id)).all()
        assert [(f.filename, f.content[:5]) for f in files] == [
            ("V-v đôn đốc thực hiện Chỉ thị số 20-CT-BCT 05.12.2026.pdf", b"%PDF-")]


def test_report_formats_on_the_command_line(cli_runner, tmp_path):
    for fmt in ("docx", "pdf"):
        target = tmp_path / f"r.{fmt}"
        done = cli_runner("report", "province", "ca-mau", "--as-of", "2026-12-05", "--format", fmt, "-o", str(target))
        assert done.exit_code == 0 and target.stat().st_size > 1000


def test_letter_symbol():
    assert letter_symbol("/BC-KC") == "/KC"
    assert letter_symbol("/BC-SCT") == "/SCT"
    assert letter_symbol("/BC") == "/CV"


@given(st.sampled_from(AUTHORITIES), st.text(min_size=1, max_size=30).filter(lambda s: s.strip() == s and s))
def test_any_authority_with_its_position_is_accepted(prefix, position):
    check_authority(f"{prefix} {position}")


@given(st.text(max_size=30))
def test_text_without_an_authority_is_refused(text):
    if not text.strip() or any(text.strip().startswith(a + " ") and len(text.strip()) > len(a) + 1
                               for a in AUTHORITIES):
        check_authority(text)
        return
    with pytest.raises(InvalidInput):
        check_authority(text)


def _directive_file(tmp_path, line: str) -> Path:
    from dtrack.seeds import DIRECTIVE_20_FILE

    text = Path(DIRECTIVE_20_FILE).read_text(encoding="utf-8").replace("[directive.report]\n",
                                                                      f"[directive.report]\n{line}\n", 1)
    target = tmp_path / "d.toml"
    target.write_text(text, encoding="utf-8")
    return target


def test_the_directive_file_says_when_a_letter_goes_to_the_peoples_committee(tmp_path):
    from dtrack.directives.format import parse_file
    from dtrack.documents.urge import ESCALATE_AFTER_DAYS, escalation_days
    from dtrack.errors import DirectiveInvalid
    from dtrack.persistence.models import Directive
    from dtrack.seeds import DIRECTIVE_20_FILE

    plain = parse_file(DIRECTIVE_20_FILE)
    given = parse_file(_directive_file(tmp_path, "escalate_after_days = 400"))
    assert plain.report.escalate_after_days is None and given.report.escalate_after_days == 400
    assert plain.digest != given.digest
    row = Directive(code="20/CT-BCT", report_wording=given.report.to_json())
    assert escalation_days(row, _request()) == 400
    assert escalation_days(row, _request(escalate_after=5)) == 5  # the letter's own choice wins
    assert escalation_days(Directive(report_wording=plain.report.to_json()), _request()) == ESCALATE_AFTER_DAYS
    with pytest.raises(DirectiveInvalid):
        parse_file(_directive_file(tmp_path, "escalate_after_days = -1"))


def test_an_escalation_the_directive_file_gives_is_followed(db, tmp_path):
    from dtrack.directives.format import parse_file
    from dtrack.persistence.models import Directive

    spec = parse_file(_directive_file(tmp_path, "escalate_after_days = 400"))
    with db.session() as session:
        row = session.scalar(select(Directive).where(Directive.code == "20/CT-BCT"))
        row.report_wording = spec.report.to_json()
    with db.session() as session:
        letter = urge_letter(session, "ca-mau", _request())
    assert not letter.escalated and letter.escalate_after == 400
    assert letter.document.recipient == "Kính gửi: Sở Công Thương tỉnh Cà Mau"
