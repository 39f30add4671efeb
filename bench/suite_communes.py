"""The commune-scale season (issue 24): provinces' tasks delegated in parts to their communes, at scale.

On the scale data set (`ctx.big_url()`: bench/generate.py's season with its
parts, bench/season_parts.py: Hà Nội every task to its 126 communes, every
other province groups 5 and 7 and a share of the rest to all its communes;
several hundred thousand parts, a small season in --quick), judged on its
own day (AS_OF):

1. the season's parts: how many, and the seconds making and loading them
   took (within the data set's generation);
2. the parts roll-up over every province (`reading.part_counts`, the one
   count every overseer view shows), the late-communes drill-down of Hà Nội
   and of the province with the most late parts (`reading.late_communes`),
   and the late communes of every province at once (`late_by_province`,
   the province officers' digests' read): medians of repeats;
3. a part transition through the engine (`PartTracker.fire`, progress
   updates by the commune officers of Hà Nội's in-progress parts) against a
   task transition (`Tracker.fire`, progress updates on in-progress tasks of
   the provinces, Hà Nội's first, by their officers) in the same run, chunk
   by chunk in turn: parts/s, tasks/s, their ratio;
4. the commune officers' digests (3,321 officers): gathered and rendered
   as the daily build does, nothing queued.
"""
from __future__ import annotations

import time

from sqlalchemy import func, select

from bench.context import BenchContext, Result, Timing, measure
from bench.generate import officer_email
from bench.season import AS_OF
from bench.season_parts import ALL_TASKS, commune_officer_email
from dtrack.config.clock import Clock
from dtrack.config.settings import load_settings
from dtrack.notifications.digest_gathering import batches, gather_batch, plan_day, recipients
from dtrack.notifications.digest_rendering import render
from dtrack.notifications.digest_sending import BATCH
from dtrack.persistence.commune_models import Commune
from dtrack.persistence.database import Database
from dtrack.persistence.models import Province, Task, TaskGroup, User
from dtrack.persistence.part_models import TaskPart
from dtrack.reading.late_communes import late_by_province, late_communes
from dtrack.reading.part_counts import part_counts, part_late
from dtrack.workflow.part_service import PartTracker
from dtrack.workflow.service import Tracker
from dtrack.workflow.vocabulary import Owner, Role, State, Trigger

SUITE = "communes"
TRANSITIONS = {True: 60, False: 600}  # of each kind, in CHUNKS chunks taken in turn
CHUNKS = 6
REPEAT = {True: 2, False: 5}


def _ms(name: str, ctx: BenchContext, rows: int, timing: Timing, target: str = "", note: str = "") -> Result:
    return Result(SUITE, name, ctx.backend, rows, timing.median * 1000, timing.minimum * 1000,
                  timing.maximum * 1000, "ms", target, note)


def season(ctx: BenchContext, db: Database) -> list[Result]:
    stats = ctx.extra["scratch"].big_stats
    with db.session() as session:
        hanoi = session.scalar(select(func.count()).select_from(TaskPart).join(Task, TaskPart.task_id == Task.id)
                               .join(Province, Task.province_id == Province.id).where(Province.slug == ALL_TASKS))
        late = session.scalar(select(func.count()).select_from(TaskPart).where(part_late(AS_OF)))
    states = ", ".join(f"{k} {v:,}" for k, v in sorted((stats.part_states or {}).items()))
    return [Result(SUITE, "commune-scale season: parts", ctx.backend, stats.parts, stats.parts_seconds,
                   stats.parts_seconds, stats.parts_seconds, "s", "",
                   f"{stats.parts:,} parts of {stats.delegated_tasks:,} tasks of the 34 provinces ({hanoi:,} of "
                   f"{ALL_TASKS}, every task to its 126 communes), {stats.part_events:,} part events, {late:,} "
                   f"overdue on {AS_OF}; states: {states}; the seconds of making, loading and indexing them, within "
                   f"the data set's {stats.seconds:.0f} s")]


