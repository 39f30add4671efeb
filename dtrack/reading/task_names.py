"""Tasks and provinces as people name them: a task by its title and province, a province by its name.

The core names a task by its key (`20/CT-BCT:7:dien-bien`) or its row id, and a
province by its slug: exact, and what the command line takes. A page or a
message read by an official says "«Báo cáo kết quả…» (Điện Biên)" instead; the
web's wording of errors and its bulk results ask here, in one query for many; the province's home
asks for the note that returned or blocked a task.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session

from dtrack.persistence.database import row_id
from dtrack.persistence.models import Directive, Event, Province, Task, TaskGroup, task_key


@dataclass(frozen=True)
class TaskName:
    """A task as a reader knows it: its id (for the link), its title and its province's name."""

    id: int
    title: str
    province: str
    period: str = ""

    def label(self) -> str:
        """«title» (province), with the period when the task recurs."""
        where = f"{self.province}, {self.period}" if self.period else self.province
        return f"«{self.title}» ({where})"


def task_names(session: Session, refs: Iterable[str], lang: str) -> dict[str, TaskName]:
    """Each of `refs` (a row id or a key) that names a task, with its name in `lang`; unknown refs are left out."""
    refs = [str(ref).strip() for ref in refs if ref is not None and str(ref).strip()]
    ids = {row_id(ref) for ref in refs} - {None}
    keys = [ref.split(":") for ref in refs if row_id(ref) is None]
    keys = [parts for parts in keys if len(parts) in (3, 4) and row_id(parts[1]) is not None]
    if not ids and not keys:
        return {}
    title = TaskGroup.title_en if lang == "en" else TaskGroup.title_vi
    name = Province.name_en if lang == "en" else Province.name
    wanted: list[ColumnElement[bool]] = []
    if ids:
        wanted.append(Task.id.in_(ids))
    if keys:
        wanted.append(Province.slug.in_({parts[2] for parts in keys})
                      & TaskGroup.ordinal.in_({int(parts[1]) for parts in keys})
                      & Directive.code.in_({parts[0] for parts in keys}))
    query = (select(Task.id, Directive.code, TaskGroup.ordinal, Province.slug, Task.period, title, name)
             .join(TaskGroup, Task.group_id == TaskGroup.id).join(Directive, TaskGroup.directive_id == Directive.id)
             .join(Province, Task.province_id == Province.id).where(or_(*wanted)))
    found: dict[str, TaskName] = {}
    for task_id, code, ordinal, slug, period, shown_title, province in session.execute(query):
        named = TaskName(task_id, shown_title, province, period or "")
        found[str(task_id)] = named
        found[task_key(code, ordinal, slug, period or "")] = named
    return {ref: found[ref] for ref in refs if ref in found}


def province_names(session: Session, slugs: Iterable[str], lang: str) -> dict[str, str]:
    """Each slug that names a province, with the province's name in `lang`."""
    wanted = {str(slug) for slug in slugs if slug}
    if not wanted:
        return {}
    name = Province.name_en if lang == "en" else Province.name
    return dict(session.execute(select(Province.slug, name).where(Province.slug.in_(wanted))).tuples().all())


def state_notes(session: Session, task_ids: list[int]) -> dict[int, str]:
    """For returned or blocked tasks: the note of the action that put each there last (the overseer's send-back
    note, the officer's reason for blocking), so the province's home says why beside the task."""
    if not task_ids:
        return {}
    rows = session.execute(select(Event.task_id, Event.to_state, Event.note)
                           .where(Event.task_id.in_(task_ids), Event.to_state.in_(("returned", "blocked")))
                           .order_by(Event.at, Event.id))
    notes: dict[int, str] = {}
    for task_id, _state, note in rows:  # the last one wins
        notes[task_id] = note or ""
    return notes


__all__ = ["TaskName", "province_names", "state_notes", "task_names"]
