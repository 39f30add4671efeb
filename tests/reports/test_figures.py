"""What a total stands for: reported national figures, regions' sums with their coverage, merged units.

The seed figures come from the source articles (shared/domain/DOMAIN.md):
2024's national budget is the reported 332 bn; the North's 94 bn and the
South's 53.81 bn carried out add up to 147.81 bn for two regions only; the
North's 126 products honoured are not the South's 219 products voted.
"""
from __future__ import annotations

import csv
import random
from datetime import date
from types import SimpleNamespace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, func, select

from dtrack.config.today import Today
from dtrack.errors import ImportInvalid
from dtrack.i18n.error_messages import say
from dtrack.persistence.models import IndicatorValue, Province
from dtrack.reports.document import ReportOptions
from dtrack.reports.figures import Figures, combine_sources, period_end
from dtrack.reports.indicators import import_file
from dtrack.reports.national import national_report
from dtrack.reports.province import province_report
from dtrack.reports.render import render

# The command line in English: these tests are about behaviour, not wording (tests/test_cli_language.py).
pytestmark = pytest.mark.usefixtures("english")

END_2024 = date(2024, 12, 31)
SEPT_2025 = date(2025, 9, 30)
TODAY = date(2026, 1, 5)
BN = 1_000_000_000


def _write(path, rows):
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["unit", "indicator", "period", "value", "as_of"])
        writer.writerows(rows)
    return path


def _count(db) -> int:
    with db.session() as session:
        return session.scalar(select(func.count(IndicatorValue.id)))


def _an_giang(session) -> int:
    return session.scalar(select(Province.id).where(Province.slug == "an-giang"))


# --- national figures and regions' sums -------------------------------------------


def test_national_2024_budget_is_the_reported_figure_and_disbursement_a_labelled_sum(db):
    with db.session() as session:
        figures = Figures(session, 2024, END_2024)
        plan = figures.national("budget_plan")
        assert plan.value == 332 * BN and plan.national and not plan.partial
        assert figures.coverage_label(plan, "vi") == "số liệu báo cáo cả nước"
        done = figures.national("budget_disbursed")
        assert done.value == 94 * BN + 53_810_000_000  # the North's and the South's, nothing else
        assert not done.national and done.partial and done.covers == ("north", "south") and done.of == 3
        assert figures.coverage_label(done, "vi") == "cộng Bắc + Nam (2/3 vùng)"
        assert figures.coverage_label(done, "en") == "sum of North + South (2 of 3 regions)"


def test_national_2025_plan_without_a_national_figure_is_the_sum_of_two_regions(db):
    with db.session() as session:
        figures = Figures(session, 2025, SEPT_2025)
        plan = figures.national("budget_plan")
        assert plan.value == 148 * BN + 56_310_000_000 and plan.partial and not plan.national
        assert figures.coverage_label(plan, "vi") == "cộng Bắc + Nam (2/3 vùng)"
        assert figures.coverage_label(figures.national("budget_disbursed"), "vi") == "cộng Nam (1/3 vùng)"


def test_report_labels_a_regions_sum_with_its_coverage_and_gives_no_rate(db, parse):
    with db.session() as session:
        built = national_report(session, ReportOptions(Today(END_2024), "vi"))
        html, md = render(built, "html").decode(), render(built, "md").decode()
    country = next(r for r in parse(html).tables["budget"] if r[0] == "Cả nước")
    assert country[1:4] == ["332 tỷ đồng", "147,81 tỷ đồng", "–"]  # 147.81 bn of two regions against 332: no rate
    assert country[4] == "Kế hoạch: số liệu báo cáo cả nước; Đã giải ngân: cộng Bắc + Nam (2/3 vùng)"
    assert "cộng Bắc + Nam (2/3 vùng)" in md and "147,81 tỷ đồng" in md
    with db.session() as session:
        built = national_report(session, ReportOptions(Today(SEPT_2025), "vi"))
        html = render(built, "html").decode()
    country = next(r for r in parse(html).tables["budget"] if r[0] == "Cả nước")
    assert country[1] == "204,31 tỷ đồng" and country[3] == "–"
    assert country[4] == "Kế hoạch: cộng Bắc + Nam (2/3 vùng); Đã giải ngân: cộng Nam (1/3 vùng)"
    assert built.extra["split"] is None  # only reported national figures are split


