"""The command line speaks Vietnamese by default and English on request; dates both ways; no traceback on junk."""
from __future__ import annotations

import json
from datetime import date

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

HANOI = "a@soct.hanoi.gov.vn"
FIXTURE_SAFE = settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def test_vietnamese_by_default_english_with_lang_or_dtrack_lang(cli_runner, monkeypatch):
    listed = cli_runner("tasks", "list", "--province", "ha-noi")
    header = listed.output.splitlines()[0]
    assert header.split() [:3] == ["nhiệm", "vụ", "tỉnh,"] and "trạng thái" in header and "tình trạng hạn" in header
    assert "Chưa bắt đầu" in listed.output and "not_started" not in listed.output
    assert listed.output.rstrip().endswith("9 nhiệm vụ")
    added = cli_runner("users", "add", "--email", HANOI, "--name", "Nguyễn Văn A", "--role", "province",
                       "--province", "hanoi")
    assert added.output.strip() == f"đã thêm {HANOI} (cán bộ Sở Công Thương của ha-noi)"
    users = cli_runner("users", "list")
    assert users.output.splitlines()[0].split()[:3] == ["email", "tên", "vai"]
    for english in (cli_runner("--lang", "en", "tasks", "list", "--province", "ha-noi"),
                    cli_runner("tasks", "list", "--province", "ha-noi", "--lang", "en")):
        assert english.output.splitlines()[0].split()[:3] == ["task", "province", "title"]
        assert "Not started" in english.output and english.output.rstrip().endswith("9 task(s)")
    refused = cli_runner("tasks", "list", "--state", "x", "--lang", "en")  # a command's --lang words its errors too
    assert refused.output.startswith("error: --state: 'x' is not a state")
    monkeypatch.setenv("DTRACK_LANG", "en")
    assert cli_runner("tasks", "list", "--province", "ha-noi").output.rstrip().endswith("9 task(s)")
    assert cli_runner("--lang", "vi", "tasks", "list", "--province", "ha-noi").output.rstrip().endswith("9 nhiệm vụ")
    assert "added" in cli_runner("users", "add", "--email", "b@x.vn", "--name", "B", "--role", "overseer").output
    # A sweep opens the next period's tasks: last, so the counts above stay ten.
    assert cli_runner("reminders", "run").output.startswith("sweep as of 2026-01-05: 68 reminder(s) written")
    assert cli_runner("--lang", "vi", "reminders", "run").output.startswith("quét ngày 05/01/2026: ghi 0 lời nhắc")


def test_json_stays_english_and_raw_whatever_the_language(cli_runner):
    vi = json.loads(cli_runner("tasks", "list", "--province", "ha-noi", "--json").output)
    en = json.loads(cli_runner("--lang", "en", "tasks", "list", "--province", "ha-noi", "--json").output)
    assert vi == en and vi[0]["state"] == "not_started" and vi[0]["due_on"].count("-") == 2


def test_province_shorthands_on_the_command_line(cli_runner):
    keys = None
    for ref in ("hcm", "tp-hcm", "TP.HCM", "tphcm", "TP. Hồ Chí Minh", "Thành phố Hồ Chí Minh"):
        result = cli_runner("tasks", "list", "--province", ref, "--json")
        assert result.exit_code == 0, result.output
        found = [row["key"] for row in json.loads(result.output)]
        assert found and all(k.endswith(":ho-chi-minh") or ":ho-chi-minh:" in k for k in found)
        keys = keys or found
        assert found == keys
    shown = cli_runner("task", "show", "20/CT-BCT:2:hcm")
    assert shown.exit_code == 0 and "TP. Hồ Chí Minh (ho-chi-minh, Miền Nam)" in shown.output


