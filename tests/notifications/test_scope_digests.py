"""Digests and the scoped directive: the Department's task reminds overseers; not applicable reminds no one."""
from __future__ import annotations

from sqlalchemy import select

from dtrack.config.clock import Clock
from dtrack.notifications.digest_sending import preview
from dtrack.persistence.models import Reminder
from dtrack.workflow.exemption import set_applicability
from dtrack.workflow.reminders import sweep
from dtrack.workflow.tasks import find_task
from tests.conftest import TODAY
from tests.notifications.conftest import mail_settings
from tests.scoped_directive import CODE, DEPARTMENT_KEY, load_and_assign


def _keys(digest) -> set[str]:
    """The tasks a digest asks someone to act on (what changed is news, not a request)."""
    return {item.key for section in digest.sections if section.name != "changes" for item in section.items}


def test_the_departments_task_reminds_overseers_and_a_not_applicable_task_no_one(world, tmp_path):
    load_and_assign(world.db, world.clock)
    overseer = world.user("overseer", None)
    officer = world.user("province", "can-tho")
    northern = world.user("province", "ha-noi")
    set_applicability(world.db, world.clock, overseer, f"{CODE}:2:can-tho", not_applicable=True,
                      reason="Cần Thơ không có hợp tác xã đan lát")
    sweep(world.db, Clock(pinned=TODAY))
    settings = mail_settings(tmp_path)
    oversight, _ = preview(world.db, Clock(pinned=TODAY), settings, overseer)
    cantho, _ = preview(world.db, Clock(pinned=TODAY), settings, officer)
    hanoi, _ = preview(world.db, Clock(pinned=TODAY), settings, northern)
    with world.db.session() as s:
        department_id = find_task(s, DEPARTMENT_KEY)[0].id
        reminders = set(s.scalars(select(Reminder.id).where(Reminder.task_id == department_id)))
    assert reminders and reminders <= set(oversight.reminder_ids)
    assert not reminders & (set(cantho.reminder_ids) | set(hanoi.reminder_ids))
    assert DEPARTMENT_KEY not in _keys(cantho) | _keys(hanoi)
    assert f"{CODE}:1:can-tho" in _keys(cantho) and f"{CODE}:2:can-tho" not in _keys(cantho)
    assert f"{CODE}:2:can-tho" not in _keys(oversight)
    # The mark itself is news to the province, with its reason.
    news = [i for i in cantho.section("changes").items if i.key == f"{CODE}:2:can-tho"]
    assert [(i.label["vi"], i.note) for i in news] == [
        ("đánh dấu không áp dụng", "Cần Thơ không có hợp tác xã đan lát")]
    # A northern province is never reminded of the South's group.
    assert {k for k in _keys(hanoi) if k.startswith(CODE)} == {f"{CODE}:1:ha-noi"}