def test_region_sum_of_provinces_says_how_many_reported(db, world):
    overseer = world.user("overseer", None)
    with db.session() as session:
        from dtrack.reports.indicators import report_value

        for unit, value in (("hue", 5), ("da-nang", 7)):
            report_value(session, unit=unit, indicator="trainees", period="2025", value=value,
                         actor_email=overseer, now=world.clock.now(), today=TODAY, as_of=SEPT_2025)
        figures = Figures(session, 2025, SEPT_2025)
        central = figures.region("trainees", "central")
        assert central.value == 12 and central.partial and central.covers == ("hue", "da-nang")
        assert figures.coverage_label(central, "vi") == "cộng 2/11 tỉnh, thành phố"


# --- an indicator keeps its meaning ---------------------------------------------


def test_honoured_and_voted_are_separate_indicators_never_added(db, parse):
    with db.session() as session:
        figures = Figures(session, 2024, END_2024)
        assert figures.region("typical_products_voted", "south").value == 219
        assert figures.region("typical_products_voted", "north").value is None
        assert figures.region("typical_products_honoured", "north").value == 126
        assert figures.national("typical_products_voted").value == 219
        assert figures.national("typical_products_honoured").value == 126
        built = national_report(session, ReportOptions(Today(END_2024), "vi"))
    rows = {r[0]: r for r in parse(render(built, "html").decode()).tables["indicators"][1:]}
    voted = rows["Sản phẩm công nghiệp nông thôn tiêu biểu được bình chọn các cấp"]
    honoured = rows["Sản phẩm công nghiệp nông thôn tiêu biểu được tôn vinh, cấp giấy chứng nhận"]
    assert voted[2:7] == ["–", "–", "219", "219", "cộng Nam (1/3 vùng)"]
    assert honoured[2:7] == ["126", "–", "–", "126", "cộng Bắc (1/3 vùng)"]
    assert not any("345" in cell for row in rows.values() for cell in row)  # 126 + 219 appears nowhere


def test_north_2025_establishments_in_the_vote_are_establishments_not_products(db):
    with db.session() as session:
        figures = Figures(session, 2025, SEPT_2025)
        assert figures.region("establishments_product_voting", "north").value == 30
        assert figures.indicator("establishments_product_voting").unit_vi == "cơ sở"
        assert figures.region("typical_products_voted", "north").value is None


# --- merged units -----------------------------------------------------------------


def test_old_and_new_names_add_up_and_both_rows_are_kept(db, world, tmp_path, parse):
    overseer = world.user("overseer", None)
    path = _write(tmp_path / "an-giang.csv", [
        ["An Giang", "budget_disbursed", "2024", "4100000000", "2024-12-31"],
        ["Kiên Giang", "budget_disbursed", "2024", "3200000000", "2024-12-31"],
    ])
    with db.session() as session:
        result = import_file(session, path, overseer, world.clock.now(), TODAY)
        assert (result.imported, result.unchanged) == (2, 0)
        assert any("Kiên Giang" in note for note in result.notes)
    with db.session() as session:
        an_giang = _an_giang(session)
        rows = session.scalars(select(IndicatorValue).where(IndicatorValue.province_id == an_giang)
                               .order_by(IndicatorValue.source_unit)).all()
        assert [(r.source_unit, r.value) for r in rows] == [("an-giang", 4_100_000_000), ("kien-giang", 3_200_000_000)]
        figures = Figures(session, 2024, END_2024)
        total = figures.province("budget_disbursed", an_giang)
        assert total.value == 7_300_000_000 and total.covers == ("an-giang", "kien-giang")
        assert figures.coverage_label(total, "vi") == "số liệu báo cáo, cộng An Giang + Kiên Giang"
        built = province_report(session, "an-giang", ReportOptions(Today(END_2024), "vi"))
    own = parse(render(built, "html").decode()).tables["province_budget"][1]
    assert own[0] == "An Giang" and own[2] == "7,3 tỷ đồng" and own[4] == "số liệu báo cáo, cộng An Giang + Kiên Giang"


