"""Indicator catalogue, single figures and file imports: all rows or none, audited."""
from __future__ import annotations

import csv
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from sqlalchemy import delete, func, select

from dtrack.directives.format import parse_file
from dtrack.directives.loader import load
from dtrack.errors import ImportInvalid, InvalidInput, PermissionDenied
from dtrack.i18n.error_messages import say
from dtrack.persistence.models import Indicator, IndicatorValue
from dtrack.reports.figures import Figures
from dtrack.reports.indicators import import_file, parse_value, report_value
from dtrack.seeds import DIRECTIVE_20_FILE

# The command line in English: these tests are about reports, mail and accounts, not its wording.
pytestmark = pytest.mark.usefixtures("english")

TODAY = date(2026, 1, 5)


def _count(db) -> int:
    with db.session() as session:
        return session.scalar(select(func.count(IndicatorValue.id)))


def _write_csv(path, rows):
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["unit", "indicator", "period", "value", "as_of", "note"])
        writer.writerows(rows)
    return path


def test_catalogue_is_stored_with_the_directive_and_loading_again_changes_nothing(db, world):
    with db.session() as session:
        codes = [i.code for i in session.scalars(select(Indicator).order_by(Indicator.ordinal))]
        again = load(session, parse_file(DIRECTIVE_20_FILE), world.clock.now())
    assert codes[:2] == ["budget_plan", "budget_disbursed"]
    assert len(codes) == len(parse_file(DIRECTIVE_20_FILE).indicators)
    assert again.status == "unchanged" and again.indicators_added == []


def test_report_value_maps_old_names_and_checks_permissions(db, world):
    officer = world.user("province", "an-giang")
    with db.session() as session:
        row, note = report_value(session, unit="Kiên Giang", indicator="budget_disbursed", period="2025",
                                 value="1.500.000.000", actor_email=officer, now=world.clock.now(), today=TODAY,
                                 note="<i>đợt 1</i>")
        assert row.province.slug == "an-giang" and row.value == 1_500_000_000 and row.actor.email == officer
        assert "An Giang" in note
    with pytest.raises(PermissionDenied), db.session() as session:
        report_value(session, unit="south", indicator="budget_plan", period="2025", value=1,
                     actor_email=officer, now=world.clock.now(), today=TODAY)
    with db.session() as session:
        figures = Figures(session, 2025, TODAY)
        assert figures.province("budget_disbursed", row.province_id).value == 1_500_000_000
        # The regional figure the conference reported stays the region's figure.
        assert figures.region("budget_disbursed", "south").value == 8_340_000_000


def test_later_figure_supersedes_and_sub_periods_add_up(db, world):
    overseer = world.user("overseer", None)
    with db.session() as session:
        for period, value, day in (("2025-H1", 10, date(2025, 6, 30)), ("2025-H2", 5, date(2025, 12, 31)),
                                   ("2025-H2", 7, date(2026, 1, 2))):
            report_value(session, unit="ha-noi", indicator="trainees", period=period, value=value,
                         actor_email=overseer, now=world.clock.now(), today=TODAY, as_of=day)
            report_value(session, unit="ha-noi", indicator="promotion_centre_staff", period=period, value=value,
                         actor_email=overseer, now=world.clock.now(), today=TODAY, as_of=day)
        hanoi = session.scalar(select(IndicatorValue.province_id).where(IndicatorValue.province_id.is_not(None)))
        figures = Figures(session, 2025, TODAY)
        assert figures.province("trainees", hanoi).value == 17  # sum: H1 10 + H2 corrected to 7
        assert figures.province("promotion_centre_staff", hanoi).value == 7  # latest: a stock
        assert Figures(session, 2025, date(2025, 12, 31)).province("trainees", hanoi).value == 15


def test_import_with_one_bad_row_imports_nothing(db, world, tmp_path):
    officer = world.user("overseer", None)
    before = _count(db)
    path = _write_csv(tmp_path / "figures.csv", [
        ["tay-ninh", "budget_plan", "2025", "10000000000", "2025-09-30", "kế hoạch"],
        ["Bến Tre", "budget_disbursed", "2025", "12,5", "2025-09-30", ""],
        ["ha-noi", "no_such_indicator", "2025", "1", "", ""],
        ["ha-noi", "trainees", "2025", "3", "", ""],
    ])
    with pytest.raises(ImportInvalid) as caught, db.session() as session:
        import_file(session, path, officer, world.clock.now(), TODAY)
    assert [line for line, _ in caught.value.problems] == [3, 4]
    assert "not a whole number" in say(caught.value.problems[0][1], "en")
    assert "no_such_indicator" in say(caught.value.problems[1][1], "en")
    assert _count(db) == before


def test_cli_import_lists_bad_rows_and_changes_nothing(db, world, tmp_path, cli_runner):
    officer = world.user("province", "vinh-long")
    before = _count(db)
    path = _write_csv(tmp_path / "bad.csv", [
        ["Bến Tre", "budget_disbursed", "2025", "1000", "", ""],
        ["ha-noi", "budget_disbursed", "2025", "1000", "", ""],
    ])
    result = cli_runner("indicators", "import", str(path), "--as", officer)
    assert result.exit_code == 1
    assert "line 3" in result.output and "ha-noi" in result.output and "nothing imported" in result.output
    assert _count(db) == before
    good = _write_csv(tmp_path / "good.csv", [["Trà Vinh", "trainees", "2025", "40", "2025-12-01", ""]])
    result = cli_runner("indicators", "import", str(good), "--as", officer)
    assert result.exit_code == 0 and "1 figure(s) imported" in result.output and "Vĩnh Long" in result.output
    assert _count(db) == before + 1


