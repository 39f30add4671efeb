"""A province delegates parts of a task to its communes; a part runs the task's lifecycle through the same write path.

On both back-ends: delegation (communes by code, by name, all of a
province; the deadline moved off a day off and never after the task's),
the part's lifecycle and who may fire what (the commune's officer owns it,
the task's province officer judges it), optimistic locking, the audit rows,
the task's progress following its parts, and the submit-with-open-parts rule.
"""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from dtrack.errors import ConcurrentUpdate, InvalidInput, PermissionDenied, TransitionNotAllowed, UnknownTask
from dtrack.persistence.models import Commune, Event, Task
from dtrack.persistence.part_models import PartEvent, TaskPart
from dtrack.workflow import lifecycle
from dtrack.workflow.part_service import PartTracker
from dtrack.workflow.parts import UnknownPart, delegate
from dtrack.workflow.users import add_user

KEY = "20/CT-BCT:2:ha-noi"
BA_DINH = f"{KEY}/00004"


@pytest.fixture
def people(world):
    """A Hà Nội officer, Ba Đình's and Ngọc Hà's commune officers, a Huế officer and an overseer."""
    with world.db.session() as session:
        for email, role, province, commune in (("hn@hanoi.vn", "province", "ha-noi", None),
                                               ("badinh@hanoi.vn", "commune", None, "00004"),
                                               ("ngocha@hanoi.vn", "commune", None, "00008"),
                                               ("hue@hue.vn", "province", "hue", None),
                                               ("cuc@moit.vn", "overseer", None, None),
                                               ("admin@moit.vn", "admin", None, None)):
            add_user(session, email=email, name=email.split("@")[0], role=role, province=province,
                     now=world.clock.now(), commune=commune)
    return world


def parts(world) -> PartTracker:
    return PartTracker(world.db, world.clock)


def test_delegation_by_code_and_by_name_moves_a_day_off_and_writes_one_audit_row_each(people):
    # 01/03/2026 is a Sunday: the part is due on Monday 02/03.
    done = delegate(people.db, people.clock, "hn@hanoi.vn", KEY, ["00004", "phuong ngoc ha", "00004"],
                    date(2026, 3, 1), "  Báo cáo số cơ sở CNNT  ")
    assert done.due_on == date(2026, 3, 2)
    assert done.added == [BA_DINH, f"{KEY}/00008"] and done.already == []
    with people.db.session() as session:
        rows = session.scalars(select(TaskPart).order_by(TaskPart.id)).all()
        assert [(p.state, p.progress, p.version, p.instruction) for p in rows] == \
            [("not_started", 0, 1, "Báo cáo số cơ sở CNNT")] * 2
        assert session.scalar(select(func.count()).select_from(PartEvent).where(PartEvent.trigger == "delegate")) == 2
    again = delegate(people.db, people.clock, "hn@hanoi.vn", KEY, None, date(2026, 3, 2), "Tất cả")
    with people.db.session() as session:
        communes = session.scalar(select(func.count()).select_from(Commune).where(
            Commune.province_id == select(Task.province_id).where(Task.id == session.scalar(
                select(TaskPart.task_id).limit(1))).scalar_subquery(), Commune.retired_at.is_(None)))
    assert len(again.added) == communes - 2 and again.already == [BA_DINH, f"{KEY}/00008"]


@pytest.mark.parametrize("actor, raw, error, code", [
    ("hn@hanoi.vn", date(2026, 6, 1), InvalidInput, "part_due_after_task"),
    ("hn@hanoi.vn", date(2026, 1, 2), InvalidInput, "part_due_past"),
    ("hue@hue.vn", date(2026, 3, 2), UnknownTask, "unknown_task"),
    ("badinh@hanoi.vn", date(2026, 3, 2), UnknownTask, "unknown_task"),
    ("cuc@moit.vn", date(2026, 3, 2), PermissionDenied, "permission_denied"),
])
def test_delegation_is_refused_with_a_coded_error(people, actor, raw, error, code):
    with pytest.raises(error) as refused:
        delegate(people.db, people.clock, actor, KEY, ["00004"], raw, "Việc")
    assert refused.value.error_code == code
    with people.db.session() as session:
        assert session.scalar(select(func.count()).select_from(TaskPart)) == 0


def test_a_commune_of_another_province_and_an_empty_instruction_are_refused(people):
    with pytest.raises(InvalidInput) as other:
        delegate(people.db, people.clock, "hn@hanoi.vn", KEY, ["16171"], date(2026, 3, 2), "Việc")
    assert other.value.error_code == "commune_not_in_province"
    with pytest.raises(InvalidInput) as empty:
        delegate(people.db, people.clock, "hn@hanoi.vn", KEY, ["00004"], date(2026, 3, 2), "   ")
    assert empty.value.error_code == "part_needs_instruction"


