"""dtrack's command line: the root group, its options, the one-line errors, and `main`.

Nothing here decides anything: every rule lives in `workflow/` and
`directives/`. Core errors (`DtrackError`) become one line on stderr and a
non-zero exit (`DtrackGroup`). The commands are in `dtrack/commands/`, one
module per group, with what they share in `dtrack.commands.shared`; this
module imports them and adds them to the group (they never import it), so
every command is there however dtrack starts (`dtrack`, `python -m dtrack`,
`python -m dtrack.cli`).
"""
from __future__ import annotations

from typing import Any

import click

from dtrack.commands import (
    calendar,
    communes,
    deadlines,
    demo,
    digest,
    directive,
    evidence,
    indicators,
    init,
    outbox,
    overdue,
    overview,
    part,
    reminders,
    report,
    scheduler,
    serve,
    task,
    tasks,
    users,
)
from dtrack.commands.shared import App, UserError, current_lang, hold_collector, say, start_up_over


class UsageMistake(click.UsageError):
    """A mistyped command line (unknown option, missing value...), said in the command's language."""

    def __init__(self, message: str, ctx: click.Context | None = None) -> None:
        super().__init__(message, ctx)
        self.prefix = say("error")

    def show(self, file=None) -> None:  # noqa: D102 - click's signature
        if self.ctx is not None:
            click.echo(self.ctx.get_usage(), err=True)
        from dtrack.terminal import neutralise

        click.echo(f"{self.prefix}: {neutralise(self.format_message(), cell=True)}", err=True)


class DtrackGroup(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        from dtrack.errors import DtrackError

        try:
            return super().invoke(ctx)
        except DtrackError as exc:
            # Worded here, with the running command's options: its field is named as the option (--note).
            from dtrack.commands.error_lines import error_line, innermost_context

            raise UserError(error_line(exc, current_lang(), innermost_context(exc.__traceback__))) from None
        except click.UsageError as exc:
            if current_lang() != "vi" or isinstance(exc, UsageMistake):
                raise
            raise UsageMistake(_usage_vi(exc), exc.ctx) from None
        except Exception as exc:
            # A connection the server ended mid-command (a restart): one line, not a traceback. Each
            # step is its own transaction, so the interrupted one was rolled back and a rerun resumes.
            if not getattr(exc, "connection_invalidated", False):  # SQLAlchemy's disconnect flag
                raise
            reason = (str(getattr(exc, "orig", None) or exc).strip().splitlines() or ["?"])[0]
            raise UserError(say("database_lost", reason=reason)) from None


def _usage_vi(exc: click.UsageError) -> str:
    """Click's own usage errors in Vietnamese; the detail click gives is kept after the colon."""
    if isinstance(exc, click.MissingParameter):
        hint = exc.param.get_error_hint(exc.ctx) if exc.param is not None and exc.ctx is not None else ""
        return say("usage_missing", name=hint) if hint else exc.message
    if isinstance(exc, click.NoSuchOption):
        return say("usage_no_option", name=exc.option_name) + (
            say("usage_did_you_mean", names=", ".join(exc.possibilities)) if exc.possibilities else "")
    if isinstance(exc, click.BadParameter):
        where = exc.param_hint or (exc.param.get_error_hint(exc.ctx) if exc.param is not None and exc.ctx else "")
        return say("usage_bad_value", name=where, detail=exc.message)
    return exc.message


@click.group(cls=DtrackGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option(
    "--db", "db_url", metavar="URL", default=None,
    help="Database URL (default: DTRACK_DATABASE_URL or sqlite:///dtrack.db), e.g. postgresql+psycopg://user@host/db.",
)
@click.option(
    "--lang", type=click.Choice(["vi", "en"]), default=None,
    help="Language of tables, messages and errors (default: DTRACK_LANG or vi); --json stays English.",
)
@click.version_option(package_name="dtrack")
@click.pass_context
def cli(ctx: click.Context, db_url: str | None, lang: str | None) -> None:
    """Track how provinces carry out a government directive.

    Each task group of a directive is a state machine per province.
    Province users start, update, submit and block their tasks; the
    Department's overseers send them back or accept them. Start with
    `dtrack init`, then `dtrack status`. A task is named by its id or
    its key DIRECTIVE:GROUP:PROVINCE, e.g. 20/CT-BCT:2:ha-noi. Output is
    in Vietnamese unless --lang en (or DTRACK_LANG=en); dates are typed
    dd/mm/yyyy or yyyy-mm-dd.
    """
    ctx.obj = App(db_url, lang)


# The commands under the root, and the evidence commands of the `task` group (`commands.evidence`).
for _command in (init.init, init.settings_cmd, init.provinces, communes.communes, users.users, directive.directive,
                 tasks.tasks, task.task, overview.status, overview.lifecycle, overdue.overdue, deadlines.deadlines,
                 calendar.calendar, reminders.reminders, digest.digest, outbox.outbox, report.report,
                 indicators.indicators, scheduler.scheduler, serve.serve, demo.demo, part.part):
    cli.add_command(_command)
for _command in (evidence.task_attach, evidence.task_files, evidence.task_file_get, evidence.task_comment,
                 evidence.task_document, part.task_delegate):
    task.task.add_command(_command)


def main() -> None:
    hold_collector()
    try:
        cli(prog_name="dtrack")
    finally:
        start_up_over()


if __name__ == "__main__":
    main()
