"""Each province's parts delegated to communes, counted: the one source of every view's parts figures (issue 24).

The status matrix, the overdue review of one province, the four-cell matrix,
the dashboard, the national report (HTML, Markdown, XLSX, DOCX, PDF) and the
late-communes page all read `part_counts`, so they cannot disagree: total,
completed, and overdue (still owed by the commune after its deadline, as a
task is overdue: `OWED_BY_PROVINCE` and `due_on` before the day). One GROUP
BY for every province at once, narrowed to a directive, a province or a task
when a view is.

The parts keep no standing per day (their history is `part_events`, not
replayed here): the counts are those of the stored states. A view of a past
day shows them only when no part changed after that day (`stands_on`);
otherwise it leaves the parts out rather than show today's states as then.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.orm import Session

from dtrack.config.today import Today
from dtrack.persistence.models import Directive, Province, Task, TaskGroup, User
from dtrack.persistence.part_models import PartEvent, TaskPart
from dtrack.persistence.task_tallies import PartTally
from dtrack.workflow.views import View
from dtrack.workflow.vocabulary import OWED_BY_PROVINCE, Role, State


@dataclass(frozen=True)
class PartCounts(View):
    """Parts of a province (or of several, added up): how many, how many completed, how many overdue."""

    total: int = 0
    completed: int = 0
    overdue: int = 0

    def __add__(self, other: PartCounts) -> PartCounts:
        return PartCounts(self.total + other.total, self.completed + other.completed, self.overdue + other.overdue)


def part_late(today: date) -> ColumnElement[bool]:
    """A part overdue on `today`: still owed by its commune after its deadline (as a task is overdue)."""
    return TaskPart.state.in_(OWED_BY_PROVINCE) & (TaskPart.due_on < today)


def part_counts(session: Session, today: date, *, directive: str | None = None, province_id: int | None = None,
                task_id: int | None = None) -> dict[str, PartCounts]:
    """Province slug -> its parts' counts on `today` (of one directive, province or task when given); one query.

    A province without parts has no entry. No access check: the callers that
    serve a user go through `province_part_counts`.

    Why two levels: the parts are first counted per (task, state, deadline),
    which reads `ix_task_parts_task_state_due` alone, in its order, and leaves a
    few rows per task (a task's parts share one deadline per delegation); only
    those rows meet their task and province. Joined part by part, a nationwide
    count looked up each of 274,665 parts' rows and tasks (200 ms on SQLite
    at the commune-scale season, 50 ms so). Nationwide, even that read every
    part's index entry (250 ms on PostgreSQL, after every commit): the totals
    are the tallies the writes keep (`persistence.task_tallies`), and only the
    overdue parts are read, on the deadline index (`tallied_part_counts`).
    """
    if province_id is None and task_id is None:
        return tallied_part_counts(session, today, directive)
    parts = TaskPart.__table__
    grouped = select(parts.c.task_id, parts.c.state, parts.c.due_on, func.count().label("n"))
    narrowed = select(Task.id)
    if directive is not None:
        narrowed = (narrowed.join(TaskGroup, Task.group_id == TaskGroup.id)
                    .join(Directive, TaskGroup.directive_id == Directive.id).where(Directive.code == directive))
    if province_id is not None:
        narrowed = narrowed.where(Task.province_id == province_id)
    if task_id is not None:
        grouped = grouped.where(parts.c.task_id == task_id)
    if directive is not None or province_id is not None:
        grouped = grouped.where(parts.c.task_id.in_(narrowed))
    counted = grouped.group_by(parts.c.task_id, parts.c.state, parts.c.due_on).subquery()
    late = counted.c.state.in_(OWED_BY_PROVINCE) & (counted.c.due_on < today)
    query = (select(Province.slug, func.sum(counted.c.n),
                    func.sum(case((counted.c.state == State.COMPLETED.value, counted.c.n), else_=0)),
                    func.sum(case((late, counted.c.n), else_=0)))
             .select_from(counted).join(Task, counted.c.task_id == Task.id)
             .join(Province, Task.province_id == Province.id).group_by(Province.slug))
    return {slug: PartCounts(int(total), int(done or 0), int(overdue or 0))
            for slug, total, done, overdue in session.execute(query)}


def tallied_part_counts(session: Session, today: date, directive: str | None = None) -> dict[str, PartCounts]:
    """`part_counts` of every province (of one directive): the kept tallies, and the parts overdue on `today`."""
    late = (select(Task.province_id, func.count()).select_from(TaskPart).join(Task, TaskPart.task_id == Task.id)
            .where(part_late(today)).group_by(Task.province_id))
    kept = (select(PartTally.province_id, Province.slug, func.sum(PartTally.parts), func.sum(PartTally.completed))
            .join(Province, PartTally.province_id == Province.id).group_by(PartTally.province_id, Province.slug))
    if directive is not None:
        late = late.join(TaskGroup, Task.group_id == TaskGroup.id).join(
            Directive, TaskGroup.directive_id == Directive.id).where(Directive.code == directive)
        kept = kept.join(Directive, PartTally.directive_id == Directive.id).where(Directive.code == directive)
    overdue = dict(session.execute(late).all())
    return {slug: PartCounts(int(parts), int(completed or 0), int(overdue.get(province_id, 0)))
            for province_id, slug, parts, completed in session.execute(kept) if parts}


def province_part_counts(session: Session, actor: User, today: date, *, directive: str | None = None,
                         province_id: int | None = None) -> dict[str, PartCounts]:
    """`part_counts` of the provinces `actor` may read: overseers and admins all, a province officer their own."""
    if actor.disabled_at is not None or actor.role not in (Role.OVERSEER, Role.ADMIN, Role.PROVINCE):
        return {}
    if actor.role == Role.PROVINCE:
        if province_id is not None and province_id != actor.province_id:
            return {}
        province_id = actor.province_id
    return part_counts(session, today, directive=directive, province_id=province_id)


def stands_on(session: Session, today: Today) -> bool:
    """Whether the stored parts are as they stood at the end of `today`: none delegated or moved after it."""
    # The newest rows by id are the latest (both tables only grow, in time order): two primary-key lookups,
    # not a scan of every part's history on each page.
    until = today.ends_at()
    moved = session.scalar(select(PartEvent.at).order_by(PartEvent.id.desc()).limit(1))
    added = session.scalar(select(TaskPart.created_at).order_by(TaskPart.id.desc()).limit(1))
    return all(at is None or at < until for at in (moved, added))


def added_up(counts: Mapping[str, PartCounts], slugs: Iterable[str] | None = None) -> PartCounts:
    """The provinces' counts added up (of `slugs` only, when given: a region, the units a page shows)."""
    chosen = counts.values() if slugs is None else (counts[s] for s in slugs if s in counts)
    return sum(chosen, PartCounts())


