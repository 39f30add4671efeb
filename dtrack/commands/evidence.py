"""The `task` group's evidence files, comments and document numbers (issues 13, 23): attach, files, file-get,
comment, document.

`dtrack.cli` adds them to the `task` group (`commands.task`).
"""
from __future__ import annotations

import sys
from datetime import date

import click

from dtrack.commands.shared import App, DateParam, as_of_option, emit_json, json_option, pass_app, say


@click.command("attach")
@click.argument("task_ref", metavar="TASK")
@click.argument("path", metavar="FILE", type=click.Path(exists=True, dir_okay=False, readable=True))
@click.option("--as", "actor", required=True, metavar="EMAIL", help="Who attaches it (the task's province officer).")
@click.option("--name", default=None, help="The name to record (default: the file's own name).")
@json_option
@pass_app
def task_attach(app: App, task_ref: str, path: str, actor: str, name: str | None, as_json: bool) -> None:
    """Attach an evidence file (PDF, DOCX, XLSX, ODT, ODS, JPEG, PNG) to a task, before it is accepted."""
    from pathlib import Path

    from dtrack.evidence.attachments import attach

    content = Path(path).read_bytes()
    view = attach(app.database(), app.clock(), app.settings(), task_ref, actor, name or Path(path).name, content)
    if as_json:
        emit_json(view.to_json())
    else:
        click.echo(say("attached", key=view.task_key, name=view.name, size=f"{view.size:,}", mimetype=view.mimetype,
                       id=view.id))


@click.command("files")
@click.argument("task_ref", metavar="TASK")
@click.option("--withdrawn", is_flag=True, help="Also list files their uploader withdrew.")
@json_option
@pass_app
def task_files(app: App, task_ref: str, withdrawn: bool, as_json: bool) -> None:
    """List a task's evidence files: id, name, size, who attached it and when."""
    from dtrack.config.clock import local_dmy_hm
    from dtrack.evidence.attachments import list_files
    from dtrack.terminal import table

    clock = app.clock()
    with app.database().session() as session:
        found = list_files(session, None, task_ref, withdrawn=withdrawn)
    if as_json:
        emit_json([f.to_json() for f in found])
        return
    rows = [[f.id, f.name, f"{f.size:,}", f.mimetype.rsplit("/", 1)[-1][:20], f.uploaded_by,
             local_dmy_hm(f.uploaded_at, clock.tz), say("file_withdrawn") if f.withdrawn_at else ""] for f in found]
    click.echo(table(say("files_headers").split("|"), rows) if rows else say("no_files"))


@click.command("file-get")
@click.argument("task_ref", metavar="TASK")
@click.argument("file_id", metavar="ID")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, writable=True),
              help="Where to write the file ('-' for standard output).")
@pass_app
def task_file_get(app: App, task_ref: str, file_id: str, output: str) -> None:
    """Write one evidence file of a task (its id from `dtrack task files`) to OUTPUT."""
    from pathlib import Path

    from dtrack.evidence.attachments import fetch

    view, content = fetch(app.database(), app.settings(), None, task_ref, file_id)
    if output == "-":
        sys.stdout.buffer.write(content)
        return
    Path(output).write_bytes(content)
    click.echo(say("file_written", name=view.name, size=f"{view.size:,}", path=output), err=True)


@click.command("comment")
@click.argument("task_ref", metavar="TASK")
@click.argument("text")
@click.option("--as", "actor", required=True, metavar="EMAIL", help="Who writes it (the province or the Department).")
@pass_app
def task_comment(app: App, task_ref: str, text: str, actor: str) -> None:
    """Write in a task's thread; the other side sees it on the task page and in their next digest."""
    from dtrack.workflow.comments import post_comment

    posted = post_comment(app.database(), app.clock(), task_ref, actor, text, app.settings().comment_max_chars)
    click.echo(say("commented", key=posted.task_key, id=posted.event_id))


@click.command("document")
@click.argument("task_ref", metavar="TASK")
@click.option("--number", required=True, metavar="TEXT", help='The document\'s number, e.g. "123/BC-SCT".')
@click.option("--date", "issued_on", required=True, type=DateParam(), help="The date the document bears.")
@click.option("--issuer", required=True, metavar="TEXT", help='Who issued it, e.g. "Sở Công Thương tỉnh Cà Mau".')
@click.option("--summary", default="", metavar="TEXT", help='Its summary line ("V/v …"), if any.')
@click.option("--direction", type=click.Choice(["in", "out"]), default="in", show_default=True,
              help="in: sent to the Ministry (a province's report); out: sent by it (a letter).")
@click.option("--as", "actor", required=True, metavar="EMAIL",
              help="Who records it (the task's province officer, or an overseer).")
@as_of_option
@pass_app
def task_document(app: App, task_ref: str, number: str, issued_on: date, issuer: str, summary: str, direction: str,
                    actor: str, as_of: date | None) -> None:
    """Record the number and date of a document exchanged about a task (shown in its history and reports).

    \b
    dtrack task document 20/CT-BCT:3:ca-mau --number 123/BC-SCT --date 10/11/2026 \\
        --issuer "Sở Công Thương tỉnh Cà Mau" --as canbo@camau.gov.vn
    """
    from dtrack.documents.task_documents import record_for
    from dtrack.workflow.users import find_user

    with app.database().session() as session:
        row = record_for(session, find_user(session, actor), task_ref, number, issued_on, issuer, summary, direction,
                         app.clock(as_of).now())
        text = say("document_recorded", number=row.number, day=row.issued_on.strftime("%d/%m/%Y"))
    click.echo(text)