def test_task_show_gives_names_and_the_deadline_status(cli_runner):
    cli_runner("users", "add", "--email", HANOI, "--name", "Nguyễn Văn A", "--role", "province", "--province", "ha-noi")
    key = "20/CT-BCT:9:ha-noi:2025-H2"  # due 15/12/2025: 21 days overdue on 05/01/2026
    assert cli_runner("task", "start", key, "--as", HANOI, "--as-of", "20/12/2025").exit_code == 0
    shown = cli_runner("task", "show", key)
    assert "so với hạn: Quá hạn (21 ngày)" in shown.output
    assert f"Nguyễn Văn A <{HANOI}>" in shown.output and "20/12/2025" in shown.output
    assert "hạn: 15/12/2025" in shown.output and "thao tác được phép: update, submit, block" in shown.output
    earlier = cli_runner("task", "show", key, "--as-of", "10/12/2025")
    assert "so với hạn: Sắp đến hạn (5 ngày)" in earlier.output
    english = cli_runner("--lang", "en", "task", "show", key)
    assert "timeliness: Overdue (21 days)" in english.output and "Nguyễn Văn A" in english.output
    data = json.loads(cli_runner("task", "show", key, "--json").output)
    assert data["deadline_status"] == "overdue" and data["deadline_days"] == 21


@FIXTURE_SAFE
@given(st.dates(min_value=date(2025, 11, 4), max_value=date(2027, 12, 31)))
def test_both_spellings_of_a_date_give_the_same_result(cli_runner, day):
    for args in (("overdue", "--json", "--as-of"), ("tasks", "list", "--province", "hue", "--json", "--as-of"),
                 ("report", "national", "--format", "md", "--since", "03/11/2025", "--as-of")):
        iso = cli_runner(*args, day.isoformat())
        dmy = cli_runner(*args, f"{day:%d/%m/%Y}")
        assert iso.exit_code == dmy.exit_code == 0, dmy.output
        assert iso.output == dmy.output


@FIXTURE_SAFE
@given(st.text(max_size=12))
@example("\x00").via("PostgreSQL refuses NUL in text")
@example("20/CT-BCT:2:\x00")
@example("31/02/2026")
@example("99999999999999999999")
def test_junk_option_values_never_give_a_traceback(cli_runner, junk):
    for args in (("tasks", "list", "--province", junk), ("tasks", "list", "--state", junk),
                 ("tasks", "list", "--group", junk),
                 ("overdue", "--as-of", junk), ("overdue", "--min-days", junk), ("task", "show", junk),
                 ("task", "start", "20/CT-BCT:2:ha-noi", "--as", junk),
                 ("directive", "assign", "20/CT-BCT", "--provinces", junk),
                 ("status", "--region", junk), ("deadlines", "extend", "--group", "9", "--to", junk, "--reason", "r",
                                                "--as", "nobody@x.vn")):
        result = cli_runner(*args)  # catch_exceptions=False: an unexpected exception fails the test
        assert result.exit_code in (0, 1, 2), (args, result.output)
        assert "Traceback" not in result.output
        if result.exit_code:
            assert result.output.strip().splitlines()[-1].startswith("lỗi: "), result.output


def test_a_usage_mistake_is_said_in_vietnamese_too(cli_runner):
    missing = cli_runner("task", "start", "20/CT-BCT:2:ha-noi")
    assert missing.exit_code == 2 and "lỗi: thiếu '--as' (bắt buộc)" in missing.output
    unknown = cli_runner("tasks", "list", "--provnce", "hue")
    assert unknown.exit_code == 2 and "lỗi: không có tuỳ chọn --provnce" in unknown.output
    assert "Error: No such option" in cli_runner("--lang", "en", "tasks", "list", "--provnce", "hue").output


def test_stored_values_are_shown_in_words(cli_runner):
    assert cli_runner("reminders", "run").exit_code == 0
    listed = cli_runner("reminders", "list")
    assert "đã quá hạn" in listed.output and "quá hạn lâu, cần đôn đốc" in listed.output and " chờ" in listed.output
    assert "pending" not in listed.output and "escalation" not in listed.output
    english = cli_runner("--lang", "en", "reminders", "list")
    assert "pending" in english.output and "long overdue (escalated)" in english.output
    table = cli_runner("lifecycle", "--format", "table")
    assert "send-back  Đã nộp, chờ duyệt" in table.output and "not_started" not in table.output
    assert "thành phố" in cli_runner("provinces").output
