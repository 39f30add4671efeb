"""`dtrack demo`: simulate a season of work on its own database and show the result."""
from __future__ import annotations

import sys

import click

from dtrack.commands.shared import App, lang_option, pass_app, say, start_up_over


@click.command()
@click.option("--fresh", is_flag=True, help="Delete the demo database first and simulate again.")
@lang_option
@pass_app
def demo(app: App, fresh: bool, lang: str | None) -> None:
    """Simulate a season of work on Directive 20/CT-BCT and show the result.

    Uses its own SQLite file (dtrack-demo.db, or --db) so real data is never
    touched. The simulation is deterministic: the same run prints the same.
    """
    from pathlib import Path

    from dtrack.config.today import Today
    from dtrack.persistence.database import Database
    from dtrack.reading.overdue import overdue_review
    from dtrack.reading.status import status_matrix
    from dtrack.terminal import overdue_text, region_summary, status_text, sweep_text
    from dtrack.usecases.demo import DEMO_URL, OVERSEER, SEASON_END, last_day_outputs, run_demo, web_accounts

    db = Database(app.db_url or DEMO_URL)
    start_up_over()  # the simulation is long: collect as usual
    report = run_demo(db, fresh=fresh)
    shown = lang or app.lang  # the terminal's language; the reports' and mails' is below
    click.echo(say("demo_database", url=db.display_url))
    click.echo(report.summary)
    click.echo()
    today = Today(SEASON_END)  # the season's last day, as the simulation left it
    with db.session() as session:
        matrix = status_matrix(session, "20/CT-BCT", today)
        click.echo(status_text(matrix, shown))
        click.echo()
        click.echo(region_summary(matrix, shown))
        click.echo()
        click.echo(overdue_text(overdue_review(session, today), shown))
    settings = app.settings()
    outputs = last_day_outputs(db, Path.cwd(), settings, lang or app.lang_given or settings.language)
    click.echo()
    click.echo(say("demo_last_day", day=f"{SEASON_END:%d/%m/%Y}", reminders=sweep_text(outputs.swept, shown)))
    click.echo(say("demo_digests", n=outputs.messages, folder=outputs.mail_dir))
    click.echo(say("demo_report", path=outputs.report))
    accounts = web_accounts(db)
    command = sys.argv[0] if Path(sys.argv[0]).name == "dtrack" else "dtrack"
    click.echo()
    click.echo(say("demo_web", command=f"{command} serve --db {db.url} --as-of {SEASON_END:%d/%m/%Y}"))
    click.echo(say("demo_login"))
    for email, password in accounts.items():
        who = say("demo_overseer") if email == OVERSEER else say("demo_officer")
        click.echo(say("demo_account", email=email, password=password, who=who))
