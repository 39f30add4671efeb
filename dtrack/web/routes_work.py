"""A province's work: "Việc của tỉnh", the task page and its actions, deadline extension and requests, a document's
number recorded on a task, figures."""
from __future__ import annotations

from starlette.responses import Response

from dtrack.documents.task_documents import documents_of, form_defaults, record_for
from dtrack.errors import InvalidInput, UnknownDirective
from dtrack.evidence.attachments import files_of, may_attach
from dtrack.i18n.catalog import text
from dtrack.i18n.labels import REQUEST_STATUS_LABELS, TRIGGER_LABELS
from dtrack.persistence.database import row_id
from dtrack.reading.changes import changes_count
from dtrack.reading.commune_parts import parts_block
from dtrack.reading.scope import directive_choices
from dtrack.reading.worklists import SECTIONS, WORKLIST_SORTS, province_worklist, task_page
from dtrack.reports.figure_uploads import import_upload
from dtrack.reports.indicators import catalogue, own_unit, report_value
from dtrack.web.downloads import list_download, wants_list_file
from dtrack.web.edge import Ctx, Routes
from dtrack.web.error_words import web_say
from dtrack.web.forms import parse_day
from dtrack.web.routes_dashboard import rank_block
from dtrack.workflow import lifecycle
from dtrack.workflow.actions import FIELDS
from dtrack.workflow.exemption import set_applicability
from dtrack.workflow.extension import Extended, extend
from dtrack.workflow.extension_requests import grant_request, refuse_request, request_extension
from dtrack.workflow.service import Tracker
from dtrack.workflow.submission import DEFAULT as SUBMIT_DEFAULT
from dtrack.workflow.submission import requirement
from dtrack.workflow.vocabulary import Role

routes = Routes()
FIGURES_BODY = 12 * 1024 * 1024  # the figures file (10 MB) and the form around it


def state_labels(lang: str) -> dict[str, str]:
    """Each state of the lifecycle in force in words (catalog ids named after the stored value, as `i18n.labels`)."""
    return {state: text(lang, f"state.{state}") for state in lifecycle.current().states}


def action_labels(lang: str) -> dict[str, str]:
    """Each action of the lifecycle in force, by trigger, as its button says it."""
    return {str(a.trigger): text(lang, a.label) for a in lifecycle.current().actions}


def event_labels(lang: str) -> dict[str, str]:
    """What each audited trigger is called in a task's history: the vocabulary's, and the lifecycle's actions'."""
    return {**TRIGGER_LABELS[lang], **{str(a.trigger): text(lang, a.done) for a in lifecycle.current().actions}}


def action_forms(allowed: list[str], lang: str) -> list[tuple[str, str, tuple[str, ...], str]]:
    """The task page's forms for the actions allowed now: (trigger, URL name, the fields it asks for, its label)."""
    rules = lifecycle.current()
    return [(str(a.trigger), a.command, tuple(a.fields), text(lang, a.label)) for a in map(rules.action, allowed)]


@routes.get("/province", memo=True)
def province_home(ctx: Ctx) -> Response:
    query = ctx.request.query_params
    fmt = wants_list_file(query)
    status = 200
    with ctx.app.db.session() as session:
        try:
            worklist = province_worklist(session, ctx.user, query.get("province"), ctx.today, query.get("directive"),
                                         q=query.get("q"), sort=query.get("sort"))
        except (UnknownDirective, InvalidInput) as exc:  # the filter's mistake: said beside it, the whole list shown
            field = exc.field if isinstance(exc, InvalidInput) and exc.field in ("q", "sort") else "directive"
            if ctx.wants_json or fmt or (field == "directive" and not isinstance(exc, UnknownDirective)):
                raise
            ctx.errors[field], status = web_say(ctx.app.db, exc, ctx.lang, beside=True), 422
            worklist = province_worklist(session, ctx.user, query.get("province"), ctx.today,
                                         None if field == "directive" else query.get("directive"))
        if fmt:
            rows = [view for name in SECTIONS for view in worklist.sections.get(name, [])]
            return list_download(rows, f"viec-cua-tinh-{worklist.province.slug if worklist.province else 'all'}", fmt,
                                 ctx.lang)
        return ctx.page("province_home.html.j2", status=status, data=worklist, worklist=worklist, sections=SECTIONS,
                        directive=worklist.directive, directives=directive_choices(session),
                        states=state_labels(ctx.lang), action_labels=action_labels(ctx.lang),
                        searched={"q": query.get("q") or "", "sort": query.get("sort") or ""},
                        sorts=WORKLIST_SORTS, rank=rank_block(session, ctx, worklist.province),
                        changes=changes_count(session, ctx.user, ctx.today) if ctx.user.role == Role.PROVINCE
                        else None)


