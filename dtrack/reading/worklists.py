"""What a logged-in person sees: their province's work, one task, the review pages.

Each function takes the actor first and checks `workflow.access` before it
reads anything, so the web (and any other front end) cannot show more than
the rules allow. They return plain results; rendering is the caller's.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from dtrack.config.today import Today
from dtrack.errors import UnknownDirective
from dtrack.persistence.models import Directive, Event, Province, Task, TaskGroup, User
from dtrack.reading.list_order import (
    OVERDUE_SORTS,
    REVIEW_SORTS,
    SortOrder,
    sort_order,
    sorted_awaiting,
    sorted_overdue,
)
from dtrack.reading.list_search import text_match
from dtrack.reading.overdue import (
    LateTask,
    OverdueReview,
    TimelinessMatrix,
    awaiting_review,
    overdue_review,
    timeliness_matrix,
)
from dtrack.reading.part_counts import PartsFigures, parts_figures
from dtrack.reading.scope import Scope, checked_directive
from dtrack.reading.status import StatusMatrix, status_matrix, status_units
from dtrack.reading.task_listing import whole_number
from dtrack.reading.task_names import state_notes
from dtrack.workflow import lifecycle
from dtrack.workflow.access import OVERSIGHT, check_oversight, check_province, four_eyes_forbid, readable_task
from dtrack.workflow.applicability import is_department
from dtrack.workflow.extension_requests import RequestView, list_requests, may_request
from dtrack.workflow.provinces import check_region, resolve, resolve_optional, unit_choices
from dtrack.workflow.service import owns, owns_group
from dtrack.workflow.tasks import TaskView, history_json, list_tasks
from dtrack.workflow.vocabulary import DeadlineStatus, Owner, Role, State

# The sections of "Việc của tỉnh", in page order (issue 26): a returned task first, with the overseer's note;
# blocked tasks in their own list; "in progress" only what is in progress; not started apart.
SECTIONS = ("returned", "overdue", "due_soon", "blocked", "in_progress", "not_started", "waiting", "completed")


def section_of(view: TaskView) -> str:
    if view.state == State.COMPLETED:
        return "completed"
    if view.state == State.SUBMITTED:
        return "waiting"
    if view.state == State.RETURNED:
        return "returned"
    if view.state == State.BLOCKED:
        return "blocked"
    if view.deadline_status == DeadlineStatus.OVERDUE:
        return "overdue"
    if view.deadline_status == DeadlineStatus.DUE_SOON:
        return "due_soon"
    return "not_started" if view.state == State.NOT_STARTED else "in_progress"


@dataclass
class Worklist:
    """A province's tasks across every assigned directive, by section."""

    province: Province | None  # None: an overseer who has not chosen a province yet
    sections: dict[str, list[TaskView]] = field(default_factory=dict)
    provinces: tuple[tuple[str, str], ...] = ()  # (slug, name) to choose from (overseers, admins)
    allowed: dict[int, list[str]] = field(default_factory=dict)  # task id -> what the actor may do now
    notes: dict[int, str] = field(default_factory=dict)  # returned and blocked tasks -> the note that put them there
    # Overseers: the Department's own tasks (Department-owned groups), apart from every province's.
    department: list[TaskView] = field(default_factory=list)
    directive: str | None = None  # the directive shown (None: every one assigned)

    def to_json(self) -> dict[str, Any]:
        return {"province": self.province.slug if self.province else None, "directive": self.directive,
                "sections": {name: [{**view.to_json(), "allowed": list(self.allowed.get(view.id, []))}
                                    for view in views] for name, views in self.sections.items()},
                "department": [view.to_json() for view in self.department]}


# How "Việc của tỉnh" may be sorted within each section (`?sort=`; "-" in front: reversed).
WORKLIST_SORTS = ("section", "task", "deadline", "progress")


def _worklist_key(column: str) -> Any:
    return {"task": lambda v: (v.directive, v.group, v.period),
            "deadline": lambda v: (v.due_on is None, v.due_on or date.min),
            "progress": lambda v: v.progress}[column]


