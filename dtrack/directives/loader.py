"""Putting directive definitions into the database.

Loading is idempotent: the same file twice changes nothing (its digest is
kept), and a changed file updates titles and rules in place. Creating the
tasks (`assign`) is the engine's: see workflow/assignments.py.

The overseer's own tasks live on its unit, whose slug is the directive's key
suffix (workflow/overseer.py): a file that changes the suffix moves them to
the new unit, so keys follow the file (the old ones still resolve:
workflow/tasks.py `find_task`).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from dtrack.directives.format import DirectiveSpec, GroupSpec, IndicatorSpec
from dtrack.directives.overseer_table import check_suffix
from dtrack.errors import DirectiveInvalid, UnknownProvince, because
from dtrack.persistence.models import Directive, Indicator, Province, Task, TaskGroup
from dtrack.workflow.applicability import department_unit, fold_department_groups, is_department
from dtrack.workflow.overseer import overseer_of
from dtrack.workflow.provinces import resolve
from dtrack.workflow.vocabulary import DEPARTMENT_KIND, Owner

_DIRECTIVE_FIELDS = ("title_vi", "title_en", "issuer_vi", "issuer_en", "signed_by", "issued_on", "source")
_GROUP_FIELDS = ("title_vi", "title_en", "summary_vi", "summary_en", "kind", "owner")
_INDICATOR_FIELDS = ("name_vi", "name_en", "unit_vi", "unit_en", "aggregate", "role", "short_vi", "short_en")


@dataclass
class LoadResult:
    code: str
    status: str  # created | updated | unchanged
    groups_added: list[int] = field(default_factory=list)
    groups_updated: list[int] = field(default_factory=list)
    indicators_added: list[str] = field(default_factory=list)
    # Department-owned groups' per-province tasks (from before they had one task) marked not applicable.
    folded: int = 0
    notes: list[str] = field(default_factory=list)  # old province names mapped in a scope


def load(session: Session, spec: DirectiveSpec, now: datetime, source_name: str = "") -> LoadResult:
    """Create or update the directive and its task groups from a parsed definition."""
    scopes, notes = _resolve_scopes(session, spec, source_name or spec.code)
    directive = session.scalar(select(Directive).where(Directive.code == spec.code))
    if directive is not None and directive.digest == spec.digest:
        # A database older than the indicator tables may still lack the catalogue.
        result = LoadResult(spec.code, "unchanged", notes=notes)
        # ... and the reports' wording (a NULL column after migration 0006 was applied to it).
        if directive.report_wording is None:
            directive.report_wording = spec.report.to_json()
        result.indicators_added = _store_indicators(session, directive, spec.indicators)
        result.folded = fold_department_groups(session, directive.id, now)
        return result
    if directive is None:
        directive = Directive(code=spec.code, digest=spec.digest, loaded_at=now)
        session.add(directive)
        result = LoadResult(spec.code, "created")
    else:
        result = LoadResult(spec.code, "updated")
    result.notes = notes
    for name in _DIRECTIVE_FIELDS:
        setattr(directive, name, getattr(spec, name))
    directive.report_wording = spec.report.to_json()
    directive.digest = spec.digest
    directive.loaded_at = now

    existing = {g.ordinal: g for g in directive.groups}
    removed = sorted(set(existing) - {g.ordinal for g in spec.groups})
    for ordinal in removed:
        if session.scalar(select(Task.id).where(Task.group_id == existing[ordinal].id).limit(1)) is not None:
            raise DirectiveInvalid(source_name or spec.code, f"groups[ordinal={ordinal}]",
                                   because("group_removed_has_tasks"))
        session.delete(existing[ordinal])
    for group_spec in spec.groups:
        group = existing.get(group_spec.ordinal)
        if group is None:
            group = TaskGroup(directive=directive, ordinal=group_spec.ordinal)
            session.add(group)
            result.groups_added.append(group_spec.ordinal)
        elif any(getattr(group, f) != getattr(group_spec, f) for f in _GROUP_FIELDS) or (
            group.deadline_rule != group_spec.deadline_text
        ) or group.covers != group_spec.covers or (
            (group.scope_regions, group.scope_provinces) != scopes[group_spec.ordinal]
        ):
            if group.covers != group_spec.covers and session.scalar(
                    select(Task.id).where(Task.group_id == group.id).limit(1)) is not None:
                # The covered period is part of every task key of the group: renaming them would break history.
                raise DirectiveInvalid(source_name or spec.code, f"groups[ordinal={group_spec.ordinal}].covers",
                                       because("covers_fixed", value=group.covers))
            result.groups_updated.append(group_spec.ordinal)
        for name in _GROUP_FIELDS:
            setattr(group, name, getattr(group_spec, name))
        group.deadline_rule = group_spec.deadline_text
        group.covers = group_spec.covers
        group.scope_regions, group.scope_provinces = scopes[group_spec.ordinal]
    session.flush()
    _check_suffix(session, directive, source_name or spec.code)
    _home_own_tasks(session, directive)
    result.indicators_added = _store_indicators(session, directive, spec.indicators)
    result.folded = fold_department_groups(session, directive.id, now)
    return result


def _check_suffix(session: Session, directive: Directive, source: str) -> None:
    """The key suffix (named or derived) must not name a province: `CODE:N:suffix` would name two tasks."""
    suffix = overseer_of(directive).key_suffix
    try:
        province = resolve(session, suffix).province
    except UnknownProvince:
        return
    check_suffix(source, suffix, not is_department(province))


def _home_own_tasks(session: Session, directive: Directive) -> None:
    """Move the overseer's own tasks to the unit the directive's key suffix names (a changed file)."""
    groups = [g.id for g in directive.groups if g.owner == Owner.DEPARTMENT]
    if not groups:
        return
    overseer = overseer_of(directive)
    strays = list(session.scalars(
        select(Task).join(Province, Task.province_id == Province.id)
        .where(Task.group_id.in_(groups), Province.kind == DEPARTMENT_KIND, Province.slug != overseer.key_suffix)))
    if strays:
        unit = department_unit(session, overseer)
        for task in strays:
            task.province = unit
        session.flush()


def _resolve_scopes(session: Session, spec: DirectiveSpec, source: str) -> tuple[dict[int, tuple[str, str]], list[str]]:
    """Each group's stored scope (regions, today's province slugs), checked against the provinces table.

    Old names resolve to the unit they merged into (the note says so); an
    unknown name fails the whole load with the field named.
    """
    scopes: dict[int, tuple[str, str]] = {}
    notes: list[str] = []
    for group in spec.groups:
        scopes[group.ordinal] = (",".join(group.regions), ",".join(_province_slugs(session, group, source, notes)))
    return scopes, notes


def _province_slugs(session: Session, group: GroupSpec, source: str, notes: list[str]) -> list[str]:
    slugs: list[str] = []
    for ref in group.provinces:
        field_name = f"groups[ordinal={group.ordinal}].provinces"
        try:
            resolved = resolve(session, ref)
        except UnknownProvince:
            raise DirectiveInvalid(source, field_name, because("not_a_province", value=ref)) from None
        if is_department(resolved.province):
            raise DirectiveInvalid(source, field_name, because("is_the_department", value=ref))
        if resolved.note:
            notes.append(resolved.note)
        if resolved.province.slug not in slugs:
            slugs.append(resolved.province.slug)
    return slugs


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
