"""The `report` group: a province's report and the national synthesis, written out or queued as email."""
from __future__ import annotations

from collections.abc import Callable
from datetime import date

import click

from dtrack.commands.letters import letters
from dtrack.commands.shared import App, DateParam, as_of_option, lang_option, note_line, pass_app, say


def _report_options(func: Callable) -> Callable:
    func = click.option("-o", "--output", "output", metavar="FILE", default=None,
                        help="Write the report to FILE. Without it, html/md/csv go to standard output and "
                             "xlsx/docx/pdf are written to a default file name (bao-cao-SLUG-DATE.xlsx) in this "
                             "folder.")(func)
    func = click.option("--format", "fmt", type=click.Choice(["html", "md", "xlsx", "csv", "docx", "pdf"]),
                        default="html", show_default=True,
                        help="html: one self-contained file that prints on A4; md: for mail and wikis; "
                             "xlsx: one sheet per table; "
                             "csv: the matrix (national) or the task table (province); "
                             "docx/pdf: the official document (Decree 30/2020/ND-CP form).")(func)
    func = click.option("--year", type=int, default=None,
                        help="Year of the reported figures (default: the year of --as-of).")(func)
    func = click.option("--directive", default="20/CT-BCT", show_default=True,
                        help="Which directive; all: the report over every directive in force (national only: "
                             "one line per directive, then regions and provinces).")(func)
    return lang_option(as_of_option(func))


def _report_request(app: App, as_of: date | None, lang: str | None, year: int | None, directive: str):
    from dtrack.reports.document import ReportOptions

    return ReportOptions(app.today(as_of), lang or app.lang_given or app.settings().language, year, directive)


def _national(session, options, since: date | None):
    """The national report of one directive, or the report over every directive (`--directive all`)."""
    from dtrack.reports.every_directive import every_directive_report, wants_every_directive
    from dtrack.reports.national import national_report

    if wants_every_directive(options.directive):
        return every_directive_report(session, options, since)
    return national_report(session, options, since)


def _emit_report(report, fmt: str, output: str | None) -> None:
    from pathlib import Path

    from dtrack.documents.files import render_any

    name, _, data = render_any(report, fmt)
    if output is None and fmt not in ("xlsx", "docx", "pdf"):
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


report.add_command(letters)


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
    """The national synthesis: the 34 x 10 matrix, counts per region, overdue, blocked, waiting, figures.

    \b
    dtrack report national --directive all --format pdf
    gives the report over every directive in force: one line per directive (tasks, completed, on time,
    overdue, rates), then every directive's totals per region and per province.
    """
    with app.database().session() as session:
        built = _national(session, _report_request(app, as_of, lang, year, directive), since)
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
    from dtrack.documents.files import render_any
    from dtrack.errors import InvalidInput
    from dtrack.reports.province import province_report
    from dtrack.reports.sending import queue_report

    if (kind == "province") != bool(slug):
        raise InvalidInput("slug", "slug_for_province_only")
    options = _report_request(app, as_of, lang, year, directive)
    with app.database().session() as session:
        if kind == "national":
            built = _national(session, options, since)
        else:
            assert slug, "checked above: a province report names its province"
            built = province_report(session, slug, options)
        queued = queue_report(session, built, fmt, to, mail_from=app.settings().mail_from, now=app.clock(as_of).now(),
                              rendered=render_any(built, fmt))
    if output:
        _emit_report(built, fmt, output)
    for item in queued:
        state = say("queued", id=item.outbox_id) if item.created else say("already_queued", id=item.outbox_id)
        click.echo(f"{item.recipient}: {state}")
    click.echo(say("next", command="dtrack outbox send"))


@report.command("urge")
@click.argument("slug")
@click.option("--as", "actor", required=True, metavar="EMAIL", help="The overseer who writes (and issues) the letter.")
@click.option("--issue", is_flag=True,
              help="Issue it: take the next number of the register and record the letter on each task it names. "
                   "Without it, a draft with a blank number.")
@click.option("--send", is_flag=True,
              help="With --issue: also queue the letter in the outbox to the province's officers "
                   "(`dtrack outbox send` delivers it).")
@click.option("--format", "fmt", type=click.Choice(["docx", "pdf"]), default="docx", show_default=True,
              help="docx: for the clerk to edit and sign; pdf: as issued.")
