"""The lists on the pages download as CSV and XLSX: real dates and numbers, formula-safe text."""
from __future__ import annotations

import csv
import io
from datetime import date

from openpyxl import load_workbook

from dtrack.workflow.service import Tracker


def test_the_province_list_as_csv_and_xlsx(site):
    own = site.client("own")
    Tracker(site.db, site.clock).fire("20/CT-BCT:2:ha-noi", "block", site.emails["own"],
                                      note='=HYPERLINK("http://x.example","bấm")')
    page = own.get("/province")
    assert 'data-download="csv"' in page.text
    as_csv = own.get("/province?province=ha-noi&format=csv")
    assert as_csv.status_code == 200 and "attachment" in as_csv.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(as_csv.content.decode("utf-8-sig"))))
    # Hà Nội's nine task groups (group 10 is the Department's one task, not the province's).
    assert rows[0][0] == "Mã nhiệm vụ" and len(rows) == 1 + 9
    assert {r[1] for r in rows[1:]} == {"Hà Nội"}
    as_xlsx = own.get("/province?province=ha-noi&format=xlsx")
    sheet = load_workbook(io.BytesIO(as_xlsx.content)).active
    values = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(values) == 9
    due = [v[7] for v in values if v[7] is not None]
    assert due and all(isinstance(d, date) for d in due)  # a date cell, not text
    assert all(isinstance(v[6], int) for v in values)  # progress is a number
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)  # nothing runs


def test_the_overdue_and_review_lists_for_overseers_only(site):
    site.clock.advance(days=400)  # far past the first deadlines: some tasks are overdue
    overseer, own = site.client("overseer"), site.client("own")
    listed = overseer.get("/overdue?region=north&format=csv")
    assert listed.status_code == 200
    rows = list(csv.reader(io.StringIO(listed.content.decode("utf-8-sig"))))
    total = overseer.get("/overdue?region=north&format=json").json()["total_overdue"]
    assert len(rows) - 1 == total > 0  # the whole filtered list, not one page
    assert overseer.get("/review?format=xlsx").status_code == 200
    assert own.get("/overdue?format=csv").status_code == 403
