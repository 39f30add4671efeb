"""The national report pauses the cyclic collector while it works, and leaves it as it found it."""
from __future__ import annotations

import gc
from datetime import date

import pytest

from dtrack.config.today import Today
from dtrack.errors import InvalidInput
from dtrack.reports.collector import collector_paused
from dtrack.reports.document import ReportOptions
from dtrack.reports.national import national_report
from dtrack.reports.render import render


@pytest.fixture
def collector():
    was = gc.isenabled()
    yield
    gc.enable() if was else gc.disable()


@pytest.mark.parametrize("enabled", [True, False])
def test_the_collector_is_off_inside_and_as_before_after_even_on_an_error(collector, enabled):
    gc.enable() if enabled else gc.disable()
    with collector_paused():
        assert not gc.isenabled()
        with collector_paused():  # nested: the inner block does not turn it back on
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled() is enabled
    with pytest.raises(ZeroDivisionError), collector_paused():
        _ = 1 / 0
    assert gc.isenabled() is enabled


def test_a_report_and_its_rendering_leave_the_collector_on(collector, db):
    gc.enable()
    seen = []
    with db.session() as s:
        report = national_report(s, ReportOptions(Today(date(2026, 1, 5))))
    seen.append(gc.isenabled())
    for fmt in ("html", "xlsx"):
        render(report, fmt)
        seen.append(gc.isenabled())
    with pytest.raises(InvalidInput), db.session() as s:
        national_report(s, ReportOptions(Today(date(2026, 1, 5))), since=date(2026, 1, 5))
    seen.append(gc.isenabled())
    assert seen == [True, True, True, True]
