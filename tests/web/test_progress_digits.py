"""Progress is ASCII digits (and an optional %), the same in the CLI, the web form and the API.

`int()` also reads Arabic-Indic ('٣٠'), full-width ('３０'), signed ('+30') and
underscored ('3_0') numbers; none of them is what a form's "30" means.
"""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dtrack.errors import InvalidInput
from dtrack.workflow.service import parse_progress
from tests.web.http_support import count, form_of

KEY = "20/CT-BCT:2:ha-noi"
# An empty form field is "no progress given" (an update may carry only a note), not a mistake.
ACCEPTED = {"30": 30, " 30 ": 30, "30%": 30, "30 %": 30, "0": 0, "100": 100, "007": 7}
REFUSED = ["٣٠", "３０", "+30", "-0", "3_0", "30.0", "1e2", "\u00b2", "101", "30%%", "0x1e"]


@given(st.text(max_size=6))
def test_only_ascii_digits_are_a_progress(typed):
    core = typed.strip().removesuffix("%").rstrip()
    try:
        value = parse_progress(typed)
    except InvalidInput as exc:
        assert exc.error_code == "bad_progress"
        assert not (core.isascii() and core.isdigit() and int(core) <= 100)
    else:
        assert core.isascii() and core.isdigit() and value == int(core)


def test_the_cli_the_form_and_the_api_agree(site, cli_runner):
    from tests.web.test_api import api, token_for

    task_id = site.task_id(KEY)
    officer = site.emails["own"]
    assert cli_runner("task", "start", KEY, "--as", officer).exit_code == 0
    browser = site.client("own")
    rest = api(site, token_for(site, "own"))
    for typed in REFUSED:
        events = count(site, "events")
        result = cli_runner("task", "update", KEY, "--as", officer, "--progress", typed)
        assert result.exit_code == 1 and len(result.stderr.strip().splitlines()) == 1, (typed, result.output)
        assert "--progress" in result.stderr and "Traceback" not in result.output
        token, version = form_of(browser, task_id)
        page = browser.post(f"/tasks/{task_id}/actions/update",
                            data={"csrf_token": token, "version": version, "progress": typed})
        assert page.status_code == 422 and "Tiến độ phải là số nguyên từ 0 đến 100." in page.text, typed
        answer = rest.post(f"/api/v1/tasks/{task_id}/transitions", json={"trigger": "update", "progress": typed})
        assert answer.status_code == 422 and answer.json()["field"] in ("progress", "--progress"), typed
        assert count(site, "events") == events  # nothing recorded
    for typed, value in ACCEPTED.items():
        # A note each time: the same value typed another way is otherwise an empty update (refused, issue 26).
        assert cli_runner("task", "update", KEY, "--as", officer, "--progress", typed,
                          "--note", f"gõ {typed!r}").exit_code == 0, typed
        assert site.scalar("SELECT progress FROM tasks WHERE id = :i", i=task_id) == value
    token, version = form_of(browser, task_id)
    done = browser.post(f"/tasks/{task_id}/actions/update", data={"csrf_token": token, "version": version,
                                                                  "progress": " 45 "})
    assert done.status_code == 303 and site.scalar("SELECT progress FROM tasks WHERE id = :i", i=task_id) == 45
    answer = rest.post(f"/api/v1/tasks/{task_id}/transitions", json={"trigger": "update", "progress": 55})
    assert answer.status_code == 200 and site.scalar("SELECT progress FROM tasks WHERE id = :i", i=task_id) == 55
    assert rest.post(f"/api/v1/tasks/{task_id}/transitions",
                     json={"trigger": "update", "progress": True}).status_code == 422


@pytest.mark.parametrize("typed", ["٣٠", "３０", "+30"])
def test_the_vietnamese_line_quotes_what_was_typed(typed):
    from dtrack.i18n.error_messages import word

    with pytest.raises(InvalidInput) as refused:
        parse_progress(typed)
    assert refused.value.field == "progress"
    assert word(refused.value, "vi").line() == (f"{typed!r} không phải là tiến độ hợp lệ; "
                                                "hãy ghi một số nguyên từ 0 đến 100")
