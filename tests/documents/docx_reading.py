"""Reading a DOCX back as a văn thư's Word would: the parts in order, each with its size and style."""
from __future__ import annotations

import io
from dataclasses import dataclass

from docx import Document
from docx.oxml.ns import qn
from docx.shared import Mm


@dataclass(frozen=True)
class Line:
    text: str
    size: float | None  # points
    bold: bool
    italic: bool
    where: str  # "body", "head-left", "head-right", "sign-left", "sign-right"


def read_docx(data: bytes):
    return Document(io.BytesIO(data))


def lines(doc) -> list[Line]:
    """Every non-empty paragraph in document order, the two-column tables' cells named by their place."""
    found: list[Line] = []
    body = doc.element.body
    tables = iter(doc.tables)
    layout = 0
    for child in body.iterchildren():
        if child.tag == qn("w:p"):
            from docx.text.paragraph import Paragraph

            _add(found, Paragraph(child, doc), "body")
        elif child.tag == qn("w:tbl"):
            table = next(tables)
            if len(table.columns) == 2 and not _bordered(table):
                names = ("head", "sign")[min(layout, 1)]
                layout += 1
                left, right = table.rows[0].cells
                for par in left.paragraphs:
                    _add(found, par, f"{names}-left")
                for par in right.paragraphs:
                    _add(found, par, f"{names}-right")
    return found


def _bordered(table) -> bool:
    return table._tbl.tblPr.find(qn("w:tblBorders")) is not None


def _add(found: list[Line], par, where: str) -> None:
    runs = [r for r in par.runs if r.text]
    if not runs:
        return
    size = runs[0].font.size.pt if runs[0].font.size else None
    found.append(Line(par.text, size, bool(runs[0].font.bold), bool(runs[0].font.italic), where))


def data_tables(doc) -> list:
    """The report's own tables (bordered Word tables)."""
    return [t for t in doc.tables if _bordered(t)]


def page(doc) -> dict[str, float]:
    s = doc.sections[0]
    return {name: round(getattr(s, name) / Mm(1), 1) for name in
            ("page_width", "page_height", "top_margin", "bottom_margin", "left_margin", "right_margin")}
