"""`?format=json` on a page gives the same JSON as the command line's `--json` for the same view."""
from __future__ import annotations

import json

KEY = "20/CT-BCT:2:ha-noi"


def _cli_json(cli_runner, *args: str):
    result = cli_runner(*args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_pages_and_commands_share_one_json_shape(site, cli_runner):
    from dtrack.workflow.service import Tracker

    day = site.clock.today().isoformat()
    Tracker(site.db, site.clock).fire(KEY, "start", site.emails["own"], note="Giao Trung tâm Khuyến công")
    Tracker(site.db, site.clock).fire(KEY, "submit", site.emails["own"], evidence="QĐ 12/QĐ-UBND")
    overseer, own = site.client("overseer"), site.client("own")

    assert overseer.get("/status?format=json").json() == _cli_json(cli_runner, "status", "--as-of", day)
    web_overdue = overseer.get("/overdue?format=json").json()
    cli_overdue = _cli_json(cli_runner, "overdue", "--as-of", day)
    for name in ("as_of", "total_overdue", "total_awaiting_review", "per_province", "per_region", "awaiting_review"):
        assert web_overdue[name] == cli_overdue[name], name
    assert overseer.get("/review?format=json").json() == cli_overdue["awaiting_review"]

    task_id = site.task_id(KEY)
    page = own.get(f"/tasks/{task_id}?format=json").json()
    shown = _cli_json(cli_runner, "task", "show", KEY)
    assert page["history"] == shown["history"] and [h["trigger"] for h in page["history"]] == ["start", "submit"]
    assert page["key"] == shown["key"] == KEY and page["state"] == shown["state"] == "submitted"
    assert page["allowed"] == []  # the province waits for the Department; it may do nothing now
    home = own.get("/province?format=json").json()
    assert home["province"] == "ha-noi"
    assert [t["key"] for t in home["sections"]["waiting"]] == [KEY]


def test_json_is_refused_like_the_page(site):
    other = site.client("other")  # Huế's officer
    answer = other.get(f"/tasks/{site.task_id(KEY)}?format=json")
    assert answer.status_code in (403, 404)
    assert "history" not in answer.text
    assert site.anonymous().get("/review?format=json").status_code in (303, 401)