def test_importing_the_same_file_again_changes_nothing(db, world, tmp_path, cli_runner):
    overseer = world.user("overseer", None)
    path = _write(tmp_path / "f.csv", [
        ["An Giang", "budget_disbursed", "2024", "4100000000", "2024-12-31"],
        ["Kiên Giang", "budget_disbursed", "2024", "3200000000", "2024-12-31"],
        ["ha-noi", "trainees", "2025", "40", ""],  # as_of: today, whichever day it is imported
    ])
    first = cli_runner("indicators", "import", str(path), "--as", overseer)
    assert first.exit_code == 0 and "3 figure(s) imported, 0 unchanged" in first.output
    before = _count(db)
    again = cli_runner("indicators", "import", str(path), "--as", overseer, "--as-of", "2026-01-06")
    assert again.exit_code == 0 and "0 figure(s) imported, 3 unchanged" in again.output
    assert _count(db) == before


def test_a_different_value_for_the_same_source_and_day_is_refused_or_replaced_explicitly(db, world, tmp_path):
    overseer = world.user("overseer", None)
    first = _write(tmp_path / "first.csv", [["Kiên Giang", "budget_disbursed", "2024", "3200000000", "2024-12-31"]])
    changed = _write(tmp_path / "changed.csv", [
        ["An Giang", "budget_disbursed", "2024", "4100000000", "2024-12-31"],
        ["Kiên Giang", "budget_disbursed", "2024", "3300000000", "2024-12-31"],
    ])
    with db.session() as session:
        import_file(session, first, overseer, world.clock.now(), TODAY)
    before = _count(db)
    with pytest.raises(ImportInvalid) as caught, db.session() as session:
        import_file(session, changed, overseer, world.clock.now(), TODAY)
    assert [line for line, _ in caught.value.problems] == [3]
    conflict = say(caught.value.problems[0][1], "en")
    assert "an-giang (kien-giang)" in conflict and "3200000000" in conflict
    assert "--replace" in say(caught.value, "en", "cli")  # the command line says how to replace it
    assert _count(db) == before
    with db.session() as session:
        result = import_file(session, changed, overseer, world.clock.now(), TODAY, replace=True)
        assert (result.imported, result.unchanged, result.replaced) == (2, 0, 1)
    with db.session() as session:
        kept = session.scalars(select(IndicatorValue).where(IndicatorValue.source_unit == "kien-giang")
                               .order_by(IndicatorValue.revision)).all()
        assert [(r.value, r.revision) for r in kept] == [(3_200_000_000, 1), (3_300_000_000, 2)]  # the old row stays
        assert Figures(session, 2024, END_2024).province("budget_disbursed", _an_giang(session)).value == 7_400_000_000


def test_one_file_giving_two_values_for_one_figure_is_refused_with_both_lines(db, world, tmp_path):
    overseer = world.user("overseer", None)
    path = _write(tmp_path / "twice.csv", [
        ["Kiên Giang", "trainees", "2025", "10", "2025-09-30"],
        ["An Giang", "trainees", "2025", "20", "2025-09-30"],
        ["kien-giang", "trainees", "2025", "11", "2025-09-30"],
    ])
    before = _count(db)
    with pytest.raises(ImportInvalid) as caught, db.session() as session:
        import_file(session, path, overseer, world.clock.now(), TODAY, replace=True)
    assert [line for line, _ in caught.value.problems] == [4] and "line 2" in say(caught.value.problems[0][1], "en")
    assert _count(db) == before


# --- the rule, over any set of rows -----------------------------------------------

SOURCES = ["an-giang", "kien-giang"]
PERIODS = ["2025", "2025-H1", "2025-H2", "2025-Q1", "2025-Q3", "2025-09"]
ROW = st.tuples(st.sampled_from(SOURCES), st.sampled_from(PERIODS), st.integers(min_value=0, max_value=10**12),
                st.dates(min_value=date(2025, 1, 1), max_value=date(2025, 12, 31)))
