"""The national and a province report as Decree 30 documents: DOCX read back with python-docx, PDF with pypdf."""
from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest
from docx.oxml.ns import qn
from pypdf import PdfReader

from dtrack.config.today import Today
from dtrack.documents.files import render_any, vietnamese_name
from dtrack.reports.document import ReportOptions
from dtrack.reports.national import national_report
from dtrack.reports.province import province_report
from tests.documents import SHOTS

from .docx_reading import data_tables, lines, page, read_docx

AS_OF = date(2026, 12, 5)


@pytest.fixture
def db_url(demo_url) -> str:
    return demo_url


def _reports(db, lang="vi"):
    options = ReportOptions(Today(AS_OF), lang)
    with db.session() as session:
        return national_report(session, options, None), province_report(session, "ca-mau", options)


def _index(found, text_start: str) -> int:
    return next(i for i, line in enumerate(found) if line.text.startswith(text_start))


def test_docx_has_the_decree_30_page_and_parts_in_order(db):
    national, province = _reports(db)
    for report in (national, province):
        name, mime, data = render_any(report, "docx")
        assert name.endswith(".docx") and mime.endswith("wordprocessingml.document")
        doc = read_docx(data)
        assert page(doc) == {"page_width": 210.0, "page_height": 297.0, "top_margin": 20.0, "bottom_margin": 20.0,
                             "left_margin": 30.0, "right_margin": 15.0}
        normal = doc.styles["Normal"]
        assert normal.font.name == "Times New Roman"
        found = lines(doc)
        h = report.header
        order = [h.parent, h.issuer, "Số:", h.country, h.motto, h.place_date, h.kind, h.title, "Kính gửi:",
                 "Nơi nhận:", "- Lưu: VT"]
        places = [_index(found, text) for text in order]
        assert places == sorted(places), (order, places)
        by = {text: found[i] for text, i in zip(order, places, strict=True)}
        assert (by[h.country].size, by[h.country].bold) == (12, True) and by[h.country].where == "head-right"
        assert (by[h.motto].size, by[h.motto].bold) == (13, True)
        assert (by[h.issuer].size, by[h.issuer].bold, by[h.parent].bold) == (12, True, False)
        assert by[h.issuer].text.isupper() and by[h.parent].text.isupper() and by[h.country].text.isupper()
        assert by["Số:"].size == 13 and by["Số:"].where == "head-left"
        assert (by[h.place_date].size, by[h.place_date].italic) == (14, True)
        assert "ngày 05 tháng 12 năm 2026" in by[h.place_date].text
        assert (by[h.kind].size, by[h.kind].bold, by[h.title].bold) == (14, True, True)
        assert (by["Nơi nhận:"].size, by["Nơi nhận:"].bold, by["Nơi nhận:"].italic) == (12, True, True)
        assert by["- Lưu: VT"].size == 11 and by["- Lưu: VT"].text.endswith(".")
        signer = next(line for line in found if line.where == "sign-right")
        assert (signer.text, signer.size, signer.bold) == (h.signer, 14, True)
        # Body paragraphs: justified, first line indented 1.27 cm, 14 pt.
        body = [p for p in doc.paragraphs if p.paragraph_format.first_line_indent]
        assert body and all(p.paragraph_format.alignment == 3 for p in body)  # WD_ALIGN_PARAGRAPH.JUSTIFY
        assert all(round(p.paragraph_format.first_line_indent.cm, 2) == 1.27 for p in body)
        # Real Word tables with the report's headers, the header row repeated on each page.
        tables = data_tables(doc)
        heads = [[c.text for c in t.rows[0].cells] for t in tables]
        for table in report.tables:
            if table.rows and table.key != "matrix":
                assert table.headers in heads, table.key
        assert all(t.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None for t in tables)
        # Page numbers from page 2, centred at the top.
        section = doc.sections[0]
        assert section.different_first_page_header_footer
        assert "PAGE" in section.header._element.xml and not section.first_page_header.paragraphs[0].text


