"""Scoped task groups, the Department's one task, and tasks marked not applicable (issue 11).

On a second directive of the tests' own (tests/scoped_directive.py): a group
for every province, one for the South only, one for three provinces named by
pre-2025 names, and one the Department carries out itself.
"""
from __future__ import annotations

from collections import Counter
from datetime import date

import pytest
from sqlalchemy import select

from dtrack.config.today import Today
from dtrack.directives.format import parse_file
from dtrack.directives.loader import load
from dtrack.errors import InvalidInput, PermissionDenied, UnknownTask
from dtrack.persistence.models import Event, Province, Reminder, Task, TaskGroup
from dtrack.reading.overdue import Scope, overdue_review, timeliness_matrix
from dtrack.reading.status import department_work, status_matrix
from dtrack.reading.worklists import province_worklist, task_page
from dtrack.seeds import DIRECTIVE_20_FILE
from dtrack.workflow.applicability import FOLDED_REASON
from dtrack.workflow.assignments import assign
from dtrack.workflow.exemption import set_applicability
from dtrack.workflow.provinces import all_provinces
from dtrack.workflow.reminders import sweep
from dtrack.workflow.tasks import find_task, list_tasks
from dtrack.workflow.users import find_user
from dtrack.workflow.vocabulary import DeadlineStatus
from tests.scoped_directive import CODE, DEPARTMENT_KEY, POTTERY, SOUTH, TODAY, load_and_assign

SCOPE = Scope(directive=CODE)


def _units_per_group(db) -> dict[int, set[str]]:
    with db.session() as s:
        rows = s.execute(select(TaskGroup.ordinal, Province.slug).select_from(Task).join(TaskGroup)
                         .join(Province, Task.province_id == Province.id)
                         .where(TaskGroup.directive_id == select(TaskGroup.directive_id).where(
                             TaskGroup.title_en.like("Synthesise the national%")).scalar_subquery()))
        found: dict[int, set[str]] = {}
        for ordinal, slug in rows:
            found.setdefault(ordinal, set()).add(slug)
    return found


def test_tasks_exist_only_in_the_groups_scope(world):
    result = load_and_assign(world.db, world.clock)
    assert sorted(result.notes) == sorted([
        "Kiên Giang is now part of An Giang; using an-giang", "Bình Định is now part of Gia Lai; using gia-lai",
        "Hà Giang is now part of Tuyên Quang; using tuyen-quang"])
    units = _units_per_group(world.db)
    with world.db.session() as s:
        everyone = {p.slug for p in all_provinces(s)}
        stored = {g.ordinal: (g.scope_regions, g.scope_provinces) for g in s.scalars(
            select(TaskGroup).where(TaskGroup.title_en.like("%pottery%")))}
    assert units == {1: everyone, 2: SOUTH, 3: POTTERY, 4: {"cuc"}}
    assert len(everyone) == 34 and "cuc" not in everyone
    assert stored == {3: ("", "an-giang,gia-lai,tuyen-quang")}
    # Assigning again (and loading again) creates nothing; the scope holds for a later assignment too.
    with world.db.session() as s:
        again = assign(s, CODE, all_provinces(s), TODAY, world.clock.now())
    assert (again.created, again.existing) == (0, 34 + 8 + 3 + 1)


def test_a_south_only_group_is_never_overdue_for_a_northern_province(world):
    load_and_assign(world.db, world.clock)
    with world.db.session() as s:
        review = overdue_review(s, Today(TODAY), SCOPE)
        matrix = timeliness_matrix(s, Today(TODAY), SCOPE)
        status = status_matrix(s, CODE, Today(TODAY))
        north = overdue_review(s, Today(TODAY), Scope(directive=CODE, region="north"))
    # Hà Nội owes group 1 only; An Giang groups 1, 2 and 3; Cần Thơ 1 and 2; Tuyên Quang 1 and 3.
    assert review.per_province["ha-noi"] == 1 and review.per_province["an-giang"] == 3
    assert review.per_province["can-tho"] == 2 and review.per_province["tuyen-quang"] == 2
    assert review.total == 34 + 8 + 3 == len(review.overdue)
    assert {t.group for t in review.overdue if t.province == "ha-noi"} == {1}
    assert north.total == 15 + 1 and all(t.group != 2 for t in north.overdue)
    assert review.per_region == Counter({"north": 16, "central": 12, "south": 17})
    # The four-cell matrix and the status matrix agree with the review.
    assert matrix.by_province["ha-noi"].counts["overdue"] == 1
    assert matrix.total.counts["overdue"] == review.total
    assert status.groups == [1, 2, 3]
    hanoi = next(p for p in status.provinces if p.slug == "ha-noi")
    assert (hanoi.id, 2) not in status.cells and (hanoi.id, 3) not in status.cells
    assert status.timeliness_counts()[DeadlineStatus.OVERDUE] == review.total


