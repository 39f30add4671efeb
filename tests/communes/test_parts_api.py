"""The JSON API for communes' parts (issue 24): lists, a part, its transitions, on both back-ends.

The route x role matrix of tests/web/test_permissions.py only sees the API
without a token (401 for all); here every part route is called with a token
of each role, the commune officer three times: of the part's own commune, of
another commune of the same province, of another province. A refusal changes
nothing; what is hidden answers 404, what is seen but not the caller's to do
403, as for tasks. The rules are the core's (`workflow.parts`,
`workflow.part_service`): the API only calls them.
"""
from __future__ import annotations

from datetime import date

import pytest

from dtrack.accounts.api_tokens import create_token
from dtrack.workflow.parts import delegate
from dtrack.workflow.users import add_user
from tests.web.http_support import ACCOUNTS

KEY = "20/CT-BCT:2:ha-noi"
COMMUNES = {"commune_own": "00004", "commune_near": "00008", "commune_far": "19768"}
ROLES = ("own", "other", "overseer", "admin", *COMMUNES)


@pytest.fixture
def world(site):
    """Tokens for every role and Ba Đình's part of a Hà Nội task; (clients by role, task id, part id)."""
    with site.db.session() as session:
        for role, code in COMMUNES.items():
            add_user(session, email=f"{role}@xa.example.vn", name=role, role="commune", province=None,
                     now=site.clock.now(), commune=code)
    emails = {**{r: ACCOUNTS[r][0] for r in ("own", "other", "overseer", "admin")},
              **{r: f"{r}@xa.example.vn" for r in COMMUNES}}
    clients = {}
    for role, email in emails.items():
        user_id = site.scalar("SELECT id FROM users WHERE email = :e", e=email)
        client = site.anonymous()
        client.headers["Authorization"] = f"Bearer {create_token(site.db, site.clock, user_id, role, 30).token}"
        clients[role] = client
    delegate(site.db, site.clock, ACCOUNTS["own"][0], KEY, ["00004"], date(2026, 3, 2), "Báo cáo số cơ sở")
    task_id = site.task_id(KEY)
    part_id = site.scalar("SELECT id FROM task_parts WHERE task_id = :t", t=task_id)
    return clients, task_id, part_id


def _statuses(clients, method: str, url: str, **kwargs) -> dict[str, int]:
    return {role: getattr(clients[role], method)(url, **kwargs).status_code for role in ROLES}


def test_who_reads_which_parts(site, world):
    clients, task_id, part_id = world
    assert _statuses(clients, "get", f"/api/v1/tasks/{task_id}/parts") == {
        "own": 200, "other": 404, "overseer": 200, "admin": 200,
        "commune_own": 404, "commune_near": 404, "commune_far": 404}  # a province task is missing to a commune
    assert _statuses(clients, "get", f"/api/v1/parts/{part_id}") == {
        "own": 200, "other": 404, "overseer": 200, "admin": 200,
        "commune_own": 200, "commune_near": 404, "commune_far": 404}
    seen = {role: [p["key"] for p in clients[role].get("/api/v1/parts").json()] for role in ROLES}
    mine = [f"{KEY}/00004"]
    assert seen == {"own": mine, "other": [], "overseer": mine, "admin": mine, "commune_own": mine,
                    "commune_near": [], "commune_far": []}
    assert clients["commune_own"].get("/api/v1/parts?state=completed").json() == []
    detail = clients["commune_own"].get(f"/api/v1/parts/{part_id}").json()
    assert detail["commune"] == "00004" and detail["commune_name"] == "Phường Ba Đình"
    assert detail["state"] == "not_started" and detail["due_on"] == "2026-03-02" and not detail["overdue"]
    assert "start" in detail["allowed"] and [h["trigger"] for h in detail["history"]] == ["delegate"]
    assert clients["own"].get(f"/api/v1/parts/{part_id}").json()["allowed"] == []  # the commune's to start


def test_transitions_by_role_and_nothing_changes_on_a_refusal(site, world):
    clients, task_id, part_id = world
    url = f"/api/v1/parts/{part_id}/transitions"
    for role, status in (("own", 403), ("overseer", 403), ("other", 404), ("commune_near", 404),
                         ("commune_far", 404)):
        before = site.fingerprint()
        answer = clients[role].post(url, json={"trigger": "start"})
        assert answer.status_code == status, (role, answer.text)
        assert answer.headers["content-type"].startswith("application/problem+json")
        assert site.fingerprint() == before, role
    started = clients["commune_own"].post(url, json={"trigger": "start", "expected_version": 1})
    assert started.status_code == 200, started.text
    assert started.json()["task_key"] == f"{KEY}/00004" and started.json()["to_state"] == "in_progress"
    stale = clients["commune_own"].post(url, json={"trigger": "update", "progress": 40, "expected_version": 1})
    assert stale.status_code == 409
    assert clients["commune_own"].post(url, json={"trigger": "update", "progress": 60}).status_code == 200
    assert clients["commune_own"].post(url, json={"trigger": "submit"}).status_code == 200
    assert clients["commune_own"].post(url, json={"trigger": "accept"}).status_code == 403  # the province judges
    accepted = clients["own"].post(url, json={"trigger": "accept"})
    assert accepted.status_code == 200 and accepted.json()["to_state"] == "completed", accepted.text
    shown = clients["overseer"].get(f"/api/v1/tasks/{task_id}/parts").json()
    assert [(p["state"], p["progress"]) for p in shown] == [("completed", 100)]
    history = clients["own"].get(f"/api/v1/parts/{part_id}").json()["history"]
    assert [h["trigger"] for h in history] == ["delegate", "start", "update", "submit", "accept"]


@pytest.mark.parametrize(("body", "status", "field"), [
    ({"trigger": "start", "progress": 101}, 422, "progress"),
    ({"trigger": "fly"}, 422, "trigger"),
    ({}, 422, "trigger"),
    ({"trigger": "block"}, 422, "note"),
    ({"trigger": "start", "note": "x" * 2001}, 422, "note"),
    ({"trigger": "submit"}, 409, None),  # not in progress yet: the action table refuses it
])
def test_bad_input_is_a_problem_naming_its_field_in_vietnamese(site, world, body, status, field):
    clients, _, part_id = world
    before = site.fingerprint()
    answer = clients["commune_own"].post(f"/api/v1/parts/{part_id}/transitions?lang=vi", json=body)
    assert answer.status_code == status, answer.text
    problem = answer.json()
    assert problem["status"] == status and problem.get("field") == field, problem
    assert "--" not in problem["detail"] and problem["detail"].strip()
    assert site.fingerprint() == before


def test_unknown_parts_and_queries_outside_the_document(site, world):
    clients, _, _ = world
    assert clients["admin"].get("/api/v1/parts/999999").status_code == 404
    assert clients["admin"].post("/api/v1/parts/999999/transitions", json={"trigger": "start"}).status_code == 404
    wrong = clients["commune_own"].get("/api/v1/parts?state=flying")
    assert wrong.status_code == 422 and wrong.json()["field"] == "state"
    not_json = clients["commune_own"].post("/api/v1/parts/1/transitions", content=b"trigger=start",
                                           headers={"content-type": "application/x-www-form-urlencoded"})
    assert not_json.status_code == 415
