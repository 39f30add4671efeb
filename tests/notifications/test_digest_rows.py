"""Digests worth opening: each task once, headings that say what they hold, the overseer's digest
summarised, the sender's name, and links that open the task pages of the web application."""
from __future__ import annotations

import re
from datetime import date
from email.header import decode_header, make_header
from urllib.parse import urlsplit

from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from sqlalchemy import delete, select

from dtrack.config.clock import Clock
from dtrack.config.today import Today
from dtrack.config.values import parse_smtp_url
from dtrack.notifications.digest_items import Digest
from dtrack.notifications.digest_sending import build_digests, deliver, preview
from dtrack.notifications.transport import SmtpTransport
from dtrack.persistence.models import Reminder, User
from dtrack.reading.overdue import overdue_review
from dtrack.usecases.demo import OVERSEER, SEASON_END, province_email, run_demo
from dtrack.usecases.demo_parts import PROVINCES, WITH_OFFICER
from dtrack.workflow.reminders import sweep
from dtrack.workflow.tasks import find_task
from tests.notifications.conftest import mail_settings
from tests.web.http_support import make_site

LAST_DAY = Clock(pinned=SEASON_END)


def listed(digest: Digest) -> list[int]:
    """Every task a digest names, section by section (a row's merged reminders and changes are that row)."""
    return [item.task_id for section in digest.sections for item in section.items]


def assert_each_task_once(digest: Digest) -> None:
    ids = listed(digest)
    assert len(ids) == len(set(ids)), f"{digest.recipient}: a task is listed twice"
    for section in digest.sections:
        assert 0 <= len(section.items) <= section.total, section.name


def test_the_demo_season_digests_list_each_task_once(demo_db, tmp_path):
    db = demo_db
    run_demo(db)
    sweep(db, LAST_DAY)
    settings = mail_settings(tmp_path, digest_weekday="sunday")
    officer = province_email("ha-noi")
    digest, rendered = preview(db, LAST_DAY, settings, officer)
    assert_each_task_once(digest)
    # Hà Nội's four overdue tasks each had an "overdue" reminder too: four rows, not eight.
    overdue = digest.section("overdue")
    assert overdue.total == len(overdue.items) == 4
    assert digest.section("reminders").total == 0
    for item in overdue.items:
        assert rendered.text.count(item.key + " ") == 1
    overseer, _ = preview(db, LAST_DAY, settings, OVERSEER)
    assert_each_task_once(overseer)
    # Every digest of the day, built for real.
    report = build_digests(db, LAST_DAY, settings)
    # 34 provinces, the overseer, and the commune officers of the provinces that delegate (issue 24).
    assert report.queued + report.nothing == 35 + len(PROVINCES) * WITH_OFFICER


REMINDER_KINDS = ("before_deadline", "overdue", "escalation", "review_nudge")
TASKS = ("20/CT-BCT:2:ha-noi", "20/CT-BCT:3:ha-noi", "20/CT-BCT:9:ha-noi:2025-H2", "20/CT-BCT:4:ha-noi",
         "20/CT-BCT:2:hai-phong", "20/CT-BCT:8:hue")
REMINDER_SETS = st.lists(st.tuples(st.sampled_from(TASKS), st.sampled_from(REMINDER_KINDS),
                                   st.sampled_from(("province", "overseer")), st.integers(-30, 30)),
                         max_size=14, unique_by=lambda r: (r[0], r[1]))  # one reminder per task, kind and day


@hsettings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(reminders=REMINDER_SETS, cap=st.integers(1, 4))
def test_no_task_twice_whatever_the_reminders(world, db, remind, tmp_path, reminders, cap):
    officer = "can.bo@soct.hanoi.example.vn"
    with db.session() as s:
        known = s.scalar(select(User.id).where(User.email == officer)) is not None
    if not known:  # hypothesis runs the body many times on one database
        world.user("province", "ha-noi", email=officer)
        world.user("overseer", None, email="giam.sat@moit.example.vn")
    with db.session() as s:
        s.execute(delete(Reminder))
    for task, kind, audience, days in reminders:
        remind(task, kind, audience=audience, days=days)
    settings = mail_settings(tmp_path, digest_cap=str(cap), digest_overseer_top=str(cap))
    day = Clock(pinned=date(2026, 1, 5))
    for who in (officer, "giam.sat@moit.example.vn"):
        digest, rendered = preview(db, day, settings, who)
        assert_each_task_once(digest)
        # The plain-text and HTML parts list the same tasks.
        for section in digest.sections:
            for item in section.items:
                assert item.key in rendered.text and item.key in rendered.html
    # Each province reminder of a Hà Nội task is told: on its row, or counted in a section whose link lists it.
    digest, _ = preview(db, day, settings, officer)
    with db.session() as s:
        reminded = {find_task(s, t)[0].id for t, _, audience, _ in reminders
                    if audience == "province" and ":ha-noi" in t}
    shown = set(listed(digest))
    assert all(task_id in shown for task_id in reminded) or any(s.more for s in digest.sections)
    assert len(reminded - shown) <= sum(s.more for s in digest.sections)
    assert all(s.more_where for s in digest.sections if s.more)


