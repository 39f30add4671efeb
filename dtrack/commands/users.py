"""The `users` group, all in one place: add, invite, list, disable, set-password, purge."""
from __future__ import annotations

import sys

import click

from dtrack.commands.shared import App, emit_json, json_option, note_line, pass_app, say


@click.group()
def users() -> None:
    """Register and list the people who use dtrack."""


ROLES = click.Choice(["province", "commune", "overseer", "admin"])
COMMUNE_HELP = ("A commune officer's commune: its official code (00004) or name (\"Phường Ba Đình\"); "
                "with --province, one of that province's.")


@users.command("add")
@click.option("--email", required=True, help="Login and mail address; also what --as takes.")
@click.option("--name", required=True, help="Full name, with diacritics.")
@click.option("--role", required=True, type=ROLES,
              help="province: a provincial Department of Industry and Trade; commune: an officer of one commune "
                   "or ward; overseer: the Ministry's Department.")
@click.option("--province", default=None, help="Province slug (or old name) for a province user, e.g. ha-noi.")
@click.option("--commune", default=None, help=COMMUNE_HELP)
@click.option("--locale", default="vi", type=click.Choice(["vi", "en"]), help="Language of the user's emails.")
@pass_app
def users_add(app: App, email: str, name: str, role: str, province: str | None, commune: str | None,
              locale: str) -> None:
    """Register a user."""
    from dtrack.persistence.models import Commune
    from dtrack.terminal import role_text
    from dtrack.workflow.users import add_user

    with app.database().session() as session:
        user, note = add_user(session, email=email, name=name, role=role, province=province,
                              now=app.clock().now(), locale=locale, commune=commune)
        bound = session.get(Commune, user.commune_id) if user.commune_id is not None else None
        where = (say("for_commune", code=bound.code, name=bound.name, slug=bound.province.slug) if bound
                 else say("for_province", slug=user.province.slug) if user.province else "")
        line = say("user_added", email=user.email, role=role_text(user.role, app.lang), where=where)
    note_line(note)
    click.echo(line)


@users.command("list")
@json_option
@pass_app
def users_list(app: App, as_json: bool) -> None:
    """List registered users."""
    from dtrack.terminal import role_text, table
    from dtrack.workflow.users import user_views

    with app.database().session() as session:
        found = user_views(session)
    if as_json:
        emit_json([u.to_json() for u in found])
    else:
        click.echo(table((say("h_email"), say("h_name"), say("h_role"), say("h_province"), say("h_commune"),
                          say("h_locale")),
                         [(u.email, u.name, role_text(u.role, app.lang), u.province,
                           f"{u.commune} {u.commune_name}" if u.commune else None, u.locale) for u in found]))


@users.command("invite")
@click.option("--email", required=True, help="Login and mail address.")
@click.option("--name", required=True, help="Full name, with diacritics.")
@click.option("--role", required=True, type=ROLES, help="What the user may do.")
@click.option("--province", default=None, help="Province slug for a province user, e.g. ha-noi.")
@click.option("--commune", default=None, help=COMMUNE_HELP)
@click.option("--locale", default="vi", type=click.Choice(["vi", "en"]),
              help="Language of the user's pages and emails.")
@pass_app
def users_invite(app: App, email: str, name: str, role: str, province: str | None, commune: str | None,
                 locale: str) -> None:
    """Register a user and print the one-time link (48 h) with which they set their password."""
    from dtrack.accounts.admin import invite_user

    done = invite_user(app.database(), app.clock(), app.settings(), email=email, name=name, role=role,
                       province=province, locale=locale, commune=commune)
    note_line(done.note)
    click.echo(say("invited", email=done.email))
    click.echo(done.link)
    if done.mailed:
        click.echo(say("invite_mailed"), err=True)


@users.command("set-password")
@click.argument("email")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input (for scripts).")
@pass_app
def users_set_password(app: App, email: str, password_stdin: bool) -> None:
    """Set a user's password (asked twice, never shown); their open sessions and API tokens end."""
    from dtrack.accounts.admin import set_password

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt(say("prompt_password"), hide_input=True,
                                confirmation_prompt=say("prompt_password_again"))
    set_password(app.database(), app.clock(), email, password)
    click.echo(say("password_set", email=email.strip().lower()))


@users.command("disable")
@click.argument("email")
@pass_app
def users_disable(app: App, email: str) -> None:
    """Disable a user: they can no longer log in, their sessions end at once; their history is kept."""
    from dtrack.accounts.admin import disable_user

    user = disable_user(app.database(), app.clock(), email)
    click.echo(say("disabled", email=user.email))


@users.command("purge")
@json_option
@pass_app
def users_purge(app: App, as_json: bool) -> None:
    """Delete ended web sessions and spent one-time links older than `account_rows_kept_days`.

    The scheduler does this every day; the accounts audit trail is kept.
    """
    from dtrack.accounts.housekeeping import purge_account_rows

    result = purge_account_rows(app.database(), app.clock(), app.settings())
    if as_json:
        emit_json(result.to_json())
    else:
        click.echo(say("purged", sessions=result.sessions, links=result.links,
                       before=f"{result.before:%d/%m/%Y %H:%M}"))
