"""The `indicators` group: the catalogue of figures, recording one figure, importing a CSV/XLSX file."""
from __future__ import annotations

from datetime import date

import click

from dtrack.commands.shared import App, as_of_option, emit_json, json_option, lang_option, note_line, pass_app, say


@click.group()
def indicators() -> None:
    """The figures provinces report (budget planned and disbursed, establishments supported...).

    A figure is about a province (slug, name, or a pre-2025 name: it maps to
    the merged unit), a region (north, central, south) or the whole country
    (national). Figures are never changed: a newer figure for the same
    indicator, unit and period supersedes the older one.
    """


@indicators.command("list")
@click.option("--directive", default="20/CT-BCT", show_default=True, help="Which directive's catalogue.")
@lang_option
@json_option
@pass_app
def indicators_list(app: App, directive: str, lang: str | None, as_json: bool) -> None:
    """The indicator catalogue: code, name, unit and how values add up (sum or latest)."""
    from dtrack.reports.indicators import IndicatorView, catalogue
    from dtrack.terminal import table

    lang = lang or app.lang_given or app.settings().language
    with app.database().session() as session:
        found = [IndicatorView.of(i, lang) for i in catalogue(session, directive)]
    if as_json:
        emit_json([i.to_json() for i in found])
    else:
        click.echo(table((say("h_code"), say("h_name"), say("h_unit"), say("h_aggregate")),
                         [(i.code, i.name, i.unit, i.aggregate) for i in found]))


@indicators.command("report")
@click.argument("unit", metavar="SLUG")
@click.option("--period", required=True, help="2025, 2025-H1, 2025-Q3 or 2025-09.")
@click.option("--indicator", required=True,
              help="An indicator code (see `dtrack indicators list`), e.g. budget_disbursed.")
@click.option("--value", required=True, help="A whole number: VND in đồng (8340000000 or 8.340.000.000), or a count.")
@click.option("--as", "actor", required=True, metavar="EMAIL",
              help="Who reports it: a province officer for their own province, or an overseer for any unit.")
@click.option("--note", default=None, help="Context, e.g. 'giải ngân đến hết tháng 9'.")
@as_of_option
@click.option("--directive", default="20/CT-BCT", show_default=True, help="Which directive's catalogue.")
@pass_app
def indicators_report(app: App, unit: str, period: str, indicator: str, value: str, actor: str, note: str | None,
                      as_of: date | None, directive: str) -> None:
    """Record one figure for a province, a region or the whole country (audited: who, when)."""
    from dtrack.reports.indicators import report_value

    clock = app.clock(as_of)
    with app.database().session() as session:
        row, mapped = report_value(session, unit=unit, indicator=indicator, period=period, value=value,
                                   actor_email=actor, now=clock.now(), today=clock.today(), note=note,
                                   directive=directive)
        who = row.province.slug if row.province else (row.region or say("national"))
        line = say("figure", code=row.indicator.code, period=row.period, who=who, value=row.value,
                   day=f"{row.as_of:%d/%m/%Y}")
    note_line(mapped)
    click.echo(line)


@indicators.command("import")
@click.argument("path", metavar="FILE.csv|FILE.xlsx", type=click.Path(dir_okay=False))
@click.option("--as", "actor", required=True, metavar="EMAIL", help="Who imports the figures (recorded on each row).")
@click.option("--replace", "replace_", is_flag=True,
              help="Record a different value for a day that already has a figure as its replacement "
                   "(the old row stays).")
@as_of_option
@click.option("--directive", default="20/CT-BCT", show_default=True, help="Which directive's catalogue.")
@pass_app
def indicators_import(app: App, path: str, actor: str, replace_: bool, as_of: date | None, directive: str) -> None:
    """Import figures from CSV (UTF-8) or XLSX: every row or none.

    \b
    Columns (header on the first line): unit, indicator, period, value,
    and optionally as_of (dd/mm/yyyy or yyyy-mm-dd, default today), note, source.
    Every bad row is listed with its line number; then nothing is imported.
    A row under an old province name (Kiên Giang) is kept beside the merged
    unit's own (An Giang) and added to it. A figure already there is
    unchanged, so importing a file again changes nothing; a different value
    for the same day is refused unless --replace.
    See seeds/indicators-2024-2025.csv for an example.
    """
    from dtrack.reports.indicators import import_file

    clock = app.clock(as_of)
    with app.database().session() as session:
        result = import_file(session, path, actor, clock.now(), clock.today(), directive=directive,
                             replace=replace_)
    for line in result.notes:
        note_line(line)
    replaced = say("imported_replaced", n=result.replaced) if result.replaced else ""
    click.echo(say("imported", path=result.path, n=result.imported, unchanged=result.unchanged) + replaced)