ROW_SETS = st.lists(ROW, min_size=1, max_size=8, unique_by=lambda r: (r[0], r[1]))  # one row per source and period


def _expected(rows, aggregate: str) -> int:
    """The documented rule, written out on its own: per source, then across sources."""
    per_source = {}
    for source in {r[0] for r in rows}:
        mine = [r for r in rows if r[0] == source]
        whole = [r for r in mine if r[1] == "2025"]
        if whole:
            per_source[source] = (whole[0][2], period_end("2025"))
        elif aggregate == "sum":
            per_source[source] = (sum(r[2] for r in mine), None)
        else:
            pick = max(mine, key=lambda r: (r[3], period_end(r[1]), r[1]))
            per_source[source] = (pick[2], period_end(pick[1]))
    if aggregate == "sum":
        return sum(value for value, _ in per_source.values())
    last = max(end for _, end in per_source.values())
    return sum(value for value, end in per_source.values() if end == last)


def _fake(rows):
    by_source = {}
    for number, (source, period, value, day) in enumerate(rows):
        row = SimpleNamespace(period=period, value=value, as_of=day, revision=1, id=number, note=None, source=None)
        by_source.setdefault(source, []).append(row)
    return by_source


@settings(max_examples=300)
@given(rows=ROW_SETS, aggregate=st.sampled_from(["sum", "latest"]), seed=st.integers(0, 1000))
def test_a_units_total_is_the_rule_over_its_source_rows_in_any_order(rows, aggregate, seed):
    shuffled = list(rows)
    random.Random(seed).shuffle(shuffled)
    total = combine_sources(_fake(rows), 2025, aggregate).value
    assert total == _expected(rows, aggregate)
    assert combine_sources(_fake(shuffled), 2025, aggregate).value == total


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=ROW_SETS, seed=st.integers(0, 1000))
def test_imported_rows_of_merged_units_total_by_the_rule_in_any_order(db, world, tmp_path_factory, rows, seed):
    overseer = world.user("overseer", None)
    names = {"an-giang": "An Giang", "kien-giang": "Kiên Giang"}
    lines = [[names[s], code, period, str(value), day.isoformat()]
             for code in ("trainees", "promotion_centre_staff") for s, period, value, day in rows]
    totals = []
    for order in (lines, random.Random(seed).sample(lines, len(lines))):
        with db.session() as session:
            session.execute(delete(IndicatorValue).where(IndicatorValue.source.like("merged%.csv")))
        path = _write(tmp_path_factory.mktemp("m") / f"merged{len(totals)}.csv", order)
        with db.session() as session:
            assert import_file(session, path, overseer, world.clock.now(), TODAY).imported == len(lines)
        with db.session() as session:
            figures, an_giang = Figures(session, 2025, TODAY), _an_giang(session)
            totals.append((figures.province("trainees", an_giang).value,
                           figures.province("promotion_centre_staff", an_giang).value))
    assert totals[0] == totals[1] == (_expected(rows, "sum"), _expected(rows, "latest"))


def test_typing_a_figure_again_replaces_the_days_figure_openly_or_records_nothing(db, world):
    from dtrack.reports.indicators import report_value

    officer = world.user("province", "an-giang")
    with db.session() as session:
        first, _ = report_value(session, unit="Kiên Giang", indicator="trainees", period="2025", value=10,
                                actor_email=officer, now=world.clock.now(), today=TODAY)
        same, note = report_value(session, unit="kien-giang", indicator="trainees", period="2025", value=10,
                                  actor_email=officer, now=world.clock.now(), today=TODAY)
        assert same.id == first.id and "nothing recorded" in note
        other, note = report_value(session, unit="Kiên Giang", indicator="trainees", period="2025", value=12,
                                   actor_email=officer, now=world.clock.now(), today=TODAY)
        assert other.revision == 2 and "replaces 10" in note
        own, _ = report_value(session, unit="An Giang", indicator="trainees", period="2025", value=5,
                              actor_email=officer, now=world.clock.now(), today=TODAY)
        assert own.source_unit == "an-giang" and other.source_unit == "kien-giang"
        assert Figures(session, 2025, TODAY).province("trainees", own.province_id).value == 17