@dataclass(frozen=True)
class PartsFigures(View):
    """What a view of several provinces shows: each province's counts and their sum, as of `as_of`."""

    as_of: date
    directive: str | None
    by_province: dict[str, PartCounts]
    total: PartCounts

    @property
    def any(self) -> bool:
        """Whether any province delegated a part (a view shows its parts only then)."""
        return self.total.total > 0

    def of(self, slugs: Iterable[str]) -> PartCounts:
        """The counts of these provinces added up (a region's, the units a page shows)."""
        return added_up(self.by_province, slugs)

    def per_region(self, provinces: Iterable[tuple[str, str, str]]) -> dict[str, PartCounts]:
        """Region -> its provinces' counts, of (slug, name, region) as the four-cell matrix lists them."""
        regions: dict[str, list[str]] = {}
        for slug, _, region in provinces:
            regions.setdefault(region, []).append(slug)
        return {region: self.of(slugs) for region, slugs in regions.items()}


def parts_figures(session: Session, actor: User, today: Today, *, directive: str | None = None,
                  province_id: int | None = None) -> PartsFigures | None:
    """The parts figures of a view of `today` for `actor`; None when a past day's figures are not known."""
    if not stands_on(session, today):
        return None
    counts = province_part_counts(session, actor, today.day, directive=directive, province_id=province_id)
    return PartsFigures(today.day, directive, counts, added_up(counts))


__all__ = ["PartCounts", "PartsFigures", "added_up", "part_counts", "part_late", "parts_figures",
           "province_part_counts", "stands_on", "tallied_part_counts"]
