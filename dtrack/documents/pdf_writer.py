"""An `OfficialDocument` as PDF: an HTML made for print (templates/documents/official.html.j2), laid out by WeasyPrint.

WeasyPrint rather than LibreOffice converting the DOCX: a Python package (no office suite of
several hundred megabytes, no headless process to start and time out), CSS paged media gives the
decree's page (@page margins, the page number centred at the top from page 2 with `@page :first`),
and fontconfig finds the metric-compatible Times New Roman (Liberation Serif from Debian's
fonts-liberation2, or Tinos), which WeasyPrint embeds as a subset with full Vietnamese coverage.
"""
from __future__ import annotations

import logging

from markupsafe import Markup

from dtrack.documents.docx_writer import clean
from dtrack.documents.model import DECREE_30, OfficialDocument
from dtrack.templates.environment import environment

# Times New Roman where installed; else its metric twins, which carry every Vietnamese letter. Markup: CSS, not
# text (a <style> element does not decode &#34;).
FONTS = Markup('"Times New Roman", "Liberation Serif", "Tinos", serif')


def document_html(d: OfficialDocument) -> str:
    template = environment().get_template("documents/official.html.j2")
    html = template.render(d=d, k=DECREE_30, fonts=FONTS, capacity=DECREE_30.line_capacity)
    return clean(html)


def render_pdf(d: OfficialDocument) -> bytes:
    from weasyprint import HTML  # imported when asked for: it loads Pango

    logging.getLogger("weasyprint").setLevel(logging.ERROR)  # it warns about CSS it ignores, on stderr
    pdf = HTML(string=document_html(d)).write_pdf(pdf_variant=None, custom_metadata=False)
    assert pdf is not None, "write_pdf without a target returns the bytes"
    return bytes(pdf)