def province_worklist(session: Session, actor: User, province_ref: str | None, today: Today,
                      directive: str | None = None, q: str | None = None, sort: str | None = None) -> Worklist:
    """A province officer's own province, or (overseers, admins) the province asked for;
    of one directive (its code) or of every one. An unknown code is refused (`UnknownDirective`).

    `q` (the search box) keeps the tasks whose title, key or province matches, chosen by the
    database (`reading.list_search`); `sort` orders each section (WORKLIST_SORTS).
    """
    directive = checked_directive(session, directive)
    order = sort_order(sort, WORKLIST_SORTS)
    match = text_match(session, q)
    if province_ref:
        province = resolve(session, province_ref).province
    elif actor.role == Role.PROVINCE and actor.province is not None:
        province = actor.province
    else:
        check_oversight(actor, "province_list")
        department = list_tasks(session, today=today, department=True, directive=directive)
        return Worklist(None, provinces=unit_choices(session), department=department, directive=directive)
    check_province(actor, province)
    result = Worklist(province, {name: [] for name in SECTIONS}, directive=directive)
    wanted = None if match is None else set(session.scalars(
        select(Task.id).where(Task.province_id == province.id, *match.conditions())))
    seen: dict[tuple[str, bool], list[str]] = {}
    owners = {(code, ordinal): owner for code, ordinal, owner in session.execute(
        select(Directive.code, TaskGroup.ordinal, TaskGroup.owner).join(TaskGroup.directive))}
    for view in list_tasks(session, province=province, today=today, directive=directive):
        if owners[(view.directive, view.group)] == Owner.DEPARTMENT:
            continue  # the Department's own (tasks from before it had one task): never a province's work
        if wanted is not None and view.id not in wanted:
            continue
        result.sections[section_of(view)].append(view)
        mine = owns_group(actor, owners[(view.directive, view.group)], province.id)
        if (view.state, mine) not in seen:  # a few states and two answers: ask the machine once each
            seen[(view.state, mine)] = lifecycle.current().allowed_for(view.state, actor.role, mine)
        result.allowed[view.id] = seen[(view.state, mine)]
    result.sections["overdue"].sort(key=lambda v: -(v.deadline_days or 0))
    if order.column != "section":
        for views in result.sections.values():
            views.sort(key=_worklist_key(order.column), reverse=order.descending)
    result.notes = state_notes(session, [v.id for v in result.sections["returned"] + result.sections["blocked"]])
    if actor.role != Role.PROVINCE:
        result.provinces = unit_choices(session)
    return result


@dataclass
class TaskPage:
    task: Task
    view: TaskView
    history: list[Event]
    allowed: list[str]  # what this actor may do now
    may_extend: bool
    may_request: bool = False  # the province may ask for a later deadline (no request pending)
    requests: list[RequestView] = field(default_factory=list)  # this task's extension requests, pending first
    may_exempt: bool = False  # may mark it not applicable / applicable again (overseers, admins)

    @property
    def pending(self) -> RequestView | None:
        return next((r for r in self.requests if r.status == "pending"), None)

    def to_json(self) -> dict[str, Any]:
        return {**self.view.to_json(), "allowed": list(self.allowed), "may_extend": self.may_extend,
                "may_request": self.may_request, "extension_requests": [r.to_json() for r in self.requests],
                "may_exempt": self.may_exempt, "history": history_json(self.history)}


def task_page(session: Session, actor: User, ref: str, today: Today) -> TaskPage:
    task = readable_task(session, actor, ref)
    history = list(session.scalars(select(Event).options(joinedload(Event.actor))
                                   .where(Event.task_id == task.id).order_by(Event.id)))
    rules = lifecycle.current()
    allowed = rules.allowed_for(task.state, actor.role, owns(actor, task))
    if any(rules.action(t).judges for t in allowed) and four_eyes_forbid(session, task.id, actor.id):
        allowed = [t for t in allowed if not rules.action(t).judges]  # offer no accept the engine refuses
    may_extend = actor.role in (Role.OVERSEER, Role.ADMIN) and task.state != State.COMPLETED
    requests = list_requests(session, task_id=task.id)
    asking = may_request(actor, task) and not any(r.status == "pending" for r in requests)
    may_exempt = actor.role in OVERSIGHT and not is_department(task.province)
    return TaskPage(task, TaskView.of(task, today), history, allowed, may_extend, asking, requests,
                    may_exempt)


