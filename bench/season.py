"""The simulated season of bench/generate.py: each task's life from its assignment to the snapshot day.

Each unit has a working profile (as `usecases/demo.py` has them); a task
lives one of VARIANTS simulated lives for its slot (group, period,
assignment day) and its unit's profile, picked by task id. Only what
happened by AS_OF is kept, so states follow the dates.
"""
from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from dtrack.workflow.deadlines import STATUTORY, Recurring, next_checkpoint, periods_open, rule_from_text
from dtrack.workflow.vocabulary import DeadlineTrigger, GroupKind, Owner, State, Trigger

AS_OF = date(2026, 1, 5)  # the snapshot day: nothing happens after it, the benchmark judges it
VARIANTS = 24  # simulated lives per (slot, profile)
SEED = 20
PROFILES = ("fast", "steady", "steady", "steady", "late", "stuck")
NOTE_BLOCK = "Chưa được bố trí kinh phí khuyến công địa phương"
NOTE_SEND_BACK = "Thiếu phụ lục kinh phí chi tiết"
NOTE_UPDATE = "Đang tổng hợp số liệu từ cơ sở công nghiệp nông thôn"


@dataclass(frozen=True)
class Assignment:
    """One directive's groups and whom it is assigned to."""

    group_ids: list[tuple[int, int, str, str, str]]  # (group id, ordinal, kind, owner, rule text)
    issued_on: date
    share: float  # the share of units it is assigned to (1.0: all)
    provinces_too: bool  # False for Directive 20, whose 340 provincial tasks `init` made


class Season:
    """The task and event rows of the season, simulated task by task (naive UTC datetimes)."""

    def __init__(self, rng: random.Random, plan: list[Assignment], province_ids: list[int], commune_ids: list[int],
                 officers: dict[int, int], overseer: int, first_task: int, first_event: int, sqlite: bool,
                 department_unit: int | None = None) -> None:
        # Values as the driver takes them: ISO text for SQLite (as SQLAlchemy stores them), objects for COPY.
        self.format = _sqlite if sqlite else (lambda value: value)
        self.rng, self.plan = rng, plan
        self.province_ids, self.commune_ids = province_ids, commune_ids
        self.officers, self.overseer = officers, overseer
        self.task_id, self.event_id = first_task, first_event
        # A Department-owned group is one task of the Department's own unit (workflow/applicability.py).
        self.department_unit = department_unit
        self.profiles = {u: rng.choice(PROFILES) for u in province_ids + commune_ids + [department_unit]}
        self.events: list[tuple] = []
        self.states: dict[str, int] = {}

    def tasks(self) -> Iterator[tuple]:
        """Task rows; each task's events are appended to `self.events` as it is made.

        A task's life is one of VARIANTS simulated lives for its slot (group,
        period, assignment day) and its unit's profile, picked by task id:
        simulating each of a million tasks would cost minutes, and the
        variants keep the spread.
        """
        pick = random.Random(SEED * 5)
        fmt = self.format
        for assignment in self.plan:
            units = [u for u in self.province_ids if assignment.provinces_too and pick.random() < assignment.share]
            units += [u for u in self.commune_ids if pick.random() < assignment.share]
            for group_id, _, kind, owner, rule_text in assignment.group_ids:
                rule = rule_from_text(rule_text)
                if isinstance(rule, Recurring):
                    slots = [(p.label, p.opens_on, p.due_on) for p in periods_open(rule, assignment.issued_on, AS_OF)]
                else:
                    slots = [("", assignment.issued_on, rule.due(assignment.issued_on, STATUTORY))]
                continuous = rule if kind == GroupKind.CONTINUOUS.value else None
                by_department = owner == Owner.DEPARTMENT.value
                targets = units
                if by_department:  # Directive 20's own came with `init`; the others' one task each
                    targets = [self.department_unit] if assignment.provinces_too and self.department_unit else []
                for period, opens_on, due in slots:
                    lives = {profile: [simulate(self.rng, fmt, profile, opens_on, due, continuous)
                                       for _ in range(VARIANTS)]
                             for profile in sorted(set(PROFILES))}  # an order that PYTHONHASHSEED does not change
                    assigned = fmt(opens_on)
                    for unit in targets:
                        actor = self.overseer if by_department else self.officers[unit]
                        task_id = self.task_id
                        self.task_id += 1
                        fields, history = lives[self.profiles[unit]][(task_id * 2654435761 >> 8) % VARIANTS]
                        event_id = self.event_id
                        for overseer, rest in history:
                            self.events.append((event_id, task_id, self.overseer if overseer else actor, *rest))
                            event_id += 1
                        self.event_id = event_id
                        state = fields[0]
                        self.states[state] = self.states.get(state, 0) + 1
                        yield (task_id, group_id, unit, period, state, fields[1], assigned, *fields[2:])


