"""The deadline commands as a user types them: overdue, deadlines extend, reminders, and the status columns."""
from __future__ import annotations

import csv
import io
import json

import pytest
from sqlalchemy import func, select

from dtrack.persistence.database import Database
from dtrack.persistence.models import Event, Reminder, Task


def test_overdue_lists_tasks_then_counts(cli_runner):
    result = cli_runner("overdue")
    assert result.exit_code == 0, result.output
    assert "quá hạn tính đến 05/01/2026: 34 nhiệm vụ" in result.output
    assert "20/CT-BCT:9:ha-noi:2025-H2" in result.output
    assert "Báo cáo khuyến công 6 tháng cuối năm 2025" in result.output
    assert "quá hạn theo vùng:" in result.output and "Miền Bắc" in result.output
    english = cli_runner("overdue", "--lang", "en", "--region", "south")
    assert "Industrial promotion report for the second half of 2025" in english.output
    assert "20/CT-BCT:9:ha-noi" not in english.output and "overdue per region:" in english.output
    before_deadline = cli_runner("--lang", "en", "overdue", "--as-of", "2025-12-15")
    assert "overdue as of 15/12/2025: 0 task(s)" in before_deadline.output
    assert "quá hạn tính đến 15/12/2025: 0 nhiệm vụ" in cli_runner("overdue", "--as-of", "15/12/2025").output


def test_overdue_json_csv_and_matrix(english, cli_runner):
    data = json.loads(cli_runner("overdue", "--json", "--province", "ha-noi").output)
    assert [t["key"] for t in data["overdue"]] == ["20/CT-BCT:9:ha-noi:2025-H2"]
    assert data["overdue"][0]["days"] == 21 and data["per_region"]["north"] == 1
    rows = list(csv.DictReader(io.StringIO(cli_runner("overdue", "--csv", "--min-days", "21").output)))
    assert len(rows) == 34 and rows[0]["days"] == "21"
    matrix = cli_runner("overdue", "--matrix")
    assert matrix.exit_code == 0 and "on-time rate" in matrix.output and "Hà Nội" in matrix.output
    totals = json.loads(cli_runner("overdue", "--matrix", "--json").output)["total"]
    assert totals["overdue"] == 34 and totals["open_within_deadline"] == 272


@pytest.mark.parametrize(("args", "message"), [
    (("overdue", "--min-days", "-1"), "--min-days: -1 là số âm"),
    (("overdue", "--as-of", "2026-02-30"), "--as-of: '2026-02-30' không phải là ngày hợp lệ"),
    (("overdue", "--region", "west"), "'west' không phải là một vùng"),
    (("deadlines", "extend", "20/CT-BCT:9:ha-noi:2025-H2", "--to", "01/12/2025", "--reason", "x", "--as", "OVERSEER"),
     "--to: 01/12/2025 không sau hạn hiện tại"),
    (("deadlines", "extend", "20/CT-BCT:9:ha-noi:2025-H2", "--to", "30/02/2026", "--reason", "x", "--as", "OVERSEER"),
     "--to: '30/02/2026' không phải là ngày hợp lệ"),
    (("deadlines", "extend", "--group", "9", "--to", "2026-02-01", "--reason", "x", "--as", "nobody@example.vn"),
     "không có người dùng 'nobody@example.vn'"),
])
def test_bad_input_is_one_line_and_changes_nothing(cli_runner, db_url, args, message):
    overseer = "giamsat@moit.example.vn"
    assert cli_runner("users", "add", "--email", overseer, "--name", "Giám Sát", "--role", "overseer").exit_code == 0
    args = tuple(overseer if a == "OVERSEER" else a for a in args)
    db = Database(db_url)
    with db.session() as s:
        before = (s.scalar(select(func.count()).select_from(Event)),
                  list(s.scalars(select(Task.due_on).order_by(Task.id))))
    result = cli_runner(*args)
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("lỗi: ") and message in lines[0]
    with db.session() as s:
        after = (s.scalar(select(func.count()).select_from(Event)),
                 list(s.scalars(select(Task.due_on).order_by(Task.id))))
    assert after == before
    db.dispose()


