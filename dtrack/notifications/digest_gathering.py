"""What a person's daily digest holds, gathered for a batch of recipients at a time.

Province users get their province's tasks by what they are (overdue, due
today, due within N days, returned for rework with the Department's note),
the reminders that fell due, and what others changed since their last
digest. Overseers get newly overdue tasks, submissions waiting for review
(oldest first), blocked tasks with their reasons, long-overdue tasks, the
provinces' pending extension requests, and counts per region (a decision on
a request reaches the province as a change); on the configured weekday their digest is the weekly
summary instead. Commune officers get their commune's parts overdue and due
soon, and province users the communes of their province that are late
(`digest_communes`, which says why parts have no reminder rows).

Each task is one row of one section: a task's reminders and changes merge
into the row of the most urgent section it belongs to (`Item.reasons`,
`Item.changes`), so a digest never names a task twice. Sections are a list,
built in order of urgency; a new kind of item is one more `Section`.

A build works batch by batch (`batches`): a batch holds whole provinces (the
users of a province share its reminders), commune officers (they share
nothing), or all the overseers (they share the national ones), and
`gather_batch` reads its items with a few set-based queries
(`digest_reading`), so memory follows the batch, not the country.
`gather(session, clock, settings)` is everyone in one batch (previews,
tests). Nothing here writes; rendering is in `digest_rendering`, queueing
in `digest_sending`.
"""
from __future__ import annotations

from array import array
from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dtrack.config.clock import Clock
from dtrack.config.settings import Settings
from dtrack.config.today import Today
from dtrack.notifications.digest_communes import commune_digests, late_communes_of, page_link
from dtrack.notifications.digest_items import (
    Digest,
    Item,
    RegionCount,
    Reminded,
    Rows,
    Section,
    section_copies,
)
from dtrack.notifications.digest_picture import national_picture
from dtrack.notifications.digest_preferences import honour
from dtrack.notifications.digest_reading import Facts, Reader
from dtrack.persistence.models import Outbox, User
from dtrack.workflow.users import find_user
from dtrack.workflow.vocabulary import OutboxKind, ReminderKind, Role

__all__ = ["Digest", "Item", "RegionCount", "Section", "Recipient", "Plan", "plan_day", "recipients", "built",
           "batches", "gather_batch", "gather"]


@dataclass(frozen=True)
class Recipient:
    id: int
    email: str
    name: str
    locale: str
    role: str
    province_id: int | None
    frequency: str = "daily"  # the mail the person chose (digest_preferences)
    sections: str | None = None
    commune_id: int | None = None  # a commune officer's commune


@dataclass(frozen=True)
class Plan:
    """What every batch of a build shares: the day, and facts that do not change during it."""

    today: Today  # the digests' day, its zone and due-soon window
    now: datetime
    clock: Clock
    settings: Settings
    facts: Facts
    previous: dict[str, tuple[datetime, date]]  # recipient -> their last digest's (created_at, day)
    default_since: datetime  # a first digest reports changes since the start of the previous local day
    weekly: bool

    @property
    def day(self) -> date:
        return self.today.day

    def since(self, email: str) -> datetime:
        return self.previous.get(email, (self.default_since,))[0]


def plan_day(session: Session, clock: Clock, settings: Settings) -> Plan:
    today = Today.of(clock, settings.due_soon_days)
    day = today.day
    previous = {r: (at, d) for r, at, d in session.execute(
        select(Outbox.recipient, func.max(Outbox.created_at), func.max(Outbox.key_date))
        .where(Outbox.kind == OutboxKind.DIGEST.value, Outbox.key_date < day).group_by(Outbox.recipient))}
    return Plan(today, clock.now(), clock, settings, Facts(session), previous,
                datetime.combine(day - timedelta(days=1), time(0), tzinfo=ZoneInfo(clock.tz)),
                day.weekday() == settings.digest_weekday.number)


def recipients(session: Session, only: str | None = None) -> list[Recipient]:
    """Everyone who gets a digest (or only `only`), by email; never a disabled account (notifications.disabled)."""
    query = select(User.id, User.email, User.name, User.locale, User.role, User.province_id,
                   User.digest_frequency, User.digest_sections, User.commune_id).where(
        (User.role == Role.OVERSEER.value) | ((User.role == Role.PROVINCE.value) & User.province_id.is_not(None))
        | ((User.role == Role.COMMUNE.value) & User.commune_id.is_not(None)),
        User.disabled_at.is_(None))
    if only is not None:
        query = query.where(User.id == find_user(session, only).id)
    return [Recipient(*row) for row in session.execute(query.order_by(User.email))]


