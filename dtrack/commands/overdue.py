"""`dtrack overdue`: who is late, on what, by how much (a table, JSON, CSV or the four-cell matrix)."""
from __future__ import annotations

from datetime import date
from typing import Any

import click

from dtrack.commands.shared import (
    GROUP_NUMBER,
    App,
    UserError,
    as_of_option,
    emit_json,
    json_option,
    lang_option,
    note_line,
    pass_app,
    say,
)


@click.command()
@click.option("--region", default=None, help="Only north, central or south.")
@click.option("--province", default=None, help="Only this province (slug or name; old names work too).")
@click.option("--group", type=GROUP_NUMBER, default=None, help="Only this task group number, e.g. 9.")
@click.option("--directive", default=None, help="Only this directive's tasks, e.g. 20/CT-BCT.")
@click.option("--min-days", type=int, default=0, show_default=True, help="Only tasks at least this many days overdue.")
@click.option("--limit", type=click.IntRange(min=0), default=None,
              help="List at most this many tasks, most overdue first (default: 100 in the table, all in --json/--csv; "
                   "0: all). The counts always cover every task.")
@click.option("--matrix", is_flag=True,
              help="Print the four-cell counts (on time / late / open in time / overdue) per province and region "
                   "instead.")
@click.option("--csv", "as_csv", is_flag=True, help="Print CSV (one row per overdue task) for spreadsheets.")
@as_of_option
@json_option
@lang_option
@pass_app
def overdue(app: App, region: str | None, province: str | None, group: int | None, directive: str | None,
            min_days: int, limit: int | None, matrix: bool, as_csv: bool, as_of: date | None, as_json: bool,
            lang: str | None) -> None:
    """Who is late, on what, by how much: overdue tasks, most days late first.

    Judged against the deadline in force (after extensions), with the
    original deadline shown beside it. Submissions waiting for the
    Department's review are listed apart: that delay is not the province's.
    Ends with the overdue count per province and per region.
    """
    from dtrack.reading.overdue import (
        OverdueReview,
        Scope,
        TimelinessMatrix,
        check_min_days,
        overdue_review,
        timeliness_matrix,
    )
    from dtrack.reading.scope import checked_directive
    from dtrack.terminal import overdue_text, timeliness_matrix_text
    from dtrack.workflow.provinces import check_region, resolve_optional

    check_region(region)
    check_min_days(min_days)
    if as_json and as_csv:
        raise UserError(say("json_and_csv"))
    today = app.today(as_of)
    lang = lang or app.lang
    with app.database().session() as session:
        province_row, note = resolve_optional(session, province)
        scope = Scope(region=region, province=province_row, group=group,
                      directive=checked_directive(session, directive))  # an unknown code: one line, not no tasks
        result: TimelinessMatrix | OverdueReview
        if matrix:
            result = timeliness_matrix(session, today, scope)
        else:
            if limit is None:
                limit = 0 if (as_json or as_csv) else 100
            result = overdue_review(session, today, scope, min_days=min_days, limit=limit or None)
    note_line(note)
    if as_json:
        emit_json(result.to_json())
    elif as_csv:
        _overdue_csv(result)
    else:
        click.echo(timeliness_matrix_text(result, lang) if isinstance(result, TimelinessMatrix)
                   else overdue_text(result, lang))


def _overdue_csv(result: Any) -> None:
    click.echo(overdue_csv_text(result), nl=False)


def overdue_csv_text(result: Any) -> str:
    """`overdue --csv`: one row per overdue task (or per scope with --matrix); no field can run code."""
    import io

    from dtrack.reports.spreadsheet_safety import csv_writer

    buffer = io.StringIO()
    writer = csv_writer(buffer)
    if hasattr(result, "overdue"):
        rows = [t.to_json() for t in result.overdue]
        fields = list(rows[0]) if rows else ["key", "days"]
        writer.writerow(fields)
        writer.writerows([r[f] for f in fields] for r in rows)
    else:
        data = result.to_json()
        fields = list(data["total"])
        writer.writerow(["scope", *fields])
        for scope, counts in [*data["provinces"].items(), *data["regions"].items(), ("all", data["total"])]:
            writer.writerow([scope, *[counts[f] for f in fields]])
    return buffer.getvalue()