# Who may fire each action on Ba Đình's part: (actor, allowed?) for an owner's action and a judge's.
OWNER_RULE = {"badinh@hanoi.vn": True, "ngocha@hanoi.vn": False, "hn@hanoi.vn": False, "cuc@moit.vn": False,
              "admin@moit.vn": True}
JUDGE_RULE = {"badinh@hanoi.vn": False, "ngocha@hanoi.vn": False, "hn@hanoi.vn": True, "cuc@moit.vn": False,
              "admin@moit.vn": True}


@pytest.mark.parametrize("actor", sorted(OWNER_RULE))
def test_the_permission_table_for_parts(people, actor):
    delegate(people.db, people.clock, "hn@hanoi.vn", KEY, ["00004"], date(2026, 3, 2), "Việc")
    tracker = parts(people)
    for trigger, rule in (("start", OWNER_RULE), ("submit", OWNER_RULE), ("accept", JUDGE_RULE)):
        if actor == "admin@moit.vn" and trigger == "accept":  # four eyes: who submitted may not accept
            with pytest.raises(PermissionDenied) as own:
                tracker.fire(BA_DINH, trigger, actor)
            assert own.value.reason.code == "four_eyes"
            tracker.fire(BA_DINH, trigger, "hn@hanoi.vn")
            continue
        if rule[actor]:
            tracker.fire(BA_DINH, trigger, actor, progress=100 if trigger == "submit" else None)
            continue
        with pytest.raises((PermissionDenied, UnknownPart)) as refused:
            tracker.fire(BA_DINH, trigger, actor)
        # Another commune's officer does not learn the part exists; the others see it and are refused.
        assert isinstance(refused.value, UnknownPart) == (actor == "ngocha@hanoi.vn")
        owner = "badinh@hanoi.vn" if rule is OWNER_RULE else "hn@hanoi.vn"
        if actor not in (owner, "admin@moit.vn"):
            tracker.fire(BA_DINH, trigger, owner, progress=100 if trigger == "submit" else None)
    with people.db.session() as session:
        assert session.scalar(select(TaskPart.state)) == "completed"


def test_another_province_s_officer_does_not_see_the_part(people):
    delegate(people.db, people.clock, "hn@hanoi.vn", KEY, ["00004"], date(2026, 3, 2), "Việc")
    with pytest.raises(UnknownPart):
        parts(people).fire(BA_DINH, "start", "hue@hue.vn")


def test_the_part_lifecycle_is_the_task_s_with_its_state_checks_notes_and_version(people):
    delegate(people.db, people.clock, "hn@hanoi.vn", KEY, ["00004"], date(2026, 3, 2), "Việc")
    tracker = parts(people)
    assert [a.trigger for a in lifecycle.current().actions]  # the same table
    with pytest.raises(TransitionNotAllowed) as early:
        tracker.fire(BA_DINH, "submit", "badinh@hanoi.vn")
    assert early.value.allowed == ["start", "block"]
    tracker.fire(BA_DINH, "start", "badinh@hanoi.vn")
    with pytest.raises(ConcurrentUpdate) as stale:
        tracker.fire(BA_DINH, "update", "badinh@hanoi.vn", progress=40, expected_version=1)
    assert stale.value.by == "badinh"
    tracker.fire(BA_DINH, "update", "badinh@hanoi.vn", progress=40, expected_version=2)
    tracker.fire(BA_DINH, "submit", "badinh@hanoi.vn", progress=90)
    with pytest.raises(InvalidInput) as no_note:
        tracker.fire(BA_DINH, "send-back", "hn@hanoi.vn")
    assert no_note.value.error_code == "needs_note"
    back = tracker.fire(BA_DINH, "send-back", "hn@hanoi.vn", note="Thiếu số liệu")
    assert (back.from_state, back.to_state, back.task_key) == ("submitted", "returned", BA_DINH)
    with people.db.session() as session:
        history = session.execute(select(PartEvent.trigger, PartEvent.to_state, PartEvent.progress)
                                  .order_by(PartEvent.id)).all()
        assert history == [("delegate", "not_started", 0), ("start", "in_progress", 0),
                           ("update", "in_progress", 40), ("submit", "submitted", 90),
                           ("send_back", "returned", 90)]
        # The task's own history is untouched: a part's rows live beside it.
        assert session.scalar(select(func.count()).select_from(Event)) == 0


