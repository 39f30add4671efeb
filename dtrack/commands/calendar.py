"""The `calendar` group: the days off and make-up working days an administrator declares.

`declare` and `withdraw` first list the open deadlines the change would move
and change nothing; with --apply they make the change and move those
deadlines in one transaction (`workflow.calendar_declarations`).
"""
from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import click

from dtrack.commands.shared import App, DateParam, as_of_option, emit_json, json_option, pass_app, say

if TYPE_CHECKING:
    from dtrack.workflow.calendar_declarations import CalendarChange


@click.group()
def calendar() -> None:
    """Days off (nghỉ bù, Tết) and make-up working days (làm bù) declared for deadlines.

    Weekends and public holidays are known already; declare what the
    Government announces on top of them. A deadline on a day off is the next
    working day: declaring a day moves the open deadlines it touches, audited.
    """


@calendar.command("list")
@click.option("--year", type=click.IntRange(2000, 2100), default=None, help="Only this year's days.")
@click.option("--all", "with_withdrawn", is_flag=True, help="Include withdrawn declarations.")
@json_option
@pass_app
def calendar_list(app: App, year: int | None, with_withdrawn: bool, as_json: bool) -> None:
    """List the declared days, by date: the kind, the reason, who declared it and when."""
    from dtrack.config.clock import local_dmy_hm
    from dtrack.terminal import table
    from dtrack.workflow.calendar_days import list_days

    with app.database().session() as session:
        days = list_days(session, year, with_withdrawn=with_withdrawn)
    if as_json:
        emit_json([d.to_json() for d in days])
        return
    if not days:
        click.echo(say("calendar_none"))
        return
    tz = app.settings().timezone
    rows = [(f"{d.day:%d/%m/%Y}", say("calendar_working" if d.working else "calendar_off"), d.note, d.declared_by,
             local_dmy_hm(d.declared_at, tz),
             say("calendar_withdrawn", who=d.withdrawn_by or "", at=local_dmy_hm(d.withdrawn_at, tz))
             if d.withdrawn_at is not None else "")
            for d in days]
    click.echo(table(say("calendar_headers").split("|"), rows))


def _report(change: CalendarChange, applied: bool, as_json: bool) -> None:
    if as_json:
        emit_json({**change.to_json(), "applied": applied})
        return
    moved = change.recomputed.moved
    for item in moved:
        click.echo(say("recomputed", key=item.task_key, before=f"{item.from_due_on:%d/%m/%Y}",
                       after=f"{item.to_due_on:%d/%m/%Y}"))
    for key in change.recomputed.skipped:
        click.echo(say("recompute_skipped", key=key))
    kind = say("calendar_working" if change.working else "calendar_off")
    if not applied:
        click.echo(say("calendar_preview", day=f"{change.day:%d/%m/%Y}", kind=kind, n=len(moved)))
    elif change.withdrawn:
        click.echo(say("calendar_withdrawn_done", day=f"{change.day:%d/%m/%Y}", kind=kind, n=len(moved)))
    else:
        click.echo(say("calendar_declared", day=f"{change.day:%d/%m/%Y}", kind=kind, n=len(moved)))


@calendar.command("declare")
@click.argument("day", type=DateParam())
@click.option("--off/--working", "off", required=True,
              help="A day off (nghỉ bù) or a make-up working day (làm bù, often a Saturday).")
@click.option("--note", required=True, help="Why: the announcement, e.g. \"Nghỉ bù Tết, Thông báo 123/TB-VPCP\".")
@click.option("--as", "actor", required=True, metavar="EMAIL", help="The administrator who declares it.")
@click.option("--apply", is_flag=True, help="Make the change (without it: list what it would move).")
@as_of_option
@json_option
@pass_app
def calendar_declare(app: App, day: date, off: bool, note: str, actor: str, apply: bool, as_of: date | None,
                     as_json: bool) -> None:
    """Declare DAY a day off or a make-up working day (dd/mm/yyyy or yyyy-mm-dd).

    Without --apply, lists the open deadlines that would move and changes
    nothing; with --apply, declares the day and moves them, each audited.
    """
    from dtrack.workflow.calendar_declarations import declare, preview
    from dtrack.workflow.users import find_user

    clock = app.clock(as_of)
    with app.database().session() as session:
        user = find_user(session, actor)
        if apply:
            change = declare(session, user, day, not off, note, clock.today(), clock.now(), app.calendar())
        else:
            change = preview(session, day, not off, clock.today(), clock.now(), app.calendar(), note=note)
    _report(change, apply, as_json)


@calendar.command("withdraw")
@click.argument("day", type=DateParam())
@click.option("--as", "actor", required=True, metavar="EMAIL", help="The administrator who withdraws it.")
@click.option("--apply", is_flag=True, help="Make the change (without it: list what it would move).")
@as_of_option
@json_option
@pass_app
def calendar_withdraw(app: App, day: date, actor: str, apply: bool, as_of: date | None, as_json: bool) -> None:
    """Withdraw the declaration of DAY; deadlines follow the calendar without it.

    A deadline an overseer extended onto the day stays where it was moved.
    Without --apply, lists what would move and changes nothing.
    """
    from dtrack.workflow.calendar_declarations import preview, withdraw
    from dtrack.workflow.users import find_user

    clock = app.clock(as_of)
    with app.database().session() as session:
        user = find_user(session, actor)
        if apply:
            change = withdraw(session, user, day, clock.today(), clock.now(), app.calendar())
        else:
            change = preview(session, day, False, clock.today(), clock.now(), app.calendar(), withdraw=True)
    _report(change, apply, as_json)
