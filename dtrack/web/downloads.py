"""Report downloads, shared by the pages and the JSON API: the options a query gives, the file answer."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote

from starlette.responses import Response

from dtrack.documents.files import ALL_FORMATS as FORMATS
from dtrack.documents.files import render_any, vietnamese_name
from dtrack.errors import InvalidInput
from dtrack.reports.document import Report, ReportOptions
from dtrack.reports.indicators import DEFAULT_DIRECTIVE
from dtrack.reports.list_export import FORMATS as LIST_FORMATS
from dtrack.reports.list_export import task_list_file
from dtrack.web.edge import WebApp
from dtrack.web.forms import parse_day
from dtrack.web.security import REPORT_CSP


def report_options(query: Mapping[str, str], app: WebApp, lang: str) -> tuple[ReportOptions, str]:
    """The report's options and format from a query string (format, as_of, year, lang, directive)."""
    fmt = query.get("format") or "html"
    if fmt not in FORMATS:
        raise InvalidInput("format", "not_a_report_format", value=fmt, formats=list(FORMATS))
    today = app.today()
    if query.get("as_of"):
        today = today.on(parse_day(query["as_of"], "as_of"))
    year = query.get("year")
    if year is not None and not (year.isdigit() and 1900 <= int(year) <= 2200):
        raise InvalidInput("year", "not_a_year", value=year)
    chosen = query.get("lang") or lang
    if chosen not in ("vi", "en"):
        raise InvalidInput("lang", "unsupported_language", value=chosen)
    options = ReportOptions(today, chosen, int(year) if year else None, query.get("directive") or DEFAULT_DIRECTIVE)
    return options, fmt


def download(name: str, mimetype: str, data: bytes, display: str | None = None) -> Response:
    """A report or list as a file: the HTML report (self-contained, its own styles) opens in the browser.

    `display`: the Vietnamese file name, sent as RFC 5987 `filename*` beside the ASCII `filename`.
    """
    text = mimetype.startswith("text/")
    # The HTML report opens in the browser (issue 26), sandboxed (security.REPORT_CSP); the others download.
    inline = mimetype == "text/html"
    disposition = f'{"inline" if inline else "attachment"}; filename="{name}"'
    if display and display != name:
        disposition += f"; filename*=UTF-8''{quote(display, safe='')}"
    headers = {"Content-Disposition": disposition, "Cache-Control": "no-store"}
    if inline:
        headers["Content-Security-Policy"] = REPORT_CSP
    return Response(data, media_type=f"{mimetype}; charset=utf-8" if text else mimetype, headers=headers)


def report_download(report: Report, fmt: str) -> Response:
    """A report in any format (documents.files): DOCX and PDF under their Vietnamese names."""
    return download(*render_any(report, fmt), display=vietnamese_name(report, fmt))


def wants_list_file(query: Mapping[str, str]) -> str | None:
    """'csv' or 'xlsx' when the page's list is asked for as a file (`?format=`), else None."""
    fmt = query.get("format")
    return fmt if fmt in LIST_FORMATS else None


def list_download(items: Sequence[Any], name: str, fmt: str, lang: str) -> Response:
    """The list a page shows, as a CSV or XLSX download (reports.list_export)."""
    return download(*task_list_file(items, name, fmt, lang))