def test_the_task_follows_its_parts_and_cannot_be_submitted_with_open_parts_without_a_reason(people):
    delegate(people.db, people.clock, "hn@hanoi.vn", KEY, ["00004", "00008"], date(2026, 3, 2), "Việc",
             progress_from_parts=True)
    tracker = parts(people)
    tracker.fire(BA_DINH, "start", "badinh@hanoi.vn")
    tracker.fire(BA_DINH, "submit", "badinh@hanoi.vn", progress=75)
    people.fire(KEY, "start", "hn@hanoi.vn")
    with people.db.session() as session:
        assert session.scalar(select(Task.progress).where(Task.progress_from_parts)) == 38  # (75 + 0) / 2, half up
    with pytest.raises(InvalidInput) as refused:
        people.fire(KEY, "submit", "hn@hanoi.vn", progress=100)
    assert refused.value.error_code == "open_parts_need_reason"
    # What the province types is not used while the task follows its parts; the reason is the audited note.
    done = people.fire(KEY, "submit", "hn@hanoi.vn", progress=100, note="Ngọc Hà báo cáo chậm, đã nhắc")
    assert done.progress == 38
    with people.db.session() as session:
        assert session.scalar(select(Event.note).where(Event.trigger == "submit")) == "Ngọc Hà báo cáo chậm, đã nhắc"
        assert session.scalar(select(func.count()).select_from(Event).where(Event.trigger == "follow_parts")) == 1


def test_a_task_whose_parts_are_all_completed_is_submitted_without_a_reason(people):
    delegate(people.db, people.clock, "hn@hanoi.vn", KEY, ["00004"], date(2026, 3, 2), "Việc")
    tracker = parts(people)
    tracker.fire(BA_DINH, "start", "badinh@hanoi.vn")
    tracker.fire(BA_DINH, "submit", "badinh@hanoi.vn", progress=100)
    tracker.fire(BA_DINH, "accept", "hn@hanoi.vn")
    people.fire(KEY, "start", "hn@hanoi.vn")
    assert people.fire(KEY, "submit", "hn@hanoi.vn", progress=100).to_state == "submitted"


def test_the_command_line_delegates_lists_shows_and_acts(people, cli_runner):
    ran = cli_runner("task", "delegate", KEY, "--communes", "00004,Phường Ngọc Hà", "--due", "01/03/2026",
                     "--note", "Báo cáo", "--as", "hn@hanoi.vn")
    assert ran.exit_code == 0, ran.output
    assert ran.output.strip() == f"đã giao 2 phần việc của {KEY} cho xã, phường, hạn 02/03/2026"
    shown_task = cli_runner("task", "show", KEY).output
    assert "xã, phường: 2 phần việc, 0 hoàn thành, 0 quá hạn, 0 vướng mắc, tiến độ bình quân 0%" in shown_task
    started = cli_runner("part", "start", BA_DINH, "--as", "badinh@hanoi.vn")
    assert started.output.strip() == f"{BA_DINH}: start (Chưa bắt đầu -> Đang thực hiện, tiến độ 0%)"
    listed = cli_runner("part", "list", "--as", "badinh@hanoi.vn").output
    assert BA_DINH in listed and "00008" not in listed and "Đang thực hiện" in listed
    shown = cli_runner("part", "show", BA_DINH, "--as", "hn@hanoi.vn").output
    assert "việc phải làm: Báo cáo" in shown and "bắt đầu thực hiện" in shown
    refused = cli_runner("part", "accept", BA_DINH, "--as", "badinh@hanoi.vn")
    assert refused.exit_code == 1
    assert refused.output.strip() == (f"lỗi: badinh@hanoi.vn không được chấp nhận {BA_DINH}: "
                                      "chỉ cán bộ của tỉnh ha-noi xem xét phần việc của xã, phường")
    which = cli_runner("task", "delegate", KEY, "--due", "01/03/2026", "--note", "x", "--as", "hn@hanoi.vn")
    assert which.exit_code != 0 and "--all-communes" in which.output
    late = cli_runner("task", "delegate", KEY, "--all-communes", "--due", "01/08/2026", "--note", "x",
                      "--as", "hn@hanoi.vn")
    assert late.output.strip() == "lỗi: --due: hạn của phần việc 03/08/2026 muộn hơn hạn của nhiệm vụ 17/03/2026"
    missing = cli_runner("part", "start", f"{KEY}/00025", "--as", "badinh@hanoi.vn")
    assert missing.output.startswith(f"lỗi: không có phần việc '{KEY}/00025'")
