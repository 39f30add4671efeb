"""The status matrix by pages of units: every unit on one page, each page's cells those of the whole matrix."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from dtrack.config.today import Today
from dtrack.errors import InvalidInput
from dtrack.persistence.models import Task
from dtrack.reading.status import status_matrix
from dtrack.reading.worklists import status_units_page
from dtrack.workflow import history as history_module
from dtrack.workflow.exemption import set_applicability
from dtrack.workflow.users import find_user

CODE = "20/CT-BCT"
DAY = date(2026, 1, 5)


def _cells(matrix, unit_ids) -> dict:
    """Everything the matrix says of these units' cells."""
    keys = [(pid, g) for pid in unit_ids for g in matrix.groups]
    return {key: (matrix.cells.get(key), matrix.tasks.get(key), matrix.timeliness.get(key),
                  matrix.all_states.get(key), matrix.all_timeliness.get(key), key in matrix.not_applicable)
            for key in keys}


@pytest.fixture
def moved(world):
    """A few tasks moved, one marked not applicable: cells of every kind."""
    officer, overseer = world.user("province", "ha-noi"), world.user("overseer", None)
    world.fire("20/CT-BCT:9:ha-noi:2025-H2", "start", officer)
    world.fire("20/CT-BCT:9:ha-noi:2025-H2", "submit", officer)
    world.fire("20/CT-BCT:2:ha-noi", "start", officer)
    set_applicability(world.db, world.clock, overseer, "20/CT-BCT:3:hue", not_applicable=True, reason="Không có cụm")
    return overseer


@pytest.mark.parametrize("region", [None, "south"])
def test_every_unit_is_on_one_page_with_the_cells_of_the_whole_matrix(world, moved, region):
    with world.db.session() as s:
        actor = find_user(s, moved)
        whole = status_matrix(s, CODE, Today(DAY), region)
        first = status_units_page(s, actor, CODE, region, Today(DAY), None, per_page=7)
        assert first.page == 1 and first.units == len(whole.provinces) and first.pages == -(-first.units // 7)
        seen = []
        for number in range(1, first.pages + 1):
            page = status_units_page(s, actor, CODE, region, Today(DAY), str(number), per_page=7)
            ids = [p.id for p in page.matrix.provinces]
            assert 0 < len(ids) <= 7
            assert _cells(page.matrix, ids) == _cells(whole, ids)
            seen += ids
        # Every unit once, in the whole matrix's order.
        assert seen == [p.id for p in whole.provinces]
        assert len(whole.tasks) == sum(1 for key in _cells(whole, seen) if key in whole.tasks)


def test_a_page_past_the_last_is_the_last_and_a_bad_number_is_refused(world, moved):
    with world.db.session() as s:
        actor = find_user(s, moved)
        last = status_units_page(s, actor, CODE, None, Today(DAY), "999", per_page=10)
        assert last.page == last.pages
        for bad in ("0", "abc", "-1"):
            with pytest.raises(InvalidInput):
                status_units_page(s, actor, CODE, None, Today(DAY), bad)


def test_the_matrix_of_a_quiet_day_is_the_replayed_one(world, moved, monkeypatch):
    # For a day nothing happened after, the rows stand as stored, their not-applicable mark
    # included (no replay, no scan of every task's mark): the same matrix as replaying every task.
    with world.db.session() as s:
        quick = status_matrix(s, CODE, Today.of(world.clock))
        every_task = set(s.scalars(select(Task.id)))
        monkeypatch.setattr(history_module, "changed_after", lambda session, until: every_task)
        replayed = status_matrix(s, CODE, Today.of(world.clock))
    assert quick.to_json() == replayed.to_json()
    assert quick.not_applicable == replayed.not_applicable and len(quick.not_applicable) == 1
    assert quick.tasks == replayed.tasks and quick.timeliness == replayed.timeliness
