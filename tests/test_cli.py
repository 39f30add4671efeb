"""The command line, driven through click's CliRunner and as a real process."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from sqlalchemy import select

from dtrack.cli import cli
from dtrack.config.today import Today
from dtrack.persistence.database import Database
from dtrack.persistence.models import Event, Task

HANOI = "a@soct.hanoi.gov.vn"
OVERSEER = "giam.sat@moit.gov.vn"


def walk(command: click.Command, path: tuple[str, ...] = ()):
    yield path, command
    if isinstance(command, click.Group):
        for name, sub in command.commands.items():
            yield from walk(sub, (*path, name))


ALL_COMMANDS = [path for path, _ in walk(cli)]


@pytest.mark.parametrize("path", ALL_COMMANDS, ids=lambda p: " ".join(p) or "dtrack")
def test_every_command_has_help(path):
    result = CliRunner().invoke(cli, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output
    command = dict(walk(cli))[path]
    assert (command.help or "").strip(), f"{' '.join(path)} has no help text"
    for param in command.params:
        if isinstance(param, click.Option) and param.name not in ("help", "version"):
            assert param.help, f"{' '.join(path)} {param.opts[0]} has no help"


def state_of(db_url: str):
    """Everything a command could change, to prove a failed command changed nothing."""
    db = Database(db_url)
    with db.session() as s:
        tasks = [tuple(r) for r in s.execute(select(Task.id, Task.state, Task.progress, Task.version, Task.due_on))]
        events = s.scalars(select(Event.id)).all()
    db.dispose()
    return tasks, events


@pytest.fixture
def people(cli_runner):
    for args in (
        ("--email", HANOI, "--name", "Nguyễn Văn A", "--role", "province", "--province", "ha-noi"),
        ("--email", OVERSEER, "--name", "Trần Thị Giám Sát", "--role", "overseer"),
    ):
        result = cli_runner("users", "add", *args)
        assert result.exit_code == 0, result.output
    return cli_runner


def test_the_whole_lifecycle_from_the_shell(people, db_url):
    run = people
    key = "20/CT-BCT:2:ha-noi"
    steps = [
        (("task", "start", key, "--as", HANOI, "--note", "Đã giao Trung tâm Khuyến công"),
         "start (Chưa bắt đầu -> Đang thực hiện, tiến độ 0%)"),
        (("task", "update", key, "--as", HANOI, "--progress", "40", "--note", "dự thảo"),
         "vẫn «Đang thực hiện», tiến độ 40%"),
        (("task", "submit", key, "--as", HANOI, "--note", "xong", "--evidence", "QĐ 123/QĐ-UBND"),
         "Đang thực hiện -> Đã nộp, chờ duyệt"),
        (("task", "send-back", key, "--as", OVERSEER, "--note", "thiếu phụ lục"), "Đã nộp, chờ duyệt -> Bị trả lại"),
        (("task", "submit", key, "--as", HANOI, "--note", "đã bổ sung"), "Bị trả lại -> Đã nộp, chờ duyệt"),
        (("task", "accept", key, "--as", OVERSEER), "Đã nộp, chờ duyệt -> Hoàn thành"),
    ]
    for args, expected in steps:
        result = run(*args)
        assert result.exit_code == 0, result.output
        assert expected in result.output
    shown = run("task", "show", key)
    assert shown.exit_code == 0, shown.output
    for text in ("thiếu phụ lục", "QĐ 123/QĐ-UBND", f"Nguyễn Văn A <{HANOI}>", f"Trần Thị Giám Sát <{OVERSEER}>",
                 "Bị trả lại -> Đã nộp, chờ duyệt", "05/01/2026", "lịch sử:", "so với hạn: Hoàn thành đúng hạn"):
        assert text in shown.output
    english = run("--lang", "en", "task", "show", key)
    for text in ("history:", "returned -> submitted".replace("returned", "Returned for rework")
                 .replace("submitted", "Submitted, awaiting review"), "timeliness: Completed on time"):
        assert text in english.output
    data = json.loads(run("task", "show", key, "--json").output)
    assert [h["trigger"] for h in data["history"]] == ["start", "update", "submit", "send_back", "submit", "accept"]
    assert data["state"] == "completed" and data["progress"] == 100
    assert data["allowed"] == ["reopen"]


def test_tasks_list_filters_and_json(people):
    run = people
    assert run("task", "start", "20/CT-BCT:1:ha-noi", "--as", HANOI).exit_code == 0
    assert run("task", "submit", "20/CT-BCT:1:ha-noi", "--as", HANOI).exit_code == 0
    table = run("tasks", "list", "--province", "ha-noi")
    assert table.exit_code == 0, table.output
    assert "9 nhiệm vụ" in table.output and "Hà Nội" in table.output
    assert table.output.splitlines()[0].split("  ")[0] == "nhiệm vụ" and "Đã nộp, chờ duyệt" in table.output
    assert "submitted" not in table.output.replace("20/CT-BCT", "")
    english = run("--lang", "en", "tasks", "list", "--province", "ha-noi")
    assert "9 task(s)" in english.output and "Submitted, awaiting review" in english.output
    rows = json.loads(run("tasks", "list", "--state", "submitted", "--region", "north", "--json").output)
    assert [r["key"] for r in rows] == ["20/CT-BCT:1:ha-noi"]
    assert json.loads(run("tasks", "list", "--state", "submitted", "--region", "south", "--json").output) == []
    old_name = run("tasks", "list", "--province", "Hà Tây", "--json")
    assert old_name.exit_code != 0  # Hà Tây merged into Hà Nội in 2008, before the 63: unknown


def test_status_matrix_and_lifecycle(people):
    run = people
    run("task", "start", "20/CT-BCT:3:ha-noi", "--as", HANOI)
    result = run("status")
    assert result.exit_code == 0, result.output
    assert "chú giải:" in result.output and "Đang thực hiện" in result.output
    hanoi_row = next(line for line in result.output.splitlines() if line.startswith("Hà Nội"))
    # Group 3 started; group 9's first periodic report (due 15/12/2025) is overdue ("!").
    assert hanoi_row.split()[2:] == ["·", "·", "P", "·", "·", "·", "·", "·", "!·"]
    south = run("status", "--region", "south", "--lang", "en")
    assert "Hà Nội" not in south.output and "Cà Mau" in south.output and "In progress" in south.output
    diagram = run("lifecycle")
    assert diagram.output.startswith("stateDiagram-v2")
    assert "submitted --> returned: send_back" in diagram.output


def test_init_twice_adds_nothing(empty_url, monkeypatch):
    monkeypatch.setenv("DTRACK_DATABASE_URL", empty_url)
    runner = CliRunner()
    first = runner.invoke(cli, ["init", "--as-of", "2025-11-03"])
    assert first.exit_code == 0, first.output
    assert "tạo mới 307" in first.output
    second = runner.invoke(cli, ["--lang", "en", "init", "--as-of", "01/12/2025"])
    assert second.exit_code == 0, second.output
    assert "0 created, 307 already there" in second.output and "unchanged" in second.output


def test_directive_load_and_assign_from_the_shell(cli_runner):
    from dtrack.seeds import EXAMPLE_DIRECTIVE_FILE

    first = cli_runner("directive", "load", str(EXAMPLE_DIRECTIVE_FILE))
    assert first.exit_code == 0 and "chỉ thị EX-01/2026: đã tạo" in first.output, first.output
    assert "tiếp theo: dtrack directive assign EX-01/2026" in first.output
    again = cli_runner("directive", "load", str(EXAMPLE_DIRECTIVE_FILE))
    assert "không thay đổi" in again.output
    assert "unchanged" in cli_runner("--lang", "en", "directive", "load", str(EXAMPLE_DIRECTIVE_FILE)).output
    assigned = cli_runner("directive", "assign", "EX-01/2026", "--provinces", "hue,kon-tum")
    assert assigned.exit_code == 0, assigned.output
    assert "EX-01/2026: tạo mới " in assigned.output and "(2 tỉnh, thành phố)" in assigned.output
    assert "Kon Tum nay thuộc Quảng Ngãi" in assigned.output
    listed = json.loads(cli_runner("directive", "list", "--json").output)
    assert {d["code"] for d in listed} == {"20/CT-BCT", "EX-01/2026"}


BAD_INPUTS = [
    (("task", "submit", "20/CT-BCT:2:ha-noi", "--as", HANOI),
     "lỗi: không thể nộp nhiệm vụ 20/CT-BCT:2:ha-noi: nhiệm vụ đang ở trạng thái «Chưa bắt đầu»; "
     "được phép lúc này: start, block",
     "error: cannot submit 20/CT-BCT:2:ha-noi: it is «Not started»; allowed now: start, block"),
    # Another province's task is unknown to the officer, word for word as a missing one.
    (("task", "start", "20/CT-BCT:2:hai-phong", "--as", HANOI),
     "không có nhiệm vụ '20/CT-BCT:2:hai-phong'",
     "unknown task '20/CT-BCT:2:hai-phong'"),
    (("task", "accept", "20/CT-BCT:2:ha-noi", "--as", HANOI), "chỉ cán bộ giám sát được làm việc này",
     "only overseers may"),
    (("task", "start", "20/CT-BCT:42:ha-noi", "--as", HANOI), "không có nhiệm vụ '20/CT-BCT:42:ha-noi'",
     "unknown task '20/CT-BCT:42:ha-noi'"),
    (("task", "start", "20/CT-BCT:2:atlantis", "--as", HANOI), "không có tỉnh, thành phố 'atlantis'",
     "unknown province 'atlantis'"),
    (("task", "start", "20/CT-BCT:2:ha-noi", "--as", "ghost@x.vn"), "không có người dùng 'ghost@x.vn'",
     "unknown user 'ghost@x.vn'"),
    (("task", "start", "20/CT-BCT:2:ha-noi", "--as", HANOI, "--progress", "140"),
     "--progress: '140' không phải là tiến độ hợp lệ", "--progress: '140' is not a valid progress"),
    (("task", "start", "20/CT-BCT:2:ha-noi", "--as", HANOI, "--progress", "nhiều"),
     "'nhiều' không phải là tiến độ hợp lệ; hãy ghi một số nguyên từ 0 đến 100", "give a whole number from 0 to 100"),
    (("task", "block", "20/CT-BCT:2:ha-noi", "--as", HANOI), "thao tác block cần ghi rõ lý do", "block needs a note"),
    (("task", "start", "20/CT-BCT:2:ha-noi", "--as", HANOI, "--as-of", "2026-02-30"),
     "--as-of: '2026-02-30' không phải là ngày hợp lệ", "--as-of: '2026-02-30' is not a valid date"),
    (("task", "start", "20/CT-BCT:2:ha-noi", "--as", HANOI, "--as-of", "30/02/2026"),
     "--as-of: '30/02/2026' không phải là ngày hợp lệ", "--as-of: '30/02/2026' is not a valid date"),
    (("tasks", "list", "--state", "finished"), "'finished' không phải là một trạng thái", "'finished' is not a state"),
    (("tasks", "list", "--region", "west"), "'west' không phải là một vùng", "'west' is not a region"),
    (("status", "--directive", "99/CT-XX"), "không có chỉ thị '99/CT-XX'", "unknown directive '99/CT-XX'"),
    (("directive", "assign", "20/CT-BCT", "--provinces", "ha-noi,atlantis"), "không có tỉnh, thành phố 'atlantis'",
     "unknown province 'atlantis'"),
    (("users", "add", "--email", "not-an-email", "--name", "X", "--role", "overseer"),
     "'not-an-email' không phải là địa chỉ email", "is not an email address"),
    (("users", "add", "--email", "b@x.vn", "--name", "X", "--role", "province"),
     "--province: người dùng của tỉnh cần có tỉnh; thêm --province MÃ_TỈNH", "needs a province; add --province"),
    (("users", "add", "--email", HANOI, "--name", "X", "--role", "overseer"), f"{HANOI} đã được đăng ký",
     "already registered"),
    (("deadlines", "extend", "20/CT-BCT:2:ha-noi", "--to", "2026-13-01", "--reason", "r", "--as", OVERSEER),
     "--to: '2026-13-01' không phải là ngày hợp lệ", "--to: '2026-13-01' is not a valid date"),
    (("report", "national", "--since", "hôm qua"), "--since: 'hôm qua' không phải là ngày hợp lệ",
     "--since: 'hôm qua' is not a valid date"),
]


@pytest.mark.parametrize(("args", "message", "english"), BAD_INPUTS,
                         ids=[" ".join(a[:2]) + f"-{i}" for i, (a, _, _) in enumerate(BAD_INPUTS)])
def test_bad_input_is_one_line_and_changes_nothing(people, db_url, monkeypatch, args, message, english):
    before = state_of(db_url)
    for argv, prefix, expected in ((args, "lỗi: ", message), (("--lang", "en", *args), "error: ", english)):
        result = people(*argv)
        assert result.exit_code == 1, result.output
        lines = result.output.strip().splitlines()
        assert len(lines) == 1, result.output
        assert lines[0].startswith(prefix)
        assert expected in lines[0]
        assert "Traceback" not in result.output
    monkeypatch.setenv("DTRACK_LANG", "en")
    assert english in people(*args).output
    assert state_of(db_url) == before


def test_bad_directive_file_names_file_field_and_problem(cli_runner, db_url, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[directive]\ncode = "X-1"\ntitle_vi = "a"\ntitle_en = "b"\nissuer_vi = "c"\nissuer_en = "d"\n'
                   '[[groups]]\nordinal = 1\ntitle_vi = "a"\ntitle_en = "b"\nkind = "one_off"\ndeadline = "soon"\n',
                   encoding="utf-8")
    before = state_of(db_url)
    result = cli_runner("directive", "load", str(bad))
    assert result.exit_code == 1
    assert result.output.startswith(f"lỗi: {bad}: groups[ordinal=1].deadline: 'soon' không phải là quy tắc tính hạn")
    assert state_of(db_url) == before


def test_unreachable_database_is_one_line(monkeypatch):
    monkeypatch.setenv("DTRACK_DATABASE_URL", "postgresql+psycopg://nobody@127.0.0.1:1/none")
    result = CliRunner().invoke(cli, ["tasks", "list"])
    assert result.exit_code == 1
    assert result.output.startswith("lỗi: không mở được cơ sở dữ liệu postgresql+psycopg://***@127.0.0.1:1/none")
    assert len(result.output.strip().splitlines()) == 1
    result = CliRunner().invoke(cli, ["--lang", "en", "tasks", "list"])
    assert result.output.startswith("error: cannot open database postgresql+psycopg://***@127.0.0.1:1/none")
    assert len(result.output.strip().splitlines()) == 1


def test_missing_sqlite_file_asks_for_init(tmp_path, monkeypatch):
    target = tmp_path / "nothing-here.db"
    monkeypatch.setenv("DTRACK_DATABASE_URL", f"sqlite:///{target}")
    result = CliRunner().invoke(cli, ["status"])
    assert result.exit_code == 1 and "hãy chạy `dtrack init` trước" in result.output
    assert not target.exists(), "a read command must not leave an empty database behind"


def test_bad_setting_in_the_environment_is_caught_at_start(cli_runner, monkeypatch):
    monkeypatch.setenv("DTRACK_DUE_SOON_DAYS", "-3")
    result = cli_runner("settings")
    assert result.exit_code == 1
    assert "DTRACK_DUE_SOON_DAYS: -3 là số âm" in result.output
    assert "DTRACK_DUE_SOON_DAYS: -3 is negative" in cli_runner("--lang", "en", "settings").output


def dtrack_executable() -> str:
    candidate = Path(sys.executable).with_name("dtrack")
    return str(candidate) if candidate.exists() else "dtrack"


def test_installed_dtrack_runs_as_a_real_process(tmp_path, backend, request):
    """init, a user, an action and a JSON listing through the installed console script."""
    url = f"sqlite:///{tmp_path / 'proc.db'}" if backend == "sqlite" else request.getfixturevalue("empty_url")
    env = {**os.environ, "DTRACK_DATABASE_URL": url, "DTRACK_TODAY": "2026-01-05"}

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([dtrack_executable(), *args], env=env, capture_output=True, text=True, timeout=120)

    assert run("init").returncode == 0
    assert run("users", "add", "--email", HANOI, "--name", "Nguyễn Văn A", "--role", "province",
               "--province", "ha-noi").returncode == 0
    started = run("task", "start", "20/CT-BCT:2:ha-noi", "--as", HANOI, "--note", "bắt đầu")
    assert started.returncode == 0, started.stderr
    listed = run("tasks", "list", "--province", "ha-noi", "--json")
    assert listed.returncode == 0, listed.stderr
    states = {row["key"]: row["state"] for row in json.loads(listed.stdout)}
    assert states["20/CT-BCT:2:ha-noi"] == "in_progress" and len(states) == 9
    refused = run("task", "accept", "20/CT-BCT:2:ha-noi", "--as", HANOI)
    assert refused.returncode == 1
    assert refused.stderr.startswith("lỗi: ") and "Traceback" not in refused.stderr


def _tables(url: str) -> set[str]:
    from sqlalchemy import create_engine, inspect

    engine = create_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


@pytest.mark.parametrize("foreign", [
    "CREATE TABLE provinces (x INTEGER)",  # another application's table where dtrack wants one
    "CREATE TABLE alembic_version (version_num VARCHAR(32)); INSERT INTO alembic_version VALUES ('0099')",
])
def test_a_migration_that_fails_is_one_line_and_changes_nothing(empty_url, monkeypatch, foreign):
    from sqlalchemy import create_engine

    engine = create_engine(empty_url)
    with engine.begin() as conn:
        for statement in foreign.split("; "):
            conn.exec_driver_sql(statement)
    engine.dispose()
    before = _tables(empty_url)
    monkeypatch.setenv("DTRACK_DATABASE_URL", empty_url)
    result = CliRunner().invoke(cli, ["--lang", "en", "init"])
    assert result.exit_code == 1
    [line] = result.output.strip().splitlines()
    assert line.startswith("error: cannot prepare database ")
    assert ("provinces" in line and "already exists" in line) or ("'0099'" in line and "upgrade dtrack" in line)
    assert _tables(empty_url) == before


def test_a_file_that_is_not_a_database_is_one_line(tmp_path, monkeypatch):
    target = tmp_path / "notes.db"
    target.write_text("Biên bản họp, không phải cơ sở dữ liệu\n", encoding="utf-8")
    monkeypatch.setenv("DTRACK_DATABASE_URL", f"sqlite:///{target}")
    for command in (["init"], ["tasks", "list"]):
        result = CliRunner().invoke(cli, command)
        assert result.exit_code == 1
        [line] = result.output.strip().splitlines()
        assert line.startswith("lỗi: không mở được cơ sở dữ liệu ") and "file is not a database" in line
    assert target.read_text(encoding="utf-8").startswith("Biên bản họp")


def test_settings_never_print_the_database_password(monkeypatch, tmp_path):
    monkeypatch.setenv("DTRACK_DATABASE_URL", "postgresql+psycopg://dtrack:s3cr3t-m4t-khau@db.example.vn/dtrack")
    result = CliRunner().invoke(cli, ["settings"])
    assert result.exit_code == 0, result.output
    assert "s3cr3t-m4t-khau" not in result.output
    assert "postgresql+psycopg://***@db.example.vn/dtrack" in result.output


def test_as_of_shows_the_state_of_that_day_after_later_transitions(world, cli_runner):
    """`status` and `tasks list --as-of` replay history as the reports do, not today's rows."""
    from datetime import date

    from dtrack.config.clock import Clock
    from dtrack.reports.document import ReportOptions
    from dtrack.reports.province import province_report

    key = "20/CT-BCT:9:ha-noi:2025-H2"  # due 15/12/2025
    officer, overseer = world.user("province", "ha-noi"), world.user("overseer", None)
    for day, trigger, actor in ((date(2025, 12, 1), "start", officer), (date(2026, 1, 2), "submit", officer),
                                (date(2026, 1, 4), "accept", overseer)):
        world.clock = Clock(pinned=day)
        world.fire(key, trigger, actor)

    def listed(as_of: str, *extra: str) -> dict:
        out = cli_runner("tasks", "list", "--province", "ha-noi", "--group", "9", "--json", "--as-of", as_of, *extra)
        assert out.exit_code == 0, out.output
        return {v["key"]: v for v in json.loads(out.output)}

    then = listed("2025-12-20")[key]
    assert (then["state"], then["deadline_status"], then["deadline_days"]) == ("in_progress", "overdue", 5)
    assert listed("2025-11-20")[key]["state"] == "not_started"
    assert listed("2026-01-03")[key]["deadline_status"] == "awaiting_review"
    assert listed("2026-01-05")[key]["deadline_status"] == "completed_late"
    # --state matches the day's state, not today's; a task not yet assigned that day is not listed.
    assert key in listed("2025-12-20", "--state", "in_progress")
    assert key not in listed("2025-12-20", "--state", "completed")
    assert listed("2025-11-01") == {}

    status = json.loads(cli_runner("status", "--json", "--as-of", "2025-12-20").output)
    ha_noi = next(p for p in status["provinces"] if p["slug"] == "ha-noi")
    assert (ha_noi["states"]["9"], ha_noi["deadline"]["9"], ha_noi["overdue"]["9"]) == ("in_progress", "overdue", 1)
    overdue = json.loads(cli_runner("overdue", "--json", "--as-of", "2025-12-20").output)
    assert key in {t["key"] for t in overdue["overdue"]} and overdue["per_province"]["ha-noi"] == 1
    assert overdue["total_overdue"] == sum(sum(p["overdue"].values()) for p in status["provinces"])
    with world.db.session() as s:
        report = province_report(s, "ha-noi", ReportOptions(Today(date(2025, 12, 20))))
    row = next(r for r in report.table("groups").rows if r[0] == 9)
    assert row[3] == "Đang thực hiện" and "Quá hạn" in row[7]
    # Today: completed (late), as the rows say.
    today = json.loads(cli_runner("status", "--json", "--as-of", "2026-01-05").output)
    assert next(p for p in today["provinces"] if p["slug"] == "ha-noi")["deadline"]["9"] == "completed_late"


