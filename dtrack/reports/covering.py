"""The short message that goes with a report sent by email (`dtrack report send`).

The report itself is the attachment (`reports.render.render_file`); the
message names it, the day its figures stand at, and the few numbers a
reader wants before opening it.
"""
from __future__ import annotations

from dtrack.i18n.catalog import Words
from dtrack.reports.document import Report
from dtrack.reports.render import cell_text


def covering_message(report: Report, file_name: str) -> tuple[str, str]:
    """(subject, plain-text body) for the email carrying `file_name`."""
    words = Words(report.lang, "covering")
    header = report.header
    day = report.as_of.strftime("%d/%m/%Y")
    subject = words["subject"].format(kind=header.kind.capitalize(), title=header.title, date=day)
    body = words["body"].format(
        recipient=header.recipient, issuer=header.sender,
        title_lower=header.title[0].lower() + header.title[1:], date=day, file=file_name,
        summary=_summary(report),
    )
    return subject, body


def _summary(report: Report) -> str:
    counts = dict(report.extra["summary"])
    counts["completion"] = cell_text(counts["completion"], report.lang)
    return Words(report.lang, "covering")["summary"].format(**counts, overseer=report.header.overseer)
