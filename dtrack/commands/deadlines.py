"""The `deadlines` group: extend deadlines, extension requests (request, list, grant, refuse), recompute."""
from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import click

from dtrack.commands.shared import (
    GROUP_NUMBER,
    App,
    DateParam,
    UserError,
    as_of_option,
    current_lang,
    emit_json,
    json_option,
    lang_option,
    note_line,
    pass_app,
    say,
)
from dtrack.i18n.catalog import text

if TYPE_CHECKING:
    from dtrack.workflow.extension import Extended


@click.group()
def deadlines() -> None:
    """Extend deadlines (one task, or a task group for many provinces), with a reason; recompute them.

    Provinces request an extension (`request`); overseers list (`requests`), `grant` or `refuse` it.
    """


@deadlines.command("extend")
@click.argument("task_refs", metavar="[TASK]...", nargs=-1)
@click.option("--to", "to_date", required=True, type=DateParam(),
              help="The new deadline (dd/mm/yyyy or yyyy-mm-dd); must be after the current one.")
@click.option("--reason", required=True, help="Why the deadline moves; kept in the audit trail.")
@click.option("--as", "actor", required=True, metavar="EMAIL", help="The overseer who decides it.")
@click.option("--group", type=GROUP_NUMBER, default=None, help="Extend this task group (instead of naming tasks).")
@click.option("--provinces", "spec", default="all", show_default=True, metavar="all|north|central|south|SLUG,...",
              help="With --group: which provinces.")
@click.option("--period", default=None, help="With --group of a recurring group: only this period, e.g. 2026-H1.")
@click.option("--directive", default="20/CT-BCT", show_default=True, help="With --group: which directive.")
@as_of_option
@pass_app
def deadlines_extend(app: App, task_refs: tuple[str, ...], to_date: date, reason: str, actor: str, group: int | None,
                     spec: str, period: str | None, directive: str, as_of: date | None) -> None:
    """Move deadlines later: name tasks, or give --group (and --provinces) for many at once.

    A day off (weekend, holiday, a declared day off: `dtrack calendar list`)
    is not a deadline: --to on a day off gives the next working day, and the
    command says so. All or nothing: if one task cannot be extended, none is. A completed
    task's deadline is final: naming one is refused, and --group leaves the
    group's completed tasks as they are. The original deadline is kept and
    shown in reports beside the new one.
    """
    from dtrack.workflow.extension import extend
    from dtrack.workflow.provinces import select_provinces

    new_due = to_date
    if bool(task_refs) == (group is not None):
        raise UserError(say("keys_or_group"))
    db = app.database()
    notes: list[str] = []
    chosen = None
    if group is not None:
        with db.session() as session:
            chosen, notes = select_provinces(session, spec)
    done = extend(db, app.clock(as_of), actor, new_due, reason, task_refs=list(task_refs) or None,
                  directive=directive, group=group, provinces=chosen, period=period, calendar=app.calendar())
    for note in notes:
        note_line(note)
    _say_day_off(done[0] if done else None)
    for item in done:
        before = f"{item.from_due_on:%d/%m/%Y}" if item.from_due_on else say("none")
        click.echo(say("extended", key=item.task_key, before=before, after=f"{item.to_due_on:%d/%m/%Y}")
                   + (say("originally", day=f"{item.original_due_on:%d/%m/%Y}") if item.original_due_on else ""))
    click.echo(say("n_extended", n=len(done)))


def _say_day_off(item: Extended | None) -> None:
    """'30/04/2027 là ngày nghỉ, hạn là 04/05/2027': the asked day was not a working day."""
    if item is not None and item.moved_off_day_off:
        click.echo(text(current_lang(), "day_off.moved", asked=f"{item.asked_on:%d/%m/%Y}",
                        due=f"{item.to_due_on:%d/%m/%Y}"))


@deadlines.command("request")
@click.argument("task_ref", metavar="TASK")
@click.option("--to", "to_date", required=True, type=DateParam(),
              help="The deadline asked for (dd/mm/yyyy or yyyy-mm-dd).")
@click.option("--reason", required=True, help="Why more time is needed; the Department reads it.")
@click.option("--as", "actor", required=True, metavar="EMAIL", help="The province officer who asks.")
@as_of_option
@pass_app
def deadlines_request(app: App, task_ref: str, to_date: date, reason: str, actor: str, as_of: date | None) -> None:
    """Ask the Department for a later deadline on one of your province's open tasks."""
    from dtrack.workflow.extension_requests import request_extension

    made = request_extension(app.database(), app.clock(as_of), actor, task_ref, to_date, reason)
    click.echo(say("request_made", id=made.id, key=made.task_key, before=_dmy(made.current_due_on),
                   after=f"{made.proposed_due_on:%d/%m/%Y}"))


def _dmy(day) -> str:
    return f"{day:%d/%m/%Y}" if day else say("no_deadline")


