"""The parts of a digest: items (one task each), sections, region counts, and `Rows`, which fills
the sections so that each task has one row (its reminders and changes merged into it).
"""
from __future__ import annotations

import bisect
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from dtrack.workflow.vocabulary import ReminderKind


@dataclass(slots=True)
class Item:
    """One line of a digest section: a task, and what to say about it.

    A commune officer's rows are parts of tasks: `task_id` is then the part's id, and its link
    /parts/{id} (notifications.digest_communes).
    """

    task_id: int
    key: str
    title: dict[str, str]  # lang -> task group title
    province: dict[str, str]  # lang -> province name
    due_on: date | None = None
    days: int | None = None
    note: str | None = None  # the Department's note, a block reason, or a change's note
    label: dict[str, str] | None = None  # lang -> reminder kind or action
    actor: str | None = None
    at: datetime | None = None
    note_label: str | None = None  # a key of WORDS: what the note is; None: what its section's notes are
    kind: str | None = None  # a reminder's kind
    reasons: list[Item] = field(default_factory=list)  # the task's reminders merged into this row
    changes: list[Item] = field(default_factory=list)  # the task's changes merged into this row


@dataclass
class Section:
    name: str  # a key of notifications.wording.WORDS; its heading may hold {n}
    items: list[Item]
    total: int
    more_where: str = ""  # a web page that lists all of them
    n: int | None = None  # the number in the heading ("due within {n} days")

    @property
    def more(self) -> int:
        return self.total - len(self.items)


@dataclass
class RegionCount:
    region: str
    provinces: int
    overdue: int
    awaiting: int
    blocked: int
    completed: int
    total: int
    due_soon: int = 0


@dataclass(frozen=True, slots=True)
class WaitingLetter:
    """An urge letter waiting for an overseer's approval (documents.escalation prepares them)."""

    province: dict[str, str]  # lang -> province name
    directive: str
    tasks: int
    most_days: int


@dataclass(frozen=True, slots=True)
class LateCommuneLine:
    """A commune of the province with overdue parts (reading.late_communes), as the province's digest lists it."""

    code: str
    name: str
    parts: int  # its overdue parts
    most_days: int  # how many days the oldest of them is late


@dataclass(frozen=True)
class LateCommunes:
    """The province officers' "late_communes" block: communes, not tasks, so not a `Section` of task rows."""

    communes: list[LateCommuneLine]  # the worst first, at most the digest's cap
    total: int
    where: str  # the province's drill-down page, which lists them all ("" without a base URL)

    @property
    def more(self) -> int:
        return self.total - len(self.communes)


@dataclass
class Digest:
    recipient: str
    name: str
    locale: str
    role: str
    day: date
    weekly: bool
    province: dict[str, str] | None
    sections: list[Section]
    regions: list[RegionCount] = field(default_factory=list)
    week: dict[str, int] = field(default_factory=dict)
    reminder_ids: list[int] = field(default_factory=list)
    quiet: bool = False  # the person chose no digest today and nothing required is in it: not sent
    letters: list[WaitingLetter] = field(default_factory=list)  # overseers: urge letters to approve
    # Overseers: the dashboard's figures, the country first then each region (notifications.digest_picture).
    picture: list[Any] = field(default_factory=list)
    commune: dict[str, str] | None = None  # a commune officer's commune (lang -> name); `province` is then None
    late_communes: LateCommunes | None = None  # province officers: their communes with overdue parts

    def section(self, name: str) -> Section | None:
        return next((s for s in self.sections if s.name == name), None)

    def count(self, name: str) -> int:
        found = self.section(name)
        return found.total if found else 0

    @property
    def has_news(self) -> bool:
        return (self.weekly or bool(self.letters) or any(s.total for s in self.sections)
                or self.late_communes is not None)