def test_task_not_applicable_and_applicable_from_the_shell(people, english):
    run = people
    key = "20/CT-BCT:9:ha-noi:2025-H2"  # overdue since 15/12/2025
    before = json.loads(run("overdue", "--json", "--province", "ha-noi").output)
    assert key in {t["key"] for t in before["overdue"]}
    refused = run("task", "not-applicable", key, "--reason", "Không có đề án", "--as", HANOI)
    assert refused.exit_code == 1
    assert refused.output.strip().splitlines() == [
        f"error: {HANOI} may not exempt {key}: only overseers may mark a task not applicable "
        "or applicable"]
    assert '"not_applicable": false' in run("tasks", "list", "--province", "ha-noi", "--json").output
    marked = run("task", "not-applicable", key, "--reason", "Hà Nội không có làng nghề đan lát", "--as", OVERSEER)
    assert marked.exit_code == 0 and marked.output.strip() == \
        f"{key}: marked not applicable (Hà Nội không có làng nghề đan lát)"
    shown = run("task", "show", key)
    assert "Not applicable: Hà Nội không có làng nghề đan lát" in shown.output and "exempt" in shown.output
    again = run("task", "not-applicable", key, "--reason", "lần nữa", "--as", OVERSEER)
    assert again.exit_code == 1 and again.output.startswith(f"error: {key} is already marked not applicable")
    overdue = json.loads(run("overdue", "--json", "--province", "ha-noi").output)
    assert key not in {t["key"] for t in overdue["overdue"]}
    assert overdue["total_overdue"] == before["total_overdue"] - 1
    restored = run("task", "applicable", key, "--as", OVERSEER, "--reason", "Có đề án mới")
    assert restored.exit_code == 0 and restored.output.strip() == f"{key}: applicable again"
    assert "restore" in run("task", "show", key).output
