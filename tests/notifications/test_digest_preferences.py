"""The mail people chose, and the digest's shape (issue 26), on both back-ends.

A user's choice (daily, weekly, none beyond what the role requires; which
sections) is honoured by the builder; the required sections always come. The
digest's "Đổi cài đặt nhận thư" leads to the account page, never a mailto. The
province digest lists blocked tasks that are not yet due in their own section;
the overseers' digest opens with the national picture before the lists.
"""
from __future__ import annotations

from datetime import date

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from sqlalchemy import select

from dtrack.accounts.preferences import mail_choice, set_mail_choice
from dtrack.config.clock import Clock
from dtrack.errors import InvalidInput
from dtrack.notifications.digest_items import Digest, Section
from dtrack.notifications.digest_preferences import FREQUENCIES, REQUIRED, SECTIONS, honour
from dtrack.notifications.digest_sending import build_digests, preview
from dtrack.persistence.account_models import AuthEvent
from dtrack.persistence.models import Outbox
from dtrack.workflow.service import Tracker
from dtrack.workflow.users import find_user
from tests.conftest import TODAY
from tests.notifications.conftest import mail_settings

CLOCK = Clock(pinned=TODAY)  # 05/01/2026, a Monday
BASE = "https://dtrack.moit.example.vn"


def choose(world, email: str, frequency: str, sections: list[str]) -> None:
    with world.db.session() as session:
        user_id = find_user(session, email).id
    set_mail_choice(world.db, CLOCK, user_id, frequency, sections)


def names(digest) -> list[str]:
    return [s.name for s in digest.sections]


def test_a_blocked_task_not_yet_due_has_its_section_in_the_province_digest(world, tmp_path):
    officer = world.user("province", "ha-noi")
    Tracker(world.db, Clock(pinned=date(2026, 1, 4))).fire("20/CT-BCT:2:ha-noi", "block", officer,
                                                           note="Chờ Sở Tài chính cấp kinh phí")
    digest, rendered = preview(world.db, CLOCK, mail_settings(tmp_path), officer)
    [item] = digest.section("blocked").items
    assert item.key == "20/CT-BCT:2:ha-noi" and item.note == "Chờ Sở Tài chính cấp kinh phí"
    assert "Nhiệm vụ vướng mắc (1)" in rendered.text and "Chờ Sở Tài chính cấp kinh phí" in rendered.text


def test_the_settings_line_leads_to_the_account_page(world, tmp_path):
    officer = world.user("province", "ha-noi")
    _, rendered = preview(world.db, CLOCK, mail_settings(tmp_path, base_url=BASE + "/"), officer)
    assert f"Đổi cài đặt nhận thư: {BASE}/account#mail" in rendered.text
    assert "mailto:" not in rendered.text and "mailto:" not in rendered.html


def test_the_overseers_digest_opens_with_the_national_picture(world, tmp_path):
    overseer = world.user("overseer", None)
    settings = mail_settings(tmp_path, digest_weekday="sunday")
    digest, rendered = preview(world.db, Clock(pinned=date(2025, 12, 16)), settings, overseer)
    text = rendered.text
    assert text.index("Cả nước") < text.index("Bắc") < text.index(digest.sections[0].items[0].key)
    html = rendered.html
    assert html.index("Cả nước") < html.index(digest.sections[0].items[0].key)


def test_weekly_and_chosen_sections_are_honoured_and_required_ones_always_come(world, tmp_path):
    officer = world.user("province", "ha-noi")
    overseer = world.user("overseer", None)
    settings = mail_settings(tmp_path, digest_weekday="monday")  # TODAY is a Monday
    choose(world, officer, "weekly", ["due_soon"])
    digest, _ = preview(world.db, CLOCK, settings, officer)
    assert set(names(digest)) == {"overdue", "returned", "due_soon"}
    tuesday = Clock(pinned=date(2026, 1, 6))
    digest, _ = preview(world.db, tuesday, settings, officer)
    assert set(names(digest)) == {"overdue", "returned"}  # not the weekly day: the required ones only
    choose(world, overseer, "none", [])
    digest, _ = preview(world.db, CLOCK, settings, overseer)
    assert set(names(digest)) == set(REQUIRED["overseer"]) and not digest.weekly and not digest.week


def test_no_digest_for_someone_who_chose_none_and_has_nothing_required(world, tmp_path):
    officer = world.user("province", "hue")
    colleague = world.user("province", "hue", email="dong.nghiep@hue.example.vn")
    settings = mail_settings(tmp_path, digest_send_empty="true")
    choose(world, officer, "none", [])
    day = Clock(pinned=date(2025, 11, 3))  # nothing of Huế's is overdue or returned yet
    build_digests(world.db, day, settings)
    with world.db.session() as session:
        recipients = set(session.scalars(select(Outbox.recipient).where(Outbox.kind == "digest")))
    assert colleague in recipients and officer not in recipients


def test_the_choice_is_checked_kept_and_audited(world):
    officer = world.user("province", "ha-noi")
    with world.db.session() as session:
        user_id = find_user(session, officer).id
    with pytest.raises(InvalidInput) as wrong:
        set_mail_choice(world.db, CLOCK, user_id, "monthly", [])
    assert wrong.value.field == "digest_frequency"
    with pytest.raises(InvalidInput) as unknown:
        set_mail_choice(world.db, CLOCK, user_id, "daily", ["awaiting_review"])  # an overseer's section
    assert unknown.value.field == "digest_sections"
    chosen = set_mail_choice(world.db, CLOCK, user_id, "weekly", ["changes"])
    assert chosen.chosen == {"changes"} | REQUIRED["province"] and chosen.frequency == "weekly"
    with world.db.session() as session:
        user = find_user(session, officer)
        assert (user.digest_frequency, user.digest_sections) == ("weekly", "overdue,returned,changes")
        assert mail_choice(session, user.id).chosen == chosen.chosen
        kinds = list(session.scalars(select(AuthEvent.kind).where(AuthEvent.user_id == user.id)))
    assert kinds.count("mail_chosen") == 1  # the refused choices wrote nothing


MOST = max(len(names) for names in SECTIONS.values())  # a total for each section of the role that has most


@hsettings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(role=st.sampled_from(sorted(SECTIONS)), frequency=st.sampled_from(FREQUENCIES), weekly_day=st.booleans(),
       picked=st.lists(st.sampled_from(sorted({n for s in SECTIONS.values() for n in s})), unique=True),
       totals=st.lists(st.integers(0, 3), min_size=MOST, max_size=MOST))
def test_honouring_never_drops_a_required_section_nor_adds_one(role, frequency, weekly_day, picked, totals):
    sections = [Section(name, [], total) for name, total in zip(SECTIONS[role], totals, strict=False)]
    digest = Digest("a@b.vn", "A", "vi", role, TODAY, weekly_day, None, sections)
    stored = ",".join(n for n in picked if n in SECTIONS[role])
    honoured = honour(digest, frequency, stored or None, weekly_day)
    kept = set(names(honoured))
    assert REQUIRED[role] <= kept <= set(SECTIONS[role])
    if frequency == "none" or (frequency == "weekly" and not weekly_day):
        assert kept == REQUIRED[role] and not honoured.weekly
        assert honoured.quiet == (not any(s.total for s in honoured.sections))
    else:
        assert not honoured.quiet
