"""DOCX and PDF from the reports page, the province home and the API: content types and Vietnamese file names."""
from __future__ import annotations

import io
from urllib.parse import unquote

from docx import Document
from pypdf import PdfReader

from dtrack.accounts.api_tokens import create_token

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _filename_star(disposition: str) -> str:
    """The RFC 5987 file name of a Content-Disposition header, decoded."""
    part = next(p.strip() for p in disposition.split(";") if p.strip().startswith("filename*="))
    charset, _, encoded = part.removeprefix("filename*=").partition("''")
    assert charset == "UTF-8"
    return unquote(encoded)


def test_the_reports_page_offers_word_and_pdf(site):
    overseer = site.client("overseer")
    page = overseer.get("/review")
    assert 'data-download="docx"' in page.text and 'data-download="pdf"' in page.text
    word = overseer.get("/reports/national?format=docx")
    assert word.status_code == 200 and word.headers["content-type"] == DOCX
    disposition = word.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="bao-cao-national-')
    assert _filename_star(disposition).startswith("Báo cáo Tổng hợp tình hình thực hiện Chỉ thị 20-CT-BCT ")
    assert any(p.text == "BÁO CÁO" for p in Document(io.BytesIO(word.content)).paragraphs)
    pdf = overseer.get("/reports/national?format=pdf")
    assert pdf.headers["content-type"] == "application/pdf"
    assert "Độc lập - Tự do - Hạnh phúc" in PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()


def test_the_province_home_and_the_api_give_the_province_report(site):
    own = site.client("own")
    home = own.get("/province")
    assert "/reports/province/ha-noi?format=docx" in home.text
    word = own.get("/reports/province/ha-noi?format=docx")
    assert word.status_code == 200 and "Hà Nội" in _filename_star(word.headers["content-disposition"])
    assert own.get("/reports/province/hue?format=pdf").status_code in (403, 404)
    user_id = site.scalar("SELECT id FROM users WHERE email = :e", e=site.emails["own"])
    token = create_token(site.db, site.clock, user_id, "tài liệu", 30).token
    api = site.anonymous()
    api.headers["Authorization"] = f"Bearer {token}"
    pdf = api.get("/api/v1/reports/province/ha-noi?format=pdf")
    assert pdf.status_code == 200 and pdf.content[:5] == b"%PDF-"
    assert "Hà Nội" in PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    assert api.get("/api/v1/reports/province/ha-noi?format=odt").status_code == 422


def test_the_overdue_list_offers_a_draft_urge_letter_to_overseers_only(site):
    site.clock.advance(days=400)  # far past the first deadlines: Hà Nội's tasks are overdue
    overseer = site.client("overseer")
    page = overseer.get("/overdue?province=ha-noi")
    assert 'data-download="urge-docx"' in page.text
    assert 'data-download="urge-docx"' not in overseer.get("/overdue").text  # one province's letter
    assert 'href="/reports/urge/ha-noi?format=pdf"' in overseer.get("/province?province=ha-noi").text
    assert "/reports/urge/" not in site.client("own").get("/province").text
    word = overseer.get("/reports/urge/ha-noi?format=docx")
    assert word.status_code == 200 and word.headers["content-type"] == DOCX
    assert _filename_star(word.headers["content-disposition"]).startswith("V-v đôn đốc thực hiện Chỉ thị số 20-CT-BCT")
    texts = [p.text for p in Document(io.BytesIO(word.content)).paragraphs]
    assert "Kính gửi: Ủy ban nhân dân thành phố Hà Nội" in texts  # long overdue: escalated
    before = site.fingerprint()
    assert site.client("own").get("/reports/urge/ha-noi?format=pdf").status_code == 403
    assert overseer.get("/reports/urge/ha-noi?format=odt").status_code in (400, 422)
    assert site.fingerprint() == before  # a draft records nothing