def simulate(rng: random.Random, fmt: Callable[[Any], Any], profile: str, assigned_on: date, due: date | None,
             continuous, extend: bool = True) -> tuple[tuple, list]:
    """One simulated life: the task's columns after `assigned_on` and its events as (by overseer, columns).

    A commune's part lives the same life (bench/season_parts.py: from its
    delegation, by its own deadline, judged by the province), without the
    one-in-ten extended deadline (`extend`): a part's deadline is the province's to give, never moved here.
    """
    history: list[tuple] = []  # (trigger, from, to, progress, note, at, from_due, to_due, by overseer)
    state, progress = State.NOT_STARTED.value, 0
    submitted = completed = None
    original_due = due
    cycle_start = assigned_on
    # One in ten deadlines was extended once.
    extended = extend and due is not None and continuous is None and rng.random() < 0.1

    def happen(trigger: Trigger, to: str, at: datetime, new_progress: int | None = None, note: str | None = None,
               by: bool = False, dues: tuple = (None, None)) -> bool:
        nonlocal state, progress
        if at.date() > AS_OF:
            return False
        progress = progress if new_progress is None else new_progress
        history.append((trigger.value, state, to, progress, note, at, dues[0], dues[1], by))
        state = to
        return True

    def moment(day: date) -> datetime:
        return datetime.combine(day, datetime.min.time()) + timedelta(hours=rng.randint(1, 10))

    delay = {"fast": (3, 20), "steady": (10, 45), "late": (40, 150), "stuck": (20, 60)}[profile]
    day = cycle_start + timedelta(days=rng.randint(*delay))
    if (not (profile == "late" and rng.random() < 0.15)
            and happen(Trigger.START, State.IN_PROGRESS.value, moment(day))):
        while True:
            if extended and due is not None:
                extended = False
                due = due + timedelta(days=rng.choice((30, 60, 90)))
            target = due or (day + timedelta(days=180))
            if profile == "stuck" and rng.random() < 0.35:
                day += timedelta(days=rng.randint(10, 40))
                if not happen(Trigger.BLOCK, State.BLOCKED.value, moment(day), note=NOTE_BLOCK):
                    break
                day += timedelta(days=rng.randint(30, 120))
                if rng.random() < 0.5 or not happen(Trigger.UNBLOCK, State.IN_PROGRESS.value, moment(day)):
                    break
            lateness = {"fast": (-30, -5), "steady": (-25, 10), "late": (0, 120), "stuck": (10, 200)}[profile]
            submit_on = max(day + timedelta(days=5), target + timedelta(days=rng.randint(*lateness)))
            updates = rng.randint(1, 4)
            gap = max((submit_on - day).days // (updates + 1), 1)
            went_on = True
            for step in range(updates):
                day += timedelta(days=gap)
                if not happen(Trigger.UPDATE, State.IN_PROGRESS.value, moment(day),
                              min(90, 20 * (step + 1) + rng.randint(0, 9)),
                              NOTE_UPDATE if rng.random() < 0.3 else None):
                    went_on = False
                    break
            if not went_on:
                break
            day = max(day, submit_on)
            if not happen(Trigger.SUBMIT, State.SUBMITTED.value, moment(day), 100):
                break
            submitted = history[-1][5]
            day += timedelta(days=rng.randint(2, 20))
            if rng.random() < 0.2:
                if not happen(Trigger.SEND_BACK, State.RETURNED.value, moment(day), note=NOTE_SEND_BACK,
                              by=True):
                    break
                day += timedelta(days=rng.randint(5, 30))
                if not happen(Trigger.SUBMIT, State.SUBMITTED.value, moment(day)):
                    break
                submitted = history[-1][5]
                day += timedelta(days=rng.randint(3, 15))
            if rng.random() > 0.95 or not happen(Trigger.ACCEPT, State.COMPLETED.value, moment(day),
                                                  by=True):
                break
            completed = history[-1][5]
            if continuous is None or due is None:
                break
            # A continuous task goes on once its checkpoint has passed (the sweep's `checkpoint` event).
            following = next_checkpoint(continuous, assigned_on, due, STATUTORY)
            passed = due + timedelta(days=1)
            if following is None or passed > AS_OF:
                break
            history.append((DeadlineTrigger.CHECKPOINT.value, state, State.IN_PROGRESS.value, progress,
                            None, moment(passed), due, following, False))
            state, completed, submitted = State.IN_PROGRESS.value, None, None
            due = original_due = following
            day = max(day, passed)
    events = [(by, (trigger, from_state, to_state, prog, note, None, fmt(at), fmt(from_due), fmt(to_due)))
              for trigger, from_state, to_state, prog, note, at, from_due, to_due, by in history]
    updated = history[-1][5] if history else datetime.combine(assigned_on, datetime.min.time())
    was_submitted = state in (State.SUBMITTED.value, State.COMPLETED.value, State.RETURNED.value)
    fields = (state, progress, fmt(original_due), fmt(due),
              fmt(submitted) if was_submitted else None,
              fmt(completed) if state == State.COMPLETED.value else None, fmt(updated), 1 + len(history))
    return fields, events


def _sqlite(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, date):
        return value.isoformat()
    return value