def test_a_task_due_in_14_days_is_not_due_today(world, db, tmp_path):
    officer = world.user("province", "ha-noi")
    # Group 9's first report falls due on 15/12/2025: the sweep of 01/12 writes its "14 days before" reminders.
    day = Clock(pinned=date(2025, 12, 1))
    sweep(db, day)
    digest, rendered = preview(db, day, mail_settings(tmp_path), officer)
    [item] = digest.section("due_soon").items
    assert item.key == "20/CT-BCT:9:ha-noi:2025-H2" and item.days == 14
    assert digest.section("due_today").total == 0
    assert "Nhiệm vụ đến hạn trong 14 ngày tới (1)" in rendered.text and "còn 14 ngày, hạn 15/12/2025" in rendered.text
    assert "hôm nay" not in rendered.text and "hôm nay" not in rendered.html
    # On the day itself it is due today, under that heading.
    on_the_day = Clock(pinned=date(2025, 12, 15))
    sweep(db, on_the_day)
    digest, rendered = preview(db, on_the_day, mail_settings(tmp_path), officer)
    assert [i.key for i in digest.section("due_today").items] == ["20/CT-BCT:9:ha-noi:2025-H2"]
    assert "Nhiệm vụ đến hạn hôm nay (1)" in rendered.text
    assert_each_task_once(digest)


def test_english_headings_say_what_they_hold(world, db, tmp_path):
    from dtrack.workflow.users import find_user

    officer = world.user("province", "ha-noi")
    with db.session() as s:
        find_user(s, officer).locale = "en"
    day = Clock(pinned=date(2025, 12, 1))
    sweep(db, day)
    _, rendered = preview(db, day, mail_settings(tmp_path), officer)
    assert "Tasks due within 14 days (1)" in rendered.text and "14 days left, due 15/12/2025" in rendered.text
    assert "today" not in rendered.text.lower()


def test_the_overseer_digest_is_a_summary_with_links(demo_db, tmp_path):
    db = demo_db
    run_demo(db)
    sweep(db, LAST_DAY)
    top = 3
    settings = mail_settings(tmp_path, digest_overseer_top=str(top), base_url="https://dtrack.example.vn/",
                             digest_weekday="sunday")
    digest, rendered = preview(db, LAST_DAY, settings, OVERSEER)
    assert_each_task_once(digest)
    # Bounded: at most `top` rows per section, however many there are; the rest are counted.
    assert len(listed(digest)) <= top * len(digest.sections)
    assert sum(s.total for s in digest.sections) > 100
    for section in digest.sections:
        assert len(section.items) <= top
        assert len(section.items) + section.more == section.total
        if section.more:
            assert section.more_where.startswith("https://dtrack.example.vn/")
            assert section.more_where in rendered.text and f'href="{section.more_where}"' in rendered.html
    assert "https://dtrack.example.vn/overdue" in rendered.text and "https://dtrack.example.vn/review" in rendered.text
    # Counts per region add up to the country's, which is what the overdue list says.
    with db.session() as s:
        review = overdue_review(s, Today.of(LAST_DAY))
    assert sum(r.overdue for r in digest.regions) == review.total
    assert sum(r.awaiting for r in digest.regions) == digest.section("awaiting_review").total
    assert f"Cả nước (34 tỉnh, thành): Quá hạn {review.total}," in rendered.text
    # Web users are told of pages, never of commands.
    for command in ("dtrack tasks", "dtrack overdue", "--state", "--province"):
        assert command not in rendered.text and command not in rendered.html
    assert len(rendered.text.splitlines()) < 120
    # A blocked task says its reason and how late it is.
    blocked = digest.section("blocked").items[0]
    assert f"quá hạn {(SEASON_END - blocked.due_on).days} ngày, hạn {blocked.due_on:%d/%m/%Y}" in rendered.text


