"""A comment from the other side reaches the recipient's next digest: provinces' comments for the overseers,
the Department's for the province; one's own comments are not news to oneself."""
from __future__ import annotations

from datetime import date

from dtrack.config.clock import Clock
from dtrack.notifications.digest_sending import preview
from dtrack.workflow.comments import post_comment
from tests.conftest import TODAY
from tests.notifications.conftest import mail_settings

CLOCK = Clock(pinned=TODAY)
YESTERDAY = Clock(pinned=date(2026, 1, 4))
TASK = "20/CT-BCT:3:ha-noi"


def _rows(digest):
    return [(section.name, item) for section in digest.sections for item in section.items]


def _said(digest) -> list[str]:
    return [c.note for _, i in _rows(digest) for c in (i, *i.changes) if c.label and c.note]


def test_the_provinces_comments_reach_the_overseers_and_theirs_the_province(world, tmp_path):
    officer, overseer = world.user("province", "ha-noi"), world.user("overseer", None)
    post_comment(world.db, YESTERDAY, TASK, officer, "Đã gửi dự thảo <kế hoạch>, mời Cục góp ý")
    post_comment(world.db, YESTERDAY, TASK, overseer, "Cục đã nhận, sẽ trả lời trong tuần")
    theirs, rendered = preview(world.db, CLOCK, mail_settings(tmp_path), overseer)
    assert _said(theirs) == ["Đã gửi dự thảo <kế hoạch>, mời Cục góp ý"]  # not the overseer's own comment
    section = theirs.section("comments")
    assert section is not None and section.total == 1 and section.items[0].key == TASK
    assert "Ý kiến mới của các tỉnh" in rendered.text
    assert "&lt;kế hoạch&gt;" in rendered.html and "<kế hoạch>" not in rendered.html
    mine, _ = preview(world.db, CLOCK, mail_settings(tmp_path), officer)
    assert "Cục đã nhận, sẽ trả lời trong tuần" in _said(mine)
    assert "Đã gửi dự thảo <kế hoạch>, mời Cục góp ý" not in _said(mine)


def test_a_comment_on_a_listed_task_joins_its_row(world, tmp_path):
    from dtrack.workflow.service import Tracker

    officer, overseer = world.user("province", "ha-noi"), world.user("overseer", None)
    tracker = Tracker(world.db, YESTERDAY)
    tracker.fire(TASK, "start", officer)
    tracker.fire(TASK, "submit", officer, evidence="QĐ 9/QĐ-UBND")
    post_comment(world.db, YESTERDAY, TASK, officer, "Hồ sơ đã đủ, mời Cục duyệt")
    digest, _ = preview(world.db, CLOCK, mail_settings(tmp_path), overseer)
    rows = [(name, item) for name, item in _rows(digest) if item.key == TASK]
    assert len(rows) == 1 and rows[0][0] == "awaiting_review"  # one row per task: the comment is merged into it
    assert [c.note for c in rows[0][1].changes] == ["Hồ sơ đã đủ, mời Cục duyệt"]
