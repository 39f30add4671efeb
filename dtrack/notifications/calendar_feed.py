"""A private iCalendar feed of the deadlines that concern one user (RFC 5545).

One all-day event per open task on the deadline in force (the extended one
when extended), with the task key and title, a link to the task page and one
alarm for each of the reminder policy's "days before". Who sees what is the
read rule of `workflow.access`: a province officer gets their province's
tasks, an overseer every province's or one region's.

The output is stable between requests for the same data: the UID is the
task key (so a calendar updates an event instead of adding a second one),
SEQUENCE is the task's version, and DTSTAMP is the task's last change, not
the time of the request. Events are in key order.
"""
from __future__ import annotations

from datetime import timedelta

from icalendar import Alarm, Calendar, Event
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from dtrack.errors import PermissionDenied, because
from dtrack.i18n.catalog import Words
from dtrack.persistence.models import Province, Task, TaskGroup, User
from dtrack.workflow.access import check_active
from dtrack.workflow.applicability import counted
from dtrack.workflow.provinces import check_region
from dtrack.workflow.vocabulary import LANGUAGES, Role, State

PRODID = "-//dtrack//Directive deadlines//VI"


def feed_tasks(session: Session, user: User, region: str | None = None) -> list[Task]:
    """The open tasks with a deadline that `user` may see (one region's, for an overseer who asks)."""
    if user.role == Role.COMMUNE and user.disabled_at is None:
        return []  # a commune officer sees no province task (workflow.access): their feed is empty, not refused
    check_active(user, "read", "calendar_feed")
    region = check_region(region)
    query = (select(Task).join(Task.province).join(Task.group)
             .options(joinedload(Task.province), joinedload(Task.group).joinedload(TaskGroup.directive))
             .where(Task.state != State.COMPLETED.value, Task.due_on.is_not(None),
                    counted()))  # a task marked not applicable is owed by no one
    if user.role == Role.PROVINCE:
        if user.province_id is None:
            raise PermissionDenied(user.email, "read", "calendar_feed", because("no_province"))
        query = query.where(Task.province_id == user.province_id)
    elif region:
        query = query.where(Province.region == region)
    tasks = list(session.scalars(query))
    return sorted(tasks, key=lambda t: (t.due_on, t.key))


def build_calendar(tasks: list[Task], *, lang: str, base_url: str, before_days: tuple[int, ...],
                   host: str = "dtrack") -> bytes:
    """The feed's bytes for `tasks` (see `feed_tasks`)."""
    words = Words(lang if lang in LANGUAGES else "vi", "calendar")
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", words["name"])
    calendar.add("x-wr-timezone", "Asia/Ho_Chi_Minh")
    for task in tasks:
        group = task.group
        title = group.title_vi if lang == "vi" else (group.title_en or group.title_vi)
        province = task.province.name if lang == "vi" else task.province.name_en
        link = f"{base_url}/tasks/{task.id}"
        event = Event()
        event.add("uid", f"{task.key}@{host}")
        event.add("dtstamp", task.updated_at)
        event.add("sequence", task.version)
        assert task.due_on is not None, "feed_tasks gives only tasks with a deadline"
        event.add("dtstart", task.due_on)  # a date: an all-day event
        event.add("dtend", task.due_on + timedelta(days=1))
        event.add("summary", f"{words['deadline']}: {title} ({province})")
        event.add("description", f"{task.key}\n{title}\n{province}\n{words['open']}: {link}")
        event.add("url", link)
        event.add("transp", "TRANSPARENT")  # a deadline does not make anyone busy
        for days in sorted(set(before_days), reverse=True):
            alarm = Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("description", f"{words['due']}: {title} ({province})")
            alarm.add("trigger", timedelta(days=-days))
            event.add_component(alarm)
        calendar.add_component(event)
    return calendar.to_ical()