@deadlines.command("requests")
@click.option("--province", default=None, help="Only this province's requests (slug or name).")
@click.option("--pending", is_flag=True, help="Only requests waiting for a decision.")
@as_of_option
@json_option
@lang_option
@pass_app
def deadlines_requests(app: App, province: str | None, pending: bool, as_of: date | None, as_json: bool,
                       lang: str | None) -> None:
    """List extension requests: pending ones first (longest waiting first), then decisions.

    With --as-of, as they stood at the end of that day: later requests left
    out, later decisions not yet taken.
    """
    from dtrack.terminal import request_table
    from dtrack.workflow.extension_requests import list_requests
    from dtrack.workflow.provinces import resolve_optional

    with app.database().session() as session:
        province_row, note = resolve_optional(session, province)
        before = app.today(as_of).ends_at() if as_of else None
        views = list_requests(session, province=province_row, pending_only=pending, before=before)
    note_line(note)
    if as_json:
        emit_json([v.to_json() for v in views])
    else:
        click.echo(request_table(views, lang or app.settings().language, app.settings().timezone))


@deadlines.command("grant")
@click.argument("request_id", metavar="ID")
@click.option("--to", "to_date", default=None, type=DateParam(), help="Grant another date than the one asked for.")
@click.option("--note", default=None, help="A word to the province, kept in the audit trail.")
@click.option("--as", "actor", required=True, metavar="EMAIL", help="The overseer who decides.")
@as_of_option
@pass_app
def deadlines_grant(app: App, request_id: str, to_date: date | None, note: str | None, actor: str,
                    as_of: date | None) -> None:
    """Grant an extension request: the task's deadline moves (to --to, or to the date asked for).

    On a day off, the deadline is the next working day (the command says so).
    """
    from dtrack.workflow.extension_requests import grant_request

    done = grant_request(app.database(), app.clock(as_of), actor, request_id, to_date, note, calendar=app.calendar())
    item = done.extended
    assert item is not None, "a granted request always extends its task"
    _say_day_off(item)
    click.echo(say("request_granted", id=done.request.id, key=item.task_key, before=_dmy(item.from_due_on),
                   after=f"{item.to_due_on:%d/%m/%Y}"))


@deadlines.command("refuse")
@click.argument("request_id", metavar="ID")
@click.option("--reason", required=True, help="Why not; the province reads it.")
@click.option("--as", "actor", required=True, metavar="EMAIL", help="The overseer who decides.")
@as_of_option
@pass_app
def deadlines_refuse(app: App, request_id: str, reason: str, actor: str, as_of: date | None) -> None:
    """Refuse an extension request; the deadline stays as it is."""
    from dtrack.workflow.extension_requests import refuse_request

    done = refuse_request(app.database(), app.clock(as_of), actor, request_id, reason)
    click.echo(say("request_refused", id=done.request.id, key=done.request.task_key,
                   before=_dmy(done.request.current_due_on)))


@deadlines.command("recompute")
@click.option("--dry-run", is_flag=True, help="List the deadlines that would move; change nothing.")
@click.option("--as", "actor", default=None, metavar="EMAIL",
              help="The overseer or administrator who runs it (recorded on each moved deadline); "
                   "not needed with --dry-run.")
@click.option("--reason", default=None, help="Why (kept on each moved deadline's event).")
@as_of_option
@json_option
@pass_app
def deadlines_recompute(app: App, dry_run: bool, actor: str | None, reason: str | None, as_of: date | None,
                        as_json: bool) -> None:
    """Recompute open tasks' deadlines on the working calendar in force.

    Declaring a day (`dtrack calendar declare`) recomputes at once; run this
    after changing DTRACK_EXTRA_DAYS_OFF or DTRACK_EXTRA_WORKING_DAYS, or a
    holidays package update. A deadline that now falls on a day off moves to
    the next working day, an extended one too; completed tasks are left as they
    are. Each moved deadline is audited with who ran it. Try --dry-run first.
    """
    from dtrack.workflow.calendar_days import calendar_in_force
    from dtrack.workflow.calendar_declarations import check_may_recompute
    from dtrack.workflow.recompute import recompute
    from dtrack.workflow.service import check_text
    from dtrack.workflow.users import find_user

    if actor is None and not dry_run:
        raise UserError(say("recompute_needs_actor"))
    clock = app.clock(as_of)
    with app.database().session() as session:
        actor_id = None
        if actor is not None:
            user = find_user(session, actor)
            check_may_recompute(user)
            actor_id = user.id
        reason = (reason or "").strip() or None
        check_text("reason", reason)
        result = recompute(session, clock.today(), clock.now(), calendar_in_force(session, app.calendar()),
                           dry_run=dry_run, actor_id=actor_id, note=reason)
    if as_json:
        emit_json(result.to_json())
        return
    for item in result.moved:
        click.echo(say("recomputed", key=item.task_key, before=f"{item.from_due_on:%d/%m/%Y}",
                       after=f"{item.to_due_on:%d/%m/%Y}"))
    for key in result.skipped:
        click.echo(say("recompute_skipped", key=key))
    verb = say("would_move") if result.dry_run else say("moved")
    click.echo(say("recompute_total", moved=len(result.moved), examined=result.examined, verb=verb)
               + (say("n_skipped", n=len(result.skipped)) if result.skipped else "")
               + (say("dry_run") if result.dry_run else ""))
