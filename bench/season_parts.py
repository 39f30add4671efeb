"""The commune-scale season: the 34 provinces hand parts of their tasks to their real communes (issue 24).

On top of bench/season.py's tasks (whose commune-level *units* stay Province
rows, as the other suites' figures need), the 34 provinces of `dtrack init`
delegate to the official communes of the `communes` table, as
`workflow.parts.delegate` does:

- Hà Nội delegates every task it carries out to all its 126 communes (the
  scale issue 24 sets the province home and the overdue review against);
- every other province delegates groups 5 and 7 (the organisation of the
  work and the coordination with the communes' people's committees) and a
  deterministic share (`OTHER_SHARE`) of its other tasks to all its communes
  (or to its first `per_province` communes in a small season).

A task's parts share one delegation, as one `delegate` call makes them: the
day (a working day a few days into the task's current cycle) and the
deadline (a working day not later than the task's). A task delegated after
the snapshot day has no parts yet. Each part then lives one of
`PART_VARIANTS` simulated lives for that delegation and its commune's
working profile (`season.simulate`, the tasks' own: started, updated,
submitted to the province, sometimes sent back, accepted; late profiles
after the deadline), only what happened by AS_OF kept. Its history is a
`delegate` row by the province officer, then the life: the commune
officer's actions, the province officer's judgements.
"""
from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from bench.season import AS_OF, PROFILES, simulate
from dtrack.workflow.deadlines import STATUTORY
from dtrack.workflow.vocabulary import PartTrigger, State

ALL_TASKS = "ha-noi"  # the province that delegates every task it carries out
COORDINATION_GROUPS = (5, 7)  # delegated by every province
OTHER_SHARE = 15  # percent of a province's other tasks delegated too (picked by task id)
PART_VARIANTS = 12  # simulated lives per (delegation, profile)
INSTRUCTION = "Triển khai trên địa bàn xã, phường; báo cáo kết quả và minh chứng về Sở Công Thương"
PART_COLUMNS = ("id", "task_id", "commune_id", "instruction", "due_on", "state", "progress", "version",
                "delegated_by", "created_at", "updated_at", "submitted_at", "completed_at")
PART_EVENT_COLUMNS = ("id", "part_id", "actor_id", "trigger", "from_state", "to_state", "progress", "note",
                      "evidence", "at")


@dataclass(frozen=True)
class ProvinceTask:
    """What a delegation needs of a province's task."""

    id: int
    province_id: int
    slug: str
    ordinal: int  # the group's
    assigned_on: date
    due_on: date | None


@dataclass(frozen=True)
class Delegation:
    """One task's delegation: when, the parts' deadline, and the lives its parts may live."""

    at: datetime
    due: date
    lives: dict[str, list[tuple[tuple, list]]]


def delegates(task: ProvinceTask) -> bool:
    """Whether the province hands this task to its communes."""
    if task.slug == ALL_TASKS or task.ordinal in COORDINATION_GROUPS:
        return True
    return (task.id * 2654435761 >> 7) % 100 < OTHER_SHARE


def commune_officer_email(code: str) -> str:
    return f"canbo.xa-{code}@bench.example.vn"


def working_day_on_or_before(day: date, floor: date) -> date:
    """`day`, or the last working day before it, not before `floor` (then `day` as it is)."""
    found = day
    while not STATUTORY.is_working_day(found):
        found -= timedelta(days=1)
        if found < floor:
            return day
    return found


