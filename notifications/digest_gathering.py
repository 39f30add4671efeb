"""What a person's daily digest holds, read from the database in a few set-based queries.

Province users get their province's tasks by what they are (overdue, due
today, due within N days, returned for rework with the Department's note),
the reminders that fell due, and what others changed since their last
digest. Overseers get newly overdue tasks, submissions waiting for review
(oldest first), blocked tasks with their reasons, long-overdue tasks, the
provinces' pending extension requests, and counts per region (a decision on
a request reaches the province as a change); on the configured weekday their digest is the weekly
summary instead.

Each task is one row of one section: a task's reminders and changes merge
into the row of the most urgent section it belongs to (`Item.reasons`,
`Item.changes`), so a digest never names a task twice. Sections are a list,
built in order of urgency; a new kind of item is one more `Section`.

`gather(session, clock, settings)` returns one `Digest` per recipient; it
writes nothing. Rendering is in `digest_rendering`, queueing in `digest_sending`.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, case, func, literal, or_, select
from sqlalchemy.orm import Session

from dtrack.notifications.digest_items import (
    Digest,
    Item,
    RegionCount,
    Reminded,
    Rows,
    Section,
    item_copy,
    reminded_copy,
    section_copies,
)
from dtrack.notifications.wording import WORDS
from dtrack.workflow.applicability import counted, is_department
from dtrack.workflow.clock import Clock
from dtrack.workflow.deadlines import task_titles
from dtrack.workflow.models import (
    Directive,
    Event,
    ExtensionRequest,
    Outbox,
    Province,
    Reminder,
    Task,
    TaskGroup,
    User,
    task_key,
)
from dtrack.workflow.settings import Settings
from dtrack.workflow.timeliness import Timeliness, classify
from dtrack.workflow.users import find_user
from dtrack.workflow.vocabulary import (
    REMINDER_LABELS,
    TRIGGER_LABELS,
    EvidenceTrigger,
    OutboxKind,
    Owner,
    Region,
    ReminderKind,
    RequestStatus,
    Role,
    State,
    Trigger,
)

# Open tasks the province still owes: a submitted one waits for the Department.
# Spelled as IN, not NOT IN, so the (state, due_on) index serves the deadline ranges.
# A task marked not applicable is owed by no one (workflow.applicability.counted).
_OWED = and_(Task.state.in_([s.value for s in State if s.is_open and s is not State.SUBMITTED]), counted())


def _task_query(*columns: Any):
    # Tasks alone: joining the groups here made SQLite drive the query from the
    # groups and read every task; group facts come from `Gatherer.groups`.
    return select(Task.id, Task.province_id, Task.group_id, Task.period, Task.state, Task.due_on,
                  Task.submitted_at, *columns)


@dataclass(frozen=True)
class GroupFacts:
    code: str  # the directive's
    ordinal: int
    title: dict[str, str]  # lang -> title
    owner: str
    rule: str = ""  # the stored deadline rule: recurring tasks are titled with their period


class Gatherer:
    """Reads everything the day's digests need with a few set-based queries."""

    def __init__(self, session: Session, day: date, now: datetime, settings: Settings, clock: Clock) -> None:
        self.session = session
        self.day = day
        self.now = now
        self.settings = settings
        self.clock = clock
        self.cap = settings.digest_cap
        self.provinces = {p.id: p for p in session.scalars(select(Province).order_by(Province.ordinal))}
        self.groups = {
            gid: GroupFacts(code, ordinal, {"vi": title_vi, "en": title_en}, owner, rule)
            for gid, code, ordinal, title_vi, title_en, owner, rule in session.execute(
                select(TaskGroup.id, Directive.code, TaskGroup.ordinal, TaskGroup.title_vi, TaskGroup.title_en,
                       TaskGroup.owner, TaskGroup.deadline_rule).join(Directive, TaskGroup.directive_id == Directive.id))
        }
        self.province_owned = Task.group_id.in_(
            sorted(gid for gid, g in self.groups.items() if g.owner == Owner.PROVINCE.value))
        self._province_facts: dict[int, tuple[str, dict[str, str]]] = {}
        self._titles: dict[tuple[int, str], dict[str, str]] = {}
        self.due_soon_days = settings.due_soon_days
        # Plain Core execution for the big reads: the ORM's row processing is not needed.
        self.execute = session.connection().execute

    # tasks ---------------------------------------------------------------------

    def item(self, row: Any, **extra: Any) -> Item:
        # Called for tens of thousands of rows per build: the per-province facts are
        # looked up once (ORM attribute access is slow), and the dictionaries shared.
        facts = self._province_facts.get(row.province_id)
        if facts is None:
            province = self.provinces[row.province_id]
            facts = self._province_facts[row.province_id] = (
                province.slug, {"vi": province.name, "en": province.name_en})
        group = self.groups[row.group_id]
        if "due_on" not in extra:
            extra["due_on"] = row.due_on
        title = group.title
        if row.period:  # the period in words, as task lists and reports name it
            title = self._titles.get((row.group_id, row.period))
            if title is None:
                vi, en = task_titles(group.rule, row.period, group.title["vi"], group.title["en"])
                title = self._titles[(row.group_id, row.period)] = {"vi": vi, "en": en}
        return Item(row.id, task_key(group.code, group.ordinal, facts[0], row.period), title, facts[1],
                    **extra)

    def top(self, where: ColumnElement[bool], order: Sequence[Any], cap: int) -> tuple[list, int]:
        """The first `cap` tasks matching `where` overall, and how many match."""
        # A top-N sort and an index-only count: cheaper than ranking every row.
        rows = self.execute(_task_query().where(where).order_by(*order, Task.id).limit(cap)).all()
        return rows, self.session.scalar(select(func.count()).select_from(Task).where(where)) or 0

    def ranked(self, where: ColumnElement[bool], order: Sequence[Any],
               section: ColumnElement[str]) -> dict[tuple[int, str], tuple[list, int]]:
        """Per province and section: the first `cap` tasks matching `where`, and how many match.

        `section` names each row's section, so one pass over the tasks serves several sections.
        """
        # The rank and the count are both window functions over the same rows.
        partition = [Task.province_id, section]
        number = func.row_number().over(partition_by=partition, order_by=[*order, Task.id]).label("n")
        count = func.count().over(partition_by=partition).label("total")
        inner = _task_query(number, count, section.label("section")).where(where).subquery()
        rows = self.execute(select(inner).where(inner.c.n <= self.cap).order_by(inner.c.n)).all()
        found: dict[tuple[int, str], tuple[list, int]] = {}
        for r in rows:
            key = (r.province_id, r.section)
            if key not in found:
                found[key] = ([], r.total)
            found[key][0].append(r)
        return found

    def latest_notes(self, state: State, trigger: Trigger,
                     task_ids: Sequence[int] | None = None) -> dict[int, str | None]:
        """The note of the last `trigger` event of the tasks now in `state` (why sent back, why blocked).

        `task_ids`: only these few tasks; without it, every task in the state (cheaper than a huge IN list).
        """
        latest = (select(func.max(Event.id)).join(Task, Event.task_id == Task.id)
                  .where(Task.state == state.value, Event.trigger == trigger.value).group_by(Event.task_id))
        if task_ids is not None:
            latest = latest.where(Event.task_id.in_(task_ids))
        return dict(self.execute(select(Event.task_id, Event.note).where(Event.id.in_(latest))).all())

    def timeliness(self, row: Any) -> Timeliness:
        return classify(row.state, row.due_on, self.day, due_soon_days=self.due_soon_days,
                        submitted_at=row.submitted_at, clock=self.clock)

    def soon_until(self) -> date:
        return self.day + timedelta(days=self.due_soon_days)

    def province_section_of(self, state: str, due_on: date | None) -> str | None:
        """The province digest's section of a task, the most urgent first; None: in none of them."""
        owed = state != State.SUBMITTED.value and State(state).is_open
        if owed and due_on is not None and due_on <= self.soon_until():
            return "overdue" if due_on < self.day else "due_today" if due_on == self.day else "due_soon"
        return "returned" if state == State.RETURNED.value else None

    def overseer_section_of(self, state: str, due_on: date | None, since_day: date) -> str | None:
        """The overseers' digest's section of a task; None: in none of them."""
        if state == State.BLOCKED.value:
            return "blocked"
        if state == State.SUBMITTED.value:
            return "awaiting_review"
        owed = State(state).is_open
        if owed and due_on is not None and since_day <= due_on < self.day:
            return "newly_overdue"
        return None

    def province_sections(self) -> dict[int, dict[str, tuple[list[Item], int]]]:
        """province id -> section name -> (items, total) for the sections every user of it shares.

        The sections do not overlap (`province_section_of`): a returned task that is
        overdue is listed once, as overdue, with the Department's note.
        """
        own = self.province_owned
        soon_until = self.soon_until()
        # Overdue, due today and due soon in one pass (the state/deadline index), returned in another.
        found = self.ranked(and_(own, _OWED, Task.due_on <= soon_until), [Task.due_on],
                            case((Task.due_on < self.day, "overdue"), (Task.due_on == self.day, "due_today"),
                                 else_="due_soon"))
        found.update(self.ranked(
            and_(own, Task.state == State.RETURNED.value, or_(Task.due_on.is_(None), Task.due_on > soon_until)),
            [Task.due_on], literal("returned")))
        notes = self.latest_notes(State.RETURNED, Trigger.SEND_BACK)
        result: dict[int, dict[str, tuple[list[Item], int]]] = defaultdict(dict)
        for (province_id, name), (rows, total) in found.items():
            items = [self.item(r, days=self.timeliness(r).days, note=notes.get(r.id),
                               note_label="note") if r.state == State.RETURNED.value
                     else self.item(r, days=self.timeliness(r).days) for r in rows]
            result[province_id][name] = (items, total)
        return result

    def overseer_sections(self, since_day: date, cap: int) -> dict[str, tuple[list[Item], int]]:
        """The overseers' task sections; newly overdue counts from `since_day` (the last digest's day)."""
        # Blocked tasks are listed as blocked (with their reason), not again as newly overdue.
        newly = and_(_OWED, Task.state != State.BLOCKED.value, Task.due_on >= since_day, Task.due_on < self.day)
        sections = {}
        rows, total = self.top(newly, [Task.due_on], cap)
        sections["newly_overdue"] = ([self.item(r, days=self.timeliness(r).days) for r in rows], total)
        rows, total = self.top(and_(Task.state == State.SUBMITTED.value, counted()), [Task.submitted_at], cap)
        sections["awaiting_review"] = ([self.item(r, days=self.timeliness(r).days) for r in rows], total)
        rows, total = self.top(and_(Task.state == State.BLOCKED.value, counted()), [Task.due_on], cap)
        reasons = self.latest_notes(State.BLOCKED, Trigger.BLOCK, [r.id for r in rows])
        sections["blocked"] = ([self.item(r, note=reasons.get(r.id), note_label="reason") for r in rows], total)
        return sections

    def extension_requests(self) -> tuple[list[Item], int]:
        """Pending extension requests, longest waiting first: the overseers decide them."""
        pending = ExtensionRequest.status == RequestStatus.PENDING.value
        rows = self.execute(
            _task_query(ExtensionRequest.current_due_on, ExtensionRequest.proposed_due_on, ExtensionRequest.reason,
                        ExtensionRequest.requested_at, User.email.label("requester"))
            .join(ExtensionRequest, ExtensionRequest.task_id == Task.id)
            .join(User, ExtensionRequest.requested_by_id == User.id)
            .where(pending).order_by(ExtensionRequest.requested_at, ExtensionRequest.id).limit(self.cap)).all()
        total = self.session.scalar(select(func.count()).select_from(ExtensionRequest).where(pending)) or 0
        items = []
        for r in rows:
            asked = {lang: WORDS[lang]["extension_asked"].format(
                from_=r.current_due_on.strftime("%d/%m/%Y") if r.current_due_on else "-",
                to=r.proposed_due_on.strftime("%d/%m/%Y")) for lang in WORDS}
            items.append(self.item(r, due_on=None, note=r.reason, label=asked, actor=r.requester, at=r.requested_at))
        return items, total

    def regions(self) -> list[RegionCount]:
        """Tasks per region: overdue, awaiting review, blocked, completed, all."""
        # Two index-only counts per province (the province/state and state/deadline
        # indexes), summed up here: far cheaper than joining every task to its province.
        region_of = {pid: p.region for pid, p in self.provinces.items()}
        counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for province_id, state, n in self.execute(
                select(Task.province_id, Task.state, func.count()).where(counted())
                .group_by(Task.province_id, Task.state)):
            counts[region_of[province_id]][state] += n
            counts[region_of[province_id]]["total"] += n
        for province_id, n in self.execute(
                select(Task.province_id, func.count()).where(_OWED, Task.due_on < self.day)
                .group_by(Task.province_id)):
            counts[region_of[province_id]]["overdue"] += n
        for province_id, n in self.execute(
                select(Task.province_id, func.count())
                .where(_OWED, Task.due_on >= self.day, Task.due_on <= self.soon_until())
                .group_by(Task.province_id)):
            counts[region_of[province_id]]["due_soon"] += n
        provinces: dict[str, int] = defaultdict(int)
        for p in self.provinces.values():
            provinces[p.region] += 1  # the Department's unit has no region: never counted here
        return [RegionCount(region.value, provinces[region.value], counts[region.value]["overdue"],
                            counts[region.value][State.SUBMITTED.value], counts[region.value][State.BLOCKED.value],
                            counts[region.value][State.COMPLETED.value], counts[region.value]["total"],
                            counts[region.value]["due_soon"])
                for region in Region if region.value in counts]

    def week(self) -> dict[str, int]:
        since = self.now - timedelta(days=7)
        counted = {Trigger.SUBMIT.value: "submitted", Trigger.ACCEPT.value: "accepted",
                   Trigger.SEND_BACK.value: "sent_back", Trigger.BLOCK.value: "blocked"}
        rows = self.session.execute(
            select(Event.trigger, func.count()).where(Event.at > since, Event.at <= self.now,
                                                      Event.trigger.in_(counted)).group_by(Event.trigger)).all()
        found = {counted[t]: n for t, n in rows}
        return {name: found.get(name, 0) for name in counted.values()}

    # reminders and changes ------------------------------------------------------

    def reminders(self) -> tuple[dict[int, list[Reminded]], list[Reminded]]:
        """Pending reminders due by the day: per province (province audience) and the overseers' list."""
        rows = self.execute(
            _task_query(Reminder.id.label("reminder_id"), Reminder.kind, Reminder.audience,
                        Reminder.days.label("reminder_days"), Reminder.due_on.label("reminder_due"))
            .join(Reminder, Reminder.task_id == Task.id)
            .where(Reminder.consumed_at.is_(None), Reminder.cancelled_at.is_(None), Reminder.remind_on <= self.day)
            .order_by(Reminder.remind_on, Reminder.id)).all()
        per_province: dict[int, list[Reminded]] = defaultdict(list)
        overseers: list[Reminded] = []
        for r in rows:
            kind = ReminderKind(r.kind)
            # The row says where the task stands today; the reminder only why it was due.
            item = self.item(r, days=self.timeliness(r).days, kind=kind.value,
                             label={lang: REMINDER_LABELS[lang][kind] for lang in WORDS})
            found = Reminded(r.reminder_id, r.state, r.due_on, item,
                             self.groups[r.group_id].owner == Owner.PROVINCE.value)
            # The Department's own tasks have no province to tell: their reminders go to the overseers.
            if r.audience == Role.OVERSEER.value or is_department(self.provinces.get(r.province_id)):
                overseers.append(found)
            else:
                per_province[r.province_id].append(found)
        return per_province, overseers

    def changes(self, since: datetime) -> list[tuple[int | None, int, Item]]:
        """Events on province-owned tasks after `since`, newest first, with their actor's and province's ids."""
        rows = self.execute(
            _task_query(Event.actor_id, Event.trigger, Event.note, Event.at)
            .join(Event, Event.task_id == Task.id)
            .where(Event.at > since, Event.at <= self.now, self.province_owned)
            .order_by(Event.at.desc(), Event.id.desc())).all()
        # Actors apart: joining users here made SQLite scan the users table once per event.
        actor_ids = {r.actor_id for r in rows if r.actor_id is not None}
        actors = dict(self.session.execute(select(User.id, User.email).where(User.id.in_(actor_ids))).all()) \
            if actor_ids else {}
        # Deadline, evidence, request and applicability events (extend, attach, a decision on an extension
        # request, an overseer's not-applicable mark...) are news too, not only transitions: every trigger
        # the vocabulary labels.
        labels = {str(t): {lang: TRIGGER_LABELS[lang][t] for lang in WORDS} for t in TRIGGER_LABELS["vi"]}
        return [(r.actor_id, r.province_id,
                 self.item(r, note=r.note, at=r.at, actor=actors.get(r.actor_id), label=labels[r.trigger]))
                for r in rows]


    def province_comments(self, since: datetime) -> list[Item]:
        """Comments province officers wrote in task threads after `since`, newest first: the overseers' news."""
        rows = self.execute(
            _task_query(Event.actor_id, Event.trigger, Event.note, Event.at, User.email.label("author"))
            .join(Event, Event.task_id == Task.id)
            .join(User, User.id == Event.actor_id)
            .where(Event.trigger == EvidenceTrigger.COMMENT.value, User.role == Role.PROVINCE.value,
                   Event.at > since, Event.at <= self.now)
            .order_by(Event.at.desc(), Event.id.desc())).all()
        label = {lang: TRIGGER_LABELS[lang][EvidenceTrigger.COMMENT] for lang in WORDS}
        return [self.item(r, note=r.note, at=r.at, actor=r.author, label=label) for r in rows]


