"""What changed since the user's last visit (reading.changes), on both back-ends, real databases.

Which events each role sees (a province officer: their province's returns, accepts, comments,
extensions and their communes' submitted parts; the Department: every province's; a commune
officer: their own commune's judged parts, never a task), only others' events, only since the
mark (or the last 14 days), another province's never; the count says the same as the list.
"""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from dtrack.accounts.preferences import mark_changes_seen
from dtrack.config.today import Today
from dtrack.persistence.models import Task, TaskGroup
from dtrack.reading.changes import CAP, changes_count, changes_since
from dtrack.workflow.comments import post_comment
from dtrack.workflow.extension import extend
from dtrack.workflow.part_service import PartTracker
from dtrack.workflow.parts import delegate
from dtrack.workflow.service import Tracker
from dtrack.workflow.users import add_user, find_user
from tests.web.http_support import START, ManualClock

HANOI = "20/CT-BCT:2:ha-noi"
HANOI_TITLE = "Xây dựng, phê duyệt Chương trình khuyến công địa phương 2026-2030"
HUE = "20/CT-BCT:2:hue"
BA_DINH = f"{HANOI}/00004"
PEOPLE = (("hn@hanoi.vn", "Nguyễn Thị Hà", "province", "ha-noi", None),
          ("hn2@hanoi.vn", "Trần Văn Hai", "province", "ha-noi", None),
          ("hue@hue.vn", "Lê Thị Huế", "province", "hue", None),
          ("cuc@moit.vn", "Phạm Văn Cục", "overseer", None, None),
          ("badinh@hanoi.vn", "Đỗ Văn Ba", "commune", None, "00004"),
          ("ngocha@hanoi.vn", "Vũ Thị Ngọc", "commune", None, "00008"))


@pytest.fixture
def season(db):
    """Six people and a morning of work on a Hà Nội task, its Ba Đình part and a Huế task, a minute apart."""
    clock = ManualClock(START)
    with db.session() as session:
        for email, name, role, province, commune in PEOPLE:
            add_user(session, email=email, name=name, role=role, province=province, now=clock.now(), commune=commune)
    tracker, parts = Tracker(db, clock), PartTracker(db, clock)

    def step(action, *args, **kwargs):
        clock.advance(minutes=1)
        return action(*args, **kwargs)

    step(tracker.fire, HANOI, "start", "hn@hanoi.vn")
    step(delegate, db, clock, "hn@hanoi.vn", HANOI, ["00004"], date(2026, 3, 2), "Báo cáo số cơ sở")
    step(parts.fire, BA_DINH, "start", "badinh@hanoi.vn")
    step(parts.fire, BA_DINH, "submit", "badinh@hanoi.vn", progress=100)  # the province's news
    step(parts.fire, BA_DINH, "send_back", "hn@hanoi.vn", note="Thiếu số liệu quý IV")  # the commune's news
    step(tracker.fire, HANOI, "submit", "hn@hanoi.vn", evidence="QĐ 9/QĐ-UBND", note="Ba Đình bổ sung sau")
    step(tracker.fire, HANOI, "send_back", "cuc@moit.vn", note="Bổ sung danh sách cơ sở")
    step(post_comment, db, clock, HANOI, "hn2@hanoi.vn", "Đã gửi bổ sung qua thư")
    step(post_comment, db, clock, HANOI, "hn@hanoi.vn", "Cảm ơn anh")  # Hà's own: never her news
    step(extend, db, clock, "cuc@moit.vn", date(2027, 6, 30), "Theo đề nghị của tỉnh", task_refs=[HANOI])
    step(tracker.fire, HUE, "start", "hue@hue.vn")
    step(post_comment, db, clock, HUE, "cuc@moit.vn", "Tỉnh Huế báo cáo sớm")  # Huế's: never Hà Nội's news
    return db, clock


def seen(db, clock, email: str, lang: str = "vi"):
    with db.session() as session:
        user = find_user(session, email)
        today = Today.of(clock)
        found = changes_since(session, user, today, lang)
        return found, changes_count(session, user, today)


def kinds(found) -> list[tuple[str, str | None]]:
    return [(c.trigger, c.actor) for c in found.items]


def test_a_province_officer_sees_others_changes_on_their_province_newest_first(season):
    db, clock = season
    found, count = seen(db, clock, "hn@hanoi.vn")
    assert kinds(found) == [("extend", "Phạm Văn Cục"), ("comment", "Trần Văn Hai"), ("send_back", "Phạm Văn Cục"),
                            ("submit", "Đỗ Văn Ba")]
    assert count == 4 and not found.marked and not found.capped
    extended, comment, returned, part = found.items
    assert returned.note == "Bổ sung danh sách cơ sở" and comment.note == "Đã gửi bổ sung qua thư"
    assert (extended.to_due_on, extended.note) == (date(2027, 6, 30), "Theo đề nghị của tỉnh")
    # Named as people name them: the title and the province (and the commune), never a key or an id alone.
    assert {(c.title, c.province) for c in found.items} == {(HANOI_TITLE, "Hà Nội")}
    assert (part.commune, part.part_id is not None, returned.part_id) == ("Phường Ba Đình", True, None)
    assert all(c.at > found.since for c in found.items)
    assert [c.at for c in found.items] == sorted((c.at for c in found.items), reverse=True)