def review_queue(session: Session, actor: User, today: Today, limit: int = 200,
                 directive: str | None = None) -> list[LateTask]:
    """Submissions waiting for the Department, longest waiting first (of one directive, or of all)."""
    check_oversight(actor, "review_queue")
    waiting, _ = awaiting_review(session, today, Scope(directive=checked_directive(session, directive)), limit=limit)
    return waiting


@dataclass
class ReviewFilters:
    """The review queue's filters as a request gives them (text, or None when absent)."""

    region: str | None = None
    province: str | None = None
    group: str | None = None
    directive: str | None = None
    q: str | None = None  # the search box: task title, key or province, with or without diacritics
    sort: str | None = None  # a column of REVIEW_SORTS, "-" in front for the reverse


@dataclass
class ReviewPage:
    """"Rà soát": the submissions waiting for review and the pending extension requests."""

    waiting: list[LateTask]
    requests: list[RequestView]
    directive: str | None = None  # the one directive shown; None: every directive
    sort: SortOrder = field(default_factory=lambda: SortOrder(REVIEW_SORTS[0]))


def review_page(session: Session, actor: User, today: Today, limit: int = 200,
                directive: str | None = None, filters: ReviewFilters | None = None) -> ReviewPage:
    check_oversight(actor, "review_queue")  # before the directive is looked up: no answer to a province officer
    filters = filters or ReviewFilters(directive=directive)
    code = checked_directive(session, filters.directive)
    province, _ = resolve_optional(session, filters.province or None)
    scope = Scope(region=check_region(filters.region or None), province=province,
                  group=whole_number(filters.group, "group", 0, 1, MAX_GROUP) or None, directive=code,
                  search=text_match(session, filters.q))
    order = sort_order(filters.sort, REVIEW_SORTS)
    waiting = sorted_awaiting(session, today, scope, order, limit)
    requests = [r for r in list_requests(session, pending_only=True)
                if (code is None or r.task_key.startswith(f"{code}:"))
                and (province is None or r.task_key.split(":")[2:3] == [province.slug])]
    return ReviewPage(waiting, requests, code, order)


# Bounds beyond any real value: a larger number would overflow the query it reaches.
MAX_GROUP, MAX_DAYS, MAX_PAGES = 99, 36_500, 100_000


@dataclass
class OverdueFilters:
    """The same filters as `dtrack overdue`, as a form gives them (text, or None when empty)."""

    region: str | None = None
    province: str | None = None
    group: str | None = None
    directive: str | None = None
    min_days: str | None = None
    page: str | None = None
    q: str | None = None  # the search box (reading.list_search)
    sort: str | None = None  # a column of OVERDUE_SORTS, "-" in front for the reverse


@dataclass
class OverduePage:
    review: OverdueReview
    rows: list[LateTask]
    page: int
    pages: int
    province_note: str | None
    sort: SortOrder = field(default_factory=lambda: SortOrder(OVERDUE_SORTS[0]))
    parts: PartsFigures | None = None  # filtered to one province: its communes' parts (not in the JSON)

    def to_json(self) -> dict[str, Any]:
        return {**self.review.to_json(), "overdue": [row.to_json() for row in self.rows],
                "page": self.page, "pages": self.pages}


