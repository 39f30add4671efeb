"""The set-based reads behind the digests, for one batch of recipients at a time.

`Facts` holds what does not change during a build (units, task groups) and
is read once. A `Reader` answers one batch's questions inside that batch's
transaction: the province sections, reminders and changes of the batch's
provinces only (`provinces`), or the overseers' national sections. Every
read is a few statements whatever the batch size (no query per recipient)
and returns plain Core rows; items are made from them here.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Row, and_, case, func, literal, or_, select
from sqlalchemy.orm import Session

from dtrack.config.settings import Settings
from dtrack.config.today import Today
from dtrack.i18n.catalog import text
from dtrack.i18n.labels import REMINDER_LABELS, TRIGGER_LABELS
from dtrack.notifications.digest_items import URGENCY, Item, RegionCount, Reminded, WaitingLetter
from dtrack.notifications.wording import WORDS
from dtrack.persistence.document_models import LetterDraft
from dtrack.persistence.models import (
    Directive,
    Event,
    ExtensionRequest,
    Province,
    Reminder,
    Task,
    TaskGroup,
    User,
    task_key,
)
from dtrack.workflow import lifecycle
from dtrack.workflow.applicability import counted
from dtrack.workflow.deadlines import task_titles
from dtrack.workflow.timeliness import classify
from dtrack.workflow.vocabulary import (
    DEPARTMENT_KIND,
    OWED_BY_PROVINCE,
    EvidenceTrigger,
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
_OWED = and_(Task.state.in_(OWED_BY_PROVINCE), counted())
# The same as a set: a section is decided for each of a country's reminders.
_OWED_STATES = frozenset(OWED_BY_PROVINCE)
# Rows fetched at a time when reminders are streamed: the overseers' list is a whole country's.
_STREAM = 2000


def _task_query(*columns: Any):
    # Tasks alone: joining the groups here made SQLite drive the query from the
    # groups and read every task; group facts come from `Facts.groups`.
    return select(Task.id, Task.province_id, Task.group_id, Task.period, Task.state, Task.due_on,
                  Task.submitted_at, *columns)


@dataclass(frozen=True)
class GroupFacts:
    code: str  # the directive's
    ordinal: int
    title: dict[str, str]  # lang -> title
    owner: str
    rule: str = ""  # the stored deadline rule: recurring tasks are titled with their period


@dataclass(frozen=True)
class UnitFacts:
    id: int
    slug: str
    name: dict[str, str]  # lang -> name
    region: str
    department: bool  # the Department's own unit: its tasks' reminders go to the overseers


class Facts:
    """Units and task groups, read once per build (plain values: they outlive the session)."""

    def __init__(self, session: Session) -> None:
        self.units = {
            pid: UnitFacts(pid, slug, {"vi": name, "en": name_en}, region, kind == DEPARTMENT_KIND)
            for pid, slug, name, name_en, region, kind in session.execute(
                select(Province.id, Province.slug, Province.name, Province.name_en, Province.region, Province.kind)
                .order_by(Province.ordinal))
        }
        self.groups = {
            gid: GroupFacts(code, ordinal, {"vi": title_vi, "en": title_en}, owner, rule)
            for gid, code, ordinal, title_vi, title_en, owner, rule in session.execute(
                select(TaskGroup.id, Directive.code, TaskGroup.ordinal, TaskGroup.title_vi, TaskGroup.title_en,
                       TaskGroup.owner, TaskGroup.deadline_rule)
                .join(Directive, TaskGroup.directive_id == Directive.id))
        }
        self.province_owned_ids = sorted(gid for gid, g in self.groups.items() if g.owner == Owner.PROVINCE.value)
        self.departments = sorted(pid for pid, u in self.units.items() if u.department)
        self._titles: dict[tuple[int, str], dict[str, str]] = {}
        self._labels = {kind: {lang: REMINDER_LABELS[lang][kind] for lang in WORDS} for kind in ReminderKind}

    def item(self, row: Any, **extra: Any) -> Item:
        # Called for every listed row: the unit's and group's facts are looked up, and their dictionaries shared.
        unit = self.units[row.province_id]
        group = self.groups[row.group_id]
        if "due_on" not in extra:
            extra["due_on"] = row.due_on
        title = group.title
        if row.period:  # the period in words, as task lists and reports name it
            known = self._titles.get((row.group_id, row.period))
            if known is None:
                vi, en = task_titles(group.rule, row.period, group.title["vi"], group.title["en"])
                known = self._titles[(row.group_id, row.period)] = {"vi": vi, "en": en}
            title = known
        return Item(row.id, task_key(group.code, group.ordinal, unit.slug, row.period), title, unit.name, **extra)

    def reminder_item(self, row: Any, days: int | None) -> Item:
        # The row says where the task stands today; the reminder only why it was due.
        kind = ReminderKind(row.kind)
        return self.item(row, days=days, kind=kind.value, label=self._labels[kind])


class Reader:
    """One batch's reads, in the batch's transaction."""

    def __init__(self, session: Session, facts: Facts, today: Today, now: datetime, settings: Settings) -> None:
        self.session = session
        self.facts = facts
        self.today = today
        self.day = today.day
        self.now = now
        self.cap = settings.digest_cap
        self.due_soon_days = today.due_soon_days
        self.province_owned = Task.group_id.in_(facts.province_owned_ids)
        # Plain Core execution for the big reads: the ORM's row processing is not needed.
        self.execute = session.connection().execute
        # Many tasks share a state and deadline: each pair is judged once (a submission by its own day).
        self._days: dict[tuple[str, date | None, datetime | None], int | None] = {}

    def days(self, row: Any) -> int | None:
        key = (row.state, row.due_on, row.submitted_at)
        if key not in self._days:
            self._days[key] = classify(row.state, row.due_on, self.today, submitted_at=row.submitted_at).days
        return self._days[key]

    def soon_until(self) -> date:
        return self.day + timedelta(days=self.due_soon_days)

    def province_section_of(self, state: str, due_on: date | None) -> str | None:
        """The province digest's section of a task, the most urgent first; None: in none of them."""
        if state in _OWED_STATES and due_on is not None and due_on <= self.soon_until():
            return "overdue" if due_on < self.day else "due_today" if due_on == self.day else "due_soon"
        return {State.RETURNED.value: "returned", State.BLOCKED.value: "blocked"}.get(state)

    def overseer_section_of(self, state: str, due_on: date | None, since_day: date) -> str | None:
        """The overseers' digest's section of a task; None: in none of them."""
        if state == State.BLOCKED.value:
            return "blocked"
        if state == State.SUBMITTED.value:
            return "awaiting_review"
        if state in _OWED_STATES and due_on is not None and since_day <= due_on < self.day:
            return "newly_overdue"
        return None

    # tasks ---------------------------------------------------------------------

    def top(self, where: ColumnElement[bool], order: Sequence[Any], cap: int) -> tuple[Sequence[Row], int]:
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

    def latest_notes(self, state: State, trigger: Trigger, *scope: ColumnElement[bool]) -> dict[int, str | None]:
        """The note of the last `trigger` event of the tasks now in `state` (why sent back, why blocked).

        `scope`: further conditions on the tasks (a few ids, the batch's provinces).
        """
        latest = (select(func.max(Event.id)).join(Task, Event.task_id == Task.id)
                  .where(Task.state == state.value, Event.trigger == trigger.value, *scope).group_by(Event.task_id))
        return dict(self.execute(select(Event.task_id, Event.note).where(Event.id.in_(latest))).all())

    def province_sections(self, provinces: Collection[int]) -> dict[int, dict[str, tuple[list[Item], int]]]:
        """province id -> section name -> (items, total) for the sections every user of it shares.

        The sections do not overlap (`province_section_of`): a returned task that is
        overdue is listed once, as overdue, with the Department's note.
        """
        mine = and_(self.province_owned, Task.province_id.in_(sorted(provinces)))
        soon_until = self.soon_until()
        # Overdue, due today and due soon in one pass (the state/deadline index), returned in another.
        found = self.ranked(and_(mine, _OWED, Task.due_on <= soon_until), [Task.due_on],
                            case((Task.due_on < self.day, "overdue"), (Task.due_on == self.day, "due_today"),
                                 else_="due_soon"))
        later = or_(Task.due_on.is_(None), Task.due_on > soon_until)
        found.update(self.ranked(and_(mine, Task.state == State.RETURNED.value, later), [Task.due_on],
                                 literal("returned")))
        # Blocked but not yet due: their own section with the reason (issue 26), not left out.
        found.update(self.ranked(and_(mine, Task.state == State.BLOCKED.value, counted(), later), [Task.due_on],
                                 literal("blocked")))
        notes = self.latest_notes(State.RETURNED, Trigger.SEND_BACK, Task.province_id.in_(sorted(provinces)))
        blocked = [r.id for (_, name), (rows, _) in found.items() if name == "blocked" for r in rows]
        reasons = self.latest_notes(State.BLOCKED, Trigger.BLOCK, Event.task_id.in_(blocked)) if blocked else {}
        item = self.facts.item
        result: dict[int, dict[str, tuple[list[Item], int]]] = defaultdict(dict)
        for (province_id, name), (rows, total) in found.items():
            items = [item(r, days=self.days(r), note=notes.get(r.id), note_label="note")
                     if r.state == State.RETURNED.value else
                     item(r, note=reasons.get(r.id), note_label="reason") if name == "blocked" else
                     item(r, days=self.days(r)) for r in rows]
            result[province_id][name] = (items, total)
        return result

    def overseer_sections(self, since_day: date, cap: int) -> dict[str, tuple[list[Item], int]]:
        """The overseers' task sections; newly overdue counts from `since_day` (the last digest's day)."""
        # Blocked tasks are listed as blocked (with their reason), not again as newly overdue.
        newly = and_(_OWED, Task.state != State.BLOCKED.value, Task.due_on >= since_day, Task.due_on < self.day)
        item = self.facts.item
        sections = {}
        rows, total = self.top(newly, [Task.due_on], cap)
        sections["newly_overdue"] = ([item(r, days=self.days(r)) for r in rows], total)
        rows, total = self.top(and_(Task.state == State.SUBMITTED.value, counted()), [Task.submitted_at], cap)
        sections["awaiting_review"] = ([item(r, days=self.days(r)) for r in rows], total)
        rows, total = self.top(and_(Task.state == State.BLOCKED.value, counted()), [Task.due_on], cap)
        reasons = self.latest_notes(State.BLOCKED, Trigger.BLOCK, Event.task_id.in_([r.id for r in rows]))
        sections["blocked"] = ([item(r, note=reasons.get(r.id), note_label="reason") for r in rows], total)
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
            items.append(self.facts.item(r, due_on=None, note=r.reason, label=asked, actor=r.requester,
                                         at=r.requested_at))
        return items, total

    def letters_waiting(self) -> list[WaitingLetter]:
        """Urge letters the daily job prepared, waiting for an overseer's approval (longest delay first)."""
        rows = self.execute(select(LetterDraft.province_id, Directive.code, LetterDraft.tasks, LetterDraft.most_days)
                            .join(Directive, Directive.id == LetterDraft.directive_id)
                            .where(LetterDraft.status == "pending")
                            .order_by(LetterDraft.most_days.desc(), LetterDraft.id)).all()
        return [WaitingLetter(self.facts.units[r.province_id].name, r.code, r.tasks, r.most_days) for r in rows]

    def regions(self) -> list[RegionCount]:
        """Tasks per region: overdue, awaiting review, blocked, completed, all."""
        # Two index-only counts per province (the province/state and state/deadline
        # indexes), summed up here: far cheaper than joining every task to its province.
        region_of = {pid: u.region for pid, u in self.facts.units.items()}
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
        for u in self.facts.units.values():
            provinces[u.region] += 1  # the Department's unit has no region: never counted here
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

    def reminders(self, provinces: Collection[int] | None) -> Iterator[Reminded]:
        """Pending reminders due by the day, most urgent kind first (then as they fell due), streamed.

        `provinces`: the province-audience reminders of these provinces; None: the overseers' (their
        audience's, and every reminder of the Department's own tasks: it has no province to tell).
        """
        query = (_task_query(Reminder.id.label("reminder_id"), Reminder.kind)
                 .join(Reminder, Reminder.task_id == Task.id)
                 .where(Reminder.consumed_at.is_(None), Reminder.cancelled_at.is_(None),
                        Reminder.remind_on <= self.day))
        departments = self.facts.departments
        if provinces is None:
            query = query.where(or_(Reminder.audience == Role.OVERSEER.value, Task.province_id.in_(departments)))
        else:
            query = query.where(Reminder.audience != Role.OVERSEER.value,
                                Task.province_id.in_(sorted(set(provinces) - set(departments))))
        # The order `Rows.remind` is given them in: most urgent kind first, then as they fell due.
        urgency = case(*((Reminder.kind == kind, rank) for kind, rank in URGENCY.items()), else_=len(URGENCY))
        query = query.order_by(urgency, Reminder.remind_on, Reminder.id).execution_options(yield_per=_STREAM)
        owned = set(self.facts.province_owned_ids)
        for r in self.execute(query):
            yield Reminded(r.reminder_id, r.id, r.province_id, r.state, r.due_on, r.kind, self.days(r),
                           r.group_id in owned, r, self.facts)

    def changes(self, since: datetime, provinces: Collection[int]) -> list[tuple[int | None, int, Item]]:
        """Events on the provinces' own tasks after `since`, newest first, with their actor's and province's ids."""
        rows = self.execute(
            _task_query(Event.actor_id, Event.trigger, Event.note, Event.at)
            .join(Event, Event.task_id == Task.id)
            .where(Event.at > since, Event.at <= self.now, self.province_owned, Task.province_id.in_(sorted(provinces)))
            .order_by(Event.at.desc(), Event.id.desc())).all()
        # Actors apart: joining users here made SQLite scan the users table once per event.
        actor_ids = {r.actor_id for r in rows if r.actor_id is not None}
        actors = dict(self.session.execute(select(User.id, User.email).where(User.id.in_(actor_ids))).all()) \
            if actor_ids else {}
        # Deadline, evidence, request and applicability events (extend, attach, a decision on an extension
        # request, an overseer's not-applicable mark...) are news too, not only transitions: every trigger
        # the vocabulary labels; the lifecycle's actions are called what their declaration says (`Action.done`).
        labels = {str(t): {lang: TRIGGER_LABELS[lang][t] for lang in WORDS} for t in TRIGGER_LABELS["vi"]}
        labels |= {str(a.trigger): {lang: text(lang, a.done) for lang in WORDS} for a in lifecycle.current().actions}
        return [(r.actor_id, r.province_id,
                 self.facts.item(r, note=r.note, at=r.at, actor=actors.get(r.actor_id), label=labels[r.trigger]))
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
        return [self.facts.item(r, note=r.note, at=r.at, actor=r.author, label=label) for r in rows]
