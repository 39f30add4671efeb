"""The `report` group: a province's report and the national synthesis, written out or queued as email."""
from __future__ import annotations

from collections.abc import Callable
from datetime import date

import click

from dtrack.commands.shared import App, DateParam, as_of_option, lang_option, note_line, pass_app, say


def _report_options(func: Callable) -> Callable:
    func = click.option("-o", "--output", "output", metavar="FILE", default=None,
                        help="Write the report to FILE. Without it, html/md/csv go to standard output and xlsx "
                             "is written to a default file name (bao-cao-SLUG-DATE.xlsx) in this folder.")(func)
    func = click.option("--format", "fmt", type=click.Choice(["html", "md", "xlsx", "csv"]), default="html",
                        show_default=True,
                        help="html: one self-contained file that prints on A4; md: for mail and wikis; "
                             "xlsx: one sheet per table; "
                             "csv: the matrix (national) or the task table (province).")(func)
    func = click.option("--year", type=int, default=None,
                        help="Year of the reported figures (default: the year of --as-of).")(func)
    func = click.option("--directive", default="20/CT-BCT", show_default=True, help="Which directive.")(func)
    return lang_option(as_of_option(func))


def _report_request(app: App, as_of: date | None, lang: str | None, year: int | None, directive: str):
    from dtrack.reports.document import ReportOptions

    return ReportOptions(app.today(as_of), lang or app.lang_given or app.settings().language, year, directive)


def _emit_report(report, fmt: str, output: str | None) -> None:
    from pathlib import Path

    from dtrack.reports.render import render_file

    name, _, data = render_file(report, fmt)
    if output is None and fmt != "xlsx":
        click.echo(data.decode("utf-8"), nl=False)
        return
    target = Path(output or name)
    try:
        target.write_bytes(data)
    except OSError as exc:
        from dtrack.errors import InvalidInput

        raise InvalidInput("output", "cannot_write", path=str(target), reason=exc.strerror) from None
    click.echo(say("wrote", path=target, size=len(data)), err=True)


@click.group()
def report() -> None:
    """Reports to the Department: a province's report and the national synthesis.

    Vietnamese by default (--lang en for English); dates dd/mm/yyyy, money in
    VND (56,31 tỷ đồng). Every report is as of a day (--as-of): states are
    replayed from the audit trail up to that day.
    """


@report.command("province")
@click.argument("slug")
@_report_options
@pass_app
def report_province(app: App, slug: str, as_of: date | None, lang: str | None, directive: str, year: int | None,
                    fmt: str, output: str | None) -> None:
    """A province's report on the directive: every task group, notes, obstacles, proposals, figures."""
    from dtrack.reports.province import province_report

    with app.database().session() as session:
        built = province_report(session, slug, _report_request(app, as_of, lang, year, directive))
        note_line(built.extra["note"])
        _emit_report(built, fmt, output)


@report.command("national")
@click.option("--since", type=DateParam(), default=None,
              help="Also list what changed after this day: transitions, completions, newly overdue tasks.")
@_report_options
@pass_app
def report_national(app: App, since: date | None, as_of: date | None, lang: str | None, directive: str,
                    year: int | None, fmt: str, output: str | None) -> None:
    """The national synthesis: the 34 x 10 matrix, counts per region, overdue, blocked, waiting, figures."""
    from dtrack.reports.national import national_report

    since_day = since
    with app.database().session() as session:
        built = national_report(session, _report_request(app, as_of, lang, year, directive), since_day)
        _emit_report(built, fmt, output)


@report.command("send")
@click.argument("kind", type=click.Choice(["national", "province"]))
@click.argument("slug", required=False)
@click.option("--to", "to", required=True, metavar="department|EMAIL,...",
              help="department: every overseer; or registered users' emails separated by commas.")
@click.option("--since", type=DateParam(), default=None, help="National report: also list what changed after this day.")
@_report_options
@pass_app
def report_send(app: App, kind: str, slug: str | None, to: str, since: date | None, as_of: date | None,
                lang: str | None, directive: str, year: int | None, fmt: str, output: str | None) -> None:
    """Put a rendered report into the outbox as an attachment with a short covering message.

    \b
    dtrack report send national --to department
    dtrack report send province ha-noi --to giam.sat@moit.gov.vn --format xlsx
    Then `dtrack outbox send` delivers it (the scheduler does so every day).
    """
    from dtrack.errors import InvalidInput
    from dtrack.reports.national import national_report
    from dtrack.reports.province import province_report
    from dtrack.reports.sending import queue_report

    if (kind == "province") != bool(slug):
        raise InvalidInput("slug", "slug_for_province_only")
    options = _report_request(app, as_of, lang, year, directive)
    with app.database().session() as session:
        if kind == "national":
            built = national_report(session, options, since)
        else:
            assert slug, "checked above: a province report names its province"
            built = province_report(session, slug, options)
        queued = queue_report(session, built, fmt, to, mail_from=app.settings().mail_from, now=app.clock(as_of).now())
    if output:
        _emit_report(built, fmt, output)
    for item in queued:
        state = say("queued", id=item.outbox_id) if item.created else say("already_queued", id=item.outbox_id)
        click.echo(f"{item.recipient}: {state}")
    click.echo(say("next", command="dtrack outbox send"))
