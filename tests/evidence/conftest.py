"""Real files of each accepted type, made the way their programs make them."""
from __future__ import annotations

import io
import zipfile

import pytest

from dtrack.config.settings import load_settings


def pdf_bytes(text: str = "Quyết định 123/QĐ-UBND") -> bytes:
    body = f"BT /F1 12 Tf 72 720 Td ({text.encode('ascii', 'replace').decode()}) Tj ET".encode()
    return (b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
            b"2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n"
            b"3 0 obj << /Type /Page /Parent 2 0 R /Contents 4 0 R >> endobj\n"
            b"4 0 obj << /Length " + str(len(body)).encode() + b" >> stream\n" + body + b"\nendstream endobj\n"
            b"trailer << /Root 1 0 R >>\n%%EOF\n")


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def xlsx_bytes() -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    book.active["A1"] = "Kinh phí"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def odt_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", "<office:document-content/>")
    return buffer.getvalue()


PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360"
                    "0000000200015e2c3d330000000049454e44ae426082")


@pytest.fixture
def evidence_settings(tmp_path):
    return load_settings({}, evidence_dir=str(tmp_path / "evidence"), evidence_max_mb="1")
