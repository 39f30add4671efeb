"""The review queue's order by any column agrees between the database (today) and the replayed list (a past day)."""
from __future__ import annotations

import pytest

from dtrack.config.today import Today
from dtrack.errors import InvalidInput
from dtrack.reading.list_order import REVIEW_SORTS, SortOrder, sort_order, sorted_awaiting
from dtrack.reading.list_search import text_match
from dtrack.reading.scope import Scope

KEYS = ("20/CT-BCT:2:ha-noi", "20/CT-BCT:5:hue", "20/CT-BCT:3:an-giang", "20/CT-BCT:4:ha-noi")


@pytest.fixture
def waiting(world):
    officers: dict[str, str] = {}
    for key in KEYS:
        province = key.split(":")[2]
        officer = officers.setdefault(province, world.user(province=province))
        world.fire(key, "start", officer)
        world.fire(key, "submit", officer, evidence="QĐ 1")
    return world


@pytest.mark.parametrize("column", REVIEW_SORTS)
@pytest.mark.parametrize("descending", [False, True])
def test_each_order_is_a_sort_of_the_same_submissions(waiting, column, descending):
    order = SortOrder(column, descending)
    today = Today.of(waiting.clock)
    with waiting.db.session() as session:
        found = sorted_awaiting(session, today, Scope(), order, 100)
        assert sorted(t.key for t in found) == sorted(KEYS)
        if column == "province":
            assert [t.province for t in found] == sorted((t.province for t in found), reverse=descending)
        first_two = sorted_awaiting(session, today, Scope(), order, 2)
        assert [t.key for t in first_two] == [t.key for t in found[:2]]
        searched = sorted_awaiting(session, today, Scope(search=text_match(session, "hà nội")), order, 100)
        assert sorted(t.key for t in searched) == ["20/CT-BCT:2:ha-noi", "20/CT-BCT:4:ha-noi"]


def test_a_wrong_column_is_refused_on_the_field_sort():
    with pytest.raises(InvalidInput) as caught:
        sort_order("-password", REVIEW_SORTS)
    assert caught.value.field == "sort"
    assert sort_order("", REVIEW_SORTS) == SortOrder("waited") and sort_order("-deadline", REVIEW_SORTS).descending
