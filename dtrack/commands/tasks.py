"""The `tasks` group: list tasks with their state and deadline status."""
from __future__ import annotations

from datetime import date

import click

from dtrack.commands.shared import (
    GROUP_NUMBER,
    App,
    as_of_option,
    emit_json,
    json_option,
    lang_option,
    note_line,
    pass_app,
)


@click.group()
def tasks() -> None:
    """List tasks."""


@tasks.command("list")
@click.option("--province", default=None, help="Province slug or name (old names work too).")
@click.option("--region", default=None, help="north, central or south.")
@click.option("--state", default=None, help="Only tasks in this state, e.g. submitted.")
@click.option("--directive", default=None, help="Only this directive's tasks, e.g. 20/CT-BCT.")
@click.option("--group", type=GROUP_NUMBER, default=None, help="Only this task group number.")
@as_of_option
@json_option
@lang_option
@pass_app
def tasks_list(app: App, province: str | None, region: str | None, state: str | None,
               directive: str | None, group: int | None, as_of: date | None, as_json: bool, lang: str | None) -> None:
    """List tasks with their state, progress, deadline and deadline status (on track, due soon, overdue...).

    States are those at the end of --as-of (default today), replayed from the
    audit trail as the reports do; only tasks assigned by then are listed.
    """
    from dtrack.reading.scope import checked_directive
    from dtrack.terminal import task_table
    from dtrack.workflow.provinces import check_region, resolve_optional
    from dtrack.workflow.tasks import list_tasks

    check_region(region)
    today = app.today(as_of)
    with app.database().session() as session:
        province_row, note = resolve_optional(session, province)
        directive = checked_directive(session, directive)  # an unknown code: one line, not "no task matches"
        views = list_tasks(session, province=province_row, region=region, state=state, directive=directive,
                           group=group, today=today)
    note_line(note)
    if as_json:
        emit_json([v.to_json() for v in views])
    else:
        click.echo(task_table(views, lang or app.lang))