def test_docx_cells_carry_the_reports_figures(db):
    _, province = _reports(db)
    doc = read_docx(render_any(province, "docx")[2])
    groups = next(t for t in data_tables(doc) if [c.text for c in t.rows[0].cells] == province.table("groups").headers)
    assert len(groups.rows) == 1 + len(province.table("groups").rows)
    assert any("/2026" in c.text for c in groups.rows[1].cells)  # dates dd/mm/yyyy


def test_national_docx_has_the_matrix_with_its_legend(db):
    national, _ = _reports(db)
    doc = read_docx(render_any(national, "docx")[2])
    matrix = [t for t in data_tables(doc) if len(t.rows) == 1 + 34]
    assert matrix and matrix[0].rows[0].cells[0].text == "Tỉnh, thành phố"
    assert any(p.text.startswith("Chú giải:") for p in doc.paragraphs)


def test_pdf_keeps_the_vietnamese_on_a4_with_embedded_fonts(db):
    national, province = _reports(db)
    for report, shot in ((national, "national"), (province, "province-ca-mau")):
        name, mime, data = render_any(report, "pdf")
        assert mime == "application/pdf" and data[:5] == b"%PDF-"
        reader = PdfReader(io.BytesIO(data))
        first = reader.pages[0]
        assert (round(float(first.mediabox.width)), round(float(first.mediabox.height))) == (595, 842)
        text = first.extract_text()
        for words in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", report.header.title[:30],
                      "ngày 05 tháng 12 năm 2026"):
            assert words in " ".join(text.split()), words
        if report is province:
            assert "Cà Mau" in text and "ỦY BAN NHÂN DÂN TỈNH CÀ MAU" in text
        fonts = _fonts(reader)
        assert fonts and all(embedded for _, embedded in fonts), fonts
        assert any("Liberation" in name or "Tinos" in name or "Times" in name for name, _ in fonts)
        # Page numbers from page 2: the second page's first line is its number.
        if len(reader.pages) > 1:
            assert _topmost(reader.pages[1]) == "2"
            assert not _topmost(first).isdigit()
        _snapshot(data, SHOTS / f"{shot}-{report.lang}-p1.png")


def test_english_report_documents(db):
    national, _ = _reports(db, "en")
    doc = read_docx(render_any(national, "docx")[2])
    assert any(p.text == national.header.title for p in doc.paragraphs)


def test_the_file_names_a_person_sees_are_vietnamese(db):
    _, province = _reports(db)
    assert vietnamese_name(province, "pdf") == \
        "Báo cáo Tình hình thực hiện Chỉ thị 20-CT-BCT trên địa bàn Cà Mau 05.12.2026.pdf"
    assert vietnamese_name(province, "xlsx") == "bao-cao-ca-mau-2026-12-05.xlsx"


def _topmost(pdf_page) -> str:
    """The text highest on the page (PDF y grows upwards)."""
    parts: list[tuple[float, str]] = []
    pdf_page.extract_text(visitor_text=lambda t, cm, tm, fd, fs: parts.append((tm[5] * cm[3] + cm[5], t.strip()))
                          if t.strip() else None)
    return max(parts)[1]


def _fonts(reader) -> list[tuple[str, bool]]:
    found = {}
    for pg in reader.pages:
        resources = pg["/Resources"]
        for font in (resources.get("/Font") or {}).values():
            font = font.get_object()
            descendants = font.get("/DescendantFonts")
            target = descendants[0].get_object() if descendants else font
            descriptor = target.get("/FontDescriptor")
            descriptor = descriptor.get_object() if descriptor else {}
            embedded = any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
            found[str(font.get("/BaseFont"))] = embedded
    return list(found.items())


def _snapshot(pdf: bytes, target: Path) -> None:
    """Page 1 as PNG, kept with the test output (the one a văn thư sees first)."""
    import pypdfium2 as pdfium

    target.parent.mkdir(parents=True, exist_ok=True)
    document = pdfium.PdfDocument(pdf)
    document[0].render(scale=1.5).to_pil().save(target)