def built(session: Session, day: date, emails: Collection[str]) -> set[str]:
    """Which of these recipients have their digest for the day already."""
    found: set[str] = set()
    ordered = sorted(emails)
    for start in range(0, len(ordered), 500):
        found.update(session.scalars(select(Outbox.recipient).where(
            Outbox.kind == OutboxKind.DIGEST.value, Outbox.key_date == day,
            Outbox.recipient.in_(ordered[start:start + 500]))))
    return found


def batches(people: Sequence[Recipient], size: int) -> list[list[Recipient]]:
    """Province users in batches of about `size`, whole provinces each; then commune officers in batches of
    `size`; then the overseers, together.

    A province's users share its reminders, and the overseers the national ones: a batch marks
    exactly its recipients' reminders consumed, so none of them is split across two batches.
    Commune officers have no reminders (`digest_communes`): any split of them will do.
    Provinces come in the order of their first user's email (the recipients' order when each
    unit has one officer); within a batch, recipients keep their order.
    """
    by_province: dict[int, list[Recipient]] = defaultdict(list)
    for person in people:
        if person.role == Role.PROVINCE.value and person.province_id is not None:
            by_province[person.province_id].append(person)
    result: list[list[Recipient]] = []
    current: list[Recipient] = []
    for users in by_province.values():
        if current and len(current) + len(users) > size:
            result.append(current)
            current = []
        current.extend(users)
    if current:
        result.append(current)
    communes = [p for p in people if p.role == Role.COMMUNE.value and p.commune_id is not None]
    result += [communes[start:start + size] for start in range(0, len(communes), max(size, 1))]
    overseers = [p for p in people if p.role == Role.OVERSEER.value]
    if overseers:
        result.append(overseers)
    return result


def by_deadline(item: Item | Reminded) -> tuple[date, int]:
    return item.due_on or date.max, item.task_id


def most_overdue(item: Item | Reminded) -> tuple[int, int]:
    return -(item.days or 0), item.task_id


def gather_batch(session: Session, plan: Plan, people: Sequence[Recipient]) -> list[Digest]:
    """The digests of one batch (see `batches`): province users, commune officers, overseers, in the batch's order."""
    reader = Reader(session, plan.facts, plan.today, plan.now, plan.settings)
    province_users = [p for p in people if p.role == Role.PROVINCE.value]
    commune_users = [p for p in people if p.role == Role.COMMUNE.value]
    overseers = [p for p in people if p.role == Role.OVERSEER.value]
    digests = _province_digests(reader, plan, province_users) if province_users else []
    if commune_users:
        digests += commune_digests(reader, plan.settings, commune_users)
    if overseers:
        digests += _overseer_digests(reader, plan, overseers)
    chose = {p.email: p for p in people}
    return [honour(d, chose[d.recipient].frequency, chose[d.recipient].sections, plan.weekly) for d in digests]


def gather(
    session: Session,
    clock: Clock,
    settings: Settings,
    *,
    only: str | None = None,
    skip_built: bool = True,
) -> tuple[list[Digest], int]:
    """Every recipient's digest for the clock's day (or only `only`'s), in one go; also how many were built already."""
    plan = plan_day(session, clock, settings)
    people = recipients(session, only)
    done = built(session, plan.day, [p.email for p in people]) if skip_built else set()
    todo = [p for p in people if p.email not in done]
    digests = [d for batch in batches(todo, len(todo) or 1) for d in gather_batch(session, plan, batch)]
    return digests, len(people) - len(todo)