@click.option("-o", "--output", "output", metavar="FILE", default=None,
              help="Write the letter to FILE (default: cong-van-don-doc-SLUG-DATE.FORMAT in this folder).")
@click.option("--reply-by", type=DateParam(), default=None,
              help="The date the province is asked to complete and report by (default: 15 days after the letter).")
@click.option("--escalate-after", type=int, default=None, metavar="DAYS",
              help="A task this many days overdue sends the letter to the provincial People's Committee "
                   "instead of the Department (default: the directive file's escalate_after_days in "
                   "[directive.report], else 30; 0: always).")
@click.option("--authority", default="", metavar="TEXT",
              help='The signing authority line, e.g. "KT. CỤC TRƯỞNG" (TM., KT., TL., TUQ., Q.); '
                   "none when the head signs.")
@click.option("--position", default="", metavar="TEXT", help="The signer's position, e.g. \"PHÓ CỤC TRƯỞNG\".")
@click.option("--signer", default="", metavar="NAME", help="The signer's name.")
@click.option("--cc", "copies", multiple=True, metavar="TEXT",
              help='A "Nơi nhận" line after "Như trên" (repeatable; replaces the directive\'s lines).')
@click.option("--directive", default="20/CT-BCT", show_default=True, help="Which directive.")
@lang_option
@as_of_option
@pass_app
def report_urge(app: App, slug: str, actor: str, issue: bool, send: bool, fmt: str, output: str | None,
                reply_by: date | None,
                escalate_after: int | None, authority: str, position: str, signer: str, copies: tuple[str, ...],
                directive: str, lang: str | None, as_of: date | None) -> None:
    """A "công văn đôn đốc": the overseer's letter urging a province to complete its overdue tasks.

    \b
    dtrack report urge ca-mau --as giam.sat@moit.gov.vn --format pdf
    dtrack report urge ca-mau --as giam.sat@moit.gov.vn --issue --authority "KT. CỤC TRƯỞNG" \\
        --position "PHÓ CỤC TRƯỞNG" --signer "Nguyễn Văn A"
    It lists the province's overdue tasks with their deadlines and days late and asks for completion
    by a date. A draft's number is blank; --issue numbers it from the register (per issuing body and
    year, no duplicate, no gap) and writes an audit row on each task it names, in one transaction.
    """
    from pathlib import Path

    from dtrack.documents.files import MIMETYPES, official_bytes, urge_file_names
    from dtrack.documents.issuing import issue_urge
    from dtrack.documents.sending import queue_letter
    from dtrack.documents.urge import UrgeRequest, urge_letter_for
    from dtrack.errors import InvalidInput
    from dtrack.workflow.users import find_user

    if send and not issue:
        raise InvalidInput("send", "send_needs_issue")
    request = UrgeRequest(app.today(as_of), lang or app.lang_given or app.settings().language, directive, reply_by,
                          escalate_after, authority, position, signer, tuple(c for c in copies if c.strip()))
    queued = []
    with app.database().session() as session:
        user = find_user(session, actor)
        letter = urge_letter_for(session, user, slug, request)
        document = letter.document
        names = urge_file_names(letter.province.slug, letter.day, document.title, fmt)
        if issue:
            now = app.clock(as_of).now()
            issued = issue_urge(session, letter, user, now)
            data = official_bytes(issued.document, fmt)  # rendered before the block commits: a failure issues nothing
            if send:
                queued = queue_letter(session, letter, issued, (names[1], MIMETYPES[fmt], data),
                                      mail_from=app.settings().mail_from, now=now)
        else:
            data = official_bytes(document, fmt)
    target = Path(output or names[0])
    try:
        target.write_bytes(data)
    except OSError as exc:
        raise InvalidInput("output", "cannot_write", path=str(target), reason=exc.strerror) from None
    if letter.escalated:
        click.echo(say("urge_escalated", days=letter.escalate_after), err=True)
    click.echo(say("urge_issued", number=issued.reference, n=len(letter.tasks)) if issue else say("urge_draft"),
               err=True)
    click.echo(say("wrote", path=target, size=len(data)), err=True)
    for item in queued:
        click.echo(say("urge_queued", recipient=item.recipient, id=item.outbox_id) if item.created
                   else f"{item.recipient}: {say('already_queued', id=item.outbox_id)}")
    if queued:
        click.echo(say("next", command="dtrack outbox send"))
