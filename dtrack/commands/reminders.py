"""The `reminders` group: one reminder sweep (for cron) and the list of reminders waiting for a digest."""
from __future__ import annotations

from datetime import date

import click

from dtrack.commands.shared import App, as_of_option, emit_json, json_option, pass_app, say


@click.group()
def reminders() -> None:
    """Generate reminders (the input of the email digests) and list them."""


@reminders.command("run")
@as_of_option
@pass_app
def reminders_run(app: App, as_of: date | None) -> None:
    """One reminder sweep: for cron. Safe to run twice, after a crash, or twice at once.

    Also opens the tasks of recurring periods that have begun, and cancels
    reminders that no longer apply.
    """
    from dtrack.terminal import sweep_text
    from dtrack.workflow.reminders import ReminderPolicy, sweep

    result = sweep(app.database(), app.clock(as_of), ReminderPolicy.from_settings(app.settings()))
    click.echo(sweep_text(result, app.lang))


@reminders.command("list")
@click.option("--all", "show_all", is_flag=True, help="Also show consumed and cancelled reminders.")
@as_of_option
@json_option
@pass_app
def reminders_list(app: App, show_all: bool, as_of: date | None, as_json: bool) -> None:
    """List reminders waiting for a digest (fallen due by today)."""
    from dtrack.i18n.labels import REMINDER_LABELS
    from dtrack.terminal import table
    from dtrack.terminal_wording import value_text
    from dtrack.workflow.reminders import list_reminders
    from dtrack.workflow.vocabulary import ReminderKind

    with app.database().session() as session:
        found = list_reminders(session, app.clock(as_of).today(), include_done=show_all)
    if as_json:
        emit_json([r.to_json() for r in found])
    else:
        click.echo(table((say("h_task"), say("h_reminder_kind"), say("h_audience"), say("h_deadline"),
                          say("h_remind_on"), say("h_days"), say("h_status")),
                         [(r.task, REMINDER_LABELS[app.lang][ReminderKind(r.kind)], value_text(r.audience, app.lang),
                           r.due_on, r.remind_on, r.days, value_text(r.status, app.lang)) for r in found])
                   + "\n" + say("n_reminders", n=len(found)))
