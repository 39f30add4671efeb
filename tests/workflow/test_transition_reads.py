"""A transition reads its task and its user in one statement (issue 12), with the same results and errors."""
from __future__ import annotations

import pytest
from sqlalchemy import event

from dtrack.workflow.errors import UnknownProvince, UnknownTask, UnknownUser
from dtrack.workflow.tasks import find_task, find_task_and_user


def _selects(db, action) -> list[str]:
    seen: list[str] = []

    def record(_conn, _cursor, statement, *_args) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        action()
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    return seen


def test_a_transition_by_key_reads_once(world, db):
    officer = world.user("province", "ha-noi")
    selects = _selects(db, lambda: world.fire("20/CT-BCT:1:ha-noi", "start", officer))
    assert len(selects) == 1


def test_one_query_finds_task_and_user_or_nothing(world, db):
    officer = world.user("province", "ha-noi")
    with db.session() as session:
        task, user = find_task_and_user(session, " 20/CT-BCT:1:ha-noi ", officer.upper())
        assert (task.key, task.group.ordinal, task.province.slug, user.email) == ("20/CT-BCT:1:ha-noi", 1, "ha-noi", officer)
        assert find_task_and_user(session, "20/CT-BCT:1:ha-noi", "nobody@example.vn") is None
        assert find_task_and_user(session, "20/CT-BCT:1:atlantis", officer) is None
        assert find_task_and_user(session, "12", officer) is None  # ids go the usual way


def test_the_slow_path_still_names_what_is_missing(world, db):
    officer = world.user("province", "ha-noi")
    with pytest.raises(UnknownUser):
        world.fire("20/CT-BCT:1:ha-noi", "start", "nobody@example.vn")
    with pytest.raises(UnknownProvince):
        world.fire("20/CT-BCT:1:atlantis", "start", officer)
    with pytest.raises(UnknownTask):
        world.fire("20/CT-BCT:99:ha-noi", "start", officer)
    with db.session() as session:
        task_id = find_task(session, "20/CT-BCT:1:ha-noi")[0].id
    outcome = world.fire(str(task_id), "start", officer)  # by id: the usual two lookups
    assert (outcome.task_key, outcome.to_state) == ("20/CT-BCT:1:ha-noi", "in_progress")
