"""Communes' parts of tasks on the web: the commune officer's home, a part's page and its actions, delegation.

A commune officer lands on "/commune" (their commune's parts, open ones
first), opens a part, updates and submits it; the province officer sees the
task's parts and roll-up on the task page (`parts_block`), delegates from
there, and accepts or returns a submitted part on its page. Every rule is
the core's (`workflow.parts`, `workflow.part_service`): the pages only show
the forms the caller's role and the part's state allow.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from starlette.responses import Response

from dtrack.persistence.commune_models import Commune
from dtrack.reading.changes import changes_count
from dtrack.reading.commune_parts import PartLine, list_parts, part_history
from dtrack.reading.late_communes import late_communes
from dtrack.reading.scope import checked_directive
from dtrack.web.edge import Ctx, Routes
from dtrack.web.forms import parse_day
from dtrack.web.routes_work import _version, action_forms, event_labels, state_labels, task_form
from dtrack.workflow import lifecycle
from dtrack.workflow.actions import FIELDS
from dtrack.workflow.part_service import PartTracker
from dtrack.workflow.parts import delegate, part_key, readable_part
from dtrack.workflow.vocabulary import Role, State

routes = Routes()


@routes.get("/commune", memo=True)
def commune_home(ctx: Ctx) -> Response:
    """The parts the caller may see (a commune officer: their commune's), open ones first, by deadline."""
    with ctx.app.db.session() as session:
        user = ctx.user
        found = list_parts(session, user, ctx.today.day)
        commune = session.get(Commune, user.commune_id) if user.commune_id is not None else None
        open_parts = [p for p in found if p.state != State.COMPLETED]
        done = [p for p in found if p.state == State.COMPLETED]
        return ctx.page("commune_home.html.j2", data=None, commune=commune, open_parts=open_parts, done=done,
                        states=state_labels(ctx.lang),
                        changes=changes_count(session, user, ctx.today) if user.role == Role.COMMUNE else None)


@dataclass(frozen=True)
class PartPage:
    id: int
    key: str
    task_id: int
    task_key: str
    task_title: str
    commune: str
    instruction: str
    due_on: date
    state: str
    progress: int
    version: int
    history: list[PartLine]


def part_form(ctx: Ctx, part_id: int, trigger: str | None = None) -> Response:
    with ctx.app.db.session() as session:
        user = ctx.user
        part = readable_part(session, user, str(part_id))
        task = part.task
        owns = user.role == Role.COMMUNE and user.commune_id == part.commune_id
        judges = user.role == Role.PROVINCE and user.province_id == task.province_id
        allowed = lifecycle.current().allowed_for(part.state, user.role, owns, judges)
        page = PartPage(part.id, part_key(task.key, part.commune.code), task.id, task.key,
                        task.group.title_vi if ctx.lang == "vi" else task.group.title_en,
                        f"{part.commune.code} {part.commune.name}", part.instruction, part.due_on, part.state,
                        part.progress, part.version, part_history(session, part.id))
        return ctx.page("part.html.j2", p=page, actions=action_forms(allowed, ctx.lang),
                        posted=(trigger or "").replace("-", "_"), states=state_labels(ctx.lang),
                        triggers=event_labels(ctx.lang),
                        overdue=part.state not in (State.SUBMITTED, State.COMPLETED) and part.due_on < ctx.today.day)


@routes.get("/parts/{part_id:int}", memo=True)
def part_show(ctx: Ctx, part_id: int) -> Response:
    return part_form(ctx, part_id)


@routes.post("/parts/{part_id:int}/actions/{trigger}", form_page=part_form)
def part_action(ctx: Ctx, part_id: int, trigger: str) -> Response:
    inputs = {field.value: ctx.value(field) if ctx.value(field).strip() else None for field in FIELDS}
    PartTracker(ctx.app.db, ctx.app.clock).fire(part_id, trigger, ctx.actor, **inputs,
                                                expected_version=_version(ctx))
    return ctx.redirect(f"/parts/{part_id}?flash=done")


def delegate_form(ctx: Ctx, task_id: int) -> Response:
    return task_form(ctx, task_id, "delegate")


@routes.post("/tasks/{task_id:int}/delegate", form_page=delegate_form)
def task_delegate(ctx: Ctx, task_id: int) -> Response:
    every = ctx.value("all_communes") == "1"
    refs = None if every else [c for c in ctx.value("communes").split(",") if c.strip()]
    if refs == []:
        from dtrack.errors import InvalidInput

        raise InvalidInput("communes", "no_commune_chosen")
    delegate(ctx.app.db, ctx.app.clock, ctx.actor, str(task_id), refs, parse_day(ctx.value("to"), "to"),
             ctx.value("note"), calendar=ctx.app.calendar,
             progress_from_parts=True if ctx.value("progress_from_parts") == "1" else None)
    return ctx.redirect(f"/tasks/{task_id}?flash=delegated#parts")


@routes.get("/provinces/{slug}/late-communes", memo=True)
def late_communes_page(ctx: Ctx, slug: str) -> Response:
    """The drill-down: a province's parts counted and its late communes (of one task with `?task=ID`, of one
    directive with `?directive=`: the views that link here count that directive's parts)."""
    task = ctx.request.query_params.get("task") or None
    with ctx.app.db.session() as session:
        directive = checked_directive(session, ctx.request.query_params.get("directive"))
        found = late_communes(session, ctx.user, slug, ctx.today.day, task, directive)
        return ctx.page("late_communes.html.j2", data=found, late=found)
