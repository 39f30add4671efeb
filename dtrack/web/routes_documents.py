"""Official documents on the pages (issue 23): the draft "công văn đôn đốc" for an overseer to download.

A draft only (number blank, nothing recorded): issuing takes a number from the register and audits
the tasks, which `dtrack report urge --issue` does. The check is the core's (`urge_letter_for`:
overseers and admins), not the hidden link.
"""
from __future__ import annotations

from starlette.responses import Response

from dtrack.documents.files import MIMETYPES, official_bytes, urge_file_names
from dtrack.documents.urge import UrgeRequest, urge_letter_for
from dtrack.errors import InvalidInput
from dtrack.reports.indicators import DEFAULT_DIRECTIVE
from dtrack.web.downloads import download
from dtrack.web.edge import Ctx, Routes

routes = Routes()


@routes.get("/reports/urge/{slug}")
def urge_draft(ctx: Ctx, slug: str) -> Response:
    query = ctx.request.query_params
    fmt = query.get("format") or "docx"
    if fmt not in ("docx", "pdf"):
        raise InvalidInput("format", "not_a_report_format", value=fmt, formats=["docx", "pdf"])
    request = UrgeRequest(ctx.today, ctx.lang, query.get("directive") or DEFAULT_DIRECTIVE)
    with ctx.app.db.session() as session:
        letter = urge_letter_for(session, ctx.user, slug, request)
        data = official_bytes(letter.document, fmt)
    name, display = urge_file_names(letter.province.slug, letter.day, letter.document.title, fmt)
    return download(name, MIMETYPES[fmt], data, display=display)
