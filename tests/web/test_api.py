"""The JSON API: tokens, the same shapes as --json, the core's permissions, problem documents."""
from __future__ import annotations

import json
import re

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from dtrack.accounts.admin import disable_user
from dtrack.accounts.api_tokens import create_token, revoke_token
from tests.web.http_support import CSRF, count

TOKEN = re.compile(r'data-new-token value="([^"]+)"')


def token_for(site, who: str, days: int = 30) -> str:
    user_id = site.scalar("SELECT id FROM users WHERE email = :e", e=site.emails[who])
    return create_token(site.db, site.clock, user_id, f"thử nghiệm {who}", days).token


def api(site, token: str | None):
    client = site.anonymous()
    if token:
        client.headers["Authorization"] = f"Bearer {token}"
    return client


def test_a_token_is_made_on_the_account_page_shown_once_and_hashed(site):
    browser = site.client("own")
    page = browser.get("/account")
    assert page.text.count('data-action="token"') == 1 and page.text.count('id="tokens"') == 1
    assert "<section" not in page.text.split("<title>", 1)[1].split("</title>", 1)[0]
    made = browser.post("/account/tokens", data={"csrf_token": CSRF.search(page.text).group(1),
                                                 "token_name": "Bảng tính tuần", "token_days": "30"})
    assert made.status_code == 200
    token = TOKEN.search(made.text).group(1)
    assert token.startswith("dtk_")
    assert site.scalar("SELECT count(*) FROM api_tokens WHERE token_hash = :t", t=token) == 0  # never stored raw
    assert TOKEN.search(browser.get("/account").text) is None
    assert api(site, token).get("/api/v1/tasks").status_code == 200
    bad = browser.post("/account/tokens", data={"csrf_token": CSRF.search(page.text).group(1),
                                                "token_name": "", "token_days": "9999"})
    assert bad.status_code == 422 and "field-error" in bad.text


def test_tasks_list_has_the_cli_json_shape_and_a_province_token_sees_only_its_province(site):
    own = api(site, token_for(site, "own"))
    listing = own.get("/api/v1/tasks?limit=3").json()
    # Hà Nội's nine groups: group 10 is one task, the Department's (keyed 20/CT-BCT:10:cuc).
    assert listing["total"] == 9 and len(listing["items"]) == 3 and listing["limit"] == 3
    assert {item["province"] for item in own.get("/api/v1/tasks?limit=500").json()["items"]} == {"ha-noi"}
    assert set(listing["items"][0]) >= {"id", "key", "state", "progress", "due_on", "deadline_status"}
    refused = own.get("/api/v1/tasks?province=hue")
    assert refused.status_code == 403 and refused.headers["content-type"].startswith("application/problem+json")
    assert "không được xem danh sách hue" in refused.json()["detail"]  # a Vietnamese account: in Vietnamese
    overseer = api(site, token_for(site, "overseer"))
    everyone = 9 * 34 + 1  # nine groups in each province, and the Department's own task
    assert overseer.get("/api/v1/tasks?limit=1").json()["total"] == everyone
    assert overseer.get("/api/v1/tasks?region=south&limit=500").json()["total"] < everyone


def test_the_same_json_as_the_command_line(site, monkeypatch):
    from click.testing import CliRunner

    from dtrack.cli import cli

    monkeypatch.setenv("DTRACK_DATABASE_URL", site.db.url)
    monkeypatch.setenv("DTRACK_TODAY", site.clock.today().isoformat())
    printed = json.loads(CliRunner().invoke(cli, ["tasks", "list", "--province", "ha-noi", "--as-of",
                                                  site.clock.today().isoformat(), "--json"]).output)
    served = api(site, token_for(site, "own")).get("/api/v1/tasks?limit=500").json()["items"]
    assert served == printed