def by_deadline(item: Item) -> tuple[date, int]:
    return item.due_on or date.max, item.task_id


def most_overdue(item: Item) -> tuple[int, int]:
    return -(item.days or 0), item.task_id


def _link(settings: Settings, path: str) -> str:
    base = settings.base_url.rstrip("/")
    return f"{base}{path}" if base else ""


def gather(
    session: Session,
    clock: Clock,
    settings: Settings,
    *,
    only: str | None = None,
    skip_built: bool = True,
) -> tuple[list[Digest], int]:
    """Every recipient's digest for the clock's day (or only `only`'s); also how many were built already."""
    day, now = clock.today(), clock.now()
    g = Gatherer(session, day, now, settings, clock)
    users_query = select(User).where(
        (User.role == Role.OVERSEER.value) | ((User.role == Role.PROVINCE.value) & User.province_id.is_not(None)))
    if only is not None:
        users_query = users_query.where(User.id == find_user(session, only).id)
    users = list(session.scalars(users_query.order_by(User.email)))
    built = set(session.scalars(select(Outbox.recipient).where(
        Outbox.kind == OutboxKind.DIGEST.value, Outbox.key_date == day))) if skip_built else set()
    previous = {r: (at, d) for r, at, d in session.execute(
        select(Outbox.recipient, func.max(Outbox.created_at), func.max(Outbox.key_date))
        .where(Outbox.kind == OutboxKind.DIGEST.value, Outbox.key_date < day).group_by(Outbox.recipient))}
    todo = [u for u in users if u.email not in built]
    already = len(users) - len(todo)
    if not todo:
        return [], already

    # A first digest reports changes since the start of the previous local day.
    default_since = datetime.combine(day - timedelta(days=1), time(0), tzinfo=ZoneInfo(clock.tz))
    weekly = day.weekday() == settings.digest_weekday.number
    province_users = [u for u in todo if u.role == Role.PROVINCE.value]
    overseers = [u for u in todo if u.role == Role.OVERSEER.value]
    reminders_by_province, overseer_reminders = g.reminders()
    digests: list[Digest] = []

    if province_users:
        shared = g.province_sections()
        earliest = min((previous.get(u.email, (default_since,))[0] for u in province_users), default=default_since)
        changes_by_province: dict[int, list[tuple[int | None, Item]]] = defaultdict(list)
        for actor_id, province_id, item in g.changes(earliest):
            changes_by_province[province_id].append((actor_id, item))

        def province_home(r: Reminded) -> str | None:
            return g.province_section_of(r.state, r.due_on) if r.province_owned else None

        def province_fallback(item: Item) -> tuple[str, Any]:
            # A reminder N days ahead of a deadline past the due-soon window: due within N days all the same.
            if item.kind == ReminderKind.BEFORE_DEADLINE.value and item.due_on is not None and item.due_on > day:
                return "due_soon", by_deadline
            return "reminders", None

        for user in province_users:
            province = g.provinces[user.province_id]
            since = previous.get(user.email, (default_since,))[0]
            mine = shared.get(province.id, {})
            reminders = reminders_by_province.get(province.id, [])
            # What others did: the recipient knows what they did themselves.
            changes = [item_copy(item) for actor_id, item in changes_by_province[province.id]
                       if actor_id != user.id and item.at > since]
            page = _link(settings, "/province")
            rows = Rows([Section(name, *section_copies(mine.get(name, ([], 0))), page)
                         for name in ("overdue", "due_today", "due_soon", "returned")]
                        + [Section("reminders", [], 0, page), Section("changes", [], 0, page)], g.cap)
            rows.reminders([reminded_copy(r) for r in reminders], province_home, province_fallback)
            rows.changes(changes)
            rows.by_name["due_soon"].n = max([g.due_soon_days, *rows.days["due_soon"]])
            digests.append(Digest(user.email, user.name, user.locale, user.role, day, False,
                                  {"vi": province.name, "en": province.name_en}, rows.sections,
                                  reminder_ids=[r.reminder_id for r in reminders]))
    if overseers:
        regions = g.regions()
        week = g.week() if weekly else {}
        requests = g.extension_requests()
        top = settings.digest_overseer_top
        earliest = min((previous.get(u.email, (default_since,))[0] for u in overseers), default=default_since)
        comments = g.province_comments(earliest)
        by_since: dict[date, dict[str, tuple[list[Item], int]]] = {}
        for user in overseers:
            since_day = previous[user.email][1] if user.email in previous else day - timedelta(days=1)
            if weekly:
                since_day = min(since_day, day - timedelta(days=7))
            if since_day not in by_since:
                by_since[since_day] = g.overseer_sections(since_day, top)
            mine = by_since[since_day]

            def overseer_home(r: Reminded, since_day: date = since_day) -> str | None:
                return g.overseer_section_of(r.state, r.due_on, since_day)

            def overseer_fallback(item: Item) -> tuple[str, Any]:
                if item.kind == ReminderKind.ESCALATION.value and item.due_on is not None and item.due_on < day:
                    return "long_overdue", most_overdue
                return "escalations", None

            overdue_page, review_page = _link(settings, "/overdue"), _link(settings, "/review")
            rows = Rows([Section("newly_overdue", *section_copies(mine["newly_overdue"]), overdue_page),
                         Section("long_overdue", [], 0, overdue_page),
                         Section("awaiting_review", *section_copies(mine["awaiting_review"]), review_page),
                         Section("blocked", *section_copies(mine["blocked"]), overdue_page),
                         Section("extension_requests", *section_copies(requests), review_page),
                         Section("escalations", [], 0, overdue_page),
                         Section("comments", [], 0, review_page)], top)
            rows.reminders([reminded_copy(r) for r in overseer_reminders], overseer_home, overseer_fallback)
            # The provinces' comments since this overseer's last digest: into the task's row, or a row of their own.
            since = previous.get(user.email, (default_since,))[0]
            rows.changes([item_copy(i) for i in comments if i.at > since], into="comments")
            long_overdue = rows.by_name["long_overdue"]
            long_overdue.n = min(rows.days["long_overdue"], default=settings.escalate_after_days)
            digests.append(Digest(user.email, user.name, user.locale, user.role, day, weekly, None, rows.sections,
                                  regions=regions, week=week,
                                  reminder_ids=[r.reminder_id for r in overseer_reminders]))
    return digests, already
