"""Bulk accept from the review queue: one transaction per task; a refusal on one loses none of the others."""
from __future__ import annotations

from tests.web.http_support import CSRF, count


def _submit(site, key: str) -> int:
    from dtrack.workflow.service import Tracker

    tracker = Tracker(site.db, site.clock)
    officer = site.emails["own"]
    tracker.fire(key, "start", officer)
    tracker.fire(key, "submit", officer, evidence="QĐ 12/QĐ-UBND")
    return site.task_id(key)


def test_accepting_many_lists_what_was_done_and_what_was_not(site):
    ids = [_submit(site, f"20/CT-BCT:{g}:ha-noi") for g in (2, 3, 4)]
    overseer = site.client("overseer")
    page = overseer.get("/review")
    assert all(f'name="task_{i}"' in page.text for i in ids)
    # Another overseer accepts one of them first: the bulk accept must still do the other two.
    from dtrack.workflow.service import Tracker

    Tracker(site.db, site.clock).fire(str(ids[1]), "accept", site.emails["admin"])
    before = count(site, "events", "trigger = 'accept'")
    answer = overseer.post("/review/accept", data={"csrf_token": CSRF.search(page.text).group(1), "note": "Đạt",
                                                   **{f"task_{i}": "1" for i in ids}})
    assert answer.status_code == 200
    assert 'data-done="20/CT-BCT:2:ha-noi"' in answer.text and 'data-done="20/CT-BCT:4:ha-noi"' in answer.text
    assert f'data-refused="{ids[1]}"' in answer.text and "đang ở trạng thái «Hoàn thành»" in answer.text
    assert count(site, "events", "trigger = 'accept'") == before + 2
    assert count(site, "tasks", "state = 'completed'") == 3


def test_the_json_answer_and_a_province_officer_refused(site):
    ids = [_submit(site, "20/CT-BCT:5:ha-noi")]
    overseer = site.client("overseer")
    token = CSRF.search(overseer.get("/review").text).group(1)
    data = overseer.post("/review/accept?format=json", data={"csrf_token": token, f"task_{ids[0]}": "1"}).json()
    assert [d["task_key"] for d in data["done"]] == ["20/CT-BCT:5:ha-noi"] and data["refused"] == []
    assert data["done"][0]["after"] == "completed"
    own = site.client("own")
    refused = own.post("/review/accept", data={"csrf_token": CSRF.search(own.get("/indicators").text).group(1),
                                               f"task_{ids[0]}": "1"})
    assert refused.status_code == 403


def test_a_group_extension_from_the_web_goes_task_by_task(site):
    from dtrack.workflow.service import Tracker

    tracker = Tracker(site.db, site.clock)
    for trigger, who in (("start", "own"), ("submit", "own"), ("accept", "overseer")):
        tracker.fire("20/CT-BCT:3:ha-noi", trigger, site.emails[who])
    overseer = site.client("overseer")
    token = CSRF.search(overseer.get("/extend-group").text).group(1)
    before = count(site, "events", "trigger = 'extend'")
    answer = overseer.post("/extend-group?format=json", data={
        "csrf_token": token, "directive": "20/CT-BCT", "group": "3", "provinces": "north", "to": "30/06/2027",
        "reason": "Chờ hướng dẫn của Bộ"})
    data = answer.json()
    refused = {ref: why for ref, why in ((r["task"], r["code"]) for r in data["refused"])}
    # Hà Nội's is completed: its deadline is final; the other northern provinces' move, each audited.
    assert len(refused) == 1 and next(iter(refused.values())) == "deadline_final"
    assert len(data["done"]) >= 10 and all(d["after"] == "30/06/2027" for d in data["done"])
    assert count(site, "events", "trigger = 'extend'") == before + len(data["done"])
