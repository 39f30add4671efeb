"""The national report's section "Phần việc giao cấp xã": each province's parts delegated to communes.

Total, completed and overdue per province, and the country's sum, counted by
`reading.part_counts.part_counts`, the same query the overseer's pages show
(the status matrix, the overdue review, the four cells, the dashboard), so a
report and a page of the same day agree. One `Table`: the HTML, Markdown,
XLSX, DOCX and PDF renderings each lay it out as they lay out the others.

Shown only when some province delegated parts of the directive's tasks; a
report of a past day leaves it out when parts moved after that day (the
parts keep no standing per day: `reading.part_counts.stands_on`).
"""
from __future__ import annotations

from sqlalchemy.orm import Session

from dtrack.config.today import Today
from dtrack.persistence.models import Province
from dtrack.reading.part_counts import added_up, part_counts, stands_on
from dtrack.reports.document import Table
from dtrack.reports.labels import TEXT

KEY = "commune_parts"


def commune_parts_table(session: Session, today: Today, directive: str, provinces: list[Province],
                        lang: str) -> Table | None:
    """The section's table (provinces that delegated, in the report's order, then the total), or None."""
    if not stands_on(session, today):
        return None
    counts = part_counts(session, today.day, directive=directive)
    shown = [p for p in provinces if p.slug in counts]
    if not shown:
        return None
    t = TEXT[lang]
    rows: list[list[object]] = []
    for province in shown:
        c = counts[province.slug]
        rows.append([province.name if lang == "vi" else province.name_en, c.total, c.completed, c.overdue])
    total = added_up(counts, [p.slug for p in shown])
    rows.append([t["total"], total.total, total.completed, total.overdue])
    return Table(KEY, t["commune_parts"], [t["province"], t["parts_total"], t["parts_completed"], t["parts_overdue"]],
                 rows, note=t["commune_parts_note"])


__all__ = ["KEY", "commune_parts_table"]
