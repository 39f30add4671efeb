"""The overview commands: `status` (the provinces x task groups matrix) and `lifecycle` (the state diagram)."""
from __future__ import annotations

from datetime import date

import click

from dtrack.commands.shared import App, as_of_option, emit_json, json_option, lang_option, pass_app, say


@click.command()
@click.option("--region", default=None, help="Only north, central or south.")
@click.option("--directive", default="20/CT-BCT", show_default=True, help="Which directive.")
@as_of_option
@lang_option
@json_option
@pass_app
def status(app: App, region: str | None, directive: str, as_of: date | None, lang: str | None, as_json: bool) -> None:
    """The provinces x task groups matrix, one letter per state, with a legend and regional totals.

    States are those at the end of --as-of (default today), as in the
    reports. A recurring group's cell shows its latest period; ! marks a cell
    with an overdue task (2! two of its periods overdue), ~ one due soon. The
    totals count every task of every period, as `dtrack overdue` does.
    """
    from dtrack.reading.status import status_matrix
    from dtrack.terminal import region_summary, status_text
    from dtrack.workflow.provinces import check_region

    check_region(region)
    lang = lang or app.lang
    with app.database().session() as session:
        matrix = status_matrix(session, directive, app.today(as_of), region)
        if as_json:
            emit_json(matrix.to_json())
            return
        click.echo(status_text(matrix, lang))
        click.echo()
        click.echo(region_summary(matrix, lang))


@click.command()
@click.option("--format", "fmt", type=click.Choice(["mermaid", "table"]), default="mermaid", show_default=True,
              help="mermaid: a diagram to paste into Markdown; table: who may do what from which state.")
@pass_app
def lifecycle(app: App, fmt: str) -> None:
    """The task state diagram, drawn from the definition the engine runs."""
    from dtrack.terminal import state_text, table
    from dtrack.terminal_wording import value_text
    from dtrack.workflow import lifecycle as definition

    rules = definition.current()
    if fmt == "mermaid":
        click.echo(rules.mermaid())
        return
    rows = [(a.command, ", ".join(state_text(s, app.lang) for s in a.sources),
             state_text(a.dest, app.lang) if a.dest else say("same"), value_text(a.by, app.lang),
             say("yes") if a.needs_note else "") for a in rules.actions]
    click.echo(table((say("h_action"), say("h_from"), say("h_to"), say("h_who"), say("h_note_required")), rows))
