"""Report downloads, shared by the pages and the JSON API: the options a query gives, the file answer."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from starlette.responses import Response

from dtrack.errors import InvalidInput
from dtrack.reports.document import ReportOptions
from dtrack.reports.indicators import DEFAULT_DIRECTIVE
from dtrack.reports.list_export import FORMATS as LIST_FORMATS
from dtrack.reports.list_export import task_list_file
from dtrack.reports.render import FORMATS
from dtrack.web.edge import WebApp
from dtrack.web.forms import parse_day


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


def download(name: str, mimetype: str, data: bytes) -> Response:
    # Every format is a download: the HTML report is a self-contained document with its own styles.
    text = mimetype.startswith("text/")
    return Response(data, media_type=f"{mimetype}; charset=utf-8" if text else mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"})


def wants_list_file(query: Mapping[str, str]) -> str | None:
    """'csv' or 'xlsx' when the page's list is asked for as a file (`?format=`), else None."""
    fmt = query.get("format")
    return fmt if fmt in LIST_FORMATS else None


def list_download(items: Sequence[Any], name: str, fmt: str, lang: str) -> Response:
    """The list a page shows, as a CSV or XLSX download (reports.list_export)."""
    return download(*task_list_file(items, name, fmt, lang))