def test_extend_a_group_then_reports_show_both_deadlines(english, cli_runner):
    overseer = "giamsat@moit.example.vn"
    cli_runner("users", "add", "--email", overseer, "--name", "Giám Sát", "--role", "overseer")
    result = cli_runner("deadlines", "extend", "--group", "9", "--provinces", "north", "--to", "2026-01-31",
                        "--reason", "Chờ số liệu cấp xã", "--as", overseer)
    assert result.exit_code == 0, result.output
    # Saturday 31/01/2026 is a day off: the deadline is the next working day, and the command says so.
    assert "31/01/2026 is a day off: the deadline is 02/02/2026" in result.output
    assert "20/CT-BCT:9:ha-noi:2025-H2: deadline 15/12/2025 -> 02/02/2026 (originally 15/12/2025)" in result.output
    remaining = json.loads(cli_runner("overdue", "--json").output)
    assert remaining["per_region"]["north"] == 0 and len(remaining["overdue"]) > 0
    shown = cli_runner("task", "show", "20/CT-BCT:9:ha-noi:2025-H2")
    assert "deadline: 02/02/2026 (originally 15/12/2025)" in shown.output
    assert "extend" in shown.output and "Chờ số liệu cấp xã" in shown.output
    assert "[deadline 15/12/2025 -> 02/02/2026]" in shown.output
    listed = json.loads(cli_runner("tasks", "list", "--province", "ha-noi", "--group", "9", "--json").output)
    assert listed[0]["deadline_status"] == "on_track" and listed[0]["original_due_on"] == "2025-12-15"


def test_reminders_run_twice_writes_once(english, cli_runner, db_url):
    first = cli_runner("reminders", "run")
    assert first.exit_code == 0
    assert "68 reminder(s) written (escalation 34, overdue 34)" in first.output
    assert "34 period task(s) opened" in first.output
    second = cli_runner("reminders", "run")
    assert "0 reminder(s) written" in second.output
    listed = json.loads(cli_runner("reminders", "list", "--json").output)
    assert len(listed) == 68 and {r["status"] for r in listed} == {"pending"}
    db = Database(db_url)
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Reminder)) == 68
    db.dispose()
    assert "20/CT-BCT:9:ha-noi:2026-H1" in cli_runner("tasks", "list", "--province", "ha-noi").output


def test_status_and_tasks_list_show_the_deadline_status(cli_runner):
    status = cli_runner("status")
    assert status.exit_code == 0
    assert "!·" in status.output  # the overdue group 9 reports
    assert "quá hạn" in status.output and "sắp đến hạn" in status.output
    listed = cli_runner("tasks", "list", "--province", "ha-noi")
    assert "Quá hạn (21 ngày)" in listed.output and "tình trạng hạn" in listed.output
    english = cli_runner("--lang", "en", "tasks", "list", "--province", "ha-noi")
    assert "Overdue (21 days)" in english.output and "deadline status" in english.output
    data = json.loads(cli_runner("status", "--json", "--as-of", "2025-12-10").output)
    assert data["provinces"][0]["deadline"]["9"] == "due_soon"


def test_demo_season_is_deterministic_and_leaves_digests_and_a_report(english, tmp_path, monkeypatch):
    import email
    from email import policy

    from click.testing import CliRunner

    from dtrack.cli import cli

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DTRACK_DATABASE_URL", raising=False)
    run = lambda *args: CliRunner().invoke(cli, ["demo", *args], catch_exceptions=False)  # noqa: E731
    result = run()
    assert result.exit_code == 0, result.output
    assert (tmp_path / "dtrack-demo.db").exists()
    start, end = result.output.index("overdue as of 30/06/2026"), result.output.index("last day of the season")
    overdue = result.output[start:end]
    assert "20/CT-BCT:9:" in overdue and "waiting for review" in overdue
    assert overdue.rstrip().splitlines()[-1].startswith("all ")  # the per-region count closes the list
    # Groups 1 and 5 are "+6 months" from Monday 03/11/2025: Sunday 03/05/2026,
    # so due Monday 04/05/2026 (Civil Code art. 148); still open on 30/06/2026,
    # they are 57 days overdue (27 days of May after the 4th, 30 of June), not 58.
    rows = [line.split() for line in overdue.splitlines()]
    late = [r for r in rows if len(r) > 1 and r[1].startswith(("20/CT-BCT:1:", "20/CT-BCT:5:"))]
    assert late and {(r[0], r[-1]) for r in late} == {("57", "04/05/2026")}
    mails = sorted((tmp_path / "dtrack-demo-mail").glob("*.eml"))
    assert len(mails) > 10
    first = email.message_from_bytes(mails[0].read_bytes(), policy=policy.default)
    assert "30/06/2026" in first["Subject"]
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in (tmp_path / "dtrack-demo-report.html").read_text(encoding="utf-8")

    reused = run()
    assert "reusing the simulated season" in reused.output
    assert len(list((tmp_path / "dtrack-demo-mail").glob("*.eml"))) == len(mails), "no digest twice"
    fresh = run("--fresh")
    matrix = lambda out: out[out.index("provinces x task groups"):out.index("last day of the season")]  # noqa: E731
    assert matrix(fresh.output) == matrix(result.output), "the same season every time"


