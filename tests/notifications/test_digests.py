"""What the digests say, to whom, in which language, and that they consume reminders."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from dtrack.config.clock import Clock
from dtrack.notifications.digest_sending import build_digests, preview
from dtrack.persistence.models import Outbox, Reminder
from dtrack.workflow.service import Tracker
from dtrack.workflow.users import find_user
from tests.conftest import TODAY
from tests.notifications.conftest import mail_settings

CLOCK = Clock(pinned=TODAY)


def tracker_on(world, day: date):
    return Tracker(world.db, Clock(pinned=day))


def test_province_digest_lists_overdue_returned_with_note_and_changes(world, tmp_path):
    officer = world.user("province", "ha-noi")
    overseer = world.user("overseer", None)
    yesterday = tracker_on(world, date(2026, 1, 4))
    yesterday.fire("20/CT-BCT:2:ha-noi", "start", officer)
    yesterday.fire("20/CT-BCT:2:ha-noi", "submit", officer)
    yesterday.fire("20/CT-BCT:2:ha-noi", "send_back", overseer, note="Thiếu phụ lục kinh phí chi tiết")
    digest, rendered = preview(world.db, CLOCK, mail_settings(tmp_path), officer)
    assert rendered.subject == "[dtrack] Hà Nội: 1 nhiệm vụ quá hạn, 1 bị trả lại (05/01/2026)"
    text = rendered.text
    assert "20/CT-BCT:9:ha-noi" in text and "quá hạn 21 ngày, hạn 15/12/2025" in text
    assert "Ghi chú của cán bộ giám sát: Thiếu phụ lục kinh phí chi tiết" in text
    # The overseer's send-back is news to the officer; the officer's own actions are not. It is
    # told on the returned task's row, not as a second row of the same task.
    [returned] = digest.section("returned").items
    assert [c.label["en"] for c in returned.changes] == ["sent back for rework"]
    assert returned.changes[0].actor == overseer
    assert digest.section("changes").total == 0
    assert "Thay đổi: 04/01/2026" in text and "trả lại" in text


def test_english_and_vietnamese_renderings(world, db, tmp_path):
    vi_user = world.user("province", "ha-noi")
    en_user = world.user("province", "ha-noi", email="officer.en@hanoi.example.vn")
    with db.session() as s:
        find_user(s, en_user).locale = "en"
    settings = mail_settings(tmp_path)
    _, vi = preview(db, CLOCK, settings, vi_user)
    _, en = preview(db, CLOCK, settings, en_user)
    assert vi.subject == "[dtrack] Hà Nội: 1 nhiệm vụ quá hạn (05/01/2026)"
    assert en.subject == "[dtrack] Hanoi: 1 task overdue (05/01/2026)"
    assert "Kính gửi" in vi.text and "Nhiệm vụ quá hạn (1)" in vi.text and 'lang="vi"' in vi.html
    assert "Dear" in en.text and "Overdue tasks (1)" in en.text and "21 days overdue, due 15/12/2025" in en.text
    assert 'lang="en"' in en.html and "Overdue tasks" in en.html


def test_hostile_note_is_escaped_in_html_only(world, db, tmp_path):
    officer = world.user("province", "ha-noi")
    overseer = world.user("overseer", None)
    hostile = "<script>alert('x')</script> & <b>bold</b>"
    day = tracker_on(world, date(2026, 1, 4))
    day.fire("20/CT-BCT:2:ha-noi", "block", officer, note=hostile)
    day.fire("20/CT-BCT:1:ha-noi", "start", officer)
    day.fire("20/CT-BCT:1:ha-noi", "submit", officer)
    day.fire("20/CT-BCT:1:ha-noi", "send_back", overseer, note=hostile)
    settings = mail_settings(tmp_path)
    for who in (officer, overseer):
        _, rendered = preview(db, CLOCK, settings, who)
        assert "<script>" not in rendered.html and "<b>bold" not in rendered.html
        assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in rendered.html
        assert hostile in rendered.text


def test_overseer_digest_caps_long_lists_and_counts_regions(world, db, tmp_path):
    overseer = world.user("overseer", None)
    # Group 9 falls due on 15/12/2025 in all 34 provinces: the next day 34 tasks are newly overdue.
    settings = mail_settings(tmp_path, digest_overseer_top="20", digest_weekday="sunday")
    digest, rendered = preview(db, Clock(pinned=date(2025, 12, 16)), settings, overseer)
    section = digest.section("newly_overdue")
    assert (len(section.items), section.total, section.more) == (20, 34, 14)
    assert "và 14 nhiệm vụ khác; xem đầy đủ: http://127.0.0.1:8000/overdue" in rendered.text
    assert "dtrack " not in rendered.text.replace("[dtrack]", "").replace("từ dtrack", "")
    assert [(r.region, r.provinces, r.overdue) for r in digest.regions] == [
        ("north", 15, 15), ("central", 11, 11), ("south", 8, 8)]
    assert rendered.subject.startswith("[dtrack] Tổng hợp ngày: 34 mới quá hạn")
    assert not digest.weekly
    with db.session() as s:
        find_user(s, overseer).locale = "en"
    _, english = preview(db, Clock(pinned=date(2025, 12, 16)), settings, overseer)
    assert "1 day overdue, due 15/12/2025" in english.text and "and 14 more" in english.text


def test_weekly_summary_on_the_configured_weekday_and_task_links(world, db, tmp_path):
    overseer = world.user("overseer", None)
    settings = mail_settings(tmp_path, digest_weekday="monday", base_url="https://dtrack.example.vn/")
    digest, rendered = preview(db, CLOCK, settings, overseer)  # 05/01/2026 is a Monday
    assert digest.weekly and rendered.subject.startswith("[dtrack] Tổng hợp tuần")
    assert "Trong 7 ngày qua" in rendered.text
    officer = world.user("province", "ha-noi")
    _, rendered = preview(db, CLOCK, settings, officer)
    assert "https://dtrack.example.vn/tasks/" in rendered.text
    assert 'href="https://dtrack.example.vn/tasks/' in rendered.html


def test_build_consumes_exactly_the_reminders_it_reports(world, db, remind, tmp_path):
    officer = world.user("province", "ha-noi")
    overseer = world.user("overseer", None)
    mine = remind("20/CT-BCT:2:ha-noi", "before_deadline", days=7)
    escalation = remind("20/CT-BCT:8:hai-phong", "escalation", audience="overseer", days=-21)
    later = remind("20/CT-BCT:3:ha-noi", "before_deadline", remind_on=date(2026, 1, 6))
    cancelled = remind("20/CT-BCT:4:ha-noi", "before_deadline", cancelled=True)
    nobody = remind("20/CT-BCT:2:ca-mau", "before_deadline")  # no user in Cà Mau yet
    settings = mail_settings(tmp_path)
    _, text = preview(db, CLOCK, settings, officer)
    # A reminder ahead of a deadline past the due-soon window: listed as due within N days (N computed).
    assert "Nhiệm vụ đến hạn trong 71 ngày tới (1)" in text.text and "còn 71 ngày, hạn 17/03/2026" in text.text
    report = build_digests(db, CLOCK, settings)
    assert (report.queued, report.reminders_consumed) == (2, 2)
    with db.session() as s:
        consumed = {r.id: r.consumed_at is not None for r in s.scalars(select(Reminder))}
        bodies = {m.recipient: m.body_text for m in s.scalars(select(Outbox))}
    assert consumed == {mine: True, escalation: True, later: False, cancelled: False, nobody: False}
    assert "quá hạn lâu, cần đôn đốc" in bodies[overseer] and "Hải Phòng" in bodies[overseer]
    # Built again the same day: nothing new, nothing consumed twice.
    again = build_digests(db, CLOCK, settings)
    assert (again.queued, again.already, again.reminders_consumed) == (0, 2, 0)


def test_nothing_to_say_sends_nothing_unless_configured(world, db, tmp_path):
    world.user("province", "ha-noi")
    quiet_day = Clock(pinned=date(2025, 11, 10))  # nothing due, nothing changed
    assert build_digests(db, quiet_day, mail_settings(tmp_path)).nothing == 1
    report = build_digests(db, quiet_day, mail_settings(tmp_path, digest_send_empty="yes"))
    assert report.queued == 1
    with db.session() as s:
        row = s.scalars(select(Outbox)).one()
    assert "không có việc mới" in row.subject and "Không có việc cần xử lý." in row.body_text


def test_an_extended_deadline_is_news_in_the_province_digest(world, tmp_path):
    from dtrack.workflow.extension import extend

    officer = world.user("province", "ha-noi")
    overseer = world.user("overseer", None)
    extend(world.db, Clock(pinned=date(2026, 1, 4)), overseer, date(2026, 12, 31), "chờ hướng dẫn của Bộ",
           task_refs=["20/CT-BCT:2:ha-noi"])
    digest, rendered = preview(world.db, CLOCK, mail_settings(tmp_path), officer)
    changes = digest.section("changes")
    assert [i.label["vi"] for i in changes.items] == ["gia hạn"]
    assert "gia hạn bởi" in rendered.text
    assert "chờ hướng dẫn của Bộ" in rendered.text


def test_a_recomputed_deadline_is_news_in_the_province_digest(world, tmp_path):
    # The digest names every deadline event by its label; a trigger without one
    # crashed it before (KeyError: 'extend').
    from dtrack.workflow.deadlines import WorkCalendar
    from dtrack.workflow.recompute import recompute

    officer = world.user("province", "ha-noi")
    yesterday = Clock(pinned=date(2026, 1, 4)).now()
    with world.db.session() as s:
        recompute(s, date(2026, 1, 4), yesterday, WorkCalendar(extra_days_off=frozenset({date(2026, 5, 4)})))
    digest, rendered = preview(world.db, CLOCK, mail_settings(tmp_path), officer)
    changes = digest.section("changes")
    # Groups 1 and 5 ("+6 months": Monday 04/05/2026, now a day off) move to 05/05/2026.
    assert [i.label["vi"] for i in changes.items] == ["tính lại hạn theo lịch làm việc"] * 2
    assert "04/05/2026 -> 05/05/2026" in rendered.text
