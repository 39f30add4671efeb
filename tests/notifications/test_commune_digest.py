"""Digests for commune officers and the late communes in the province's digest (issue 24), on both back-ends.

The season: on 05/01/2026 Hà Nội gives Phường Ba Đình (00004) three parts (due 09/01, 15/01 and
30/01/2026) and Phường Ngọc Hà (00008) two (due 09/01 and 13/01), and Huế gives Phường Phú Xuân
(19768) one (due 09/01). Ngọc Hà submits its part due 09/01; Ba Đình blocks its part due 30/01.
The digests are read on 13/01/2026 unless a test says otherwise.
"""
from __future__ import annotations

import re
from datetime import date, timedelta
from email.message import EmailMessage

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from sqlalchemy import func, select

from dtrack.accounts import admin
from dtrack.accounts.preferences import set_mail_choice
from dtrack.config.clock import Clock
from dtrack.config.values import parse_smtp_url
from dtrack.notifications.digest_communes import COMMUNE_SECTIONS
from dtrack.notifications.digest_items import Digest, LateCommuneLine, LateCommunes, Section
from dtrack.notifications.digest_rendering import subject_of
from dtrack.notifications.digest_sending import build_digests, deliver, preview
from dtrack.notifications.transport import SmtpTransport
from dtrack.persistence.commune_models import Commune
from dtrack.persistence.models import Outbox, Province, Task
from dtrack.persistence.part_models import TaskPart
from dtrack.workflow.part_service import PartTracker
from dtrack.workflow.parts import delegate
from dtrack.workflow.users import add_user, find_user
from dtrack.workflow.vocabulary import OWED_BY_PROVINCE
from tests.conftest import TODAY
from tests.notifications.conftest import mail_settings
from tests.web.http_support import PASSWORD, cheap_hashing, csrf_of, make_site  # noqa: F401 - a fixture

BA_DINH, NGOC_HA, PHU_XUAN = "00004", "00008", "19768"
KEY1, KEY2, KEY3, KEY4 = (f"20/CT-BCT:{n}:ha-noi" for n in (1, 2, 3, 4))
HUE_KEY = "20/CT-BCT:2:hue"
DAY = date(2026, 1, 13)
BASE = "http://127.0.0.1:8000"
REPORT = "Rà soát, lập danh sách cơ sở công nghiệp nông thôn tiêu biểu trên địa bàn phường"
CHECK = "Kiểm tra hiện trạng các làng nghề, gửi biên bản về Sở"


def commune_officer(world, code: str, email: str | None = None) -> str:
    email = email or f"xa{code}@ubnd.example.vn"
    with world.db.session() as session:
        add_user(session, email=email, name=f"Cán bộ xã {code}", role="commune", province=None,
                 now=world.clock.now(), commune=code)
    return email


def season(world, report: str = REPORT) -> dict[str, str]:
    """The module's season; the officers' emails by who they are."""
    people = {"ha-noi": world.user("province", "ha-noi"), "hue": world.user("province", "hue"),
              BA_DINH: commune_officer(world, BA_DINH), NGOC_HA: commune_officer(world, NGOC_HA),
              PHU_XUAN: commune_officer(world, PHU_XUAN)}
    db, clock = world.db, world.clock
    delegate(db, clock, people["ha-noi"], KEY2, [BA_DINH, NGOC_HA], date(2026, 1, 9), report)
    delegate(db, clock, people["ha-noi"], KEY3, [BA_DINH], date(2026, 1, 15), CHECK)
    delegate(db, clock, people["ha-noi"], KEY1, [BA_DINH], date(2026, 1, 30), CHECK)
    delegate(db, clock, people["ha-noi"], KEY4, [NGOC_HA], date(2026, 1, 13), CHECK)
    delegate(db, clock, people["hue"], HUE_KEY, [PHU_XUAN], date(2026, 1, 9), report)
    parts = PartTracker(db, clock)
    parts.fire(f"{KEY2}/{NGOC_HA}", "start", people[NGOC_HA])
    parts.fire(f"{KEY2}/{NGOC_HA}", "submit", people[NGOC_HA])
    parts.fire(f"{KEY1}/{BA_DINH}", "block", people[BA_DINH], note="Chờ số liệu của Chi cục Thống kê")
    return people


