"""A completed task keeps its deadline; provinces request extensions, overseers grant or refuse them."""
from __future__ import annotations

import threading
from datetime import date

import pytest
from sqlalchemy import func, select

from dtrack.config.today import Today
from dtrack.errors import (
    DeadlineFinal,
    ExtensionAlreadyRequested,
    InvalidInput,
    PermissionDenied,
    RequestAlreadyDecided,
    UnknownExtensionRequest,
    UnknownTask,
)
from dtrack.i18n.error_messages import word
from dtrack.persistence.models import Event, ExtensionRequest, Task
from dtrack.reading.overdue import timeliness_matrix
from dtrack.workflow.extension import extend
from dtrack.workflow.extension_requests import grant_request, list_requests, refuse_request, request_extension
from dtrack.workflow.tasks import find_task
from dtrack.workflow.vocabulary import DeadlineTrigger, RequestStatus, RequestTrigger

REPORT = "20/CT-BCT:9:ha-noi:2025-H2"  # due 15/12/2025, overdue on the test world's day (05/01/2026)


def snapshot(db) -> tuple:
    """What a refused change must leave as it was: every deadline, every event, every request."""
    with db.session() as s:
        return (list(s.execute(select(Task.id, Task.due_on, Task.version).order_by(Task.id))),
                s.scalar(select(func.count()).select_from(Event)),
                list(s.execute(select(ExtensionRequest.id, ExtensionRequest.status).order_by(ExtensionRequest.id))))


def ha_noi_rate(db, today: date):
    with db.session() as s:
        return timeliness_matrix(s, Today(today)).by_province["ha-noi"].on_time_rate


def test_a_completed_tasks_deadline_is_final_and_the_on_time_rate_holds(world):
    officer, overseer = world.user("province", "ha-noi"), world.user("overseer", None)
    for trigger, actor in (("start", officer), ("submit", officer), ("accept", overseer)):
        world.fire(REPORT, trigger, actor)
    rate = ha_noi_rate(world.db, world.clock.today())
    assert rate == 0.0  # submitted on 05/01/2026 for a 15/12/2025 deadline: completed late
    before = snapshot(world.db)
    with pytest.raises(DeadlineFinal) as caught:
        extend(world.db, world.clock, overseer, date(2026, 2, 1), "Gia hạn sau khi đã xong", task_refs=[REPORT])
    assert caught.value.task_key == REPORT and "reopens the task" in word(caught.value, "en").hint
    assert snapshot(world.db) == before
    assert ha_noi_rate(world.db, world.clock.today()) == rate
    # A group extension moves the open tasks and leaves the completed one as it is.
    done = extend(world.db, world.clock, overseer, date(2026, 2, 1), "Gia hạn chung", directive="20/CT-BCT",
                  group=9, period="2025-H2")
    assert len(done) == 33 and REPORT not in {d.task_key for d in done}
    assert ha_noi_rate(world.db, world.clock.today()) == rate
    with world.db.session() as s:
        assert find_task(s, REPORT)[0].due_on == date(2025, 12, 15)


def test_request_then_grant_to_another_date_moves_the_deadline_with_its_audit(world):
    officer, overseer = world.user("province", "ha-noi"), world.user("overseer", None)
    asked = request_extension(world.db, world.clock, officer, REPORT, date(2026, 2, 28), "Chờ số liệu của xã")
    assert (asked.status, asked.current_due_on, asked.proposed_due_on) == ("pending", date(2025, 12, 15),
                                                                            date(2026, 2, 28))
    with world.db.session() as s:
        assert find_task(s, REPORT)[0].due_on == date(2025, 12, 15)  # asking moves nothing
        assert [v.id for v in list_requests(s, pending_only=True)] == [asked.id]
    # Granted to Friday 30/01/2026, a working day: the deadline is that day.
    done = grant_request(world.db, world.clock, overseer, asked.id, date(2026, 1, 30), "Chỉ gia hạn đến cuối tháng 1")
    assert (done.request.status, done.request.granted_due_on, done.request.decided_by) == (
        "granted", date(2026, 1, 30), overseer)
    assert (done.extended.from_due_on, done.extended.to_due_on) == (date(2025, 12, 15), date(2026, 1, 30))
    assert not done.extended.moved_off_day_off
    with world.db.session() as s:
        task = find_task(s, REPORT)[0]
        assert (task.due_on, task.original_due_on) == (date(2026, 1, 30), date(2025, 12, 15))
        trail = [(e.trigger, e.actor.email, e.from_due_on, e.to_due_on) for e in task.events]
        assert trail == [
            (RequestTrigger.REQUEST_EXTENSION, officer, None, None),
            (RequestTrigger.GRANT_EXTENSION, overseer, None, None),
            (DeadlineTrigger.EXTEND, overseer, date(2025, 12, 15), date(2026, 1, 30)),
        ]
        assert task.events[2].note == "Chờ số liệu của xã"  # the extension's reason is the province's
        assert list_requests(s, pending_only=True) == []
    with pytest.raises(RequestAlreadyDecided):
        refuse_request(world.db, world.clock, overseer, asked.id, "muộn")
    # Granted without a date: the date asked for, here a Sunday, so the Monday after it.
    again = request_extension(world.db, world.clock, officer, REPORT, date(2026, 3, 15), "Thêm thời gian")
    extended = grant_request(world.db, world.clock, overseer, str(again.id)).extended
    assert (extended.asked_on, extended.to_due_on) == (date(2026, 3, 15), date(2026, 3, 16))