def task_form(ctx: Ctx, task_id: int, trigger: str | None = None) -> Response:
    with ctx.app.db.session() as session:
        found = task_page(session, ctx.user, str(task_id), ctx.today)
        needs = requirement(session.connection(), found.task.id, SUBMIT_DEFAULT)
        return ctx.page("task.html.j2", data=found, t=found, actions=action_forms(found.allowed, ctx.lang),
                        submit_needs=needs,
                        posted=(trigger or "").replace("-", "_"),
                        states=state_labels(ctx.lang), triggers=event_labels(ctx.lang),
                        files=files_of(session, found.task), may_attach=may_attach(ctx.user, found.task),
                        max_mb=ctx.app.settings.evidence_max_mb, request_states=REQUEST_STATUS_LABELS[ctx.lang],
                        parts=parts_block(session, ctx.user, found.task, ctx.today.day),
                        documents=documents_of(session, [found.task.id]).get(found.task.id, []),
                        document_form=form_defaults(ctx.user, found.task))


@routes.get("/tasks/{task_id:int}", memo=True)
def task_show(ctx: Ctx, task_id: int) -> Response:
    return task_form(ctx, task_id)


def _version(ctx: Ctx) -> str:
    version = ctx.value("version").strip()
    if row_id(version) is None:  # ASCII digits only: '²' is a digit to isdigit(), not to int()
        raise InvalidInput("version", "no_version")
    return version


@routes.post("/tasks/{task_id:int}/actions/{trigger}", form_page=task_form)
def task_action(ctx: Ctx, task_id: int, trigger: str) -> Response:
    inputs = {field.value: ctx.value(field) if ctx.value(field).strip() else None for field in FIELDS}
    # A person submitting by hand says what was done or shows it, unless the directive says otherwise.
    Tracker(ctx.app.db, ctx.app.clock).fire(task_id, trigger, ctx.actor, **inputs, expected_version=_version(ctx),
                                            submit_default=SUBMIT_DEFAULT)
    return ctx.redirect(f"/tasks/{task_id}?flash=done")


def extend_form(ctx: Ctx, task_id: int) -> Response:
    return task_form(ctx, task_id, "extend")


@routes.post("/tasks/{task_id:int}/extend", form_page=extend_form)
def task_extend(ctx: Ctx, task_id: int) -> Response:
    version = _version(ctx)
    [done] = extend(ctx.app.db, ctx.app.clock, ctx.actor, parse_day(ctx.value("to"), "to"), ctx.value("reason"),
                    task_refs=[str(task_id)], expected_version=version, calendar=ctx.app.calendar)
    return ctx.redirect(f"/tasks/{task_id}?{_flash_query('extended', done)}")


def _flash_query(flash: str, done: Extended | None) -> str:
    """`flash=extended`, or `flash=extended_day_off` with the asked day and the deadline it gave."""
    if done is None or not done.moved_off_day_off:
        return f"flash={flash}"
    return f"flash={flash}_day_off&asked={done.asked_on.isoformat()}&due={done.to_due_on.isoformat()}"


def request_form(ctx: Ctx, task_id: int) -> Response:
    return task_form(ctx, task_id, "request_extension")


@routes.post("/tasks/{task_id:int}/request-extension", form_page=request_form)
def task_request_extension(ctx: Ctx, task_id: int) -> Response:
    request_extension(ctx.app.db, ctx.app.clock, ctx.actor, str(task_id), parse_day(ctx.value("to"), "to"),
                      ctx.value("reason"))
    return ctx.redirect(f"/tasks/{task_id}?flash=requested")


def _decided(ctx: Ctx, task_id: int, flash: str) -> Response:
    # Back to the review page when the decision was taken there; anywhere else is the task page.
    back = "/review" if ctx.value("back") == "review" else f"/tasks/{task_id}"
    return ctx.redirect(f"{back}?{flash if '=' in flash else f'flash={flash}'}")


def decide_form(ctx: Ctx, task_id: int, request_id: int) -> Response:
    return task_form(ctx, task_id, "decide")