def part_id(db, key: str) -> int:
    task_key, code = key.rsplit("/", 1)
    with db.session() as session:
        for part in session.scalars(select(TaskPart).join(Commune).where(Commune.code == code)):
            if part.task.key == task_key:
                return part.id
    raise AssertionError(key)


def keys(digest: Digest, name: str) -> list[str]:
    found = digest.section(name)
    return [item.key for item in found.items] if found else []


def test_a_commune_officer_gets_exactly_their_commune_s_parts_due_soon_and_overdue(world, tmp_path):
    people = season(world)
    settings = mail_settings(tmp_path)
    digest, rendered = preview(world.db, Clock(pinned=DAY), settings, people[BA_DINH])
    assert [s.name for s in digest.sections] == list(COMMUNE_SECTIONS)
    # Due 09/01: 4 days late. Due 15/01: 2 days left. The blocked part due 30/01 is beyond the 7 days.
    assert keys(digest, "parts_overdue") == [f"{KEY2}/{BA_DINH}"]
    assert keys(digest, "parts_due_today") == []
    assert keys(digest, "parts_due_soon") == [f"{KEY3}/{BA_DINH}"]
    assert rendered.subject == "[dtrack] Phường Ba Đình: 1 phần việc quá hạn, 1 sắp đến hạn (13/01/2026)"
    text = rendered.text
    assert "Tình hình các phần việc tỉnh giao cho Phường Ba Đình đến ngày 13/01/2026:" in text
    assert "== Phần việc quá hạn (1) ==" in text and "== Phần việc đến hạn trong 7 ngày tới (1) ==" in text
    # Each part: its key, the task's title, the province, how late, the deadline, what to do, its page.
    [overdue] = digest.section("parts_overdue").items
    assert f"- {KEY2}/{BA_DINH}  {overdue.title['vi']} (Hà Nội)" in text
    assert "quá hạn 4 ngày, hạn 09/01/2026" in text and "còn 2 ngày, hạn 15/01/2026" in text
    assert f"Việc phải làm: {REPORT}" in text and f"Việc phải làm: {CHECK}" in text
    assert f"{BASE}/parts/{part_id(world.db, f'{KEY2}/{BA_DINH}')}" in text
    assert f'href="{BASE}/parts/{part_id(world.db, f"{KEY3}/{BA_DINH}")}"' in rendered.html
    assert f"{BASE}/commune" in text and "/tasks/" not in text + rendered.html
    # Ngọc Hà: its submitted part waits for the province; its part due today is listed as such.
    ngoc_ha, _ = preview(world.db, Clock(pinned=DAY), settings, people[NGOC_HA])
    assert keys(ngoc_ha, "parts_due_today") == [f"{KEY4}/{NGOC_HA}"]
    assert keys(ngoc_ha, "parts_overdue") == keys(ngoc_ha, "parts_due_soon") == []
    # Another commune's parts (of the same province or another) are never in the digest.
    everything = " ".join(k for name in COMMUNE_SECTIONS for k in keys(digest, name))
    assert NGOC_HA not in everything and PHU_XUAN not in everything and NGOC_HA not in text


def test_in_english_for_an_officer_who_chose_it(world, tmp_path):
    people = season(world)
    with world.db.session() as session:
        find_user(session, people[BA_DINH]).locale = "en"
    _, rendered = preview(world.db, Clock(pinned=DAY), mail_settings(tmp_path), people[BA_DINH])
    assert rendered.subject == "[dtrack] Phường Ba Đình: 1 overdue, 1 due soon (13/01/2026)"
    assert "Overdue parts (1)" in rendered.text and "4 days overdue, due 09/01/2026" in rendered.text
    assert f"What to do: {REPORT}" in rendered.text and "(Hanoi)" in rendered.text and 'lang="en"' in rendered.html