class PartSeason:
    """The part and part-event rows of the season, delegation by delegation (naive UTC datetimes)."""

    def __init__(self, seed: int, tasks: list[ProvinceTask], communes: dict[int, list[int]],
                 officers: dict[int, int], commune_officers: dict[int, int], first_part: int, first_event: int,
                 fmt, per_province: int | None = None) -> None:
        self.seed, self.tasks, self.fmt = seed, tasks, fmt
        self.communes = communes  # province id -> its communes' ids in code order
        self.officers, self.commune_officers = officers, commune_officers
        self.part_id, self.event_id = first_part, first_event
        self.per_province = per_province
        self.rng = random.Random(seed * 11)
        chooser = random.Random(seed * 13)
        self.profiles = {c: chooser.choice(PROFILES) for ids in communes.values() for c in sorted(ids)}
        self.delegations: dict[tuple[date, date], Delegation | None] = {}
        self.events: list[tuple] = []
        self.states: dict[str, int] = {}
        self.delegated_tasks = 0

    def _delegation(self, assigned_on: date, due: date) -> Delegation | None:
        """The delegation of every task with this assignment day and deadline (None: not by AS_OF)."""
        key = (assigned_on, due)
        if key not in self.delegations:
            pick = random.Random(self.seed * 1_000_003 + assigned_on.toordinal() * 10_007 + due.toordinal())
            # Into the task's current cycle: a continuous task's deadline is its checkpoint in force.
            cycle_start = max(assigned_on, due - timedelta(days=365))
            day = cycle_start + timedelta(days=pick.randint(2, 15))
            while not STATUTORY.is_working_day(day):
                day += timedelta(days=1)
            found = None
            if day <= AS_OF and day < due:
                part_due = due - timedelta(days=pick.randint(0, 30))
                if part_due < day + timedelta(days=14):
                    part_due = due
                part_due = working_day_on_or_before(part_due, day)
                at = datetime.combine(day, datetime.min.time()) + timedelta(hours=pick.randint(1, 4))
                lives = {profile: [simulate(self.rng, self.fmt, profile, day, part_due, None, extend=False)
                                   for _ in range(PART_VARIANTS)]
                         for profile in sorted(set(PROFILES))}  # an order that PYTHONHASHSEED does not change
                found = Delegation(at, part_due, lives)
            self.delegations[key] = found
        return self.delegations[key]

    def parts(self) -> Iterator[tuple]:
        """Part rows in (task, commune) order; each part's events are appended to `self.events`."""
        fmt = self.fmt
        for task in self.tasks:
            if task.due_on is None or not delegates(task):
                continue
            delegation = self._delegation(task.assigned_on, task.due_on)
            if delegation is None:
                continue
            self.delegated_tasks += 1
            communes = self.communes.get(task.province_id, [])
            if self.per_province is not None and task.slug != ALL_TASKS:
                communes = communes[:self.per_province]
            province_officer = self.officers[task.province_id]
            at, due = fmt(delegation.at), fmt(delegation.due)
            for commune in communes:
                part_id = self.part_id
                self.part_id += 1
                fields, history = delegation.lives[self.profiles[commune]][(part_id * 2654435761 >> 8) % PART_VARIANTS]
                officer = self.commune_officers[commune]
                event_id = self.event_id
                self.events.append((event_id, part_id, province_officer, PartTrigger.DELEGATE.value,
                                    State.NOT_STARTED.value, State.NOT_STARTED.value, 0, INSTRUCTION, None, at))
                for n, (by_province, rest) in enumerate(history, start=1):
                    # rest: trigger, from, to, progress, note, evidence, at, from_due, to_due (a task's columns)
                    self.events.append((event_id + n, part_id, province_officer if by_province else officer,
                                        *rest[:7]))
                self.event_id = event_id + 1 + len(history)
                state, progress, _, _, submitted, completed, updated, version = fields
                self.states[state] = self.states.get(state, 0) + 1
                yield (part_id, task.id, commune, INSTRUCTION, due, state, progress, version, province_officer, at,
                       updated if history else at, submitted, completed)


def task_rows(rows: list[Any]) -> list[ProvinceTask]:
    """ProvinceTask of (id, province id, slug, group ordinal, assigned on, due on) rows, by task id."""
    return [ProvinceTask(*row) for row in sorted(rows, key=lambda r: r[0])]


__all__ = ["ALL_TASKS", "COORDINATION_GROUPS", "INSTRUCTION", "OTHER_SHARE", "PART_COLUMNS", "PART_EVENT_COLUMNS",
           "PartSeason", "ProvinceTask", "commune_officer_email", "delegates", "task_rows"]
