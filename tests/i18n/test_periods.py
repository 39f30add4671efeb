"""Periods by name (issue 26): "2025-H2" reads "6 tháng cuối năm 2025", never the code."""
from __future__ import annotations

import re
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dtrack.i18n.periods import period_name
from dtrack.workflow.deadlines import period_label


@pytest.mark.parametrize(("code", "vi", "en"), [
    ("2025-H2", "6 tháng cuối năm 2025", "second half of 2025"),
    ("2026-H1", "6 tháng đầu năm 2026", "first half of 2026"),
    ("2026-Q3", "Quý III năm 2026", "Q3 2026"),
    ("2026-11", "Tháng 11 năm 2026", "November 2026"),
    ("2026", "Năm 2026", "2026"),
    ("2026-06-15", "Kỳ đến ngày 15/06/2026", "period ending 15/06/2026"),
])
def test_each_kind_of_period_by_name(code, vi, en):
    assert period_name(code, "vi") == vi and period_name(code, "en") == en


@pytest.mark.parametrize("text", ["", None, "Cả năm", "2026-13", "2026-02-30", "2026-Q5"])
def test_what_is_no_period_code_is_shown_as_it_is(text):
    assert period_name(text, "vi") == (text or "")


@given(st.dates(date(2000, 1, 1), date(2199, 12, 31)), st.sampled_from([1, 3, 6, 12]),
       st.sampled_from(["current", "previous"]), st.sampled_from(["vi", "en"]))
def test_every_code_a_rule_makes_is_named_with_its_year_and_no_code(day, spacing, covers, lang):
    code = period_label(day, spacing, covers)
    name = period_name(code, lang)
    assert code[:4] in name and not re.search(r"\d{4}-", name) and "{" not in name
    if lang == "vi":
        assert not re.search(r"\bQ\d|\bH[12]\b", name)  # Roman quarters, halves in words
