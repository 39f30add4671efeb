"""Setting up: `dtrack init` (database and seeds), `settings` and `provinces`."""
from __future__ import annotations

from datetime import date

import click

from dtrack.commands.shared import App, as_of_option, emit_json, json_option, pass_app, say


@click.command()
@as_of_option
@pass_app
def init(app: App, as_of: date | None) -> None:
    """Create or upgrade the database and load the shipped seeds.

    Applies the migrations, loads the 34 provinces and Directive 20/CT-BCT,
    and assigns its ten task groups to every province (340 tasks). Safe to
    run again: it only adds what is missing.
    """
    from dtrack.usecases.bootstrap import initialise
    from dtrack.workflow.deadlines import WorkCalendar

    db = app.database(ready=False)
    result = initialise(db, app.clock(as_of), WorkCalendar.of(app.settings()))
    click.echo(say("init_database", url=db.display_url))
    click.echo(say("init_provinces", n=result.provinces))
    click.echo(say("init_communes", n=result.communes, added=result.communes_added))
    click.echo(say("init_directive", code=result.directive.code, status=say(f"status_{result.directive.status}")))
    a = result.assignment
    click.echo(say("init_tasks", created=a.created, existing=a.existing, provinces=a.provinces))


@click.command("settings")
@pass_app
def settings_cmd(app: App) -> None:
    """Show every setting, its value in force, and its environment variable."""
    from dtrack.config.settings import shown
    from dtrack.i18n.catalog import text
    from dtrack.terminal import table

    click.echo(table((say("h_setting"), say("h_value"), say("h_env"), say("h_meaning")),
                     [(s.name, value, s.env, text(app.lang, s.help_id)) for s, value in shown(app.settings())]))


@click.command()
@click.option("--region", default=None, help="Only north, central or south.")
@json_option
@pass_app
def provinces(app: App, region: str | None, as_json: bool) -> None:
    """List the 34 provinces with their region and the old provinces merged into them."""
    from dtrack.terminal import table
    from dtrack.workflow.provinces import list_provinces

    with app.database().session() as session:
        found = list_provinces(session, region)
    if as_json:
        emit_json([p.to_json() for p in found])
        return
    from dtrack.i18n.labels import REGION_LABELS
    from dtrack.terminal_wording import value_text
    from dtrack.workflow.vocabulary import Region

    regions = REGION_LABELS[app.lang]
    click.echo(table((say("h_slug"), say("h_name"), say("h_region"), say("h_kind"), say("h_merged")),
                     [(p.slug, p.name, regions[Region(p.region)], value_text(p.kind, app.lang),
                       ", ".join(p.merged_from))
                      for p in found]))
