"""The working calendar as an administrator types it (`dtrack calendar`), in Vietnamese, and deadlines off days off."""
from __future__ import annotations

import json

from sqlalchemy import func, select

from dtrack.persistence.database import Database
from dtrack.persistence.models import CalendarDay, Event, Task

ADMIN = "quantri@moit.example.vn"
OVERSEER = "giamsat@moit.example.vn"
OFFICER = "canbo@hanoi.example.vn"
KEY = "20/CT-BCT:2:ha-noi"


def people(cli_runner) -> None:
    for email, role, province in ((ADMIN, "admin", None), (OVERSEER, "overseer", None),
                                  (OFFICER, "province", "ha-noi")):
        args = ["users", "add", "--email", email, "--name", "Người dùng", "--role", role]
        assert cli_runner(*args, *(["--province", province] if province else [])).exit_code == 0


def state(db_url: str) -> tuple:
    db = Database(db_url)
    with db.session() as s:
        found = (s.scalar(select(func.count()).select_from(Event)),
                 tuple(s.execute(select(Task.due_on, Task.version).order_by(Task.id))),
                 tuple(s.execute(select(CalendarDay.id, CalendarDay.withdrawn_at).order_by(CalendarDay.id))))
    db.dispose()
    return found


def one_vietnamese_error_line(result) -> str:
    assert result.exit_code != 0
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("lỗi: ") and "Traceback" not in result.output, result.output
    return lines[0]


def test_declare_previews_then_applies_and_the_extension_on_a_holiday_says_so(cli_runner, db_url):
    people(cli_runner)
    extended = cli_runner("deadlines", "extend", KEY, "--to", "30/04/2027", "--reason", "Chờ vốn", "--as", OVERSEER)
    assert extended.exit_code == 0, extended.output
    assert "30/04/2027 là ngày nghỉ, hạn là 04/05/2027" in extended.output
    assert f"{KEY}: hạn 17/03/2026 -> 04/05/2027" in extended.output

    before = state(db_url)
    shown = cli_runner("calendar", "declare", "04/05/2027", "--off", "--note", "Nghỉ bù", "--as", ADMIN)
    assert shown.exit_code == 0, shown.output
    assert f"{KEY}: hạn 04/05/2027 -> 05/05/2027" in shown.output
    assert "Nếu khai báo 04/05/2027 là ngày nghỉ: 1 hạn sẽ dời" in shown.output and "--apply" in shown.output
    assert state(db_url) == before

    done = cli_runner("calendar", "declare", "04/05/2027", "--off", "--note", "Nghỉ bù", "--as", ADMIN, "--apply")
    assert "Đã khai báo 04/05/2027 là ngày nghỉ; 1 hạn đã dời." in done.output
    task = cli_runner("task", "show", KEY).output
    assert "05/05/2027" in task and "Nghỉ bù" in task
    listed = cli_runner("calendar", "list").output
    assert "04/05/2027" in listed and "ngày nghỉ" in listed and ADMIN in listed
    as_json = json.loads(cli_runner("calendar", "list", "--json").output)
    assert [(d["day"], d["working"], d["declared_by"]) for d in as_json] == [("2027-05-04", False, ADMIN)]


def test_refusals_are_one_vietnamese_line_and_change_nothing(cli_runner, db_url):
    people(cli_runner)
    assert cli_runner("calendar", "declare", "10/03/2027", "--off", "--note", "Nghỉ bù", "--as", ADMIN,
                      "--apply").exit_code == 0
    before = state(db_url)
    cases = {
        ("10/03/2027", "--off", "--note", "Lại", "--as", ADMIN, "--apply"): "đã được khai báo",
        ("13/03/2027", "--off", "--note", "Thứ Bảy", "--as", ADMIN, "--apply"): "đã là ngày nghỉ",
        ("11/03/2027", "--off", "--note", "Nghỉ", "--as", OVERSEER, "--apply"): "chỉ quản trị viên",
        ("11/03/2027", "--off", "--note", "  ", "--as", ADMIN, "--apply"): "cần ghi lý do",
        ("31/02/2027", "--off", "--note", "Nghỉ", "--as", ADMIN): "",
    }
    for argv, words in cases.items():
        line = one_vietnamese_error_line(cli_runner("calendar", "declare", *argv))
        assert words in line, line
    line = one_vietnamese_error_line(cli_runner("calendar", "withdraw", "12/03/2027", "--as", ADMIN, "--apply"))
    assert "chưa được khai báo" in line
    line = one_vietnamese_error_line(cli_runner("deadlines", "recompute"))
    assert "--as" in line  # the command line may name its own option
    assert state(db_url) == before


def test_withdraw_keeps_the_declaration_in_the_list_with_who_withdrew_it(cli_runner, db_url):
    people(cli_runner)
    cli_runner("calendar", "declare", "10/03/2027", "--off", "--note", "Nghỉ bù", "--as", ADMIN, "--apply")
    gone = cli_runner("calendar", "withdraw", "10/03/2027", "--as", ADMIN, "--apply")
    assert gone.exit_code == 0 and "Đã rút khai báo 10/03/2027" in gone.output
    assert "Chưa khai báo ngày nào." in cli_runner("calendar", "list").output
    every = cli_runner("calendar", "list", "--all").output
    assert "10/03/2027" in every and f"đã rút: {ADMIN}" in every


def test_requests_as_of_a_day_show_what_was_pending_then(cli_runner):
    people(cli_runner)
    asked = cli_runner("deadlines", "request", KEY, "--to", "30/09/2026", "--reason", "Chờ số liệu", "--as", OFFICER,
                       "--as-of", "2026-01-06")
    assert asked.exit_code == 0, asked.output
    assert cli_runner("deadlines", "grant", "1", "--as", OVERSEER, "--as-of", "2026-01-12").exit_code == 0

    def statuses(*argv: str) -> list[str]:
        return [r["status"] for r in json.loads(cli_runner("deadlines", "requests", "--json", *argv).output)]

    assert statuses() == ["granted"]
    assert statuses("--as-of", "2026-01-08") == ["pending"]
    assert statuses("--as-of", "2026-01-08", "--pending") == ["pending"]
    assert statuses("--as-of", "2026-01-05") == []
    assert statuses("--as-of", "2026-01-12") == ["granted"]