@routes.post("/tasks/{task_id:int}/extension-requests/{request_id:int}/grant", form_page=decide_form)
def task_grant_extension(ctx: Ctx, task_id: int, request_id: int) -> Response:
    to = parse_day(ctx.value("to"), "to") if ctx.value("to").strip() else None
    done = grant_request(ctx.app.db, ctx.app.clock, ctx.actor, request_id, to, ctx.value("note") or None,
                         task_id=task_id, calendar=ctx.app.calendar)
    return _decided(ctx, task_id, _flash_query("granted", done.extended))


@routes.post("/tasks/{task_id:int}/extension-requests/{request_id:int}/refuse", form_page=decide_form)
def task_refuse_extension(ctx: Ctx, task_id: int, request_id: int) -> Response:
    refuse_request(ctx.app.db, ctx.app.clock, ctx.actor, request_id, ctx.value("reason"), task_id=task_id)
    return _decided(ctx, task_id, "refused")


def document_form(ctx: Ctx, task_id: int) -> Response:
    return task_form(ctx, task_id, "document")


@routes.post("/tasks/{task_id:int}/documents", form_page=document_form)
def task_document(ctx: Ctx, task_id: int) -> Response:
    """A document's number and date on the task (`record_for` decides who may)."""
    issued_on = parse_day(ctx.value("issued_on"), "issued_on")
    with ctx.app.db.session() as session:
        record_for(session, ctx.user, str(task_id), ctx.value("number"), issued_on, ctx.value("issuer"),
                   ctx.value("summary"), ctx.value("direction"), ctx.now)
    return ctx.redirect(f"/tasks/{task_id}?flash=document_recorded#documents")


def _applicability_form(slug: str):
    def form(ctx: Ctx, task_id: int) -> Response:
        return task_form(ctx, task_id, slug)
    return form


@routes.post("/tasks/{task_id:int}/not-applicable", form_page=_applicability_form("not-applicable"))
def task_not_applicable(ctx: Ctx, task_id: int) -> Response:
    set_applicability(ctx.app.db, ctx.app.clock, ctx.actor, str(task_id), not_applicable=True,
                      reason=ctx.value("reason"), expected_version=_version(ctx))
    return ctx.redirect(f"/tasks/{task_id}?flash=done")


@routes.post("/tasks/{task_id:int}/applicable", form_page=_applicability_form("applicable"))
def task_applicable(ctx: Ctx, task_id: int) -> Response:
    set_applicability(ctx.app.db, ctx.app.clock, ctx.actor, str(task_id), not_applicable=False,
                      reason=ctx.value("reason") or None, expected_version=_version(ctx))
    return ctx.redirect(f"/tasks/{task_id}?flash=done")


def indicators_form(ctx: Ctx) -> Response:
    with ctx.app.db.session() as session:
        indicators = catalogue(session)
        return ctx.page("indicators.html.j2", indicators=indicators, unit=own_unit(ctx.user) or ctx.value("unit"),
                        fixed_unit=ctx.user.role == Role.PROVINCE)


@routes.get("/indicators")
def indicators_page(ctx: Ctx) -> Response:
    return indicators_form(ctx)


@routes.post("/indicators", form_page=indicators_form)
def indicators_submit(ctx: Ctx) -> Response:
    clock = ctx.app.clock
    as_of = parse_day(ctx.value("as_of"), "as_of") if ctx.value("as_of").strip() else None
    unit = ctx.value("unit") or own_unit(ctx.user) or ""
    with ctx.app.db.session() as session:
        report_value(session, unit=unit, indicator=ctx.value("indicator"), period=ctx.value("period"),
                     value=ctx.value("value"), actor_email=ctx.actor, now=clock.now(), today=clock.today(),
                     as_of=as_of, note=ctx.value("note") or None)
    return ctx.redirect("/indicators?flash=saved")


@routes.post("/indicators/import", form_page=indicators_form, max_body=FIGURES_BODY)
def indicators_import(ctx: Ctx) -> Response:
    clock = ctx.app.clock
    filename, content = ctx.uploads.get("file", ("", b""))
    with ctx.app.db.session() as session:
        done = import_upload(session, filename, content, ctx.actor, clock.now(), clock.today(),
                             replace=ctx.value("replace") == "yes")
    return ctx.redirect(f"/indicators?flash=imported&imported={done.imported}&unchanged={done.unchanged}")
