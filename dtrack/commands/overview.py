"""The overview commands: `status` (the provinces x task groups matrix) and `lifecycle` (the state diagram)."""
from __future__ import annotations

import click

from dtrack.cli import App, as_of_option, cli, emit_json, json_option, lang_option, pass_app, say


@cli.command()
@click.option("--region", default=None, help="Only north, central or south.")
@click.option("--directive", default="20/CT-BCT", show_default=True, help="Which directive.")
@as_of_option
@lang_option
@json_option
@pass_app
def status(app: App, region: str | None, directive: str, as_of: str | None, lang: str | None, as_json: bool) -> None:
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
    settings = app.settings(as_of)
    lang = lang or app.lang
    with app.database().session() as session:
        matrix = status_matrix(session, directive, region, as_of=app.clock(as_of).today(),
                               due_soon_days=settings.due_soon_days, clock=app.clock(as_of))
        if as_json:
            emit_json(matrix.to_json())
            return
        click.echo(status_text(matrix, lang))
        click.echo()
        click.echo(region_summary(matrix, lang))


@cli.command()
@click.option("--format", "fmt", type=click.Choice(["mermaid", "table"]), default="mermaid", show_default=True,
              help="mermaid: a diagram to paste into Markdown; table: who may do what from which state.")
@pass_app
def lifecycle(app: App, fmt: str) -> None:
    """The task state diagram, drawn from the definition the engine runs."""
    from dtrack.terminal import state_text, table
    from dtrack.terminal_wording import value_text
    from dtrack.workflow import lifecycle as definition

    if fmt == "mermaid":
        click.echo(definition.mermaid())
        return
    rows = []
    for spec in definition.LIFECYCLE["transitions"]:
        sources = spec["source"] if isinstance(spec["source"], list) else [spec["source"]]
        rows.append((spec["trigger"].replace("_", "-"), ", ".join(state_text(s, app.lang) for s in sources),
                     state_text(spec["dest"], app.lang) if spec["dest"] else say("same"),
                     ", ".join(value_text(who, app.lang) for who in str(spec["by"]).split(", ")),
                     say("yes") if spec.get("note") else ""))
    click.echo(table((say("h_action"), say("h_from"), say("h_to"), say("h_who"), say("h_note_required")), rows))