def test_a_commune_with_nothing_due_gets_no_mail(world, tmp_path):
    people = season(world)
    quiet = commune_officer(world, "00025")  # a Hà Nội ward without parts
    settings = mail_settings(tmp_path)
    # On 05/01 Ba Đình's nearest deadline (09/01) is within 7 days; with a 2-day window nothing is due yet.
    early = mail_settings(tmp_path, due_soon_days="2")
    digest, _ = preview(world.db, Clock(pinned=TODAY), early, people[BA_DINH])
    assert not digest.has_news and all(s.total == 0 for s in digest.sections)
    report = build_digests(world.db, Clock(pinned=TODAY), early)
    with world.db.session() as session:
        sent_to = set(session.scalars(select(Outbox.recipient)))
    assert people[BA_DINH] not in sent_to and quiet not in sent_to and people[NGOC_HA] not in sent_to
    assert report.nothing >= 3
    # A ward without parts stays quiet on any day; Ba Đình's mail comes once something is due.
    report = build_digests(world.db, Clock(pinned=DAY), settings)
    with world.db.session() as session:
        sent_to = set(session.scalars(select(Outbox.recipient).where(Outbox.key_date == DAY)))
    assert {people[BA_DINH], people[NGOC_HA], people[PHU_XUAN]} <= sent_to and quiet not in sent_to


def test_none_keeps_only_the_returned_and_overdue_parts_and_sends_nothing_else(world, tmp_path):
    people = season(world)
    settings = mail_settings(tmp_path)
    for code in (BA_DINH, NGOC_HA):
        with world.db.session() as session:
            user_id = find_user(session, people[code]).id
        chosen = set_mail_choice(world.db, world.clock, user_id, "none", [])
        assert chosen.sections == COMMUNE_SECTIONS and chosen.chosen == {"parts_returned", "parts_overdue"}
    ba_dinh, rendered = preview(world.db, Clock(pinned=DAY), settings, people[BA_DINH])
    assert [s.name for s in ba_dinh.sections] == ["parts_returned", "parts_overdue"] and not ba_dinh.quiet
    assert "sắp đến hạn" not in rendered.subject and CHECK not in rendered.text
    # Ngọc Hà has only a part due today: with "none" there is nothing to send.
    ngoc_ha, _ = preview(world.db, Clock(pinned=DAY), settings, people[NGOC_HA])
    assert ngoc_ha.quiet
    build_digests(world.db, Clock(pinned=DAY), settings)
    with world.db.session() as session:
        sent_to = set(session.scalars(select(Outbox.recipient)))
    assert people[BA_DINH] in sent_to and people[NGOC_HA] not in sent_to
    # A weekly choice: the sections chosen come on the weekday, the overdue parts every day.
    with world.db.session() as session:
        user_id = find_user(session, people[NGOC_HA]).id
    set_mail_choice(world.db, world.clock, user_id, "weekly", ["parts_due_today"])
    tuesday = mail_settings(tmp_path, digest_weekday="tuesday")
    weekly, _ = preview(world.db, Clock(pinned=DAY), tuesday, people[NGOC_HA])
    assert keys(weekly, "parts_due_today") == [f"{KEY4}/{NGOC_HA}"] and not weekly.quiet


def test_a_commune_officer_chooses_their_mail_on_the_account_page(db):
    """The same choice as everyone's: the parts' sections offered, the overdue ones required."""
    site = make_site(db)
    email = "can.bo@badinh.hanoi.example.vn"
    with site.db.session() as session:
        add_user(session, email=email, name="Nguyễn Văn Xã", role="commune", province=None, commune=BA_DINH,
                 now=site.clock.now())
    admin.set_password(site.db, site.clock, email, PASSWORD)
    officer = site.client(email)
    page = officer.get("/account")
    assert page.status_code == 200 and 'id="mail"' in page.text
    assert "Phần việc quá hạn" in page.text and "Phần việc sắp đến hạn" in page.text
    assert re.search(r'name="section_parts_overdue"[^>]* checked[^>]* disabled', page.text)
    saved = officer.post("/account/mail", data={"csrf_token": csrf_of(officer, "/account"),
                                                "digest_frequency": "weekly", "section_parts_due_soon": "yes"})
    assert saved.status_code == 303
    assert site.scalar("SELECT digest_sections FROM users WHERE email = :e", e=email) == \
        "parts_returned,parts_overdue,parts_due_soon"
    # A province officer's page offers the late communes among their sections.
    assert 'name="section_late_communes"' in site.client("own").get("/account").text