def _province_digests(reader: Reader, plan: Plan, users: list[Recipient]) -> list[Digest]:
    day, settings, facts = plan.day, plan.settings, plan.facts
    # Province users always have a province (`recipients`); the pairs say so to the type checker.
    homes = [(u, u.province_id) for u in users if u.province_id is not None]
    provinces = {province_id for _, province_id in homes}
    shared = reader.province_sections(provinces)
    changes_by_province: dict[int, list[tuple[int | None, Item]]] = defaultdict(list)
    for actor_id, province_id, item in reader.changes(min(plan.since(u.email) for u in users), provinces):
        changes_by_province[province_id].append((actor_id, item))

    def province_home(r: Reminded) -> str | None:
        return reader.province_section_of(r.state, r.due_on) if r.province_owned else None

    def province_fallback(r: Reminded) -> tuple[str, Any]:
        # A reminder N days ahead of a deadline past the due-soon window: due within N days all the same.
        if r.kind == ReminderKind.BEFORE_DEADLINE.value and r.due_on is not None and r.due_on > day:
            return "due_soon", by_deadline
        return "reminders", None

    page = page_link(settings, "/province")
    blocked_page = page_link(settings, "/province#blocked")
    rows_of: dict[int, Rows] = {}
    rows_in: dict[int, list[Rows]] = defaultdict(list)
    for user, province_id in homes:
        mine = shared.get(province_id, {})
        # The blocked section leads to the province page's own list of blocked tasks.
        rows = rows_of[user.id] = Rows([Section(name, *section_copies(mine.get(name, ([], 0))),
                                                blocked_page if name == "blocked" else page)
                                        for name in ("overdue", "due_today", "due_soon", "returned", "blocked")]
                                       + [Section("reminders", [], 0, page), Section("changes", [], 0, page)],
                                       reader.cap)
        rows_in[province_id].append(rows)
    reminder_ids: dict[int, list[int]] = defaultdict(list)
    late = late_communes_of(reader, settings, provinces)
    for r in reader.reminders(provinces):
        reminder_ids[r.province_id].append(r.reminder_id)
        for rows in rows_in[r.province_id]:
            rows.remind(r, province_home, province_fallback)
    digests = []
    for user, province_id in homes:
        unit = facts.units[province_id]
        rows = rows_of[user.id]
        since = plan.since(user.email)
        # What others did: the recipient knows what they did themselves.
        rows.changes([item for actor_id, item in changes_by_province[unit.id]
                      if actor_id != user.id and item.at is not None and item.at > since])
        rows.by_name["due_soon"].n = max([reader.due_soon_days, *rows.days["due_soon"]])
        digests.append(Digest(user.email, user.name, user.locale, user.role, day, False, unit.name, rows.sections,
                              reminder_ids=reminder_ids[unit.id], late_communes=late.get(unit.id)))
    return digests


def _overseer_digests(reader: Reader, plan: Plan, overseers: list[Recipient]) -> list[Digest]:
    day, settings, weekly = plan.day, plan.settings, plan.weekly
    regions = reader.regions()
    picture = national_picture(reader.session, plan.today)  # the dashboard's figures, before the lists
    week = reader.week() if weekly else {}
    requests = reader.extension_requests()
    letters = reader.letters_waiting()
    top = settings.digest_overseer_top
    comments = reader.province_comments(min(plan.since(u.email) for u in overseers))
    by_since: dict[date, dict[str, tuple[list[Item], int]]] = {}
    overdue_page, review_page = page_link(settings, "/overdue"), page_link(settings, "/review")

    def overseer_fallback(r: Reminded) -> tuple[str, Any]:
        if r.kind == ReminderKind.ESCALATION.value and r.due_on is not None and r.due_on < day:
            return "long_overdue", most_overdue
        return "escalations", None

    filling: list[tuple[Recipient, Rows, Any]] = []
    for user in overseers:
        since_day = plan.previous[user.email][1] if user.email in plan.previous else day - timedelta(days=1)
        if weekly:
            since_day = min(since_day, day - timedelta(days=7))
        if since_day not in by_since:
            by_since[since_day] = reader.overseer_sections(since_day, top)
        mine = by_since[since_day]

        def overseer_home(r: Reminded, since_day: date = since_day) -> str | None:
            return reader.overseer_section_of(r.state, r.due_on, since_day)

        rows = Rows([Section("newly_overdue", *section_copies(mine["newly_overdue"]), overdue_page),
                     Section("long_overdue", [], 0, overdue_page),
                     Section("awaiting_review", *section_copies(mine["awaiting_review"]), review_page),
                     Section("blocked", *section_copies(mine["blocked"]), overdue_page),
                     Section("extension_requests", *section_copies(requests), review_page),
                     Section("escalations", [], 0, overdue_page),
                     Section("comments", [], 0, review_page)], top)
        filling.append((user, rows, overseer_home))
    # The whole country's reminders, streamed past every overseer's rows: only the listed ones are kept.
    reminder_ids = array("q")
    for r in reader.reminders(None):
        reminder_ids.append(r.reminder_id)
        for _, rows, home in filling:
            rows.remind(r, home, overseer_fallback)
    ids = list(reminder_ids)
    digests = []
    for user, rows, _ in filling:
        # The provinces' comments since this overseer's last digest: into the task's row, or a row of their own.
        since = plan.since(user.email)
        rows.changes([i for i in comments if i.at is not None and i.at > since], into="comments")
        long_overdue = rows.by_name["long_overdue"]
        long_overdue.n = min(rows.days["long_overdue"], default=settings.escalate_after_days)
        digests.append(Digest(user.email, user.name, user.locale, user.role, day, weekly, None, rows.sections,
                              regions=regions, week=week, reminder_ids=ids, letters=letters, picture=picture))
    return digests
