"""One page of tasks for one actor: the filters of `dtrack tasks list`, the read rule, a total.

The JSON API lists tasks through this. A province officer's listing is
always their own province's: asking for another province is refused (not
silently emptied), so no filter combination shows another province's data.
Pages are limit/offset with a maximum page size; the total counts every
match, so a client knows when it has them all.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dtrack.config.today import Today
from dtrack.errors import InvalidInput, PermissionDenied, because
from dtrack.persistence.models import User
from dtrack.reading.scope import checked_directive
from dtrack.workflow.access import check_active
from dtrack.workflow.provinces import check_region, resolve_optional
from dtrack.workflow.tasks import TaskView, filtered_tasks
from dtrack.workflow.vocabulary import Role

MAX_PAGE = 500
DEFAULT_PAGE = 100
MAX_OFFSET = 10_000_000  # beyond any real table; bounds what reaches the database


@dataclass
class TaskFilters:
    """The filters as a request gives them: text, or None when absent."""

    province: str | None = None
    region: str | None = None
    state: str | None = None
    directive: str | None = None
    group: str | None = None
    limit: str | None = None
    offset: str | None = None


@dataclass(frozen=True)
class TaskListing:
    items: list[TaskView]
    total: int
    limit: int
    offset: int
    directive: str | None = None  # the one directive listed; None: every directive

    def to_json(self) -> dict[str, Any]:
        return {"total": self.total, "limit": self.limit, "offset": self.offset, "directive": self.directive,
                "items": [item.to_json() for item in self.items]}


def whole_number(text: str | None, name: str, default: int, minimum: int, maximum: int | None = None) -> int:
    """A whole-number parameter as a request gives it (text), or InvalidInput naming it."""
    if text is None or not str(text).strip():
        return default
    try:
        value = int(str(text).strip())
    except ValueError:
        raise InvalidInput(name, "not_whole_number", value=text) from None
    if value < minimum:
        raise InvalidInput(name, "less_than", value=value, minimum=minimum)
    if maximum is not None and value > maximum:
        raise InvalidInput(name, "more_than", value=value, maximum=maximum)
    return value


def task_listing(session: Session, actor: User, filters: TaskFilters, today: Today) -> TaskListing:
    """The page of tasks `actor` may see that match `filters`."""
    check_active(actor, "list", "tasks")
    province, _ = resolve_optional(session, filters.province or None)
    if actor.role == Role.PROVINCE:
        if province is not None and province.id != actor.province_id:
            raise PermissionDenied(actor.email, "list", province.slug, because("own_province_only"))
        province = actor.province
        if province is None:
            raise PermissionDenied(actor.email, "list", "tasks", because("no_province"))
    limit = whole_number(filters.limit, "limit", DEFAULT_PAGE, 1, MAX_PAGE)
    offset = whole_number(filters.offset, "offset", 0, 0, MAX_OFFSET)
    group = whole_number(filters.group, "group", 0, 1, 99) or None
    directive = checked_directive(session, filters.directive)
    query = filtered_tasks(province=province, region=check_region(filters.region or None), state=filters.state or None,
                           directive=directive, group=group)
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    rows = session.scalars(query.limit(limit).offset(offset)).unique()
    return TaskListing([TaskView.of(t, today) for t in rows], total, limit, offset, directive)
