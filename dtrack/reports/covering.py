"""The short message that goes with a report sent by email (`dtrack report send`).

The report itself is the attachment (`reports.render.render_file`); the
message names it, the day its figures stand at, and the few numbers a
reader wants before opening it.
"""
from __future__ import annotations

from dtrack.reports.document import Report
from dtrack.reports.render import cell_text

_WORDS = {
    "vi": {
        "subject": "{kind} {title} (số liệu đến ngày {date})",
        "body": "{recipient}\n\n{issuer} gửi kèm báo cáo {title_lower}, số liệu tính đến ngày {date} (tệp {file}).\n\n"
                "{summary}\n\nTrân trọng.",
        "summary": "- Tổng số nhiệm vụ: {tasks}\n- Hoàn thành: {completed} ({completion}); đúng hạn: {on_time}\n"
                   "- Quá hạn: {overdue}\n- Vướng mắc: {blocked}\n- Chờ Cục xem xét: {waiting}",
    },
    "en": {
        "subject": "{kind}: {title} (figures as of {date})",
        "body": "{recipient}\n\n{issuer} sends the attached report: {title_lower}, with figures as of {date} "
                "(file {file}).\n\n{summary}\n\nKind regards.",
        "summary": "- Tasks: {tasks}\n- Completed: {completed} ({completion}); on time: {on_time}\n"
                   "- Overdue: {overdue}\n- Blocked: {blocked}\n- Awaiting review: {waiting}",
    },
}


def covering_message(report: Report, file_name: str) -> tuple[str, str]:
    """(subject, plain-text body) for the email carrying `file_name`."""
    words = _WORDS[report.lang]
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
    return _WORDS[report.lang]["summary"].format(**counts)