def test_the_province_digest_lists_its_late_communes(world, tmp_path):
    people = season(world)
    settings = mail_settings(tmp_path)
    digest, rendered = preview(world.db, Clock(pinned=DAY), settings, people["ha-noi"])
    late = digest.late_communes
    assert late is not None and late.total == 1
    # Ba Đình's part due 09/01 is 4 days late; Ngọc Hà submitted its own (the province's turn: not late).
    assert [(c.code, c.name, c.parts, c.most_days) for c in late.communes] == [(BA_DINH, "Phường Ba Đình", 1, 4)]
    assert late.where == f"{BASE}/provinces/ha-noi/late-communes"
    text = rendered.text
    assert "== Xã, phường chậm tiến độ (1) ==" in text
    assert "- Phường Ba Đình (00004): 1 phần việc quá hạn, lâu nhất 4 ngày" in text
    assert f"xem đầy đủ: {BASE}/provinces/ha-noi/late-communes" in text
    assert f'href="{BASE}/provinces/ha-noi/late-communes"' in rendered.html
    assert 'data-late-communes="1"' in rendered.html
    # Huế's officer hears of Huế's communes only.
    hue, hue_rendered = preview(world.db, Clock(pinned=DAY), settings, people["hue"])
    assert hue.late_communes is not None and [c.code for c in hue.late_communes.communes] == [PHU_XUAN]
    assert "Ba Đình" not in hue_rendered.text
    # A province with no late commune has no such section.
    hai_phong = world.user("province", "hai-phong")
    other, other_rendered = preview(world.db, Clock(pinned=DAY), settings, hai_phong)
    assert other.late_communes is None and "chậm tiến độ" not in other_rendered.text + other_rendered.html
    before, before_rendered = preview(world.db, Clock(pinned=TODAY), settings, people["ha-noi"])
    assert before.late_communes is None and "Xã, phường chậm tiến độ" not in before_rendered.text


def test_the_late_communes_are_a_section_the_officer_may_leave_out(world, tmp_path):
    people = season(world)
    with world.db.session() as session:
        user_id = find_user(session, people["ha-noi"]).id
    set_mail_choice(world.db, world.clock, user_id, "daily", ["due_soon"])
    digest, rendered = preview(world.db, Clock(pinned=DAY), mail_settings(tmp_path), people["ha-noi"])
    assert digest.late_communes is None and "chậm tiến độ" not in rendered.text
    set_mail_choice(world.db, world.clock, user_id, "daily", ["late_communes"])
    digest, _ = preview(world.db, Clock(pinned=DAY), mail_settings(tmp_path), people["ha-noi"])
    assert digest.late_communes is not None


def test_a_province_with_only_late_communes_is_told_so_in_the_subject():
    """A province with no task of its own to act on still gets its late communes, and the subject counts them."""
    late = LateCommunes([LateCommuneLine(PHU_XUAN, "Phường Phú Xuân", 2, 9)], 1, "")
    digest = Digest("a@hue.example.vn", "A", "vi", "province", DAY, False, {"vi": "Huế", "en": "Hue"},
                    [Section("overdue", [], 0)], late_communes=late)
    assert digest.has_news
    assert subject_of(digest) == "[dtrack] Huế: 1 xã, phường chậm tiến độ (13/01/2026)"
    # The province's own work comes first in the subject; the communes are in the mail.
    digest.sections[0].total = 2
    assert subject_of(digest) == "[dtrack] Huế: 2 nhiệm vụ quá hạn (13/01/2026)"


def test_one_commune_digest_over_real_smtp_keeps_its_vietnamese(world, smtp, tmp_path):
    people = season(world)
    settings = mail_settings(tmp_path)
    build_digests(world.db, Clock(pinned=DAY), settings)
    deliver(world.db, SmtpTransport(parse_smtp_url(smtp.url)), settings)
    [message] = [m for m in smtp.handler.parsed() if m["To"].addresses[0].addr_spec == people[BA_DINH]]
    assert isinstance(message, EmailMessage)
    assert str(message["Subject"]) == "[dtrack] Phường Ba Đình: 1 phần việc quá hạn, 1 sắp đến hạn (13/01/2026)"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "Kính gửi Cán bộ xã 00004," in text and f"Việc phải làm: {REPORT}" in text
    assert "quá hạn 4 ngày, hạn 09/01/2026" in text and "Phần việc đến hạn trong 7 ngày tới (1)" in text
    assert REPORT in html and f"{BASE}/parts/{part_id(world.db, f'{KEY2}/{BA_DINH}')}" in html
    assert people[BA_DINH] in smtp.handler.recipients() and people[PHU_XUAN] in smtp.handler.recipients()


