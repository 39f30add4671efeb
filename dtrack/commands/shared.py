"""What every command shares: the `App` the root group makes, the common options, and how output is said.

The commands (one module per group in `dtrack/commands/`) import from here,
never from `dtrack.cli`: `cli.py` imports the commands and adds them to the
root group, so the two depend one way only. Heavy libraries are imported
inside the functions that use them, so `dtrack --help` starts fast.
"""
from __future__ import annotations

import gc
import json
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from dtrack.config.clock import Clock
    from dtrack.config.settings import Settings
    from dtrack.config.today import Today
    from dtrack.persistence.database import Database
    from dtrack.workflow.actions import Action
    from dtrack.workflow.deadlines import WorkCalendar


class ActionGroup(click.Group):
    """A group with its own commands and one command per action of the lifecycle in force
    (`dtrack task`, `dtrack part`).

    The actions are read from the lifecycle when a command is looked up or
    listed, never written out: a new action is a new command in every such
    group. A subclass says how an action becomes its command (`action_command`)
    and what the group's help is (`help_text`, in the command's language).
    """

    def action_command(self, action: Action) -> click.Command:
        raise NotImplementedError

    def help_text(self) -> str:
        raise NotImplementedError

    def list_commands(self, ctx: click.Context) -> list[str]:
        from dtrack.workflow import lifecycle

        return sorted({*super().list_commands(ctx), *(a.command for a in lifecycle.current().actions)})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        from dtrack.workflow import lifecycle

        found = super().get_command(ctx, cmd_name)
        action = next((a for a in lifecycle.current().actions if a.command == cmd_name), None)
        return found if found is not None or action is None else self.action_command(action)

    def format_help_text(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        formatter.write_paragraph()
        with formatter.indentation():
            formatter.write_text(self.help_text())

    def get_short_help_str(self, limit: int = 45) -> str:
        # Shortened as click shortens every command's help (a command of the same help says it).
        return click.Command(self.name, help=self.help_text()).get_short_help_str(limit)


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


class DateParam(click.ParamType):
    """A day typed dd/mm/yyyy or yyyy-mm-dd, as a `date`; a wrong one is reported under the option as typed."""

    name = "date"

    def get_metavar(self, param: click.Parameter, ctx: click.Context | None = None) -> str:
        return "DD/MM/YYYY"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        from dtrack.config.clock import in_range
        from dtrack.config.values import parse_date

        if isinstance(value, date):
            day = value
        else:
            name = param.name if param is not None and param.name else "date"  # its error names the option
            day = in_range(parse_date(str(value), name), name, str(value))  # 9999-12-31 overflows date arithmetic
        return day


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
    """What every command needs, made once by the root group: its language, the checked settings, the database.

    The settings are read and checked at the first use (so `--help` works whatever the environment
    holds) and then kept; `today` and `clock` are built from them and the command's --as-of.
    """

    def __init__(self, db_url: str | None, lang: str | None = None) -> None:
        from dtrack.terminal_wording import language

        self.db_url = db_url
        self.lang_given = lang  # the global --lang as typed: it also chooses the language of reports
        self.lang = language(lang)
        self._db: Database | None = None
        self._ready = False
        self._settings: Settings | None = None

    def settings(self) -> Settings:
        """The checked settings of this command, read from the environment once (--db overrides the URL)."""
        if self._settings is None:
            from dtrack.config.settings import load_settings

            self._settings = load_settings(database_url=self.db_url)
        return self._settings

    def database(self, ready: bool = True) -> Database:
        if self._db is None:
            from dtrack.persistence.database import Database

            self._db = Database(self.settings().database_url)
        if ready and not self._ready:
            self._db.ensure_ready()
            self._ready = True
        start_up_over()  # the engine, the dialect and the mapping are loaded: what follows is the command's work
        return self._db

    def clock(self, as_of: date | None = None) -> Clock:
        """The command's clock: pinned to --as-of, else to DTRACK_TODAY, else the real time in the settings' zone."""
        from dtrack.config.clock import Clock

        settings = self.settings()
        return Clock(settings.timezone, as_of or settings.today)

    def calendar(self) -> WorkCalendar:
        """The settings' working calendar; the core adds the declared days (`workflow.calendar_days`)."""
        from dtrack.workflow.deadlines import WorkCalendar

        return WorkCalendar.of(self.settings())

    def today(self, as_of: date | None = None) -> Today:
        """The command's one `Today` (its day, zone and due-soon window) for everything it reads."""
        from dtrack.config.today import Today

        return Today.of(self.clock(as_of), self.settings().due_soon_days)


# A task group's number as typed: a database integer cannot hold more (PostgreSQL would refuse the query).
GROUP_NUMBER = click.IntRange(1, 9999)


def as_of_option(func: Callable) -> Callable:
    return click.option(
        "--as-of", type=DateParam(), default=None,
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



pass_app = click.make_pass_decorator(App)