def test_a_transition_with_the_expected_version_and_its_conflict(site):
    own = api(site, token_for(site, "own"))
    task_id = site.task_id("20/CT-BCT:2:ha-noi")
    version = site.version(task_id)
    done = own.post(f"/api/v1/tasks/{task_id}/transitions",
                    json={"trigger": "start", "note": "Giao Trung tâm Khuyến công", "expected_version": version})
    assert done.status_code == 200 and done.json()["to_state"] == "in_progress"
    stale = own.post(f"/api/v1/tasks/{task_id}/transitions", json={"trigger": "update", "progress": 40,
                                                                  "expected_version": version})
    assert stale.status_code == 409 and stale.json()["status"] == 409
    wrong = own.post(f"/api/v1/tasks/{task_id}/transitions", json={"trigger": "accept"})
    assert wrong.status_code == 403
    bad = own.post(f"/api/v1/tasks/{task_id}/transitions", json={"trigger": "update", "progress": 140})
    assert bad.status_code == 422 and bad.json()["field"] == "progress" and "--" not in bad.json()["detail"]
    history = own.get(f"/api/v1/tasks/{task_id}").json()["history"]
    assert [h["trigger"] for h in history] == ["start"]
    other = site.task_id("20/CT-BCT:2:hue")  # another province's task: answered as a missing one
    assert own.post(f"/api/v1/tasks/{other}/transitions", json={"trigger": "start"}).status_code == 404
    assert own.get(f"/api/v1/tasks/{other}").status_code == 404


def test_review_reads_and_reports_are_for_overseers(site):
    own, overseer = api(site, token_for(site, "own")), api(site, token_for(site, "overseer"))
    for path in ("/api/v1/overdue", "/api/v1/matrix", "/api/v1/status", "/api/v1/reports/national"):
        assert own.get(path).status_code == 403, path
        assert overseer.get(path).status_code == 200, path
    xlsx = overseer.get("/api/v1/reports/national?format=xlsx")
    assert xlsx.content[:2] == b"PK" and "attachment" in xlsx.headers["content-disposition"]
    assert own.get("/api/v1/reports/province/ha-noi?format=md").status_code == 200
    assert own.get("/api/v1/reports/province/hue").status_code == 403


def test_tokens_end_when_revoked_expired_or_the_user_is_disabled(site):
    user_id = site.scalar("SELECT id FROM users WHERE email = :e", e=site.emails["own"])
    made = create_token(site.db, site.clock, user_id, "ngắn", 1)
    assert api(site, made.token).get("/api/v1/tasks").status_code == 200
    site.clock.advance(days=1, seconds=1)
    expired = api(site, made.token).get("/api/v1/tasks")
    assert expired.status_code == 401 and "mã truy cập đã hết hạn" in expired.json()["detail"]
    assert expired.headers["www-authenticate"].startswith("Bearer")
    second = create_token(site.db, site.clock, user_id, "thứ hai", 30)
    revoke_token(site.db, site.clock, user_id, second.view.id)
    assert api(site, second.token).get("/api/v1/tasks").status_code == 401
    third = create_token(site.db, site.clock, user_id, "thứ ba", 30)
    disable_user(site.db, site.clock, site.emails["own"])
    assert api(site, third.token).get("/api/v1/tasks").status_code == 401
    assert count(site, "auth_events", "kind = 'token_created'") == 3
    assert count(site, "auth_events", "kind = 'token_revoked'") == 1


@pytest.mark.parametrize("header", ["", "Bearer", "Bearer dtk_khong-phai", "Basic dXNlcjpwYXNz", "bearer  "])
def test_no_valid_token_is_a_401_problem(site, header):
    client = site.anonymous()
    if header:
        client.headers["Authorization"] = header
    answer = client.get("/api/v1/tasks")
    assert answer.status_code == 401 and answer.json()["title"] == "Unauthorized"


def test_bad_bodies_are_problems_not_server_errors(site):
    own = api(site, token_for(site, "own"))
    path = f"/api/v1/tasks/{site.task_id('20/CT-BCT:2:ha-noi')}/transitions"
    assert own.post(path, content=b"{not json", headers={"content-type": "application/json"}).status_code == 400
    assert own.post(path, content=b"[1]", headers={"content-type": "application/json"}).status_code == 422
    assert own.post(path, data={"trigger": "start"}).status_code == 415
    assert own.post(path, json={}).status_code == 422
    assert count(site, "events") == 0


@hsettings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(params=st.dictionaries(st.sampled_from(["province", "region", "state", "directive", "group", "limit", "offset"]),
                              st.text(max_size=12), max_size=4))
def test_any_query_gives_an_answer_and_never_another_province(site, params):
    own = api(site, _OWN_TOKENS.setdefault(id(site), token_for(site, "own")))
    answer = own.get("/api/v1/tasks", params=params)
    assert answer.status_code in (200, 400, 403, 404, 422), answer.text  # 400: a NUL in the query
    if answer.status_code == 200:
        assert {item["province"] for item in answer.json()["items"]} <= {"ha-noi"}
    else:
        assert answer.json()["detail"]


_OWN_TOKENS: dict[int, str] = {}