class Reminded:
    """A pending reminder, with where its task stands today (to find the task's section).

    Its `item` is made only when a digest lists it: the overseers' reminders are a whole
    country's, and most of them are only counted.
    """

    __slots__ = ("reminder_id", "task_id", "province_id", "state", "due_on", "kind", "days", "province_owned",
                 "_row", "_facts", "_item")

    def __init__(self, reminder_id: int, task_id: int, province_id: int, state: str, due_on: date | None, kind: str,
                 days: int | None, province_owned: bool, row: Any, facts: Any) -> None:
        self.reminder_id = reminder_id
        self.task_id = task_id
        self.province_id = province_id
        self.state = state
        self.due_on = due_on  # the task's deadline in force
        self.kind = kind
        self.days = days
        self.province_owned = province_owned
        self._row = row
        self._facts = facts  # a digest_reading.Facts: makes the item from the row
        self._item: Item | None = None

    @property
    def item(self) -> Item:
        if self._item is None:
            self._item = self._facts.reminder_item(self._row, self.days)
            self._row = None
        return self._item


# Which reminder is the most urgent reason to list a task: it is placed first, the others merge into its row.
URGENCY = {ReminderKind.ESCALATION.value: 0, ReminderKind.OVERDUE.value: 1, ReminderKind.REVIEW_NUDGE.value: 2,
           ReminderKind.BEFORE_DEADLINE.value: 3}


class Rows:
    """A digest's sections being filled, most urgent first; each task gets one row in one section.

    Items given to `add` are copied when listed (rows gather merged reasons and changes per
    recipient; what several digests share stays as read). A row that would not be shown is
    only counted, and never made.
    """

    def __init__(self, sections: list[Section], cap: int) -> None:
        self.sections = sections
        self.cap = cap
        self.by_name = {s.name: s for s in sections}
        self.shown: dict[int, Item] = {i.task_id: i for s in sections for i in s.items}
        self.placed: set[int] = set()  # tasks counted in a section by `add`
        self.days: dict[str, list[int]] = defaultdict(list)

    def add(self, name: str, found: Item | Reminded, order: Any = None) -> None:
        """List a task that is in no section yet; it counts in the section's total even when not shown.

        `order`: a key the section's items are sorted by (they are already); None: as added.
        """
        section = self.by_name[name]
        self.placed.add(found.task_id)
        section.total += 1
        if found.days is not None:
            self.days[name].append(found.days)
        items = section.items
        if len(items) >= self.cap:
            # Full: only a row that sorts before the last one is listed, and the last one goes.
            if order is None or order(found) >= order(items[-1]):
                return
            del self.shown[items.pop().task_id]
        item = item_copy(found.item if isinstance(found, Reminded) else found)
        if order is None:
            items.append(item)
        else:
            bisect.insort(items, item, key=order)
        self.shown[item.task_id] = item

    def remind(self, r: Reminded, home: Any, fallback: Any) -> None:
        """Merge a reminder into its task's row; a task listed nowhere else gets a row of `fallback(r)`.

        Reminders come most urgent first (`URGENCY`), the order the digest reader gives them.
        """
        row = self.shown.get(r.task_id)
        if row is not None:
            row.reasons.append(r.item)
        elif r.task_id not in self.placed and home(r) is None:
            name, order = fallback(r)
            self.add(name, r, order)
        # else: counted in its section's total; the section's link lists it

    def changes(self, changes: list[Item], into: str = "changes") -> None:
        """Changes newest first: into the task's row if it is listed, else one row per task in `into`."""
        for item in changes:
            row = self.shown.get(item.task_id)
            if row is not None:
                row.changes.append(item)
            elif item.task_id not in self.placed:
                self.add(into, item)


def item_copy(item: Item) -> Item:
    # By hand: dataclasses.replace was a third of a national build.
    return Item(item.task_id, item.key, item.title, item.province, item.due_on, item.days, item.note, item.label,
                item.actor, item.at, item.note_label, item.kind)


def section_copies(found: tuple[list[Item], int]) -> tuple[list[Item], int]:
    items, total = found
    return [item_copy(i) for i in items], total