def test_request_then_refuse_keeps_the_deadline(world):
    officer, overseer = world.user("province", "ha-noi"), world.user("overseer", None)
    asked = request_extension(world.db, world.clock, officer, REPORT, date(2026, 2, 28), "Chờ số liệu")
    with pytest.raises(InvalidInput, match="reason"):
        refuse_request(world.db, world.clock, overseer, asked.id, "  ")
    done = refuse_request(world.db, world.clock, overseer, asked.id, "Đã quá hạn lâu, nộp ngay")
    assert (done.request.status, done.request.decision_note, done.extended) == (
        "refused", "Đã quá hạn lâu, nộp ngay", None)
    with world.db.session() as s:
        task = find_task(s, REPORT)[0]
        assert task.due_on == date(2025, 12, 15)
        assert [(e.trigger, e.note) for e in task.events][-1] == (RequestTrigger.REFUSE_EXTENSION,
                                                                  "Đã quá hạn lâu, nộp ngay")
    with pytest.raises(RequestAlreadyDecided, match="status='refused'"):
        grant_request(world.db, world.clock, overseer, asked.id)
    # A refusal frees the task for a new request.
    assert request_extension(world.db, world.clock, officer, REPORT, date(2026, 1, 20), "Lần hai").status == "pending"


def test_one_pending_request_per_task(world):
    first, second = world.user("province", "ha-noi"), world.user("province", "ha-noi")
    asked = request_extension(world.db, world.clock, first, REPORT, date(2026, 2, 28), "Chờ số liệu")
    before = snapshot(world.db)
    with pytest.raises(ExtensionAlreadyRequested) as caught:
        request_extension(world.db, world.clock, second, REPORT, date(2026, 3, 31), "Cần thêm")
    assert caught.value.request_id == asked.id
    assert snapshot(world.db) == before


def test_concurrent_requests_for_one_task_make_one(world):
    officers = [world.user("province", "ha-noi") for _ in range(4)]
    outcomes: list[str] = []
    barrier = threading.Barrier(len(officers))

    def ask(email: str) -> None:
        barrier.wait()
        try:
            request_extension(world.db, world.clock, email, REPORT, date(2026, 2, 28), "Cùng lúc")
            outcomes.append("made")
        except ExtensionAlreadyRequested:
            outcomes.append("refused")

    threads = [threading.Thread(target=ask, args=(e,)) for e in officers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["made", "refused", "refused", "refused"]
    with world.db.session() as s:
        assert s.scalar(select(func.count()).select_from(ExtensionRequest)) == 1


@pytest.mark.parametrize("who", ["other_province", "overseer", "admin"])
def test_only_the_tasks_own_province_may_request(world, who):
    actor = {"other_province": lambda: world.user("province", "hue"),
             "overseer": lambda: world.user("overseer", None),
             "admin": lambda: world.user("admin", None)}[who]()
    before = snapshot(world.db)
    # Another province's task is unknown to its officers (as a missing one); the Department may not ask.
    with pytest.raises(UnknownTask if who == "other_province" else PermissionDenied):
        request_extension(world.db, world.clock, actor, REPORT, date(2026, 2, 28), "Xin gia hạn")
    assert snapshot(world.db) == before


def test_a_province_cannot_decide_and_bad_requests_change_nothing(world):
    officer, overseer = world.user("province", "ha-noi"), world.user("overseer", None)
    asked = request_extension(world.db, world.clock, officer, REPORT, date(2026, 2, 28), "Chờ số liệu")
    before = snapshot(world.db)
    with pytest.raises(PermissionDenied):
        grant_request(world.db, world.clock, officer, asked.id)
    with pytest.raises(PermissionDenied):
        refuse_request(world.db, world.clock, officer, asked.id, "tự từ chối")
    with pytest.raises(InvalidInput, match="not_after_deadline"):
        grant_request(world.db, world.clock, overseer, asked.id, date(2025, 12, 1))
    with pytest.raises(UnknownExtensionRequest):
        grant_request(world.db, world.clock, overseer, 9999)
    with pytest.raises(UnknownExtensionRequest):
        grant_request(world.db, world.clock, overseer, "abc")
    assert snapshot(world.db) == before  # the failed grant left the request pending
    other = "20/CT-BCT:9:ha-noi:2025-H2".replace("9:ha-noi:2025-H2", "1:ha-noi")
    with pytest.raises(InvalidInput, match="not_after_deadline"):
        request_extension(world.db, world.clock, officer, other, date(2025, 12, 1), "Sớm hơn")
    with pytest.raises(InvalidInput, match="reason"):
        request_extension(world.db, world.clock, officer, other, date(2027, 12, 1), " ")
    assert snapshot(world.db) == before


def test_a_completed_task_cannot_be_requested_and_a_grant_after_completion_is_refused(world):
    officer, overseer = world.user("province", "ha-noi"), world.user("overseer", None)
    asked = request_extension(world.db, world.clock, officer, REPORT, date(2026, 2, 28), "Chờ số liệu")
    for trigger, actor in (("start", officer), ("submit", officer), ("accept", overseer)):
        world.fire(REPORT, trigger, actor)
    before = snapshot(world.db)
    with pytest.raises(DeadlineFinal):
        grant_request(world.db, world.clock, overseer, asked.id)
    assert snapshot(world.db) == before
    refuse_request(world.db, world.clock, overseer, asked.id, "Đã hoàn thành")
    with pytest.raises(DeadlineFinal):
        request_extension(world.db, world.clock, officer, REPORT, date(2026, 3, 31), "Muộn")
    with world.db.session() as s:
        assert [r.status for r in list_requests(s)] == [RequestStatus.REFUSED]
