"""Extension requests and final deadlines as a user types them: deadlines request / requests / grant / refuse."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from dtrack.persistence.database import Database
from dtrack.persistence.models import Event, ExtensionRequest, Task

# The command line in English: these tests are about behaviour, not wording (tests/test_cli_language.py).
pytestmark = pytest.mark.usefixtures("english")

REPORT = "20/CT-BCT:9:ha-noi:2025-H2"
OFFICER = "canbo@hanoi.example.vn"
HUE = "canbo@hue.example.vn"
OVERSEER = "giamsat@moit.example.vn"


def people(cli_runner) -> None:
    for email, role, province in ((OFFICER, "province", "ha-noi"), (HUE, "province", "hue"),
                                  (OVERSEER, "overseer", None)):
        args = ["users", "add", "--email", email, "--name", email.split("@")[0], "--role", role]
        assert cli_runner(*args, *(["--province", province] if province else [])).exit_code == 0


def state(db_url) -> tuple:
    db = Database(db_url)
    with db.session() as s:
        found = (s.scalar(select(func.count()).select_from(Event)),
                 list(s.execute(select(Task.due_on, Task.version).order_by(Task.id))),
                 list(s.execute(select(ExtensionRequest.status).order_by(ExtensionRequest.id))))
    db.dispose()
    return found


def one_error_line(result, *words: str) -> None:
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.output
    for word in words:
        assert word in lines[0]


def test_extending_a_completed_task_is_one_line_and_changes_nothing(cli_runner, db_url):
    people(cli_runner)
    for trigger, actor in (("start", OFFICER), ("submit", OFFICER), ("accept", OVERSEER)):
        assert cli_runner("task", trigger, REPORT, "--as", actor).exit_code == 0
    rate = json.loads(cli_runner("overdue", "--matrix", "--json").output)["provinces"]["ha-noi"]
    assert rate["completed_late"] == 1 and rate["on_time_rate"] == 0
    before = state(db_url)
    result = cli_runner("deadlines", "extend", REPORT, "--to", "2026-02-01", "--reason", "x", "--as", OVERSEER)
    one_error_line(result, REPORT, "completed", "reopen")
    assert state(db_url) == before
    assert json.loads(cli_runner("overdue", "--matrix", "--json").output)["provinces"]["ha-noi"] == rate


def test_request_list_grant_and_refuse(cli_runner, db_url):
    people(cli_runner)
    asked = cli_runner("deadlines", "request", REPORT, "--to", "2026-02-28", "--reason", "Chờ số liệu của xã",
                       "--as", OFFICER)
    assert asked.exit_code == 0, asked.output
    assert "request 1: 20/CT-BCT:9:ha-noi:2025-H2 deadline 15/12/2025 -> 28/02/2026 asked" in asked.output
    again = cli_runner("deadlines", "request", REPORT, "--to", "2026-03-31", "--reason", "Lần nữa", "--as", OFFICER)
    one_error_line(again, "already has a pending extension request (request 1)")
    one_error_line(cli_runner("deadlines", "request", "20/CT-BCT:9:hue:2025-H2", "--to", "2026-02-28",
                              "--reason", "x", "--as", OFFICER), "unknown task")  # not theirs: as if missing
    one_error_line(cli_runner("deadlines", "request", REPORT, "--to", "2026-02-28", "--reason", "x",
                              "--as", OVERSEER), "overseers extend directly")
    one_error_line(cli_runner("deadlines", "grant", "1", "--as", OFFICER), "only overseers may")
    listed = cli_runner("deadlines", "requests", "--province", "ha-noi")
    assert listed.exit_code == 0 and "Chờ quyết định" in listed.output and "Chờ số liệu của xã" in listed.output
    # The table speaks the installation's language (DTRACK_LANGUAGE, Vietnamese here), not DTRACK_LANG.
    assert cli_runner("deadlines", "requests", "--province", "hue").output.strip() == "(không có đề nghị gia hạn nào)"
    granted = cli_runner("deadlines", "grant", "1", "--to", "2026-01-31", "--note", "Đến cuối tháng", "--as", OVERSEER)
    assert granted.exit_code == 0, granted.output
    assert "31/01/2026 is a day off: the deadline is 02/02/2026" in granted.output  # a Saturday
    assert "request 1 granted: 20/CT-BCT:9:ha-noi:2025-H2 deadline 15/12/2025 -> 02/02/2026" in granted.output
    data = json.loads(cli_runner("deadlines", "requests", "--json").output)
    assert [(r["id"], r["status"], r["granted_due_on"], r["decided_by"]) for r in data] == [
        (1, "granted", "2026-02-02", OVERSEER)]
    shown = cli_runner("task", "show", REPORT)
    assert "request-extension" in shown.output and "grant-extension" in shown.output
    assert "deadline: 02/02/2026 (originally 15/12/2025)" in shown.output
    second = cli_runner("deadlines", "request", REPORT, "--to", "2026-02-28", "--reason", "Vẫn thiếu", "--as", OFFICER)
    assert second.exit_code == 0
    before = state(db_url)
    one_error_line(cli_runner("deadlines", "refuse", "2", "--reason", "", "--as", OVERSEER), "--reason")
    one_error_line(cli_runner("deadlines", "grant", "7", "--as", OVERSEER), "unknown extension request '7'")
    assert state(db_url) == before
    refused = cli_runner("deadlines", "refuse", "2", "--reason", "Nộp ngay", "--as", OVERSEER)
    assert refused.exit_code == 0 and "request 2 refused" in refused.output
    one_error_line(cli_runner("deadlines", "grant", "2", "--as", OVERSEER), "already refused")
    pending = json.loads(cli_runner("deadlines", "requests", "--pending", "--json").output)
    assert pending == []
