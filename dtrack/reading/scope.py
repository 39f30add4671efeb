"""Which tasks a view covers: a region, a province, a task group, one directive or all of them.

Every list, matrix and count of the read side narrows the same way (`Scope`),
so `?directive=` means the same on each page, API call and command. A
directive asked for by code is checked once, at the view's edge
(`checked_directive`): an unknown code is an `UnknownDirective` on the field
`directive`, which the pages show beside their filter, the API answers as a
problem document and the command line as one line; never an empty view that
looks like a directive without tasks.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from dtrack.errors import UnknownDirective
from dtrack.persistence.models import Directive, Province, Task, TaskGroup
from dtrack.persistence.sql_types import AnySelect
from dtrack.reading.list_search import TextMatch


@dataclass(frozen=True)
class Scope:
    """Which tasks a review covers (None: no narrowing on that axis)."""

    region: str | None = None
    province: Province | None = None
    group: int | None = None
    directive: str | None = None
    search: TextMatch | None = None  # what the search box asked for (reading.list_search)

    def apply(self, query: AnySelect) -> AnySelect:
        if self.region is not None:
            query = query.where(Province.region == self.region)
        if self.province is not None:
            query = query.where(Task.province_id == self.province.id)
        if self.group is not None:
            query = query.where(TaskGroup.ordinal == self.group)
        if self.directive is not None:
            query = query.where(Directive.code == self.directive)
        if self.search is not None:
            query = query.where(*self.search.conditions())
        return query

    def key(self) -> tuple[object, ...]:
        """The scope by value (a province by id), for remembering its counts.

        A search is added only when there is one: kept figures are stored under the four-part key.
        """
        key = (self.region, self.province.id if self.province is not None else None, self.group, self.directive)
        return key if self.search is None else (*key, self.search)

    def task_filters(self) -> list[ColumnElement[bool]]:
        """The same filters on task columns only (subqueries on the small tables), for index-only scans."""
        filters: list[ColumnElement[bool]] = []
        if self.region is not None:
            # `+ 0`: a region holds a third of the units, so SQLite would otherwise read each
            # one's tasks on the (province, state) index, row by row; the deadline or review
            # index covers the condition and is read alone.
            filters.append((Task.province_id + 0).in_(select(Province.id).where(Province.region == self.region)))
        if self.province is not None:
            filters.append(Task.province_id == self.province.id)
        if self.group is not None or self.directive is not None:
            groups = select(TaskGroup.id).join(Directive, TaskGroup.directive_id == Directive.id)
            if self.group is not None:
                groups = groups.where(TaskGroup.ordinal == self.group)
            if self.directive is not None:
                groups = groups.where(Directive.code == self.directive)
            filters.append(Task.group_id.in_(groups))
        if self.search is not None:
            filters.extend(self.search.conditions())
        return filters


# No narrowing at all: every task (a default argument, built once).
EVERYWHERE = Scope()


def checked_directive(session: Session, code: str | None) -> str | None:
    """The directive a view is narrowed to (None or "": every directive); an unknown code is refused.

    The code is matched as typed (codes are exact: "20/CT-BCT"), after
    trimming the blanks a form or a shell may add around it.
    """
    code = (code or "").strip()
    if not code:
        return None
    if session.scalar(select(Directive.code).where(Directive.code == code)) is None:
        raise UnknownDirective(code, field="directive")
    return code


@dataclass(frozen=True)
class DirectiveChoice:
    """A directive as a filter offers it: its code and its titles."""

    code: str
    title_vi: str
    title_en: str


def directive_choices(session: Session) -> list[DirectiveChoice]:
    """Every loaded directive, by code: what a page's directive filter lists."""
    return [DirectiveChoice(*row) for row in session.execute(
        select(Directive.code, Directive.title_vi, Directive.title_en).order_by(Directive.code))]


__all__ = ["EVERYWHERE", "DirectiveChoice", "Scope", "checked_directive", "directive_choices"]