def test_the_sender_is_the_configured_name(world, db, smtp, tmp_path):
    officer = world.user("province", "ha-noi")
    name = "Sở Công Thương Hà Nội – Phòng Quản lý công nghiệp"
    settings = mail_settings(tmp_path, mail_from="thong.bao@soct.hanoi.example.vn", mail_sender_name=name)
    build_digests(db, Clock(pinned=date(2026, 1, 5)), settings)
    deliver(db, SmtpTransport(parse_smtp_url(smtp.url)), settings)
    [message] = smtp.handler.parsed()
    [raw] = [raw for _, _, raw in smtp.handler.messages]
    sender = message["From"].addresses[0]
    assert (sender.display_name, sender.addr_spec) == (name, "thong.bao@soct.hanoi.example.vn")
    # On the wire: the name RFC 2047-encoded (7-bit), decoding back to exactly the configured name.
    headers = re.sub(r"\r\n[ \t]", " ", raw.split(b"\r\n\r\n")[0].decode("ascii"))  # unfolded
    [value] = [h.removeprefix("From: ") for h in headers.split("\r\n") if h.startswith("From: ")]
    assert "=?utf-8?" in value and "thong.bao@soct.hanoi.example.vn" in value
    assert name in str(make_header(decode_header(value)))
    assert smtp.handler.messages[0][0] == "thong.bao@soct.hanoi.example.vn"
    assert officer in smtp.handler.recipients()


def test_the_sender_name_defaults_to_the_department(world, db, tmp_path):
    settings = mail_settings(tmp_path)
    assert settings.mail_sender_name == "Cục Đổi mới sáng tạo, Chuyển đổi xanh và Khuyến công"
    assert settings.base_url == "http://127.0.0.1:8000"


def test_links_open_the_task_pages_of_the_web_application(db, tmp_path):
    site = make_site(db)
    settings = mail_settings(tmp_path, base_url="https://dtrack.example.vn/khuyen-cong/", digest_cap="3",
                             digest_overseer_top="2")
    day = Clock(pinned=date(2026, 1, 5))
    sweep(db, day)
    for who in ("own", "overseer"):
        digest, rendered = preview(db, day, settings, site.emails[who])
        client = site.client(who)
        anonymous = site.anonymous()
        links = [f"https://dtrack.example.vn/khuyen-cong/tasks/{i.task_id}"
                 for s in digest.sections for i in s.items]
        links += [s.more_where for s in digest.sections if s.more]
        assert links, who
        for link in links:
            assert link in rendered.text and f'href="{link}"' in rendered.html
            parts = urlsplit(link)
            assert parts.netloc == "dtrack.example.vn" and parts.path.startswith("/khuyen-cong/")
            path = parts.path.removeprefix("/khuyen-cong")
            assert client.get(path + (f"?{parts.query}" if parts.query else "")).status_code == 200, link
            refused = anonymous.get(path)
            assert refused.status_code in (302, 303) and "/login" in refused.headers["location"]


def test_a_returned_overdue_task_is_one_row_with_the_note(world, db, tmp_path):
    from dtrack.workflow.service import Tracker

    officer = world.user("province", "ha-noi")
    overseer = world.user("overseer", None)
    # Group 9 is overdue on 05/01/2026; returned for rework, it is still overdue: one row, with the note.
    tracker = Tracker(db, Clock(pinned=date(2026, 1, 4)))
    tracker.fire("20/CT-BCT:9:ha-noi:2025-H2", "start", officer)
    tracker.fire("20/CT-BCT:9:ha-noi:2025-H2", "submit", officer)
    tracker.fire("20/CT-BCT:9:ha-noi:2025-H2", "send_back", overseer, note="Bổ sung số liệu quý IV")
    digest, rendered = preview(db, Clock(pinned=date(2026, 1, 5)), mail_settings(tmp_path), officer)
    assert_each_task_once(digest)
    [item] = digest.section("overdue").items
    with db.session() as s:
        assert item.task_id == find_task(s, "20/CT-BCT:9:ha-noi:2025-H2")[0].id
    assert digest.section("returned").total == 0
    assert "Ghi chú của cán bộ giám sát: Bổ sung số liệu quý IV" in rendered.text
    assert "Ghi chú của cán bộ giám sát: Bổ sung số liệu quý IV" in rendered.html
