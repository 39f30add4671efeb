"""Each province's parts counted, and the drill-down into its late communes (issue 24), on both back-ends."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from dtrack.persistence.models import User
from dtrack.reading.late_communes import PartCounts, late_communes, province_part_counts
from dtrack.workflow.part_service import PartTracker
from dtrack.workflow.parts import delegate
from dtrack.workflow.users import add_user
from tests.web.http_support import ACCOUNTS

OWN, OVERSEER = ACCOUNTS["own"][0], ACCOUNTS["overseer"][0]
KEY2, KEY3 = "20/CT-BCT:2:ha-noi", "20/CT-BCT:3:ha-noi"


def _world(site) -> None:
    """Task 2 to every Hà Nội commune (due 02/03/2026), task 3 to two of them (due 16/03/2026); then
    Ba Đình completes its part of task 2 and Ngọc Hà submits it; the clock moves to 10/03/2026."""
    every = delegate(site.db, site.clock, OWN, KEY2, None, date(2026, 3, 2), "Báo cáo số cơ sở")
    delegate(site.db, site.clock, OWN, KEY3, ["00004", "00008"], date(2026, 3, 16), "Kiểm tra")
    assert len(every.added) == 126  # Hà Nội's communes and wards
    with site.db.session() as session:
        for code in ("00004", "00008"):
            add_user(session, email=f"{code}@xa.example.vn", name=code, role="commune", province=None,
                     now=site.clock.now(), commune=code)
    parts = PartTracker(site.db, site.clock)
    for code in ("00004", "00008"):
        parts.fire(f"{KEY2}/{code}", "start", f"{code}@xa.example.vn")
        parts.fire(f"{KEY2}/{code}", "submit", f"{code}@xa.example.vn")
    parts.fire(f"{KEY2}/00004", "accept", OWN)
    site.clock.advance(days=64)


def _user(session, email: str) -> User:
    return session.scalar(select(User).where(User.email == email))


def test_counts_and_late_communes_of_a_province_and_of_a_task(site):
    _world(site)
    today = site.clock.today()
    assert today == date(2026, 3, 10)
    with site.db.session() as session:
        overseer = _user(session, OVERSEER)
        counts = province_part_counts(session, overseer, today)
        # 128 parts; Ba Đình's of task 2 completed; Ngọc Hà's submitted (the province's turn: not late);
        # the 124 others of task 2 are past 02/03; task 3's are not due yet.
        assert counts == {"ha-noi": PartCounts(128, 1, 124)}
        assert province_part_counts(session, _user(session, ACCOUNTS["other"][0]), today) == {}
        late = late_communes(session, overseer, "Hà Nội", today)
        assert late.counts == PartCounts(128, 1, 124) and len(late.communes) == 124
        codes = {c.code for c in late.communes}
        assert "00004" not in codes and "00008" not in codes
        first = late.communes[0]
        assert (first.late_parts, first.days_late, first.tasks) == (1, 8, [KEY2])
        task3 = site.task_id(KEY3)
        of_task = late_communes(session, overseer, "ha-noi", today, str(task3))
        assert of_task.counts == PartCounts(2, 0, 0) and of_task.communes == [] and of_task.task_key == KEY3


def test_the_drill_down_page_by_role(site):
    _world(site)
    page = site.client("overseer").get("/provinces/ha-noi/late-communes")
    assert page.status_code == 200
    assert 'data-counts="128/1/124"' in page.text and "quá hạn 8 ngày" in page.text
    assert "Các xã, phường chậm tiến độ của" in page.text and 'data-commune="00004"' not in page.text
    assert site.client("own").get("/provinces/ha-noi/late-communes").status_code == 200
    assert site.client("other").get("/provinces/ha-noi/late-communes").status_code == 403
    task3 = site.task_id(KEY3)
    one = site.client("own").get(f"/provinces/ha-noi/late-communes?task={task3}")
    assert one.status_code == 200 and "Không có xã, phường nào chậm tiến độ." in one.text
    hue_task = site.task_id("20/CT-BCT:2:hue")
    assert site.client("overseer").get(f"/provinces/ha-noi/late-communes?task={hue_task}").status_code == 404


def test_the_status_matrix_shows_each_province_s_parts_and_links_the_drill_down(site):
    _world(site)
    page = site.client("overseer").get("/status")
    assert page.status_code == 200
    assert 'data-parts="128/1/124"' in page.text
    assert 'href="/provinces/ha-noi/late-communes?directive=20/CT-BCT"' in page.text
    assert "124 quá hạn" in page.text and "Phần việc giao xã" in page.text
