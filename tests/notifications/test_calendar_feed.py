"""The calendar feed: valid iCalendar, only what the user may see, stable between requests."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from icalendar import Calendar
from sqlalchemy import select

from dtrack.accounts.admin import disable_user
from dtrack.accounts.feeds import UnknownFeed, calendar_feed, new_feed_link
from dtrack.config.clock import Clock
from dtrack.config.settings import load_settings
from dtrack.notifications.calendar_feed import build_calendar, feed_tasks
from dtrack.persistence.models import Task, User
from dtrack.workflow.extension import extend


def _token(url: str) -> str:
    return url.rsplit("/", 1)[1].removesuffix(".ics")


def _events(body: bytes) -> dict[str, object]:
    calendar = Calendar.from_ical(body)
    return {str(e["uid"]): e for e in calendar.walk("VEVENT")}


def _user_id(world, email: str) -> int:
    with world.db.session() as session:
        return session.scalar(select(User.id).where(User.email == email))


def test_a_province_feed_has_its_open_tasks_once_each_with_alarms(world):
    settings = load_settings({}, remind_before_days="14,7,1")
    officer = world.user("province", "ha-noi")
    world.fire("20/CT-BCT:2:ha-noi", "start", officer)
    link = new_feed_link(world.db, Clock(), settings, _user_id(world, officer))
    body = calendar_feed(world.db, settings, _token(link.url))
    events = _events(body)
    with world.db.session() as session:
        expected = {t.key for t in session.scalars(select(Task).join(Task.province))
                    if t.province.slug == "ha-noi" and t.state != "completed" and t.due_on is not None}
    assert {uid.removesuffix("@127.0.0.1") for uid in events} == expected and expected
    event = events["20/CT-BCT:2:ha-noi@127.0.0.1"]
    assert event.decoded("dtstart") == _due(world, "20/CT-BCT:2:ha-noi")  # an all-day date, not a time
    assert "/tasks/" in str(event["url"]) and "20/CT-BCT:2:ha-noi" in str(event["description"])
    triggers = sorted(a.decoded("trigger") for a in event.walk("VALARM"))
    assert triggers == [timedelta(days=-14), timedelta(days=-7), timedelta(days=-1)]


def _due(world, key: str) -> date:
    from dtrack.workflow.tasks import find_task

    with world.db.session() as session:
        return find_task(session, key)[0].due_on


def test_the_feed_is_stable_and_an_extension_moves_the_event_instead_of_adding_one(world):
    settings = load_settings({})
    officer, overseer = world.user("province", "ha-noi"), world.user("overseer", None)
    token = _token(new_feed_link(world.db, Clock(), settings, _user_id(world, officer)).url)
    first = calendar_feed(world.db, settings, token)
    assert calendar_feed(world.db, settings, token) == first  # byte for byte: nothing depends on the request time
    new_due = _due(world, "20/CT-BCT:2:ha-noi") + timedelta(days=30)
    extend(world.db, Clock(), overseer, new_due, "chờ Nghị định", task_refs=["20/CT-BCT:2:ha-noi"])
    before, after = _events(first), _events(calendar_feed(world.db, settings, token))
    assert set(before) == set(after)
    uid = "20/CT-BCT:2:ha-noi@127.0.0.1"
    assert after[uid].decoded("dtstart") == new_due
    assert int(after[uid]["sequence"]) > int(before[uid]["sequence"])


def test_overseer_feed_covers_every_province_or_one_region_and_province_sees_only_its_own(world):
    settings = load_settings({})
    overseer, officer = world.user("overseer", None), world.user("province", "hue")
    link = new_feed_link(world.db, Clock(), settings, _user_id(world, overseer))
    everything = _events(calendar_feed(world.db, settings, _token(link.url)))
    with world.db.session() as session:
        user = session.scalars(select(User).where(User.email == overseer)).one()
        south = feed_tasks(session, user, "south")
        own = feed_tasks(session, session.scalars(select(User).where(User.email == officer)).one())
    # Nine province-owned groups for each of the 34 provinces, and group 10's one task, the Department's.
    assert len(everything) == 9 * 34 + 1
    assert south and all(t.province.region == "south" for t in south) and len(south) < len(everything)
    assert own and {t.province.slug for t in own} == {"hue"}


def test_a_reset_or_disabled_account_ends_the_old_address(world):
    settings = load_settings({})
    officer = world.user("province", "ha-noi")
    old = _token(new_feed_link(world.db, Clock(), settings, _user_id(world, officer)).url)
    new = _token(new_feed_link(world.db, Clock(), settings, _user_id(world, officer)).url)
    with pytest.raises(UnknownFeed):
        calendar_feed(world.db, settings, old)
    assert calendar_feed(world.db, settings, new)
    disable_user(world.db, Clock(), officer)
    with pytest.raises(UnknownFeed):
        calendar_feed(world.db, settings, new)
    for junk in ("", "x" * 500, "../../etc/passwd"):
        with pytest.raises(UnknownFeed):
            calendar_feed(world.db, settings, junk)


class _Stub:
    """The fields of a task that build_calendar reads (it is a pure function of them)."""

    def __init__(self, title: str, due: date) -> None:
        self.id, self.key, self.version, self.due_on = 7, "EX-01/2026:1:ha-noi", 3, due
        self.updated_at = datetime(2026, 1, 5, 3, 0, tzinfo=UTC)
        self.group = SimpleNamespace(title_vi=title, title_en=title)
        self.province = SimpleNamespace(name="Hà Nội", name_en="Ha Noi")


@hsettings(max_examples=60)
@given(title=st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=120),
       due=st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)))
def test_any_title_and_date_survive_the_round_trip(title, due):
    body = build_calendar([_Stub(title, due)], lang="vi", base_url="https://dtrack.example.vn", before_days=(7,))
    event = next(iter(Calendar.from_ical(body).walk("VEVENT")))
    assert str(event["summary"]) == f"Hạn: {title} (Hà Nội)"
    assert event.decoded("dtstart") == due and event.decoded("dtend") == due + timedelta(days=1)


def test_a_task_marked_not_applicable_leaves_the_feed_and_comes_back_when_restored(world):
    from dtrack.workflow.exemption import set_applicability

    settings = load_settings({})
    officer, overseer = world.user("province", "ha-noi"), world.user("overseer", None)
    token = _token(new_feed_link(world.db, Clock(), settings, _user_id(world, officer)).url)
    uid = "20/CT-BCT:2:ha-noi@127.0.0.1"
    assert uid in _events(calendar_feed(world.db, settings, token))
    set_applicability(world.db, Clock(), overseer, "20/CT-BCT:2:ha-noi", not_applicable=True, reason="Không có đề án")
    assert uid not in _events(calendar_feed(world.db, settings, token))
    set_applicability(world.db, Clock(), overseer, "20/CT-BCT:2:ha-noi", not_applicable=False)
    assert uid in _events(calendar_feed(world.db, settings, token))