def test_xlsx_import(db, world, tmp_path):
    overseer = world.user("overseer", None)
    book = Workbook()
    sheet = book.active
    sheet.append(["unit", "indicator", "period", "value", "as_of", "note"])
    sheet.append(["Miền Trung", "budget_plan", "2025", 41_000_000_000, date(2025, 9, 30), None])
    sheet.append(["hue", "trainees", "2025", 12.0, None, "x"])
    book.save(tmp_path / "f.xlsx")
    sheet.append([None, None, None, None, None, None])
    sheet.append(["hue", "trainees", "2025", 1.5, None, None])
    book.save(tmp_path / "bad.xlsx")
    with pytest.raises(ImportInvalid) as caught, db.session() as session:
        import_file(session, tmp_path / "bad.xlsx", overseer, world.clock.now(), TODAY)
    assert [line for line, _ in caught.value.problems] == [5]
    with db.session() as session:
        result = import_file(session, tmp_path / "f.xlsx", overseer, world.clock.now(), TODAY)
        assert result.imported == 2
        assert Figures(session, 2025, TODAY).region("budget_plan", "central").value == 41_000_000_000


def test_cli_report_value(cli_runner, world):
    officer = world.user("province", "tay-ninh")
    result = cli_runner("indicators", "report", "tay-ninh", "--period", "2025", "--indicator", "budget_disbursed",
                        "--value", "8340000000", "--as", officer, "--note", "đến 30/9")
    assert result.exit_code == 0 and "8340000000" in result.output
    result = cli_runner("indicators", "report", "tay-ninh", "--period", "2025", "--indicator", "budget_disbursed",
                        "--value", "-5", "--as", officer)
    assert result.exit_code == 1 and result.output.startswith("error: --value")
    assert "budget_plan" in cli_runner("indicators", "list").output


@given(st.integers(min_value=0, max_value=10**15))
def test_parse_value_reads_grouped_numbers(number):
    assert parse_value(str(number)) == number
    assert parse_value(f"{number:,}") == number
    assert parse_value(f"{number:,}".replace(",", ".")) == number
    assert parse_value(float(number)) == number


@given(st.text(min_size=1, max_size=12).filter(lambda s: not s.strip().isdigit()))
def test_parse_value_refuses_what_is_not_a_whole_number(text):
    try:
        parse_value(text)
    except InvalidInput:
        return
    assert (text.strip().replace(".", "").replace(",", "").replace(" ", "")
            .replace("_", "").replace("\u00a0", "").isdigit())


# Each name a different source unit (a file says one thing per source; see the merge tests below).
NAMES = st.sampled_from(["ha-noi", "Hải Phòng", "Kiên Giang", "Bến Tre", "TP. Hồ Chí Minh", "Bình Dương", "north",
                         "Miền Nam", "national", "Thừa Thiên Huế"])
ROWS = st.lists(st.tuples(NAMES, st.integers(min_value=0, max_value=10**14),
                          st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=30)),
                min_size=1, max_size=6, unique_by=lambda row: row[0])


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=ROWS, bad=st.one_of(st.none(), st.integers(min_value=0, max_value=5)))
def test_import_is_all_or_nothing(db, world, tmp_path_factory, rows, bad):
    path = tmp_path_factory.mktemp("imp") / "rows.csv"
    data = [[name, "trainees", "2025", str(value), "2025-12-01", note] for name, value, note in rows]
    if bad is not None:
        bad = min(bad, len(data) - 1)
        data[bad][3] = "-1"
    _write_csv(path, data)
    with db.session() as session:  # each example starts from no imported figures
        session.execute(delete(IndicatorValue).where(IndicatorValue.source == "rows.csv"))
    before = _count(db)
    with db.session() as session:
        from dtrack.persistence.models import User
        from dtrack.workflow.users import add_user

        if session.scalar(select(User.id).where(User.email == "imp@moit.example.vn")) is None:
            add_user(session, email="imp@moit.example.vn", name="Import", role="overseer", province=None,
                     now=world.clock.now())
    if bad is None:
        with db.session() as session:
            result = import_file(session, path, "imp@moit.example.vn", world.clock.now(), TODAY)
            stored = session.scalars(select(IndicatorValue).order_by(IndicatorValue.id.desc()).limit(len(data)))
            assert sorted(r.value for r in stored) == sorted(value for _, value, _ in rows)
        assert result.imported == len(data) and _count(db) == before + len(data)
    else:
        with pytest.raises(ImportInvalid) as caught, db.session() as session:
            import_file(session, path, "imp@moit.example.vn", world.clock.now(), TODAY)
        assert [line for line, _ in caught.value.problems] == [bad + 2]
        assert _count(db) == before


@pytest.mark.parametrize("name, content, problem", [
    ("f.csv", "", "is empty"),
    ("f.csv", "unit,indicator,period\nha-noi,trainees,2025\n", "missing column(s) value"),
    ("f.csv", "unit,indicator,period,value,colour\n", "unknown column(s) colour"),
    ("f.txt", "unit,indicator,period,value\n", "neither .csv nor .xlsx"),
    ("f.xlsx", "not a workbook", "cannot read the workbook"),
])
def test_unusable_files_are_refused_with_one_line(tmp_path, name, content, problem):
    from dtrack.reports.figure_files import read_rows

    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InvalidInput) as caught:
        list(read_rows(path))
    assert problem in say(caught.value, "en") and "\n" not in say(caught.value, "vi")