def reading(ctx: BenchContext, db: Database) -> list[Result]:
    repeat = REPEAT[ctx.quick]
    with db.session() as session:
        overseer = session.scalar(select(User).where(User.role == Role.OVERSEER.value).order_by(User.id).limit(1))
        parts = int(session.scalar(select(func.count()).select_from(TaskPart)) or 0)
        worst = session.execute(
            select(Province.slug, func.count(TaskPart.id)).select_from(TaskPart)
            .join(Task, TaskPart.task_id == Task.id).join(Province, Task.province_id == Province.id)
            .where(part_late(AS_OF)).group_by(Province.slug).order_by(func.count(TaskPart.id).desc(), Province.slug)
            .limit(1)).first()
        province_ids = list(session.scalars(select(Province.id).where(Province.kind.not_in(("xa", "department")))))
        found = part_counts(session, AS_OF)
        rollup = measure(lambda: part_counts(session, AS_OF), repeat=repeat)
        results = [_ms("parts roll-up, every province (part_counts)", ctx, parts, rollup, "",
                       f"{len(found)} provinces with parts, {sum(c.total for c in found.values()):,} parts, "
                       f"{sum(c.overdue for c in found.values()):,} overdue; one GROUP BY")]
        slugs = [ALL_TASKS] + ([worst[0]] if worst and worst[0] != ALL_TASKS else [])
        for slug in slugs:
            page = late_communes(session, overseer, slug, AS_OF)
            timing = measure(lambda slug=slug: late_communes(session, overseer, slug, AS_OF), repeat=repeat)
            results.append(_ms(f"late communes of {slug} (drill-down)", ctx, page.counts.total, timing, "",
                               f"{len(page.communes)} late communes, {page.counts.overdue:,} late parts of "
                               f"{page.counts.total:,}"))
        every = late_by_province(session, province_ids, AS_OF)
        timing = measure(lambda: late_by_province(session, province_ids, AS_OF), repeat=repeat)
        results.append(_ms("late communes, every province at once (late_by_province)", ctx, parts, timing, "",
                           f"{sum(len(v) for v in every.values()):,} late communes in {len(every)} provinces: "
                           "the province officers' digests' read"))
    return results


