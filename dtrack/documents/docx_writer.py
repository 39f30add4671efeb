"""An `OfficialDocument` as a Word file (python-docx): the Decree 30 page, real Word tables.

The header and the signature are borderless two-column tables, as the decree's samples are typeset;
the report's tables are Word tables a văn thư can edit (header row repeated on each page, rows not
split across pages). Big tables are written as one piece of WordprocessingML rather than cell by
cell: python-docx's cell objects take seconds for a few thousand rows.
"""
from __future__ import annotations

import io
import re
from xml.sax.saxutils import escape

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Mm, Pt
from docx.table import _Cell
from docx.text.paragraph import Paragraph

from dtrack.documents.model import DECREE_30, Grid, OfficialDocument, Para

D = DECREE_30
# Characters XML 1.0 cannot hold (control characters, lone surrogates): shown as U+FFFD, never dropped silently.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
Container = DocxDocument | _Cell


def clean(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)


def _paragraph(where: Container, text: str, size: float, *, bold: bool = False, italic: bool = False,
               align: int = WD_ALIGN_PARAGRAPH.CENTER, after: float = 0, before: float = 0,
               indent: bool = False) -> Paragraph:
    par = where.add_paragraph()
    par.alignment = align
    fmt = par.paragraph_format
    fmt.space_after, fmt.space_before = Pt(after), Pt(before)
    if indent:
        fmt.first_line_indent = Cm(D.indent_cm)
    if text:
        run = par.add_run(clean(text))
        run.font.size, run.font.bold, run.font.italic = Pt(size), bold, italic
    return par


def _rule(cell: _Cell, side_mm: float) -> None:
    """A solid line under the text above it, `side_mm` short of the cell on each side (Tiêu ngữ, the issuer)."""
    par = _paragraph(cell, "", 2, after=2)
    par.paragraph_format.left_indent, par.paragraph_format.right_indent = Mm(side_mm), Mm(side_mm)
    run = par.add_run()
    run.font.size = Pt(2)
    borders = OxmlElement("w:pBdr")
    borders.append(parse_xml(f'<w:bottom {nsdecls("w")} w:val="single" w:sz="6" w:space="1" w:color="000000"/>'))
    par._p.get_or_add_pPr().append(borders)


def _two_columns(doc: DocxDocument, left_mm: float) -> tuple[_Cell, _Cell]:
    table = doc.add_table(rows=1, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    widths = (Mm(left_mm), Mm(D.text_width_mm - left_mm))
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
    left, right = table.rows[0].cells
    left.width, right.width = widths
    for cell in (left, right):  # add_table leaves one empty paragraph in each cell: use it, not a blank line
        cell._tc.remove(cell.paragraphs[0]._p)
    return left, right


def _page(doc: DocxDocument, title: str, lang: str) -> None:
    section = doc.sections[0]
    section.start_type = WD_SECTION.NEW_PAGE
    section.page_width, section.page_height = Mm(D.page_width_mm), Mm(D.page_height_mm)
    section.top_margin, section.bottom_margin = Mm(D.top_mm), Mm(D.bottom_mm)
    section.left_margin, section.right_margin = Mm(D.left_mm), Mm(D.right_mm)
    section.header_distance = Mm(10)
    normal = doc.styles["Normal"]
    normal.font.name, normal.font.size = D.font, Pt(D.body_pt)
    fonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
    for attribute in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attribute), D.font)
    language = OxmlElement("w:lang")
    language.set(qn("w:val"), "vi-VN" if lang == "vi" else "en-GB")
    normal.element.get_or_add_rPr().append(language)
    normal.paragraph_format.space_after = Pt(0)
    # Page numbers from page 2, centred at the top; the first page's header stays empty.
    section.different_first_page_header_footer = True
    par = section.header.paragraphs[0]
    par.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for kind, code in (("begin", None), (None, "PAGE"), ("end", None)):
        run = par.add_run()
        run.font.size = Pt(D.page_number_pt)
        if kind:
            run._r.append(parse_xml(f'<w:fldChar {nsdecls("w")} w:fldCharType="{kind}"/>'))
        else:
            run._r.append(parse_xml(f'<w:instrText {nsdecls("w")} xml:space="preserve"> {code} </w:instrText>'))
    doc.core_properties.title = clean(title)
    doc.core_properties.language = "vi-VN" if lang == "vi" else "en-GB"
    doc.core_properties.author = ""


def _header(doc: DocxDocument, d: OfficialDocument) -> None:
    left, right = _two_columns(doc, 75)
    if d.parent:
        _paragraph(left, d.parent, D.parent_pt)
    _paragraph(left, d.issuer, D.issuer_pt, bold=True)
    _rule(left, 25)
    _paragraph(left, d.number, D.number_pt, before=4)
    if d.is_letter:
        _paragraph(left, d.title, D.summary_letter_pt, before=2)
    _paragraph(right, d.country, D.country_pt, bold=True)
    _paragraph(right, d.motto, D.motto_pt, bold=True)
    _rule(right, 13)
    _paragraph(right, d.place_date, D.place_pt, italic=True, before=6)
    if not d.is_letter:
        _paragraph(doc, d.kind, D.kind_pt, bold=True, before=18)
        _paragraph(doc, d.title, D.title_pt, bold=True, after=6)
    lines = (d.recipient, *d.extra_recipients)
    for index, line in enumerate(lines):
        _paragraph(doc, line, D.body_pt, before=12 if index == 0 else 0, after=12 if index == len(lines) - 1 else 0)


