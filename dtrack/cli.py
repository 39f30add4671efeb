"""dtrack's command line: parses options, calls the core, prints the result.

Nothing here decides anything: every rule lives in `workflow/` and
`directives/`. Core errors (`DtrackError`) become one line on stderr and a
non-zero exit; heavy libraries are imported inside the commands that use
them, so `dtrack --help` starts fast.

This module is the root group, the options and helpers every command shares
(dates, --as-of, --json, --lang, output, the one-line errors) and `main`; the
commands are in `dtrack/commands/`, one module per group, imported below so
that every command is there however dtrack starts (`dtrack`, `python -m
dtrack`, `python -m dtrack.cli`).
"""
from __future__ import annotations

import gc
import json
import sys
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from dtrack.config.clock import Clock
    from dtrack.config.settings import Settings
    from dtrack.persistence.database import Database


def current_lang() -> str:
    """The language of this command's output: the global --lang, else DTRACK_LANG, else Vietnamese."""
    from dtrack.terminal_wording import language

    ctx = click.get_current_context(silent=True)
    app = ctx.find_object(App) if ctx else None
    return app.lang if app else language()


def say(wording_key: str, /, **values: Any) -> str:
    """One line of the wording table (terminal_wording.py) in this command's language."""
    from dtrack.terminal_wording import words

    text = words(current_lang())[wording_key]
    if not values:
        return text
    from dtrack.terminal import neutralise  # the values are users' and files' text: no control or bidi character

    return text.format(**{k: neutralise(v) if isinstance(v, str) else v for k, v in values.items()})


class UserError(click.ClickException):
    """A core error shown as `lỗi: <what>; <hint>` (`error:` in English) with exit code 1."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.prefix = say("error")  # chosen now: click shows the error after the command's context is gone

    def show(self, file=None) -> None:  # noqa: D102 - click's signature
        from dtrack.terminal import neutralise  # an error quotes what was typed or stored

        click.echo(f"{self.prefix}: {neutralise(self.format_message(), cell=True)}", err=True)


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
        from dtrack.i18n.error_messages import say as say_error

        try:
            return super().invoke(ctx)
        except DtrackError as exc:
            raise UserError(say_error(exc, current_lang())) from None
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


class DateParam(click.ParamType):
    """A day typed dd/mm/yyyy or yyyy-mm-dd; a wrong one is reported under the option as typed (--as-of).

    `as_text` gives the ISO text (what settings read); otherwise a `date`.
    """

    name = "date"

    def __init__(self, as_text: bool = False) -> None:
        self.as_text = as_text

    def get_metavar(self, param: click.Parameter, ctx: click.Context | None = None) -> str:
        return "DD/MM/YYYY"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        from dtrack.config.clock import in_range
        from dtrack.config.settings import parse_date

        if isinstance(value, date):
            day = value
        else:
            name = max(param.opts, key=len) if param is not None and param.opts else "date"
            day = in_range(parse_date(str(value), name), name, str(value))  # 9999-12-31 overflows date arithmetic
        return day.isoformat() if self.as_text else day


# Whether main() holds the cyclic garbage collector off for the start-up (see hold_collector).
_collector_held = False


def hold_collector() -> None:
    """Keep the cyclic garbage collector off while a command starts up.

    Start-up creates some 75,000 objects (SQLAlchemy, the mapping, the
    dialect) that live until the process ends; the collector's passes over
    them, one per generation as they age, were about a sixth of a read
    command's CPU and found some 140 objects of garbage (left frozen).
    `start_up_over` freezes them and turns the collector back on, so a long
    command (serve, scheduler, demo) still collects everything it makes.
    """
    global _collector_held
    if gc.isenabled():
        gc.disable()
        _collector_held = True


def start_up_over() -> None:
    """Move what start-up made out of the collector's reach and collect again from here on."""
    global _collector_held
    if _collector_held:
        _collector_held = False
        gc.freeze()
        gc.enable()


class App:
    """What every command needs: checked settings, the database, the clock."""

    def __init__(self, db_url: str | None, lang: str | None = None) -> None:
        from dtrack.terminal_wording import language

        self.db_url = db_url
        self.lang_given = lang  # the global --lang as typed: it also chooses the language of reports
        self.lang = language(lang)
        self._db: Database | None = None
        self._ready = False
        self._settings: dict[str | None, Settings] = {}

    def settings(self, as_of: str | None = None) -> Settings:
        """The checked settings, read once per command (and per --as-of value)."""
        if as_of not in self._settings:
            from dtrack.config.settings import load_settings

            self._settings[as_of] = load_settings(database_url=self.db_url, today=as_of)
        return self._settings[as_of]

    def database(self, ready: bool = True) -> Database:
        if self._db is None:
            from dtrack.persistence.database import Database

            self._db = Database(self.settings().database_url)
        if ready and not self._ready:
            self._db.ensure_ready()
            self._ready = True
        start_up_over()  # the engine, the dialect and the mapping are loaded: what follows is the command's work
        return self._db

    def clock(self, as_of: str | None = None) -> Clock:
        from dtrack.config.clock import Clock

        settings = self.settings(as_of)
        return Clock(settings.timezone, settings.today)


# A task group's number as typed: a database integer cannot hold more (PostgreSQL would refuse the query).
GROUP_NUMBER = click.IntRange(1, 9999)


def as_of_option(func: Callable) -> Callable:
    return click.option(
        "--as-of", type=DateParam(as_text=True), default=None,
        help="Act as if today were this date (in Asia/Ho_Chi_Minh); default: DTRACK_TODAY or the real date.",
    )(func)


def json_option(func: Callable) -> Callable:
    return click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts instead of a table.")(func)


def _command_lang(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """A command's own --lang also words its messages and errors, not only its table or report."""
    app = ctx.find_object(App)
    if value and app is not None:
        app.lang = value
    return value


def lang_option(func: Callable) -> Callable:
    return click.option(
        "--lang", type=click.Choice(["vi", "en"]), default=None, callback=_command_lang,
        help="Language of this command's output (default: the global --lang, DTRACK_LANG, or vi).",
    )(func)


def emit_json(data: Any) -> None:
    from dtrack.terminal import json_safe

    click.echo(json_safe(json.dumps(data, ensure_ascii=False, indent=2, default=str)))


def note_line(note: str | None) -> None:
    if note:
        from dtrack.i18n.error_messages import phrase
        from dtrack.terminal import neutralise

        click.echo(f"{say('note')}: {neutralise(phrase(note, current_lang()), cell=True)}", err=True)


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


pass_app = click.make_pass_decorator(App)

# --- the commands -------------------------------------------------------------------------
# Each module registers its commands on `cli` when imported, so it comes after everything
# above: the command modules import `cli` and the shared options from here.
from dtrack.commands import (  # noqa: E402, F401 - imported for the commands they register
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
    reminders,
    report,
    scheduler,
    serve,
    task,
    tasks,
    users,
)
from dtrack.commands.overdue import overdue_csv_text  # noqa: E402, F401 - still importable from here


def main() -> None:
    hold_collector()
    try:
        cli(prog_name="dtrack")
    finally:
        start_up_over()


if __name__ == "__main__":
    # `python -m dtrack.cli` runs this file as `__main__`, a second copy of the module: the
    # command modules registered themselves on the group of `dtrack.cli` (which they import),
    # not on this copy's, so run that one.
    from dtrack.cli import main as registered_main

    registered_main()
    sys.exit(0)