def transitions(ctx: BenchContext, db: Database) -> list[Result]:
    """Progress updates on Hà Nội's in-progress parts (by their communes' officers) and tasks (by its officer)."""
    n = TRANSITIONS[ctx.quick]
    with db.session() as session:
        parts = session.execute(
            select(TaskPart.id, Commune.code, TaskPart.progress).join(Commune, TaskPart.commune_id == Commune.id)
            .join(Task, TaskPart.task_id == Task.id).join(Province, Task.province_id == Province.id)
            .where(Province.slug == ALL_TASKS, TaskPart.state == State.IN_PROGRESS.value,
                   Task.state != State.COMPLETED.value)
            .order_by(TaskPart.id).limit(n)).all()
        # The tasks of the provinces (Hà Nội's first; the quick season's Hà Nội has none in progress).
        tasks = session.execute(
            select(Task.id, Province.slug, Task.progress).join(Province, Task.province_id == Province.id)
            .join(TaskGroup, Task.group_id == TaskGroup.id)
            .where(Province.kind.not_in(("xa", "department")), Task.state == State.IN_PROGRESS.value,
                   TaskGroup.owner == Owner.PROVINCE.value)
            .order_by((Province.slug != ALL_TASKS), Task.id).limit(n)).all()
    if not parts or not tasks:
        return [Result(SUITE, "part transitions: not measured", ctx.backend, 0, 0, 0, 0, "ops/s", "",
                       f"{len(parts)} in-progress parts, {len(tasks)} in-progress tasks of {ALL_TASKS}")]
    clock = Clock(pinned=AS_OF)  # the season's day: the events stay on it, so the views' parts still stand
    part_tracker, task_tracker = PartTracker(db, clock), Tracker(db, clock)
    # Progress 41, 42, 41, ... on each subject, never what it holds already (an update that says nothing is refused).
    held = {("part", pid): progress for pid, _, progress in parts} | {("task", tid): progress
                                                                       for tid, _, progress in tasks}

    def progress(subject: tuple[str, int]) -> int:
        held[subject] = 42 if held[subject] == 41 else 41
        return held[subject]

    part_steps = [(pid, commune_officer_email(code), progress(("part", pid))) for pid, code, _ in parts]
    task_steps = []
    for i in range(len(part_steps)):
        tid, slug, _ = tasks[i % len(tasks)]
        task_steps.append((tid, officer_email(slug), progress(("task", tid))))
    size = max(len(part_steps) // CHUNKS, 1)
    part_rates: list[float] = []
    task_rates: list[float] = []

    def chunk(fire, steps) -> float:
        start = time.perf_counter()
        for subject, actor, progress in steps:
            fire(subject, Trigger.UPDATE.value, actor, progress=progress)
        return len(steps) / (time.perf_counter() - start)

    for c in range(0, len(part_steps), size):
        order = [(part_tracker.fire, part_steps, part_rates), (task_tracker.fire, task_steps, task_rates)]
        for fire, steps, rates in (order if (c // size) % 2 == 0 else order[::-1]):
            rates.append(chunk(fire, steps[c:c + size]))
    ratios = Timing(sorted(p / t for p, t in zip(part_rates, task_rates, strict=True)))
    parts_t, tasks_t = Timing(sorted(part_rates)), Timing(sorted(task_rates))
    hanoi = sum(1 for _, slug, _ in tasks if slug == ALL_TASKS)
    note = (f"{len(part_steps)} progress updates of each kind on {ALL_TASKS}'s in-progress parts (by their communes' "
            f"officers) and on {len(tasks)} in-progress tasks ({hanoi} of {ALL_TASKS}; by their province officers), "
            f"in {len(part_rates)} chunks taken in turn; one transaction each")
    return [
        Result(SUITE, "part transitions/s (PartTracker.fire)", ctx.backend, len(part_steps), parts_t.median,
               parts_t.minimum, parts_t.maximum, "ops/s", "", note),
        Result(SUITE, "task transitions/s, same run (Tracker.fire)", ctx.backend, len(task_steps), tasks_t.median,
               tasks_t.minimum, tasks_t.maximum, "ops/s", "", note),
        Result(SUITE, "part / task transition rate", ctx.backend, len(part_steps), ratios.median, ratios.minimum,
               ratios.maximum, "ratio", "", "per chunk: the same write path on a part's subject (parts roll up "
               "into the task in the same transaction)"),
    ]


def digests(ctx: BenchContext, db: Database) -> list[Result]:
    """The commune officers' digests gathered and rendered as the build does (nothing written)."""
    settings = load_settings(environ={"DTRACK_MAIL_RETRY_SECONDS": "0", "DTRACK_DIGEST_WEEKDAY": "sunday"})
    clock = Clock(pinned=AS_OF)
    counted: dict[str, int] = {}

    def build() -> None:
        with db.session() as session:
            plan = plan_day(session, clock, settings)
            people = [p for p in recipients(session) if p.role == Role.COMMUNE.value]
            rendered = empty = 0
            for batch in batches(people, BATCH):
                for digest in gather_batch(session, plan, batch):
                    if digest.quiet or not digest.has_news:
                        empty += 1
                        continue
                    render(digest, settings, clock)
                    rendered += 1
        counted.update(officers=len(people), rendered=rendered, empty=empty)

    timing = measure(build, repeat=1 if ctx.quick else 2)
    return [Result(SUITE, "commune officers' digests: gather + render", ctx.backend, counted["officers"],
                   timing.median, timing.minimum, timing.maximum, "s", "",
                   f"{counted['officers']:,} commune officers: {counted['rendered']:,} digests rendered, "
                   f"{counted['empty']:,} with nothing due (no mail); batches of {BATCH}, nothing queued")]


def run(ctx: BenchContext) -> list[Result]:
    db = Database(ctx.big_url())
    try:
        return [*season(ctx, db), *reading(ctx, db), *transitions(ctx, db), *digests(ctx, db)]
    finally:
        db.dispose()