REWORK = "Bổ sung ảnh chụp hiện trạng và biên bản có chữ ký của Chủ tịch UBND phường"


def test_a_returned_part_comes_first_with_the_province_s_note_over_real_smtp(world, smtp, tmp_path):
    people = season(world)
    # Hà Nội sends back Ngọc Hà's submitted part (due 09/01): on 13/01 it is the rework the ward owes first.
    PartTracker(world.db, world.clock).fire(f"{KEY2}/{NGOC_HA}", "send_back", people["ha-noi"], note=REWORK)
    settings = mail_settings(tmp_path)
    digest, _ = preview(world.db, Clock(pinned=DAY), settings, people[NGOC_HA])
    assert [s.name for s in digest.sections] == list(COMMUNE_SECTIONS) and COMMUNE_SECTIONS[0] == "parts_returned"
    assert keys(digest, "parts_returned") == [f"{KEY2}/{NGOC_HA}"]
    # In its own section only, though its deadline has passed; the part due today is listed as before.
    assert keys(digest, "parts_overdue") == [] and keys(digest, "parts_due_today") == [f"{KEY4}/{NGOC_HA}"]
    build_digests(world.db, Clock(pinned=DAY), settings)
    deliver(world.db, SmtpTransport(parse_smtp_url(smtp.url)), settings)
    [message] = [m for m in smtp.handler.parsed() if m["To"].addresses[0].addr_spec == people[NGOC_HA]]
    assert str(message["Subject"]) == \
        "[dtrack] Phường Ngọc Hà: 1 phần việc bị trả lại, 1 đến hạn hôm nay (13/01/2026)"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    returned = text.index("== Phần việc tỉnh trả lại để hoàn thiện (1) ==")
    assert returned < text.index("== Phần việc đến hạn hôm nay (1) ==")
    assert f"- {KEY2}/{NGOC_HA}" in text[returned:] and f"Ý kiến của tỉnh: {REWORK}" in text
    assert "quá hạn 4 ngày, hạn 09/01/2026" in text[returned:]  # sent back after its deadline: how late
    assert REWORK in html and f"{BASE}/parts/{part_id(world.db, f'{KEY2}/{NGOC_HA}')}" in html
    # Ba Đình, whose parts were not sent back, has no such section in its mail.
    [ba_dinh] = [m for m in smtp.handler.parsed() if m["To"].addresses[0].addr_spec == people[BA_DINH]]
    assert "trả lại" not in ba_dinh.get_body(("plain",)).get_content() and REWORK not in str(ba_dinh)
    # In English for an officer who chose it.
    with world.db.session() as session:
        find_user(session, people[NGOC_HA]).locale = "en"
    _, english = preview(world.db, Clock(pinned=DAY), settings, people[NGOC_HA])
    assert english.subject == "[dtrack] Phường Ngọc Hà: 1 returned, 1 due today (13/01/2026)"
    assert "Parts the province returned for rework (1)" in english.text
    assert f"The province's note: {REWORK}" in english.text


def test_a_part_s_note_is_escaped_in_html_only(world, tmp_path):
    hostile = "<script>alert('x')</script> & <b>Đậm</b>"
    people = season(world, report=hostile)
    for who in (people[BA_DINH], people[PHU_XUAN]):
        _, rendered = preview(world.db, Clock(pinned=DAY), mail_settings(tmp_path), who)
        assert "<script>" not in rendered.html and "<b>Đậm" not in rendered.html
        assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &lt;b&gt;Đậm&lt;/b&gt;" in rendered.html
        assert hostile in rendered.text