def overdue_page(session: Session, actor: User, today: Today, filters: OverdueFilters,
                 per_page: int = 50) -> OverduePage:
    check_oversight(actor, "overdue_list")
    region = check_region(filters.region or None)
    province, note = resolve_optional(session, filters.province or None)
    group = whole_number(filters.group, "group", 0, 1, MAX_GROUP) or None
    min_days = whole_number(filters.min_days, "min_days", 0, 0, MAX_DAYS)
    page = whole_number(filters.page, "page", 1, 1, MAX_PAGES)
    scope = Scope(region=region, province=province, group=group,
                  directive=checked_directive(session, filters.directive), search=text_match(session, filters.q))
    order = sort_order(filters.sort, OVERDUE_SORTS)
    if order == SortOrder(OVERDUE_SORTS[0]):
        review = overdue_review(session, today, scope, min_days=min_days, limit=page * per_page)
        rows = review.overdue[(page - 1) * per_page:page * per_page]
    else:  # the counts as usual, the page cut in the database in the order asked for
        review = overdue_review(session, today, scope, min_days=min_days, limit=0)
        rows = sorted_overdue(session, today, scope, order, min_days, (page - 1) * per_page, per_page)
    pages = max(1, -(-review.total // per_page))
    parts = None if province is None else parts_figures(session, actor, today, directive=scope.directive,
                                                        province_id=province.id)
    return OverduePage(review, rows, page, pages, note, order, parts)


def timeliness_page(session: Session, actor: User, today: Today, region: str | None,
                    directive: str | None = None) -> TimelinessMatrix:
    """The four-cell matrix of one directive's tasks, or of every directive's (`directive` None or "")."""
    check_oversight(actor, "four_cell_matrix")
    scope = Scope(region=check_region(region or None), directive=checked_directive(session, directive))
    return timeliness_matrix(session, today, scope)


def status_page(session: Session, actor: User, directive: str, region: str | None, today: Today) -> StatusMatrix:
    """The whole matrix (the JSON, as `dtrack status --json` gives it)."""
    check_oversight(actor, "status_matrix")
    region = check_region(region or None)
    return status_matrix(session, _one_directive(session, directive), today, region)


def _one_directive(session: Session, code: str) -> str:
    """The status matrix is of one directive: an empty or unknown code is refused on the field `directive`."""
    checked = checked_directive(session, code)
    if checked is None:
        raise UnknownDirective(code, field="directive")
    return checked


# Units per page of the status matrix: 3,355 units at once made a page of 30,000 cells.
STATUS_PER_PAGE = 50


@dataclass
class StatusPage:
    """One page of the status matrix: `per_page` units (rows) in display order, every cell of theirs."""

    matrix: StatusMatrix  # of this page's units only
    page: int
    pages: int
    units: int  # in the region (or the country), on every page

    def to_json(self) -> dict[str, Any]:
        return {**self.matrix.to_json(), "page": self.page, "pages": self.pages, "units": self.units}


def status_units_page(session: Session, actor: User, directive: str, region: str | None, today: Today,
                      page: str | None, per_page: int | None = None) -> StatusPage:
    """The page `page` (1 first; text as a form gives it) of the matrix's units, and how many pages there are."""
    check_oversight(actor, "status_matrix")
    per_page = per_page or STATUS_PER_PAGE
    region = check_region(region or None)
    directive = _one_directive(session, directive)
    number = whole_number(page, "page", 1, 1, MAX_PAGES)
    units = status_units(region)
    total = session.scalar(select(func.count()).select_from(units.order_by(None).subquery())) or 0
    pages = max(1, -(-total // per_page))
    number = min(number, pages)  # past the last page: the last one (a unit may have gone)
    chosen = list(session.scalars(units.offset((number - 1) * per_page).limit(per_page)))
    matrix = status_matrix(session, directive, today, region, units=chosen)
    return StatusPage(matrix, number, pages, total)


__all__ = ["SECTIONS", "WORKLIST_SORTS", "OverdueFilters", "OverduePage", "ReviewFilters", "ReviewPage", "StatusPage",
           "TaskPage", "Worklist", "overdue_page", "province_worklist", "review_page", "review_queue", "section_of",
           "status_page", "status_units_page", "task_page", "timeliness_page"]