def _cell_xml(text: str, size: float, *, bold: bool, align: str, width: int) -> str:
    b = "<w:b/>" if bold else ""
    runs = (f'<w:r><w:rPr>{b}<w:sz w:val="{int(size * 2)}"/></w:rPr><w:t xml:space="preserve">'
            f"{escape(clean(text))}</w:t></w:r>")
    return (f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/></w:tcPr><w:p><w:pPr><w:spacing w:before="0" '
            f'w:after="0" w:line="240" w:lineRule="auto"/><w:ind w:firstLine="0"/><w:jc w:val="{align}"/></w:pPr>'
            f"{runs}</w:p></w:tc>")


def _widths(grid: Grid, total: int, size: float) -> list[int]:
    """Column widths in twentieths of a point (Grid.widths)."""
    return [int(total * share) for share in grid.widths(D.line_capacity(size))]


def _grid(doc: DocxDocument, grid: Grid) -> None:
    size = D.matrix_pt if grid.small else D.table_pt
    total = int(D.text_width_mm / 25.4 * 1440)
    widths = _widths(grid, total, size)
    border = ''.join(f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
                     for side in ("top", "left", "bottom", "right", "insideH", "insideV"))
    parts = [f'<w:tbl {nsdecls("w")}><w:tblPr><w:tblW w:w="{total}" w:type="dxa"/><w:jc w:val="center"/>'
             f'<w:tblBorders>{border}</w:tblBorders><w:tblLayout w:type="fixed"/>'
             '<w:tblCellMar><w:left w:w="57" w:type="dxa"/><w:right w:w="57" w:type="dxa"/></w:tblCellMar>'
             "</w:tblPr><w:tblGrid>", *(f'<w:gridCol w:w="{w}"/>' for w in widths), "</w:tblGrid>",
             '<w:tr><w:trPr><w:tblHeader/><w:cantSplit/></w:trPr>',
             *(_cell_xml(h, size, bold=True, align="center", width=w) for h, w in zip(grid.headers, widths,
                                                                                        strict=True)),
             "</w:tr>"]
    last = len(grid.rows) - 1
    for index, row in enumerate(grid.rows):
        bold = grid.total_last and index == last
        parts.append("<w:tr><w:trPr><w:cantSplit/></w:trPr>")
        parts += [_cell_xml(text, size, bold=bold, align="right" if num else ("center" if grid.small and i else "left"),
                            width=w) for i, (text, num, w) in enumerate(zip(row, grid.numeric, widths, strict=True))]
        parts.append("</w:tr>")
    parts.append("</w:tbl>")
    doc.element.body.append(parse_xml("".join(parts)))
    _paragraph(doc, "", 6)  # Word needs a paragraph between two tables, and the space reads better


def _body(doc: DocxDocument, d: OfficialDocument) -> None:
    for block in d.blocks:
        if isinstance(block, Para):
            if block.heading:
                par = _paragraph(doc, block.text, D.body_pt, bold=True, align=WD_ALIGN_PARAGRAPH.LEFT, before=6,
                                 after=4)
                par.paragraph_format.keep_with_next = True
            else:
                par = _paragraph(doc, block.text, D.body_pt, italic=block.italic, align=WD_ALIGN_PARAGRAPH.JUSTIFY,
                                 after=6, indent=True)
            par.paragraph_format.line_spacing = 1.15
        else:
            _grid(doc, block)


def _signature(doc: DocxDocument, d: OfficialDocument) -> None:
    _paragraph(doc, "", 6)
    left, right = _two_columns(doc, 80)
    _paragraph(left, f"{d.recipients_label}:", D.recipients_label_pt, bold=True, italic=True,
               align=WD_ALIGN_PARAGRAPH.LEFT)
    for index, line in enumerate(d.recipients):
        end = "." if index == len(d.recipients) - 1 else ";"
        _paragraph(left, f"- {line}{end}", D.recipients_pt, align=WD_ALIGN_PARAGRAPH.LEFT)
    s = d.signature
    for line in (s.authority, s.position):
        if line:
            _paragraph(right, line, D.sign_pt, bold=True)
    if s.hint and not s.name:
        _paragraph(right, s.hint, D.recipients_label_pt, italic=True)
    _paragraph(right, "", D.sign_pt, after=60)  # room for the signature and the seal
    if s.name:
        _paragraph(right, s.name, D.sign_pt, bold=True)


def render_docx(d: OfficialDocument) -> bytes:
    doc = Document()
    doc._body._body.remove(doc.paragraphs[0]._p) if doc.paragraphs else None
    _page(doc, d.file_title or d.title, d.lang)
    _header(doc, d)
    _body(doc, d)
    _signature(doc, d)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
