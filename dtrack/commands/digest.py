"""The `digest` group: preview a user's daily email digest, queue the day's digests in the outbox."""
from __future__ import annotations

from datetime import date

import click

from dtrack.commands.shared import App, as_of_option, note_line, pass_app, say


@click.group()
def digest() -> None:
    """Daily email digests: at most one per person and day, with everything they must act on.

    `build` puts the day's digests into the outbox (and marks the reminders
    they report as consumed); `dtrack outbox send` delivers them. The
    scheduler's daily sweep does both after generating reminders.
    """


@digest.command("preview")
@click.option("--to", "email", required=True, metavar="EMAIL", help="The user whose digest to show.")
@click.option("--html", "as_html", is_flag=True, help="Print the HTML part instead of the plain text.")
@as_of_option
@pass_app
def digest_preview(app: App, email: str, as_html: bool, as_of: date | None) -> None:
    """Print the digest a user would get (its subject and plain-text part); nothing is queued or sent."""
    from dtrack.notifications.digest_sending import preview

    found, rendered = preview(app.database(), app.clock(as_of), app.settings(), email)
    if not found.has_news:
        note_line(say("digest_nothing"))
    click.echo(f"{say('subject')}: {rendered.subject}\n")
    click.echo(rendered.html if as_html else rendered.text, nl=False)


@digest.command("build")
@as_of_option
@pass_app
def digest_build(app: App, as_of: date | None) -> None:
    """Queue today's digests in the outbox; running it again the same day adds nothing twice."""
    from dtrack.notifications.digest_sending import build_digests

    report = build_digests(app.database(), app.clock(as_of), app.settings())
    click.echo(say("digests_built", day=f"{report.day:%d/%m/%Y}", queued=report.queued, already=report.already,
                   nothing=report.nothing, consumed=report.reminders_consumed))
    if report.queued:
        click.echo(say("next", command="dtrack outbox send"))
