"""The `directive` group: load directive definition files, assign them to provinces, list them."""
from __future__ import annotations

from datetime import date

import click

from dtrack.commands.shared import App, as_of_option, emit_json, json_option, note_line, pass_app, say


@click.group()
def directive() -> None:
    """Load directive definition files and assign them to provinces."""


@directive.command("load")
@click.argument("path", metavar="FILE", type=click.Path(dir_okay=False))
@pass_app
def directive_load(app: App, path: str) -> None:
    """Validate a directive file (TOML) and load it; loading it again changes nothing.

    See seeds/directive-20-ct-bct.toml for the format.
    """
    from dtrack.directives.format import parse_file
    from dtrack.directives.loader import load

    spec = parse_file(path)
    with app.database().session() as session:
        result = load(session, spec, app.clock().now(), path)
    for note in result.notes:
        note_line(note)
    extra = ""
    if result.groups_added or result.groups_updated:
        extra = say("groups_changed", added=result.groups_added or "-", updated=result.groups_updated or "-")
    click.echo(say("directive_loaded", code=result.code, status=say(f"status_{result.status}"), groups=len(spec.groups),
                   extra=extra))
    if result.folded:
        click.echo(say("folded", n=result.folded))
    if result.status == "created":
        click.echo(say("next", command=f"dtrack directive assign {result.code} --provinces all"))


@directive.command("assign")
@click.argument("code")
@click.option("--provinces", "spec", required=True, metavar="all|north|central|south|SLUG,...",
              help="Which provinces get the directive's tasks.")
@as_of_option
@pass_app
def directive_assign(app: App, code: str, spec: str, as_of: date | None) -> None:
    """Create the directive's tasks for the chosen provinces (only the missing ones)."""
    from dtrack.workflow.assignments import assign
    from dtrack.workflow.deadlines import WorkCalendar
    from dtrack.workflow.provinces import select_provinces

    clock = app.clock(as_of)
    with app.database().session() as session:
        chosen, notes = select_provinces(session, spec)
        result = assign(session, code, chosen, clock.today(), clock.now(), WorkCalendar.of(app.settings()))
    for note in notes:
        note_line(note)
    click.echo(say("assigned", code=result.code, created=result.created, existing=result.existing,
                   provinces=result.provinces))


@directive.command("list")
@json_option
@pass_app
def directive_list(app: App, as_json: bool) -> None:
    """List loaded directives."""
    from dtrack.terminal import table
    from dtrack.workflow.assignments import list_directives

    with app.database().session() as session:
        found = list_directives(session)
    if as_json:
        emit_json([d.to_json() for d in found])
    else:
        click.echo(table((say("h_code"), say("h_issued"), say("h_groups"), say("h_title")),
                         [(d.code, d.issued_on, d.groups, d.title_vi) for d in found]))
