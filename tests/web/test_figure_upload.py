"""Figures imported by uploading the CSV/XLSX the CLI accepts: all or nothing, line-numbered errors."""
from __future__ import annotations

import io

from openpyxl import Workbook

from tests.web.http_support import CSRF, count

GOOD = ("unit,indicator,period,value,as_of\n"
        "Hà Nội,budget_disbursed,2025,1200000000,2025-12-31\n"
        "Kiên Giang,budget_disbursed,2025,300000000,2025-12-31\n")


def _send(client, name: str, content: bytes, **extra):
    token = CSRF.search(client.get("/indicators").text).group(1)
    return client.post("/indicators/import", data={"csrf_token": token, **extra},
                       files={"file": (name, content, "text/csv")})


def test_an_overseer_imports_a_csv_and_again_changes_nothing(site):
    overseer = site.client("overseer")
    before = count(site, "indicator_values")
    done = _send(overseer, "so-lieu.csv", GOOD.encode("utf-8"))
    assert done.status_code == 303, done.text[done.text.find("field-error"):][:400]
    assert "imported=2" in done.headers["location"]
    assert count(site, "indicator_values") == before + 2
    again = _send(overseer, "so-lieu.csv", GOOD.encode("utf-8"))
    assert again.status_code == 303, again.text[again.text.find("field-error"):][:400]
    assert "imported=0" in again.headers["location"] and "unchanged=2" in again.headers["location"]
    assert count(site, "indicator_values") == before + 2


def test_an_xlsx_works_the_same(site):
    book = Workbook()
    for row in (["unit", "indicator", "period", "value", "as_of"],
                ["Huế", "budget_disbursed", "2025", 5, "2025-12-31"]):
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    done = _send(site.client("overseer"), "so-lieu.xlsx", buffer.getvalue())
    assert done.status_code == 303 and "imported=1" in done.headers["location"]


def test_a_bad_row_imports_nothing_and_names_its_line(site):
    before, fingerprint = count(site, "indicator_values"), site.fingerprint()
    bad = GOOD + "Hà Nội,khong_co_chi_tieu,2025,1,2025-12-31\nHuế,budget_disbursed,2025,-5,2025-12-31\n"
    answer = _send(site.client("overseer"), "so-lieu.csv", bad.encode("utf-8"))
    assert answer.status_code == 422
    assert "dòng 4" in answer.text and "dòng 5" in answer.text and "chưa nhập gì" in answer.text
    assert count(site, "indicator_values") == before and site.fingerprint() == fingerprint
    for name, content in (("so-lieu.pdf", b"%PDF-1.4"), ("rong.csv", b"")):
        assert _send(site.client("overseer"), name, content).status_code == 422


def test_a_province_officer_imports_only_their_own_figures(site):
    own = site.client("own")
    mine = "unit,indicator,period,value,as_of\nHà Nội,budget_disbursed,2025,7,2025-12-31\n"
    assert _send(own, "cua-toi.csv", mine.encode()).status_code == 303
    theirs = _send(own, "tinh-khac.csv", GOOD.encode())  # Kiên Giang (An Giang) is another province
    assert theirs.status_code == 422 and "dòng 3" in theirs.text