def test_the_department_group_is_one_task_the_overseers_and_never_a_provinces(world):
    load_and_assign(world.db, world.clock)
    overseer = world.user("overseer", None)
    officer = world.user("province", "ha-noi")
    with world.db.session() as s:
        review = overdue_review(s, Today(TODAY), SCOPE)
        matrix = timeliness_matrix(s, Today(TODAY), SCOPE)
        own = department_work(s, CODE, Today(TODAY))
        overview = province_worklist(s, find_user(s, overseer), None, Today(TODAY))
        hanoi = province_worklist(s, find_user(s, officer), None, Today(TODAY))
        page = task_page(s, find_user(s, overseer), DEPARTMENT_KEY, Today(TODAY))
    assert [t.key for t in own] == [DEPARTMENT_KEY] and own[0].deadline_status == DeadlineStatus.OVERDUE
    assert [t.key for t in review.department] == [DEPARTMENT_KEY]
    assert DEPARTMENT_KEY not in {t.key for t in review.overdue} and "cuc" not in review.per_province
    assert sum(review.per_region.values()) == review.total == sum(review.per_province.values())
    assert matrix.department.counts["overdue"] == 1 and "cuc" not in matrix.by_province
    assert [v.key for v in overview.department if v.directive == CODE] == [DEPARTMENT_KEY]
    assert all(v.group != 4 for views in hanoi.sections.values() for v in views if v.directive == CODE)
    assert page.view.province_name.startswith("Cục") and not page.may_exempt
    # Carried out by the overseers: a province officer may not act on it.
    with pytest.raises(UnknownTask):  # province officers do not see it at all: as a missing task
        world.fire(DEPARTMENT_KEY, "start", officer)
    assert world.fire(DEPARTMENT_KEY, "start", overseer).to_state == "in_progress"
    with pytest.raises(InvalidInput, match="department_task_not_exemptable"):
        set_applicability(world.db, world.clock, overseer, DEPARTMENT_KEY, not_applicable=True, reason="x")


def test_not_applicable_is_audited_leaves_the_counts_and_rates_and_is_reversible(world):
    load_and_assign(world.db, world.clock)
    overseer = world.user("overseer", None)
    officer = world.user("province", "an-giang")
    done = f"{CODE}:1:an-giang"
    for trigger, actor in (("start", officer), ("submit", officer), ("accept", overseer)):
        world.fire(done, trigger, actor)  # completed late (due 15/12/2025)
    key = f"{CODE}:2:an-giang"

    def figures():
        with world.db.session() as s:
            review = overdue_review(s, Today(TODAY), SCOPE)
            cells = timeliness_matrix(s, Today(TODAY), SCOPE).by_province["an-giang"]
            view = list_tasks(s, directive=CODE, province=find_task(s, key)[0].province, today=Today(TODAY))
        return (review.per_province["an-giang"], review.total, cells.counts["completed_late"], cells.on_time_rate,
                {v.key: v.deadline_status for v in view}[key])

    before = figures()
    assert before == (2, 44, 1, 0.0, DeadlineStatus.OVERDUE)

    # A province officer is refused, and nothing changes.
    with pytest.raises(PermissionDenied, match="overseers_mark_applicability"):
        set_applicability(world.db, world.clock, officer, key, not_applicable=True, reason="Không có hợp tác xã")
    with pytest.raises(InvalidInput, match="exempt_needs_reason"):
        set_applicability(world.db, world.clock, overseer, key, not_applicable=True, reason="  ")
    assert figures() == before

    marked = set_applicability(world.db, world.clock, overseer, key, not_applicable=True,
                               reason="Tỉnh không có hợp tác xã đan lát")
    assert marked.not_applicable and marked.trigger == "exempt"
    assert figures() == (1, 43, 1, 0.0, DeadlineStatus.NOT_APPLICABLE)
    with pytest.raises(InvalidInput, match="already_not_applicable"):
        set_applicability(world.db, world.clock, overseer, key, not_applicable=True, reason="lần nữa")
    # The completed task marked not applicable leaves the rate; the pottery task still overdue is due: 0 of 1.
    set_applicability(world.db, world.clock, overseer, done, not_applicable=True, reason="Nhập trùng")
    assert figures()[2:4] == (0, 0.0)

    with world.db.session() as s:
        task = find_task(s, key)[0]
        events = [(e.trigger, e.actor.email, e.note, e.from_state == e.to_state) for e in task.events]
        assert task.state == "not_started" and task.not_applicable_reason == "Tỉnh không có hợp tác xã đan lát"
        assert task.not_applicable_user.email == overseer
    assert events == [("exempt", overseer, "Tỉnh không có hợp tác xã đan lát", True)]

    set_applicability(world.db, world.clock, overseer, key, not_applicable=False, reason="Đã có hợp tác xã mới")
    set_applicability(world.db, world.clock, overseer, done, not_applicable=False)
    assert figures() == before
    with world.db.session() as s:
        task = find_task(s, key)[0]
        assert [e.trigger for e in task.events] == ["exempt", "restore"] and task.not_applicable_since is None
    with pytest.raises(InvalidInput, match="not_marked_not_applicable"):
        set_applicability(world.db, world.clock, overseer, key, not_applicable=False)


