"""`dtrack report letters`: the urge letters the daily job prepared, for an overseer to approve or discard.

The daily job (`dtrack scheduler`) prepares a draft to the provincial People's Committee for each
province whose tasks are overdue past the directive's `escalate_after_days`; nothing is numbered
or sent until a person approves it here or on the web (/letters).
"""
from __future__ import annotations

from datetime import date

import click

from dtrack.commands.shared import App, as_of_option, pass_app, say


@click.group("letters")
def letters() -> None:
    """Urge letters to the People's Committees waiting for an overseer's approval.

    \b
    dtrack report letters list --as giam.sat@moit.gov.vn
    dtrack report letters approve 3 --as giam.sat@moit.gov.vn
    dtrack report letters discard 4 --as giam.sat@moit.gov.vn
    """


_AS = click.option("--as", "actor", required=True, metavar="EMAIL", help="The overseer who decides.")


@letters.command("list")
@_AS
@pass_app
def letters_list(app: App, actor: str) -> None:
    """The drafts waiting, longest delay first: number, province, tasks, days overdue, prepared on."""
    from dtrack.documents.escalation import waiting_letters
    from dtrack.workflow.users import find_user

    with app.database().session() as session:
        waiting = waiting_letters(session, find_user(session, actor))
    if not waiting:
        click.echo(say("letters_none"))
        return
    for item in waiting:
        click.echo(say("letters_line", id=item.id, province=item.province(app.lang), directive=item.directive,
                       n=item.tasks, days=item.most_days, day=item.prepared_on))


@letters.command("approve")
@click.argument("draft_id", type=click.IntRange(1, 2**31 - 1), metavar="ID")
@_AS
@as_of_option
@pass_app
def letters_approve(app: App, draft_id: int, actor: str, as_of: date | None) -> None:
    """Issue the draft: its number from the register, an audit row on each task, queued to the province."""
    from dtrack.documents.escalation import approve_draft
    from dtrack.workflow.users import find_user

    with app.database().session() as session:
        done = approve_draft(session, find_user(session, actor), draft_id, app.today(as_of), app.clock(as_of).now(),
                             mail_from=app.settings().mail_from)
        reference, n, queued = done.issued.reference, len(done.letter.tasks), [q.recipient for q in done.queued]
    click.echo(say("urge_issued", number=reference, n=n))
    for recipient in queued:
        click.echo(f"{recipient}: {say('letters_queued')}")
    click.echo(say("next", command="dtrack outbox send"))


@letters.command("discard")
@click.argument("draft_id", type=click.IntRange(1, 2**31 - 1), metavar="ID")
@_AS
@as_of_option
@pass_app
def letters_discard(app: App, draft_id: int, actor: str, as_of: date | None) -> None:
    """Set the draft aside: nothing is numbered or sent (a new one may come after 15 days)."""
    from dtrack.documents.escalation import discard_draft
    from dtrack.workflow.users import find_user

    with app.database().session() as session:
        discard_draft(session, find_user(session, actor), draft_id, app.clock(as_of).now())
    click.echo(say("letters_discarded", id=draft_id))
