"""Errors under /api/ are problem+json in the API's words, and a task the caller may not see looks missing.

- The router's own 404 and 405 under /api/ are problem documents (a 405 with
  its Allow header); elsewhere they stay HTML pages.
- A problem's `field` is the API's field name (`progress`, `note`), never the
  command line's `--progress`, and its `detail` holds no `--option`: no
  wording an API caller can read names one (tests/test_error_codes.py).
- Another province's task and a task id that does not exist get the same
  status and the same body but for the id, on the pages and in the API.
"""
from __future__ import annotations

import re

import pytest

from tests.web.http_support import csrf_of
from tests.web.test_api import api, token_for

PROBLEM = "application/problem+json"
MISSING = 987654  # no test world has this many tasks


def _problem(answer, status: int) -> dict:
    assert answer.status_code == status, answer.text[:300]
    assert answer.headers["content-type"].startswith(PROBLEM), answer.headers["content-type"]
    body = answer.json()
    assert body["status"] == status and body["title"] and body["detail"]
    return body


def test_unknown_api_paths_and_wrong_methods_are_problems_and_pages_stay_html(site):
    own = api(site, token_for(site, "own"))
    for path in ("/api/v1/nothing-here", "/api/v1/tasks/not-a-number", "/api/v2/tasks"):
        _problem(own.get(path), 404)
    for method, path, allowed in (("DELETE", "/api/v1/tasks", {"GET", "HEAD"}),
                                  ("PUT", "/api/v1/indicators", {"GET", "HEAD", "POST"}),
                                  ("GET", "/api/v1/tasks/1/transitions", {"POST"})):
        answer = own.request(method, path)
        _problem(answer, 405)
        assert set(re.split(r",\s*", answer.headers["allow"])) == allowed
    page = site.client("own").get("/nothing-here")
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")


def test_a_problems_field_and_detail_are_the_apis_words(site):
    own = api(site, token_for(site, "own"))
    task_id = site.task_id("20/CT-BCT:2:ha-noi")
    path = f"/api/v1/tasks/{task_id}/transitions"
    assert own.post(path, json={"trigger": "start"}).status_code == 200
    # Refused by the core (it words this for the command line: `--note`, `add --note "..."`).
    blocked = _problem(own.post(path, json={"trigger": "block"}), 422)
    assert blocked["field"] == "note" and "--" not in blocked["detail"]
    # Refused at the edge, by the document's own constraints.
    for body, field in (({"trigger": "update", "progress": 140}, "progress"),
                        ({"trigger": "update", "progress": "nhiều"}, "progress"),
                        ({"trigger": "update", "note": None}, "note"), ({"note": "x"}, "trigger")):
        refused = _problem(own.post(path, json=body), 422)
        assert refused["field"] == field and "--" not in refused["detail"], refused
    assert _problem(own.get("/api/v1/indicators?lang=AAA"), 422)["field"] == "lang"
    overseer = api(site, token_for(site, "overseer"))
    for query, field in (("min_days=-1", "min_days"), ("region=", "region"), ("page=x", "page")):
        assert _problem(overseer.get(f"/api/v1/overdue?{query}"), 422)["field"] == field
    assert site.version(task_id) == 2  # only the start went through


def _same_but_the_id(hidden, missing, hidden_id: int) -> None:
    assert hidden.status_code == missing.status_code
    assert hidden.headers["content-type"] == missing.headers["content-type"]
    assert re.sub(rf"\b{hidden_id}\b", "ID", hidden.text) == re.sub(rf"\b{MISSING}\b", "ID", missing.text)


@pytest.mark.parametrize("action", ["read", "start"])
def test_another_provinces_task_answers_as_a_missing_one_in_the_api(site, action):
    own = api(site, token_for(site, "own"))
    hue = site.task_id("20/CT-BCT:2:hue")
    if action == "read":
        hidden, missing = own.get(f"/api/v1/tasks/{hue}"), own.get(f"/api/v1/tasks/{MISSING}")
    else:
        hidden = own.post(f"/api/v1/tasks/{hue}/transitions", json={"trigger": "start"})
        missing = own.post(f"/api/v1/tasks/{MISSING}/transitions", json={"trigger": "start"})
    _problem(hidden, 404)
    _same_but_the_id(hidden, missing, hue)
    assert site.version(hue) == 1


@pytest.mark.parametrize("action", ["read", "start", "extend", "comment"])
def test_another_provinces_task_answers_as_a_missing_one_on_the_pages(site, action):
    officer = site.client("own")
    hue = site.task_id("20/CT-BCT:2:hue")
    token = csrf_of(officer)

    def ask(task_id: int):
        if action == "read":
            return officer.get(f"/tasks/{task_id}")
        form = {"csrf_token": token, "version": "1", "to": "30/06/2027", "reason": "Gia hạn", "body": "Xin hỏi"}
        where = {"start": "actions/start", "extend": "extend", "comment": "comments"}[action]
        return officer.post(f"/tasks/{task_id}/{where}", data=form)

    hidden, missing = ask(hue), ask(MISSING)
    assert hidden.status_code == 404 and hidden.headers["content-type"].startswith("text/html")
    _same_but_the_id(hidden, missing, hue)
    assert site.version(hue) == 1
