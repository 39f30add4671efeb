"""The `communes` group: the official list of communes, wards and special zones.

`list` shows a province's communes; `find` names one the way every command
does (code or name, diacritics optional); `update` compares a later list with
the table, says what it would add, rename, move, retire or restore, and with
--apply does all of it in one transaction (`workflow.commune_list`).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import click

from dtrack.commands.shared import App, emit_json, json_option, note_line, pass_app, say

if TYPE_CHECKING:
    from dtrack.workflow.commune_list import CommuneChanges


def kind_text(kind: str, lang: str) -> str:
    """A commune's kind in words (`commune_kind.<kind>`: xã, phường, đặc khu)."""
    from dtrack.terminal_wording import value_text

    return value_text(kind, lang, area="commune_kind")


@click.group()
def communes() -> None:
    """The official list of communes, wards and special zones (xã, phường, đặc khu).

    Loaded by `dtrack init` from the vietnam-provinces package (3,321 units
    since 1 July 2025), each under its province by official code.
    """


@communes.command("list")
@click.option("--province", default=None, help="Only this province's (slug or name), e.g. ha-noi.")
@click.option("--retired", is_flag=True, help="Include communes that left the official list.")
@json_option
@pass_app
def communes_list(app: App, province: str | None, retired: bool, as_json: bool) -> None:
    """List communes by official code: code, name, kind (and province, without --province)."""
    from dtrack.terminal import table
    from dtrack.workflow.communes import list_communes
    from dtrack.workflow.provinces import resolve_optional

    with app.database().session() as session:
        unit, note = resolve_optional(session, province)
        found = list_communes(session, unit, include_retired=retired)
    note_line(note)
    if as_json:
        emit_json([c.to_json() for c in found])
        return
    headers = [say("h_code"), say("h_name"), say("h_kind")] + ([] if unit else [say("h_province")])
    if retired:
        headers.append(say("h_retired"))
    rows = []
    for c in found:
        row = [c.code, c.name, kind_text(c.kind, app.lang)] + ([] if unit else [c.province])
        if retired:
            row.append(f"{c.retired_at:%d/%m/%Y}" if c.retired_at else "")
        rows.append(row)
    click.echo(table(headers, rows))
    click.echo(say("communes_count", n=len(found)))


@communes.command("find")
@click.argument("ref")
@click.option("--province", default=None, help="Look only in this province (slug or name).")
@json_option
@pass_app
def communes_find(app: App, ref: str, province: str | None, as_json: bool) -> None:
    """Name one commune by its official code (00004) or its name ("Phường Ba Đình", "ba dinh")."""
    from dtrack.workflow.communes import CommuneView, resolve_commune
    from dtrack.workflow.provinces import resolve_optional

    with app.database().session() as session:
        unit, note = resolve_optional(session, province)
        commune = resolve_commune(session, ref, unit)
        view = CommuneView(commune.code, commune.name, commune.kind, commune.province.slug, commune.retired_at)
    note_line(note)
    if as_json:
        emit_json(view.to_json())
        return
    click.echo(f"{view.code} {view.name} ({kind_text(view.kind, app.lang)}, {view.province})")


def _report(changes: CommuneChanges, applied: bool, as_json: bool) -> None:
    if as_json:
        emit_json({**changes.to_json(), "applied": applied})
        return
    for c in changes.added:
        click.echo(say("commune_added", code=c.code, name=c.name, province=c.province))
    for c in changes.renamed:
        click.echo(say("commune_renamed", code=c.code, before=c.was_name or "", name=c.name, province=c.province))
    for c in changes.moved:
        click.echo(say("commune_moved", code=c.code, name=c.name, before=c.was_province or "", province=c.province))
    for c in changes.retired:
        click.echo(say("commune_retired", code=c.code, name=c.name, province=c.province))
    for c in changes.restored:
        click.echo(say("commune_restored", code=c.code, name=c.name, province=c.province))
    source = changes.source + (f" ({changes.data_version})" if changes.data_version else "")
    summary = say("communes_changes", source=source, added=len(changes.added), renamed=len(changes.renamed),
                  moved=len(changes.moved), retired=len(changes.retired), restored=len(changes.restored),
                  unchanged=changes.unchanged)
    if changes.empty:
        click.echo(say("communes_up_to_date", summary=summary))
    elif applied:
        click.echo(say("communes_applied", summary=summary))
    else:
        click.echo(say("communes_preview", summary=summary))


@communes.command("update")
@click.option("--file", "path", type=click.Path(exists=True, dir_okay=False), default=None,
              help="A list in the package's nested-divisions.json format (default: the installed package's).")
@click.option("--apply", is_flag=True, help="Make the changes (without it: only say what they would be).")
@json_option
@pass_app
def communes_update(app: App, path: str | None, apply: bool, as_json: bool) -> None:
    """Bring the communes in step with a later official list.

    Says what would be added, renamed (a new name or kind), moved to another
    province, retired (gone from the list: kept and marked, never deleted) or
    restored, and changes nothing; with --apply, makes all of it in one
    transaction.
    """
    from dtrack.workflow import commune_list

    official = commune_list.read_list(path) if path else commune_list.package_list()
    with app.database().session() as session:
        changes = commune_list.compare(session, official)
        if apply and not changes.empty:
            commune_list.apply(session, changes, app.clock().now())
    _report(changes, apply, as_json)
