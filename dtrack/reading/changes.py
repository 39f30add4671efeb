"""What changed since the user's last visit: the in-app list beside the daily mail (issue 26).

Why: the digest comes once a day (or weekly, or not at all, as the user chose),
and a task's history shows one task. An officer who opens the site at two in
the afternoon wants to know, in one place, what the Department returned or
accepted, who wrote in a thread and which deadline moved since they last
looked; a province officer also which commune submitted its part. The list is
the audit trail read after the user's mark (`users.changes_seen_at`, set by
"Đánh dấu đã xem", `accounts.preferences.mark_changes_seen`), or over the last
14 days for someone who never marked it (from the start of that local day, so
a page kept by the page memo for the day stays true).

Who sees what is the core's rule, said here as filters: `workflow.access`
(a disabled account nothing, the Department every task, a province officer
their province's, `reading.scope.Scope` for the filter) and
`reading.commune_parts.list_parts`' rule for parts (a commune officer only
their commune's parts, never a province task). Only others' events are listed:
a person knows what they did. Tasks are named by title and province (and
commune), never by an id. One query per kind of row (task events, commune
parts' events), newest first, capped; the homes' link counts with one COUNT
statement that reads the mark inside it. Nothing here writes.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Select, bindparam, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from dtrack.config.today import Today
from dtrack.persistence.commune_models import Commune
from dtrack.persistence.models import Event, Province, Task, TaskGroup, User, UTCDateTime
from dtrack.persistence.part_models import PartEvent, TaskPart
from dtrack.persistence.task_tallies import PartTally
from dtrack.reading.scope import EVERYWHERE, Scope
from dtrack.workflow.access import OVERSIGHT, check_active
from dtrack.workflow.views import View
from dtrack.workflow.vocabulary import DeadlineTrigger, EvidenceTrigger, Role, Trigger

CAP = 200  # rows on the page; the count on the homes is not capped
MANY_PARTS = 2_000  # a province's parts beyond which its changes are read from the recent events first
NEVER_SEEN_DAYS = 14
# Returned, accepted, commented, deadline extended (a granted request moves it with an `extend` event too).
TASK_KINDS = (Trigger.SEND_BACK.value, Trigger.ACCEPT.value, EvidenceTrigger.COMMENT.value,
              DeadlineTrigger.EXTEND.value)
PROVINCE_PART_KINDS = (Trigger.SUBMIT.value,)  # a commune submitted its part: the province judges it
COMMUNE_PART_KINDS = (Trigger.SEND_BACK.value, Trigger.ACCEPT.value)  # the province judged the commune's part


@dataclass(frozen=True)
class Change(View):
    """One event as the list shows it."""

    at: datetime
    trigger: str
    actor: str | None  # their name; None: the system
    note: str | None
    task_id: int
    title: str
    province: str
    period: str
    part_id: int | None = None  # a commune's part: its id (the link) and the commune's name
    commune: str | None = None
    from_due_on: date | None = None  # an extension: the deadline before and after
    to_due_on: date | None = None


@dataclass(frozen=True)
class Changes(View):
    since: datetime
    marked: bool  # `since` is the user's mark; False: the last NEVER_SEEN_DAYS days
    items: list[Change]
    capped: bool  # more than CAP: the newest CAP are shown


Since = ColumnElement[datetime | None] | datetime  # an instant, or the statement's own reading of the mark


@dataclass(frozen=True)
class _Reach:
    """What the caller may see: filters on tasks (None: no task events) and on parts (None: no part events)."""

    tasks: list[ColumnElement[bool]] | None = None
    parts: list[ColumnElement[bool]] | None = None
    part_kinds: tuple[str, ...] = ()
    recent_first: bool = False  # many parts (a province's): read the recent events first (`_part_events`)


def _reach(session: Session, actor: User) -> _Reach:
    if actor.role == Role.COMMUNE:  # no province task is theirs; their commune's parts only
        if actor.disabled_at is not None or actor.commune_id is None:
            return _Reach()
        return _Reach(parts=[TaskPart.commune_id == actor.commune_id], part_kinds=COMMUNE_PART_KINDS)
    check_active(actor, "read", "changes")
    if actor.role in OVERSIGHT:
        return _Reach(tasks=EVERYWHERE.task_filters())
    if actor.role == Role.PROVINCE and actor.province_id is not None:
        own = Scope(province=actor.province).task_filters()
        # How many parts the province delegated (the tallies the writes keep): none, no part events to read; a
        # few, from the parts; many (Hà Nội's 38,934), from the recent events (`_part_events`). Reading the
        # country's recent events for a province without parts cost 40 ms a home at the commune-scale season.
        parts = session.scalar(select(func.sum(PartTally.parts)).where(PartTally.province_id == actor.province_id))
        if not parts:
            return _Reach(tasks=own)
        return _Reach(tasks=own, parts=own, part_kinds=PROVINCE_PART_KINDS, recent_first=parts > MANY_PARTS)
    return _Reach()


def default_since(today: Today) -> datetime:
    """Where the list starts for someone who never marked it: the start of the local day 14 days ago."""
    return datetime.combine(today.day - timedelta(days=NEVER_SEEN_DAYS), time(0), tzinfo=ZoneInfo(today.zone))


def _others(actor_id: InstrumentedAttribute[int | None], me: int) -> ColumnElement[bool]:
    return or_(actor_id.is_(None), actor_id != me)


def _task_events(reach: _Reach, me: int, since: Since) -> Select:
    assert reach.tasks is not None
    query = select(Event.id).select_from(Event)
    if reach.tasks:
        query = query.join(Task, Event.task_id == Task.id)
    return query.where(Event.at > since, Event.trigger.in_(TASK_KINDS), _others(Event.actor_id, me), *reach.tasks)


def _part_events(reach: _Reach, me: int, since: Since) -> tuple[Select, ColumnElement[Any], ColumnElement[Any]]:
    """The ids of the part events listed, and the instant and id columns to order them by.

    A commune officer's few parts lead to their events. A province's parts may
    be tens of thousands (Hà Nội delegating every task to its 126 communes:
    38,934 parts and 200,000 events at the commune-scale season, 60 to 170 ms
    walked so): there the events of the kinds listed since the mark come first,
    a slice of `ix_part_events_trigger_at`, and meet their parts after (a few
    ms). MATERIALIZED keeps that order on SQLite, whose planner cannot tell how
    few events a range of instants holds and would start from the parts.
    """
    assert reach.parts is not None
    events = PartEvent.__table__
    listed = (PartEvent.at > since, PartEvent.trigger.in_(reach.part_kinds), _others(PartEvent.actor_id, me))
    if not reach.recent_first:
        return (select(PartEvent.id).select_from(PartEvent).join(TaskPart, PartEvent.part_id == TaskPart.id)
                .join(Task, TaskPart.task_id == Task.id).where(*listed, *reach.parts), events.c.at, events.c.id)
    recent = (select(PartEvent.id, PartEvent.part_id, PartEvent.at).where(*listed)
              .cte("recent_part_events").prefix_with("MATERIALIZED"))
    return (select(recent.c.id).select_from(recent).join(TaskPart, recent.c.part_id == TaskPart.id)
            .join(Task, TaskPart.task_id == Task.id).where(*reach.parts), recent.c.at, recent.c.id)


def changes_count(session: Session, actor: User, today: Today) -> int:
    """How many changes the list holds now (the homes' link): one COUNT statement, the mark read inside it."""
    reach = _reach(session, actor)
    mark = select(User.changes_seen_at).where(User.id == actor.id).scalar_subquery()
    since = func.coalesce(mark, bindparam("never_seen", default_since(today), type_=UTCDateTime()))
    counts = []
    if reach.tasks is not None:
        counts.append(select(func.count()).select_from(_task_events(reach, actor.id, since).subquery())
                      .scalar_subquery())
    if reach.parts is not None:
        counts.append(select(func.count()).select_from(_part_events(reach, actor.id, since)[0].subquery())
                      .scalar_subquery())
    if not counts:
        return 0
    total = counts[0] if len(counts) == 1 else counts[0] + counts[1]
    return int(session.scalar(select(total)) or 0)


def changes_since(session: Session, actor: User, today: Today, lang: str) -> Changes:
    """The changes others made since the user's mark (or over the last 14 days), newest first, at most CAP."""
    reach = _reach(session, actor)
    mark = session.scalar(select(User.changes_seen_at).where(User.id == actor.id))
    since = mark if mark is not None else default_since(today)
    title = TaskGroup.title_en if lang == "en" else TaskGroup.title_vi
    province = Province.name_en if lang == "en" else Province.name
    found: list[Change] = []
    if reach.tasks is not None:
        ids = _task_events(reach, actor.id, since).order_by(Event.at.desc(), Event.id.desc()).limit(CAP + 1)
        rows = session.execute(
            select(Event.at, Event.trigger, User.name, Event.note, Task.id, title, province, Task.period,
                   Event.from_due_on, Event.to_due_on)
            .select_from(Event).join(Task, Event.task_id == Task.id).join(TaskGroup, Task.group_id == TaskGroup.id)
            .join(Province, Task.province_id == Province.id).outerjoin(User, Event.actor_id == User.id)
            .where(Event.id.in_(ids.scalar_subquery())).order_by(Event.at.desc(), Event.id.desc()))
        found += [Change(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7] or "", from_due_on=r[8], to_due_on=r[9])
                  for r in rows]
    if reach.parts is not None:
        listed, at, event_id = _part_events(reach, actor.id, since)
        ids = listed.order_by(at.desc(), event_id.desc()).limit(CAP + 1)
        rows = session.execute(
            select(PartEvent.at, PartEvent.trigger, User.name, PartEvent.note, Task.id, title, province, Task.period,
                   TaskPart.id, Commune.name)
            .select_from(PartEvent).join(TaskPart, PartEvent.part_id == TaskPart.id)
            .join(Commune, TaskPart.commune_id == Commune.id).join(Task, TaskPart.task_id == Task.id)
            .join(TaskGroup, Task.group_id == TaskGroup.id).join(Province, Task.province_id == Province.id)
            .outerjoin(User, PartEvent.actor_id == User.id)
            .where(PartEvent.id.in_(ids.scalar_subquery())).order_by(PartEvent.at.desc(), PartEvent.id.desc()))
        found += [Change(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7] or "", part_id=r[8], commune=r[9])
                  for r in rows]
    found.sort(key=lambda c: c.at, reverse=True)  # stable: each kind keeps its own order (`at`, then id)
    return Changes(since, mark is not None, found[:CAP], len(found) > CAP)


__all__ = ["CAP", "COMMUNE_PART_KINDS", "Change", "Changes", "NEVER_SEEN_DAYS", "PROVINCE_PART_KINDS", "TASK_KINDS",
           "changes_count", "changes_since", "default_since"]
