"""Putting directive definitions into the database and assigning them to provinces.

Loading is idempotent: the same file twice changes nothing (its digest is
kept), and a changed file updates titles and rules in place. Assigning
creates the missing (group, province) tasks and never duplicates one. A
recurring group gets one task per period and province: assigning creates
the periods open on the assignment date, and `open_periods` (run by every
reminder sweep) adds each next period's tasks when it opens, never twice.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dtrack.directives.format import DirectiveSpec, IndicatorSpec
from dtrack.workflow.deadlines import Recurring, periods_open, rule_from_text
from dtrack.workflow.errors import DirectiveInvalid, UnknownDirective
from dtrack.workflow.models import Directive, Indicator, Province, Task, TaskGroup
from dtrack.workflow.vocabulary import GroupKind, State

_DIRECTIVE_FIELDS = ("title_vi", "title_en", "issuer_vi", "issuer_en", "signed_by", "issued_on", "source")
_GROUP_FIELDS = ("title_vi", "title_en", "summary_vi", "summary_en", "kind", "owner")
_INDICATOR_FIELDS = ("name_vi", "name_en", "unit_vi", "unit_en", "aggregate")


@dataclass
class LoadResult:
    code: str
    status: str  # created | updated | unchanged
    groups_added: list[int] = field(default_factory=list)
    groups_updated: list[int] = field(default_factory=list)
    indicators_added: list[str] = field(default_factory=list)


@dataclass
class AssignResult:
    code: str
    created: int
    existing: int
    provinces: int


def load(session: Session, spec: DirectiveSpec, now: datetime, source_name: str = "") -> LoadResult:
    """Create or update the directive and its task groups from a parsed definition."""
    directive = session.scalar(select(Directive).where(Directive.code == spec.code))
    if directive is not None and directive.digest == spec.digest:
        # A database older than the indicator tables may still lack the catalogue.
        result = LoadResult(spec.code, "unchanged")
        result.indicators_added = _store_indicators(session, directive, spec.indicators)
        return result
    if directive is None:
        directive = Directive(code=spec.code, digest=spec.digest, loaded_at=now)
        session.add(directive)
        result = LoadResult(spec.code, "created")
    else:
        result = LoadResult(spec.code, "updated")
    for name in _DIRECTIVE_FIELDS:
        setattr(directive, name, getattr(spec, name))
    directive.digest = spec.digest
    directive.loaded_at = now

    existing = {g.ordinal: g for g in directive.groups}
    removed = sorted(set(existing) - {g.ordinal for g in spec.groups})
    for ordinal in removed:
        if session.scalar(select(Task.id).where(Task.group_id == existing[ordinal].id).limit(1)) is not None:
            raise DirectiveInvalid(
                source_name or spec.code, f"groups[ordinal={ordinal}]",
                "was removed from the file but already has tasks; keep it in the file",
            )
        session.delete(existing[ordinal])
    for group_spec in spec.groups:
        group = existing.get(group_spec.ordinal)
        if group is None:
            group = TaskGroup(directive=directive, ordinal=group_spec.ordinal)
            session.add(group)
            result.groups_added.append(group_spec.ordinal)
        elif any(getattr(group, f) != getattr(group_spec, f) for f in _GROUP_FIELDS) or (
            group.deadline_rule != group_spec.deadline_text
        ):
            result.groups_updated.append(group_spec.ordinal)
        for name in _GROUP_FIELDS:
            setattr(group, name, getattr(group_spec, name))
        group.deadline_rule = group_spec.deadline_text
    session.flush()
    result.indicators_added = _store_indicators(session, directive, spec.indicators)
    return result


def _store_indicators(session: Session, directive: Directive, specs: tuple[IndicatorSpec, ...]) -> list[str]:
    """Upsert the directive's indicator catalogue; returns the codes added.

    Indicators dropped from the file are kept: reported values refer to them.
    """
    existing = {i.code: i for i in session.scalars(select(Indicator).where(Indicator.directive_id == directive.id))}
    added = []
    for ordinal, spec in enumerate(specs, start=1):
        indicator = existing.get(spec.code)
        if indicator is None:
            indicator = Indicator(directive=directive, code=spec.code)
            session.add(indicator)
            added.append(spec.code)
        indicator.ordinal = ordinal
        for name in _INDICATOR_FIELDS:
            setattr(indicator, name, getattr(spec, name))
    session.flush()
    return added


def find_directive(session: Session, code: str) -> Directive:
    directive = session.scalar(select(Directive).where(Directive.code == code))
    if directive is None:
        raise UnknownDirective(code)
    return directive


def assign(session: Session, code: str, provinces: list[Province], assigned_on: date, now: datetime) -> AssignResult:
    """Create the missing tasks of every group of `code` for `provinces`."""
    directive = find_directive(session, code)
    have = set(
        session.execute(
            select(Task.group_id, Task.province_id, Task.period).join(TaskGroup).where(TaskGroup.directive_id == directive.id)
        ).all()
    )
    assigned = {(g, p) for g, p, _ in have}
    created = existing = 0
    for group in directive.groups:
        rule = rule_from_text(group.deadline_rule)
        if isinstance(rule, Recurring):
            slots = [(p.label, p.due_on, p.opens_on) for p in periods_open(rule, assigned_on, assigned_on)]
        else:
            slots = [("", rule.due(assigned_on), assigned_on)]
        for province in provinces:
            if isinstance(rule, Recurring) and (group.id, province.id) in assigned:
                existing += 1  # later periods are opened by the sweep, from the first assignment
                continue
            for period, due, opens_on in slots:
                if (group.id, province.id, period) in have:
                    existing += 1
                    continue
                session.add(_new_task(group.id, province.id, period, opens_on, due, now))
                created += 1
    session.flush()
    return AssignResult(code, created, existing, len(provinces))


def _new_task(group_id: int, province_id: int, period: str, assigned_on: date, due: date | None, now: datetime) -> Task:
    return Task(
        group_id=group_id,
        province_id=province_id,
        period=period,
        state=State.NOT_STARTED.value,
        progress=0,
        assigned_on=assigned_on,
        original_due_on=due,
        due_on=due,
        updated_at=now,
    )


def open_periods(session: Session, as_of: date, now: datetime) -> int:
    """Create the tasks of every recurring period that has opened by `as_of`; returns how many.

    Counts from each (group, province)'s first assignment, so it creates a
    period's task once whatever day it runs, and runs after downtime catch
    up every period missed. The unique key (group, province, period) stops a
    concurrent run from creating one twice.
    """
    created = 0
    for group in session.scalars(select(TaskGroup).where(TaskGroup.kind == GroupKind.RECURRING.value)):
        rule = rule_from_text(group.deadline_rule)
        if not isinstance(rule, Recurring):
            continue
        first = session.execute(
            select(Task.province_id, func.min(Task.assigned_on)).where(Task.group_id == group.id).group_by(Task.province_id)
        ).all()
        have = set(session.execute(select(Task.province_id, Task.period).where(Task.group_id == group.id)).all())
        by_start: dict[date, list[int]] = {}
        for province_id, assigned_on in first:
            by_start.setdefault(assigned_on, []).append(province_id)
        for assigned_on, province_ids in by_start.items():
            for period in periods_open(rule, assigned_on, as_of):
                for province_id in province_ids:
                    if (province_id, period.label) not in have:
                        session.add(_new_task(group.id, province_id, period.label, period.opens_on, period.due_on, now))
                        created += 1
    session.flush()
    return created