def test_a_malformed_rrule_is_refused_in_one_line(cli_runner, tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text("""
[directive]
code = "99/CT-TEST"
title_vi = "Chỉ thị thử"
title_en = "Test directive"
issuer_vi = "Bộ Công Thương"
issuer_en = "Ministry of Industry and Trade"

[[groups]]
ordinal = 1
title_vi = "Báo cáo định kỳ"
title_en = "Periodic report"
kind = "recurring"
deadline = { rrule = "FREQ=MONTHLY;BYMONTHDAY=40" }
""", encoding="utf-8")
    result = cli_runner("directive", "load", str(path))
    assert result.exit_code == 1
    assert result.output.count("\n") == 1 and "BYMONTHDAY=40 nằm ngoài 1..31" in result.output
    assert "99/CT-TEST" not in cli_runner("directive", "list").output


def _region_rows(text: str) -> list[str]:
    return [line for line in text.split("overdue per region:")[1].splitlines() if line.strip()]


def test_overdue_limit_cuts_the_list_never_the_totals(english, cli_runner):
    # 30 June 2026: 136 overdue tasks, by four deadlines shared by 34 provinces each.
    full = cli_runner("overdue", "--as-of", "2026-06-30", "--limit", "0")
    cut = cli_runner("overdue", "--as-of", "2026-06-30", "--limit", "8")
    assert full.exit_code == 0 and cut.exit_code == 0, cut.output
    assert "overdue as of 30/06/2026: 136 task(s), the 8 most overdue shown" in cut.output
    assert _region_rows(cut.output) == _region_rows(full.output)
    assert _region_rows(cut.output)[-1].split() == ["all", "136"]
    assert cut.output.split("overdue per province:")[1] == full.output.split("overdue per province:")[1]

    everything = json.loads(cli_runner("overdue", "--as-of", "2026-06-30", "--json").output)
    for limit in (8, 40):
        data = json.loads(cli_runner("overdue", "--as-of", "2026-06-30", "--json", "--limit", str(limit)).output)
        assert (data["total_overdue"], data["listed_overdue"]) == (136, limit) == (everything["total_overdue"], limit)
        assert (data["per_province"], data["per_region"]) == (everything["per_province"], everything["per_region"])
        assert data["overdue"] == everything["overdue"][:limit]
        rows = list(csv.DictReader(io.StringIO(cli_runner("overdue", "--as-of", "2026-06-30", "--csv", "--limit",
                                                          str(limit)).output)))
        assert [r["key"] for r in rows] == [t["key"] for t in everything["overdue"][:limit]]
    assert everything["listed_overdue"] == 136 and everything["total_awaiting_review"] == 0


def test_recompute_after_a_day_off_is_declared(english, cli_runner, monkeypatch):
    # The Government declares Monday 15/12/2025 a day off after the tasks were
    # assigned: the 2025-H2 report (due that day) and group 2's "+90 working
    # days" (whose count runs over it) each move one working day later.
    monkeypatch.setenv("DTRACK_EXTRA_DAYS_OFF", "2025-12-15")
    dry = cli_runner("deadlines", "recompute", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "20/CT-BCT:9:ha-noi:2025-H2: deadline 15/12/2025 -> 16/12/2025" in dry.output
    assert dry.output.strip().endswith("68 of 307 open deadline(s) would move (dry run: nothing changed)")
    assert json.loads(cli_runner("overdue", "--json", "--province", "ha-noi").output)["overdue"][0]["days"] == 21
    assert cli_runner("deadlines", "recompute").exit_code == 1  # who runs it is recorded: --as is needed
    cli_runner("users", "add", "--email", "gs@moit.gov.vn", "--name", "Giám sát", "--role", "overseer")
    done = cli_runner("deadlines", "recompute", "--as", "gs@moit.gov.vn", "--reason", "Thông báo nghỉ bù")
    assert done.output.strip().endswith("68 of 307 open deadline(s) moved")
    # Due 16/12/2025 instead of 15/12: on 05/01/2026 it is 20 days overdue, not 21.
    assert json.loads(cli_runner("overdue", "--json", "--province", "ha-noi").output)["overdue"][0]["days"] == 20
    shown = cli_runner("task", "show", "20/CT-BCT:9:ha-noi:2025-H2")
    assert "recompute" in shown.output and "[deadline 15/12/2025 -> 16/12/2025]" in shown.output
    assert "(originally" not in shown.output  # a corrected legal deadline is not an extension
    assert "gs@moit.gov.vn" in shown.output and "Thông báo nghỉ bù" in shown.output
    again = json.loads(cli_runner("deadlines", "recompute", "--json", "--as", "gs@moit.gov.vn").output)
    assert (again["moved"], again["skipped"], again["dry_run"]) == ([], [], False)