def test_a_task_marked_not_applicable_gets_no_reminders(world):
    load_and_assign(world.db, world.clock)
    overseer = world.user("overseer", None)
    key = f"{CODE}:2:can-tho"
    sweep(world.db, world.clock)
    with world.db.session() as s:
        task_id = find_task(s, key)[0].id
        pending = s.scalars(select(Reminder).where(Reminder.task_id == task_id, Reminder.cancelled_at.is_(None)))
        assert list(pending)  # overdue since 15/12/2025: reminded
    set_applicability(world.db, world.clock, overseer, key, not_applicable=True, reason="Không áp dụng cho tỉnh")
    world.clock = type(world.clock)(pinned=date(2026, 2, 20))
    sweep(world.db, world.clock)
    with world.db.session() as s:
        live = list(s.scalars(select(Reminder).where(Reminder.task_id == task_id, Reminder.cancelled_at.is_(None),
                                                     Reminder.consumed_at.is_(None))))
    assert live == []


def test_reloading_directive_20_folds_the_old_per_province_tasks_of_group_10(world):
    """A database assigned before: group 10 has 34 per-province tasks. Loading keeps their history."""
    with world.db.session() as s:
        group = s.scalar(select(TaskGroup).where(TaskGroup.ordinal == 10, TaskGroup.owner == "department"))
        s.delete(s.scalar(select(Task).where(Task.group_id == group.id)))  # the Department task: not there yet
        for province in all_provinces(s):
            s.add(Task(group_id=group.id, province_id=province.id, period="", state="not_started", progress=0,
                       assigned_on=date(2025, 11, 3), original_due_on=date(2026, 11, 3), due_on=date(2026, 11, 3),
                       updated_at=world.clock.now()))
    officer = world.user("province", "ha-noi")
    overseer = world.user("overseer", None)
    with world.db.session() as s:
        legacy = find_task(s, "20/CT-BCT:10:ha-noi")[0].id
    with world.db.session() as s:
        first = load(s, parse_file(DIRECTIVE_20_FILE), world.clock.now(), "d20.toml")
    with world.db.session() as s:
        second = load(s, parse_file(DIRECTIVE_20_FILE), world.clock.now(), "d20.toml")
        group = s.scalar(select(TaskGroup).where(TaskGroup.ordinal == 10, TaskGroup.owner == "department"))
        tasks = list(s.scalars(select(Task).where(Task.group_id == group.id)))
        department = [t for t in tasks if t.province.slug == "cuc"]
        folded = [t for t in tasks if t.province.slug != "cuc"]
        exempt = s.scalars(select(Event.note).where(Event.task_id == legacy, Event.trigger == "exempt")).all()
        worklist = province_worklist(s, find_user(s, officer), None, Today(TODAY))
    assert (first.folded, second.folded) == (34, 0)
    assert len(department) == 1 and department[0].due_on == date(2026, 11, 3)
    assert len(folded) == 34 and all(t.not_applicable_reason == FOLDED_REASON for t in folded)
    assert exempt == [FOLDED_REASON]
    assert all(v.group != 10 for views in worklist.sections.values() for v in views)
    assert world.fire("20/CT-BCT:10:cuc", "start", overseer).to_state == "in_progress"