@pytest.mark.usefixtures("english")
def test_the_digest_command_previews_and_builds_a_commune_officer_s(world, cli_runner, monkeypatch, tmp_path):
    people = season(world)
    monkeypatch.setenv("DTRACK_MAIL_DIR", str(tmp_path / "mail"))
    monkeypatch.delenv("DTRACK_SMTP_URL", raising=False)
    result = cli_runner("digest", "preview", "--to", people[BA_DINH], "--as-of", "2026-01-13")
    assert result.exit_code == 0, result.output
    assert result.output.startswith(
        "Subject: [dtrack] Phường Ba Đình: 1 phần việc quá hạn, 1 sắp đến hạn (13/01/2026)\n")
    assert f"{KEY2}/{BA_DINH}" in result.output
    html = cli_runner("digest", "preview", "--to", people[BA_DINH], "--as-of", "2026-01-13", "--html").output
    assert "Phần việc quá hạn (1)" in html
    built = cli_runner("digest", "build", "--as-of", "2026-01-13")
    assert built.exit_code == 0
    with world.db.session() as session:
        assert session.scalar(select(func.count()).select_from(Outbox).where(
            Outbox.recipient.in_([people[BA_DINH], people[NGOC_HA], people[PHU_XUAN]]))) == 3
    sent = cli_runner("outbox", "send")
    assert sent.exit_code == 0 and "3 sent" not in sent.output  # the provinces' digests too
    written = [p.name for p in (tmp_path / "mail").rglob("*.eml")]
    assert any(name.startswith(f"{people[BA_DINH]}--") for name in written)


# Open-ended: any day, due-soon window and cap against the parts' own rows -------------------------------


def _expected(db, day: date, soon: int) -> tuple[dict[str, list[int]], list[tuple[str, int, int]]]:
    """Ba Đình's parts per section (ids by deadline), and Hà Nội's late communes (code, parts, most days late)."""
    with db.session() as session:
        rows = session.execute(
            select(TaskPart.id, TaskPart.state, TaskPart.due_on, Commune.code)
            .join(Commune, TaskPart.commune_id == Commune.id).join(Task, TaskPart.task_id == Task.id)
            .join(Province, Task.province_id == Province.id).where(Province.slug == "ha-noi")).all()
    owed = [r for r in rows if r.state in OWED_BY_PROVINCE]
    mine = sorted((r for r in owed if r.code == BA_DINH), key=lambda r: (r.due_on, r.id))
    sections = {"parts_overdue": [r.id for r in mine if r.due_on < day],
                "parts_due_today": [r.id for r in mine if r.due_on == day],
                "parts_due_soon": [r.id for r in mine if day < r.due_on <= day + timedelta(days=soon)]}
    late: dict[str, list[int]] = {}
    for r in owed:
        if r.due_on < day:
            late.setdefault(r.code, []).append((day - r.due_on).days)
    communes = sorted(((code, len(days), max(days)) for code, days in late.items()), key=lambda c: (-c[2], -c[1], c[0]))
    return sections, communes


_SEASONED: dict[str, dict[str, str]] = {}


@hsettings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(offset=st.integers(0, 45), soon=st.integers(0, 10), cap=st.integers(1, 3))
def test_any_day_window_and_cap_list_what_the_parts_say(world, tmp_path, offset, soon, cap):
    # The season once per database (hypothesis runs every example on the test's one database).
    key = world.db.url
    if key not in _SEASONED:
        _SEASONED[key] = season(world)
        # Two more late parts in Ngọc Hà, so the late communes' order has something to decide.
        delegate(world.db, world.clock, _SEASONED[key]["ha-noi"], "20/CT-BCT:5:ha-noi", [NGOC_HA, "00025"],
                 date(2026, 1, 7), CHECK)
    people = _SEASONED[key]
    day = TODAY + timedelta(days=offset)
    settings = mail_settings(tmp_path, due_soon_days=str(soon), digest_cap=str(cap))
    sections, communes = _expected(world.db, day, soon)
    digest, rendered = preview(world.db, Clock(pinned=day), settings, people[BA_DINH])
    for name, ids in sections.items():
        found = digest.section(name)
        assert found is not None and found.total == len(ids), name
        assert [item.task_id for item in found.items] == ids[:cap], name
    assert digest.has_news == any(sections.values())
    province, _ = preview(world.db, Clock(pinned=day), settings, people["ha-noi"])
    if not communes:
        assert province.late_communes is None
    else:
        late = province.late_communes
        assert late is not None and late.total == len(communes)
        assert [(c.code, c.parts, c.most_days) for c in late.communes] == communes[:cap]
