"""Every format a report comes in, as a file: the reports' own (html, md, xlsx, csv) and the official ones.

`render_any` is what the CLI, the web downloads, the API and the outbox call: html/md/xlsx/csv
from reports.render, docx/pdf from this package, all from the one `Report`. An official document
also has a Vietnamese file name ("Báo cáo tình hình thực hiện Chỉ thị 20-CT-BCT trên địa bàn Cà Mau
05.12.2026.pdf"), sent beside the ASCII one (RFC 5987/6266) by the web.
"""
from __future__ import annotations

import re
import unicodedata
from datetime import date

from dtrack.documents.from_report import report_document
from dtrack.documents.model import OfficialDocument
from dtrack.errors import InvalidInput
from dtrack.reports.document import Report
from dtrack.reports.render import FORMATS as REPORT_FORMATS
from dtrack.reports.render import MIMETYPES as REPORT_MIMETYPES
from dtrack.reports.render import filename, render_file

DOCUMENT_FORMATS = ("docx", "pdf")
ALL_FORMATS = (*REPORT_FORMATS, *DOCUMENT_FORMATS)
MIMETYPES = {
    **REPORT_MIMETYPES,
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}
# What a file name cannot hold on Windows, macOS or Linux, and control characters.
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]+')


def official_bytes(document: OfficialDocument, fmt: str) -> bytes:
    if fmt == "docx":
        from dtrack.documents.docx_writer import render_docx

        return render_docx(document)
    if fmt == "pdf":
        from dtrack.documents.pdf_writer import render_pdf

        return render_pdf(document)
    raise InvalidInput("format", "not_a_report_format", value=fmt, formats=list(ALL_FORMATS))


def display_name(kind: str, title: str, day_text: str, fmt: str) -> str:
    """'Báo cáo Tổng hợp tình hình thực hiện Chỉ thị 20-CT-BCT 05.12.2026.docx': what a văn thư saves it as."""
    words = f"{kind[:1].upper()}{kind[1:].lower()} {title}".strip() if kind else title
    name = _UNSAFE.sub("-", unicodedata.normalize("NFC", f"{words} {day_text}"))
    return f"{' '.join(name.split())[:150]}.{fmt}"


def render_any(report: Report, fmt: str) -> tuple[str, str, bytes]:
    """(ASCII file name, MIME type, content) of `report` in any format."""
    if fmt in REPORT_FORMATS:
        return render_file(report, fmt)
    if fmt not in DOCUMENT_FORMATS:
        raise InvalidInput("format", "not_a_report_format", value=fmt, formats=list(ALL_FORMATS))
    return filename(report, fmt), MIMETYPES[fmt], official_bytes(report_document(report), fmt)


def urge_file_names(slug: str, day: date, summary: str, fmt: str) -> tuple[str, str]:
    """(ASCII name, Vietnamese name) of an urge letter: cong-van-don-doc-ca-mau-2026-12-05.docx and its words."""
    return f"cong-van-don-doc-{slug}-{day.isoformat()}.{fmt}", display_name("", summary, day.strftime("%d.%m.%Y"), fmt)


def vietnamese_name(report: Report, fmt: str) -> str:
    """The file name a person sees for `report` (the ASCII one for html/md/xlsx/csv)."""
    if fmt not in DOCUMENT_FORMATS:
        return filename(report, fmt)
    return display_name(report.header.kind, report.header.title, report.as_of.strftime("%d.%m.%Y"), fmt)