def test_another_officer_of_the_province_sees_what_the_first_did_but_not_their_own(season):
    db, clock = season
    found, count = seen(db, clock, "hn2@hanoi.vn")
    assert kinds(found) == [("extend", "Phạm Văn Cục"), ("comment", "Nguyễn Thị Hà"), ("send_back", "Phạm Văn Cục"),
                            ("submit", "Đỗ Văn Ba")]
    assert count == 4


def test_another_province_never_sees_hanoi_and_sees_the_department_on_its_own(season):
    db, clock = season
    found, count = seen(db, clock, "hue@hue.vn")
    assert kinds(found) == [("comment", "Phạm Văn Cục")] and count == 1
    assert found.items[0].province == "Huế" and found.items[0].note == "Tỉnh Huế báo cáo sớm"


def test_the_department_sees_every_province_but_not_its_own_and_no_commune_part(season):
    db, clock = season
    found, count = seen(db, clock, "cuc@moit.vn")
    assert kinds(found) == [("comment", "Nguyễn Thị Hà"), ("comment", "Trần Văn Hai")] and count == 2
    assert all(c.part_id is None for c in found.items)


def test_a_commune_officer_sees_their_commune_part_judged_and_nothing_else(season):
    db, clock = season
    found, count = seen(db, clock, "badinh@hanoi.vn")
    assert kinds(found) == [("send_back", "Nguyễn Thị Hà")] and count == 1
    [part] = found.items
    assert (part.commune, part.note, part.title) == ("Phường Ba Đình", "Thiếu số liệu quý IV", HANOI_TITLE)
    near, near_count = seen(db, clock, "ngocha@hanoi.vn")  # another commune of the same province
    assert near.items == [] and near_count == 0


def test_after_the_mark_only_what_came_later_and_the_count_agrees(season):
    db, clock = season
    clock.advance(minutes=1)
    mark = mark_changes_seen(db, clock, _id(db, "hn@hanoi.vn"))
    found, count = seen(db, clock, "hn@hanoi.vn")
    assert (found.items, count, found.marked, found.since) == ([], 0, True, mark)
    clock.advance(minutes=1)
    Tracker(db, clock).fire(HANOI, "submit", "hn@hanoi.vn", evidence="QĐ 9/QĐ-UBND bổ sung", note="Đã bổ sung")
    clock.advance(minutes=1)
    Tracker(db, clock).fire(HANOI, "accept", "cuc@moit.vn", note="Đạt yêu cầu")
    found, count = seen(db, clock, "hn@hanoi.vn")
    assert kinds(found) == [("accept", "Phạm Văn Cục")] and count == 1 and found.items[0].note == "Đạt yêu cầu"
    # The other officer has not marked: they still see everything since 14 days ago, and the accept.
    other, other_count = seen(db, clock, "hn2@hanoi.vn")
    assert other_count == 5 and other.items[0].trigger == "accept" and not other.marked


def test_never_marked_means_the_last_14_days_from_the_start_of_that_local_day(season):
    db, clock = season
    clock.advance(days=15)  # 20/01/2026: everything of the season (05/01) is older than the window now
    found, count = seen(db, clock, "hn@hanoi.vn")
    assert (found.items, count) == ([], 0)
    assert found.since == datetime(2026, 1, 6, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    clock.advance(days=-6)  # 14/01/2026: the window starts on 31/12/2025 and holds the season again
    assert seen(db, clock, "hn@hanoi.vn")[1] == 4


def test_titles_and_provinces_follow_the_language(season):
    db, clock = season
    [comment] = seen(db, clock, "hue@hue.vn", lang="en")[0].items
    assert comment.province == "Hue" and comment.title != HANOI_TITLE
    with db.session() as session:
        assert comment.title == session.scalar(select(TaskGroup.title_en).join(Task, Task.group_id == TaskGroup.id)
                                               .where(Task.id == comment.task_id))


def test_the_list_is_capped_and_says_so(season):
    db, clock = season
    for n in range(CAP + 3):
        clock.advance(seconds=1)
        post_comment(db, clock, HANOI, "hn2@hanoi.vn", f"Trao đổi số {n}")
    found, count = seen(db, clock, "hn@hanoi.vn")
    assert found.capped and len(found.items) == CAP and count == CAP + 3 + 4
    assert found.items[0].note == f"Trao đổi số {CAP + 2}"


def _id(db, email: str) -> int:
    with db.session() as session:
        return find_user(session, email).id
