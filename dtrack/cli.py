"""dtrack's command line: parses options, calls the core, prints the result.

Nothing here decides anything: every rule lives in `workflow/` and
`directives/`. Core errors (`DtrackError`) become one line on stderr and a
non-zero exit; heavy libraries are imported inside the commands that use
them, so `dtrack --help` starts fast.
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
    from dtrack.workflow.clock import Clock
    from dtrack.workflow.database import Database
    from dtrack.workflow.settings import Settings


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
        from dtrack.workflow.error_messages import say as say_error
        from dtrack.workflow.errors import DtrackError

        try:
            return super().invoke(ctx)
        except DtrackError as exc:
            raise UserError(say_error(exc, current_lang())) from None
        except click.UsageError as exc:
            if current_lang() != "vi" or isinstance(exc, UsageMistake):
                raise
            raise UsageMistake(_usage_vi(exc), exc.ctx) from None


def _usage_vi(exc: click.UsageError) -> str:
    """Click's own usage errors in Vietnamese; the detail click gives is kept after the colon."""
    if isinstance(exc, click.MissingParameter):
        hint = exc.param.get_error_hint(exc.ctx) if exc.param is not None and exc.ctx is not None else ""
        return say("usage_missing", name=hint) if hint else exc.message
    if isinstance(exc, click.NoSuchOption):
        return say("usage_no_option", name=exc.option_name) + (
            say("usage_did_you_mean", names=", ".join(exc.possibilities)) if exc.possibilities else "")
    if isinstance(exc, click.BadParameter):
        hint = exc.param_hint or (exc.param.get_error_hint(exc.ctx) if exc.param is not None and exc.ctx else "")
        return say("usage_bad_value", name=hint, detail=exc.message)
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
        from dtrack.workflow.clock import in_range
        from dtrack.workflow.settings import parse_date

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
            from dtrack.workflow.settings import load_settings

            self._settings[as_of] = load_settings(database_url=self.db_url, today=as_of)
        return self._settings[as_of]

    def database(self, ready: bool = True) -> Database:
        if self._db is None:
            from dtrack.workflow.database import Database

            self._db = Database(self.settings().database_url)
        if ready and not self._ready:
            self._db.ensure_ready()
            self._ready = True
        start_up_over()  # the engine, the dialect and the mapping are loaded: what follows is the command's work
        return self._db

    def clock(self, as_of: str | None = None) -> Clock:
        from dtrack.workflow.clock import Clock

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
        from dtrack.workflow.error_messages import phrase

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


# --- set-up -----------------------------------------------------------------


@cli.command()
@as_of_option
@pass_app
def init(app: App, as_of: str | None) -> None:
    """Create or upgrade the database and load the shipped seeds.

    Applies the migrations, loads the 34 provinces and Directive 20/CT-BCT,
    and assigns its ten task groups to every province (340 tasks). Safe to
    run again: it only adds what is missing.
    """
    from dtrack.usecases.bootstrap import initialise

    db = app.database(ready=False)
    result = initialise(db, app.clock(as_of), app.settings(as_of).calendar)
    click.echo(say("init_database", url=db.display_url))
    click.echo(say("init_provinces", n=result.provinces))
    click.echo(say("init_directive", code=result.directive.code, status=say(f"status_{result.directive.status}")))
    a = result.assignment
    click.echo(say("init_tasks", created=a.created, existing=a.existing, provinces=a.provinces))


@cli.command("settings")
@pass_app
def settings_cmd(app: App) -> None:
    """Show every setting, its value in force, and its environment variable."""
    from dtrack.terminal import table
    from dtrack.workflow.settings import SETTINGS, masked

    values = app.settings().values
    click.echo(table((say("h_setting"), say("h_value"), say("h_env"), say("h_meaning")),
                     [(s.name, masked(s.name, values[s.name]), s.env, s.help) for s in SETTINGS]))


@cli.command()
@click.option("--region", default=None, help="Only north, central or south.")
@json_option
@pass_app
def provinces(app: App, region: str | None, as_json: bool) -> None:
    """List the 34 provinces with their region and the old provinces merged into them."""
    from dtrack.terminal import table
    from dtrack.workflow.provinces import list_provinces

    with app.database().session() as session:
        found = list_provinces(session, region)
    if as_json:
        emit_json([p.to_json() for p in found])
        return
    from dtrack.terminal_wording import value_text
    from dtrack.workflow.vocabulary import REGION_LABELS, Region

    regions = REGION_LABELS[app.lang]
    click.echo(table((say("h_slug"), say("h_name"), say("h_region"), say("h_kind"), say("h_merged")),
                     [(p.slug, p.name, regions[Region(p.region)], value_text(p.kind, app.lang), ", ".join(p.merged_from))
                      for p in found]))


# --- users ------------------------------------------------------------------


@cli.group()
def users() -> None:
    """Register and list the people who use dtrack."""


@users.command("add")
@click.option("--email", required=True, help="Login and mail address; also what --as takes.")
@click.option("--name", required=True, help="Full name, with diacritics.")
@click.option("--role", required=True, type=click.Choice(["province", "overseer", "admin"]),
              help="province: a provincial Department of Industry and Trade; overseer: the Ministry's Department.")
@click.option("--province", default=None, help="Province slug (or old name) for a province user, e.g. ha-noi.")
@click.option("--locale", default="vi", type=click.Choice(["vi", "en"]), help="Language of the user's emails.")
@pass_app
def users_add(app: App, email: str, name: str, role: str, province: str | None, locale: str) -> None:
    """Register a user."""
    from dtrack.terminal import role_text
    from dtrack.workflow.users import add_user

    with app.database().session() as session:
        user, note = add_user(session, email=email, name=name, role=role, province=province,
                              now=app.clock().now(), locale=locale)
        where = say("for_province", slug=user.province.slug) if user.province else ""
        line = say("user_added", email=user.email, role=role_text(user.role, app.lang), where=where)
    note_line(note)
    click.echo(line)


@users.command("list")
@json_option
@pass_app
def users_list(app: App, as_json: bool) -> None:
    """List registered users."""
    from dtrack.terminal import role_text, table
    from dtrack.workflow.users import UserView, list_users

    with app.database().session() as session:
        found = [UserView.of(u) for u in list_users(session)]
    if as_json:
        emit_json([u.to_json() for u in found])
    else:
        click.echo(table((say("h_email"), say("h_name"), say("h_role"), say("h_province"), say("h_locale")),
                         [(u.email, u.name, role_text(u.role, app.lang), u.province, u.locale) for u in found]))


# --- tasks --------------------------------------------------------------------


@cli.group()
def tasks() -> None:
    """List tasks."""


@tasks.command("list")
@click.option("--province", default=None, help="Province slug or name (old names work too).")
@click.option("--region", default=None, help="north, central or south.")
@click.option("--state", default=None, help="Only tasks in this state, e.g. submitted.")
@click.option("--directive", default=None, help="Only this directive's tasks, e.g. 20/CT-BCT.")
@click.option("--group", type=GROUP_NUMBER, default=None, help="Only this task group number.")
@as_of_option
@json_option
@lang_option
@pass_app
def tasks_list(app: App, province: str | None, region: str | None, state: str | None,
               directive: str | None, group: int | None, as_of: str | None, as_json: bool, lang: str | None) -> None:
    """List tasks with their state, progress, deadline and deadline status (on track, due soon, overdue...).

    States are those at the end of --as-of (default today), replayed from the
    audit trail as the reports do; only tasks assigned by then are listed.
    """
    from dtrack.terminal import task_table
    from dtrack.workflow.provinces import check_region, resolve_optional
    from dtrack.workflow.tasks import list_tasks

    check_region(region)
    settings = app.settings(as_of)
    with app.database().session() as session:
        province_row, note = resolve_optional(session, province)
        views = list_tasks(session, province=province_row, region=region, state=state, directive=directive,
                           group=group, as_of=app.clock(as_of).today(), due_soon_days=settings.due_soon_days,
                           clock=app.clock(as_of))
    note_line(note)
    if as_json:
        emit_json([v.to_json() for v in views])
    else:
        click.echo(task_table(views, lang or app.lang))


@cli.group()
def task() -> None:
    """Act on one task (start, update, submit, send-back, accept, block, unblock, reopen) or show it.

    \b
    Province users:  start, update, submit, block, unblock (their own province's tasks)
    Overseers:       send-back, accept, reopen
    Admins:          everything
    See `dtrack lifecycle` for which action applies in which state.
    """


@task.command("show")
@click.argument("task_ref", metavar="TASK")
@as_of_option
@json_option
@lang_option
@pass_app
def task_show(app: App, task_ref: str, as_of: str | None, as_json: bool, lang: str | None) -> None:
    """Show a task, its deadline status (as of --as-of), what may happen next, and its full history.

    The history says who (name and email), when, the action, from -> to, and the note.
    """
    from dtrack.terminal import task_details
    from dtrack.workflow.tasks import TaskDetail, find_task

    settings = app.settings(as_of)
    with app.database().session() as session:
        found, note = find_task(session, task_ref)
        detail = TaskDetail(found, app.clock(as_of).today(), settings.due_soon_days)
        if as_json:
            data = detail.to_json()
        else:
            text = task_details(found, lang or app.lang, detail.view(), detail.allowed())
    note_line(note)
    emit_json(data) if as_json else click.echo(text)


_ACTION_HELP = {
    "start": "Start work on a not-started task (province user).",
    "update": "Report progress without changing the state; still audited (province user).",
    "submit": "Submit the task as done for the Department's review (province user).",
    "send_back": "Send a submission back for rework; --note says what is missing (overseer).",
    "accept": "Accept a submission: the task is completed (overseer).",
    "block": "Mark the task blocked; --note gives the reason (province user).",
    "unblock": "Resume a blocked task (province user).",
    "reopen": "Reopen a completed task; --note says why (overseer).",
}


def _action_command(trigger: str) -> click.Command:
    @click.argument("task_ref", metavar="TASK")
    @click.option("--as", "actor", required=True, metavar="EMAIL", help="Who does it (a registered user's email).")
    @click.option("--note", default=None, help="What was done, or why.")
    @click.option("--evidence", default=None, help="A reference to the proof, e.g. a decision number 'QĐ 123/QĐ-UBND'.")
    @click.option("--progress", default=None, metavar="0-100", help="Progress in percent.")
    @as_of_option
    @pass_app
    def command(app: App, task_ref: str, actor: str, note: str | None, evidence: str | None,
                progress: str | None, as_of: str | None) -> None:
        from dtrack.terminal import state_text
        from dtrack.workflow.service import Tracker

        outcome = Tracker(app.database(), app.clock(as_of)).fire(
            task_ref, trigger, actor, note=note, evidence=evidence, progress=progress)
        note_line(outcome.note)
        lang = app.lang
        moved = (f"{state_text(outcome.from_state, lang)} -> {state_text(outcome.to_state, lang)}"
                 if outcome.from_state != outcome.to_state else say("still", state=state_text(outcome.to_state, lang)))
        click.echo(say("action_done", key=outcome.task_key, action=trigger.replace("_", "-"), moved=moved,
                       progress=outcome.progress))

    command.__doc__ = _ACTION_HELP[trigger]
    return click.command(trigger.replace("_", "-"))(command)


for _trigger in _ACTION_HELP:
    task.add_command(_action_command(_trigger))


@task.command("not-applicable")
@click.argument("task_ref", metavar="TASK")
@click.option("--reason", required=True, help="Why the task does not apply to this province (shown with it).")
@click.option("--as", "actor", required=True, metavar="EMAIL", help="The overseer who decides.")
@as_of_option
@pass_app
def task_not_applicable(app: App, task_ref: str, reason: str, actor: str, as_of: str | None) -> None:
    """Mark a task not applicable (overseer): no reminders, out of overdue counts and rates; undo with `applicable`."""
    from dtrack.workflow.exemption import set_applicability

    done = set_applicability(app.database(), app.clock(as_of), actor, task_ref, not_applicable=True, reason=reason)
    note_line(done.note)
    click.echo(say("marked_not_applicable", key=done.task_key, reason=done.reason))


@task.command("applicable")
@click.argument("task_ref", metavar="TASK")
@click.option("--reason", default=None, help="Why it applies again (kept in the audit trail).")
@click.option("--as", "actor", required=True, metavar="EMAIL", help="The overseer who decides.")
@as_of_option
@pass_app
def task_applicable(app: App, task_ref: str, reason: str | None, actor: str, as_of: str | None) -> None:
    """Make a task marked not applicable applicable again (overseer): it counts again from now."""
    from dtrack.workflow.exemption import set_applicability

    done = set_applicability(app.database(), app.clock(as_of), actor, task_ref, not_applicable=False, reason=reason)
    note_line(done.note)
    click.echo(say("applicable_again", key=done.task_key))


# --- overview -----------------------------------------------------------------


@cli.command()
@click.option("--region", default=None, help="Only north, central or south.")
@click.option("--directive", default="20/CT-BCT", show_default=True, help="Which directive.")
@as_of_option
@lang_option
@json_option
@pass_app
def status(app: App, region: str | None, directive: str, as_of: str | None, lang: str | None, as_json: bool) -> None:
    """The provinces x task groups matrix, one letter per state, with a legend and regional totals.

    States are those at the end of --as-of (default today), as in the
    reports. A recurring group's cell shows its latest period; ! marks a cell
    with an overdue task (2! two of its periods overdue), ~ one due soon. The
    totals count every task of every period, as `dtrack overdue` does.
    """
    from dtrack.terminal import region_summary, status_text
    from dtrack.workflow.provinces import check_region
    from dtrack.workflow.status import status_matrix

    check_region(region)
    settings = app.settings(as_of)
    lang = lang or app.lang
    with app.database().session() as session:
        matrix = status_matrix(session, directive, region, as_of=app.clock(as_of).today(),
                               due_soon_days=settings.due_soon_days, clock=app.clock(as_of))
        if as_json:
            emit_json(matrix.to_json())
            return
        click.echo(status_text(matrix, lang))
        click.echo()
        click.echo(region_summary(matrix, lang))


@cli.command()
@click.option("--format", "fmt", type=click.Choice(["mermaid", "table"]), default="mermaid", show_default=True,
              help="mermaid: a diagram to paste into Markdown; table: who may do what from which state.")
@pass_app
def lifecycle(app: App, fmt: str) -> None:
    """The task state diagram, drawn from the definition the engine runs."""
    from dtrack.terminal import state_text, table
    from dtrack.terminal_wording import value_text
    from dtrack.workflow import lifecycle as definition

    if fmt == "mermaid":
        click.echo(definition.mermaid())
        return
    rows = []
    for spec in definition.LIFECYCLE["transitions"]:
        sources = spec["source"] if isinstance(spec["source"], list) else [spec["source"]]
        rows.append((spec["trigger"].replace("_", "-"), ", ".join(state_text(s, app.lang) for s in sources),
                     state_text(spec["dest"], app.lang) if spec["dest"] else say("same"),
                     ", ".join(value_text(who, app.lang) for who in str(spec["by"]).split(", ")),
                     say("yes") if spec.get("note") else ""))
    click.echo(table((say("h_action"), say("h_from"), say("h_to"), say("h_who"), say("h_note_required")), rows))


# --- directives -----------------------------------------------------------------


@cli.group()
def directive() -> None:
    """Load directive definition files and assign them to provinces."""


@directive.command("load")
@click.argument("path", metavar="FILE", type=click.Path(dir_okay=False))
@pass_app
def directive_load(app: App, path: str) -> None:
    """Validate a directive file (TOML) and load it; loading it again changes nothing.

    See seeds/directive-20-ct-bct.toml for the format.
    """
    from dtrack.directives.format import parse_file
    from dtrack.directives.loader import load

    spec = parse_file(path)
    with app.database().session() as session:
        result = load(session, spec, app.clock().now(), path)
    for note in result.notes:
        note_line(note)
    extra = ""
    if result.groups_added or result.groups_updated:
        extra = say("groups_changed", added=result.groups_added or "-", updated=result.groups_updated or "-")
    click.echo(say("directive_loaded", code=result.code, status=say(f"status_{result.status}"), groups=len(spec.groups),
                   extra=extra))
    if result.folded:
        click.echo(say("folded", n=result.folded))
    if result.status == "created":
        click.echo(say("next", command=f"dtrack directive assign {result.code} --provinces all"))


@directive.command("assign")
@click.argument("code")
@click.option("--provinces", "spec", required=True, metavar="all|north|central|south|SLUG,...",
              help="Which provinces get the directive's tasks.")
@as_of_option
@pass_app
def directive_assign(app: App, code: str, spec: str, as_of: str | None) -> None:
    """Create the directive's tasks for the chosen provinces (only the missing ones)."""
    from dtrack.workflow.assignments import assign
    from dtrack.workflow.provinces import select_provinces

    clock = app.clock(as_of)
    with app.database().session() as session:
        chosen, notes = select_provinces(session, spec)
        result = assign(session, code, chosen, clock.today(), clock.now(), app.settings(as_of).calendar)
    for note in notes:
        note_line(note)
    click.echo(say("assigned", code=result.code, created=result.created, existing=result.existing,
                   provinces=result.provinces))


@directive.command("list")
@json_option
@pass_app
def directive_list(app: App, as_json: bool) -> None:
    """List loaded directives."""
    from dtrack.terminal import table
    from dtrack.workflow.assignments import list_directives

    with app.database().session() as session:
        found = list_directives(session)
    if as_json:
        emit_json([d.to_json() for d in found])
    else:
        click.echo(table((say("h_code"), say("h_issued"), say("h_groups"), say("h_title")),
                         [(d.code, d.issued_on, d.groups, d.title_vi) for d in found]))


# --- deadlines, overdue review, reminders, scheduler (issue 3) ---------------------


@cli.command()
@click.option("--region", default=None, help="Only north, central or south.")
@click.option("--province", default=None, help="Only this province (slug or name; old names work too).")
@click.option("--group", type=GROUP_NUMBER, default=None, help="Only this task group number, e.g. 9.")
@click.option("--directive", default=None, help="Only this directive's tasks, e.g. 20/CT-BCT.")
@click.option("--min-days", type=int, default=0, show_default=True, help="Only tasks at least this many days overdue.")
@click.option("--limit", type=click.IntRange(min=0), default=None,
              help="List at most this many tasks, most overdue first (default: 100 in the table, all in --json/--csv; "
                   "0: all). The counts always cover every task.")
@click.option("--matrix", is_flag=True,
              help="Print the four-cell counts (on time / late / open in time / overdue) per province and region instead.")
@click.option("--csv", "as_csv", is_flag=True, help="Print CSV (one row per overdue task) for spreadsheets.")
@as_of_option
@json_option
@lang_option
@pass_app
def overdue(app: App, region: str | None, province: str | None, group: int | None, directive: str | None,
            min_days: int, limit: int | None, matrix: bool, as_csv: bool, as_of: str | None, as_json: bool,
            lang: str | None) -> None:
    """Who is late, on what, by how much: overdue tasks, most days late first.

    Judged against the deadline in force (after extensions), with the
    original deadline shown beside it. Submissions waiting for the
    Department's review are listed apart: that delay is not the province's.
    Ends with the overdue count per province and per region.
    """
    from dtrack.terminal import overdue_text, timeliness_matrix_text
    from dtrack.workflow.overdue import (
        Scope,
        check_min_days,
        overdue_review,
        timeliness_matrix,
    )
    from dtrack.workflow.provinces import check_region, resolve_optional

    check_region(region)
    check_min_days(min_days)
    if as_json and as_csv:
        raise UserError(say("json_and_csv"))
    settings = app.settings(as_of)
    clock = app.clock(as_of)
    lang = lang or app.lang
    with app.database().session() as session:
        province_row, note = resolve_optional(session, province)
        scope = Scope(region=region, province=province_row, group=group, directive=directive)
        if matrix:
            result = timeliness_matrix(session, clock.today(), scope, due_soon_days=settings.due_soon_days, clock=clock)
        else:
            if limit is None:
                limit = 0 if (as_json or as_csv) else 100
            result = overdue_review(session, clock.today(), scope, min_days=min_days, limit=limit or None, clock=clock)
    note_line(note)
    if as_json:
        emit_json(result.to_json())
    elif as_csv:
        _overdue_csv(result)
    else:
        click.echo(timeliness_matrix_text(result, lang) if matrix else overdue_text(result, lang))


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


@cli.group()
def deadlines() -> None:
    """Extend deadlines (one task, or a task group for many provinces), with a reason; recompute them.

    Provinces request an extension (`request`); overseers list (`requests`), `grant` or `refuse` it.
    """


@deadlines.command("extend")
@click.argument("task_refs", metavar="[TASK]...", nargs=-1)
@click.option("--to", "to_date", required=True, type=DateParam(),
              help="The new deadline (dd/mm/yyyy or yyyy-mm-dd); must be after the current one.")
@click.option("--reason", required=True, help="Why the deadline moves; kept in the audit trail.")
@click.option("--as", "actor", required=True, metavar="EMAIL", help="The overseer who decides it.")
@click.option("--group", type=GROUP_NUMBER, default=None, help="Extend this task group (instead of naming tasks).")
@click.option("--provinces", "spec", default="all", show_default=True, metavar="all|north|central|south|SLUG,...",
              help="With --group: which provinces.")
@click.option("--period", default=None, help="With --group of a recurring group: only this period, e.g. 2026-H1.")
@click.option("--directive", default="20/CT-BCT", show_default=True, help="With --group: which directive.")
@as_of_option
@pass_app
def deadlines_extend(app: App, task_refs: tuple[str, ...], to_date: date, reason: str, actor: str, group: int | None,
                     spec: str, period: str | None, directive: str, as_of: str | None) -> None:
    """Move deadlines later: name tasks, or give --group (and --provinces) for many at once.

    All or nothing: if one task cannot be extended, none is. A completed
    task's deadline is final: naming one is refused, and --group leaves the
    group's completed tasks as they are. The original deadline is kept and
    shown in reports beside the new one.
    """
    from dtrack.workflow.extension import extend
    from dtrack.workflow.provinces import select_provinces

    new_due = to_date
    if bool(task_refs) == (group is not None):
        raise UserError(say("keys_or_group"))
    db = app.database()
    notes: list[str] = []
    chosen = None
    if group is not None:
        with db.session() as session:
            chosen, notes = select_provinces(session, spec)
    done = extend(db, app.clock(as_of), actor, new_due, reason, task_refs=list(task_refs) or None,
                  directive=directive, group=group, provinces=chosen, period=period)
    for note in notes:
        note_line(note)
    for item in done:
        before = f"{item.from_due_on:%d/%m/%Y}" if item.from_due_on else say("none")
        click.echo(say("extended", key=item.task_key, before=before, after=f"{item.to_due_on:%d/%m/%Y}")
                   + (say("originally", day=f"{item.original_due_on:%d/%m/%Y}") if item.original_due_on else ""))
    click.echo(say("n_extended", n=len(done)))


@deadlines.command("request")
@click.argument("task_ref", metavar="TASK")
@click.option("--to", "to_date", required=True, type=DateParam(), help="The deadline asked for (dd/mm/yyyy or yyyy-mm-dd).")
@click.option("--reason", required=True, help="Why more time is needed; the Department reads it.")
@click.option("--as", "actor", required=True, metavar="EMAIL", help="The province officer who asks.")
@as_of_option
@pass_app
def deadlines_request(app: App, task_ref: str, to_date: date, reason: str, actor: str, as_of: str | None) -> None:
    """Ask the Department for a later deadline on one of your province's open tasks."""
    from dtrack.workflow.extension_requests import request_extension

    made = request_extension(app.database(), app.clock(as_of), actor, task_ref, to_date, reason)
    click.echo(say("request_made", id=made.id, key=made.task_key, before=_dmy(made.current_due_on),
                   after=f"{made.proposed_due_on:%d/%m/%Y}"))


def _dmy(day) -> str:
    return f"{day:%d/%m/%Y}" if day else say("no_deadline")


@deadlines.command("requests")
@click.option("--province", default=None, help="Only this province's requests (slug or name).")
@click.option("--pending", is_flag=True, help="Only requests waiting for a decision.")
@json_option
@lang_option
@pass_app
def deadlines_requests(app: App, province: str | None, pending: bool, as_json: bool, lang: str | None) -> None:
    """List extension requests: pending ones first (longest waiting first), then decisions."""
    from dtrack.terminal import request_table
    from dtrack.workflow.extension_requests import list_requests
    from dtrack.workflow.provinces import resolve_optional

    with app.database().session() as session:
        province_row, note = resolve_optional(session, province)
        views = list_requests(session, province=province_row, pending_only=pending)
    note_line(note)
    if as_json:
        emit_json([v.to_json() for v in views])
    else:
        click.echo(request_table(views, lang or app.settings().language, app.settings().timezone))


@deadlines.command("grant")
@click.argument("request_id", metavar="ID")
@click.option("--to", "to_date", default=None, type=DateParam(), help="Grant another date than the one asked for.")
@click.option("--note", default=None, help="A word to the province, kept in the audit trail.")
@click.option("--as", "actor", required=True, metavar="EMAIL", help="The overseer who decides.")
@as_of_option
@pass_app
def deadlines_grant(app: App, request_id: str, to_date: date | None, note: str | None, actor: str,
                    as_of: str | None) -> None:
    """Grant an extension request: the task's deadline moves (to --to, or to the date asked for)."""
    from dtrack.workflow.extension_requests import grant_request

    done = grant_request(app.database(), app.clock(as_of), actor, request_id, to_date, note)
    item = done.extended
    click.echo(say("request_granted", id=done.request.id, key=item.task_key, before=_dmy(item.from_due_on),
                   after=f"{item.to_due_on:%d/%m/%Y}"))


@deadlines.command("refuse")
@click.argument("request_id", metavar="ID")
@click.option("--reason", required=True, help="Why not; the province reads it.")
@click.option("--as", "actor", required=True, metavar="EMAIL", help="The overseer who decides.")
@as_of_option
@pass_app
def deadlines_refuse(app: App, request_id: str, reason: str, actor: str, as_of: str | None) -> None:
    """Refuse an extension request; the deadline stays as it is."""
    from dtrack.workflow.extension_requests import refuse_request

    done = refuse_request(app.database(), app.clock(as_of), actor, request_id, reason)
    click.echo(say("request_refused", id=done.request.id, key=done.request.task_key,
                   before=_dmy(done.request.current_due_on)))


@deadlines.command("recompute")
@click.option("--dry-run", is_flag=True, help="List the deadlines that would move; change nothing.")
@as_of_option
@json_option
@pass_app
def deadlines_recompute(app: App, dry_run: bool, as_of: str | None, as_json: bool) -> None:
    """Recompute open tasks' deadlines on the working calendar in force.

    Run it after declaring days off or make-up working days
    (DTRACK_EXTRA_DAYS_OFF, DTRACK_EXTRA_WORKING_DAYS): a deadline that now
    falls on a day off moves to the next working day. Completed tasks and
    deadlines an overseer extended are left as they are; each moved deadline
    is audited. Try --dry-run first.
    """
    from dtrack.workflow.recompute import recompute

    clock = app.clock(as_of)
    with app.database().session() as session:
        result = recompute(session, clock.today(), clock.now(), app.settings(as_of).calendar, dry_run=dry_run)
    if as_json:
        emit_json(result.to_json())
        return
    for item in result.moved:
        click.echo(say("recomputed", key=item.task_key, before=f"{item.from_due_on:%d/%m/%Y}",
                       after=f"{item.to_due_on:%d/%m/%Y}"))
    for key in result.skipped:
        click.echo(say("recompute_skipped", key=key))
    verb = say("would_move") if result.dry_run else say("moved")
    click.echo(say("recompute_total", moved=len(result.moved), examined=result.examined, verb=verb)
               + (say("n_skipped", n=len(result.skipped)) if result.skipped else "")
               + (say("dry_run") if result.dry_run else ""))


@cli.group()
def reminders() -> None:
    """Generate reminders (the input of the email digests) and list them."""


@reminders.command("run")
@as_of_option
@pass_app
def reminders_run(app: App, as_of: str | None) -> None:
    """One reminder sweep: for cron. Safe to run twice, after a crash, or twice at once.

    Also opens the tasks of recurring periods that have begun, and cancels
    reminders that no longer apply.
    """
    from dtrack.workflow.reminders import ReminderPolicy, sweep

    settings = app.settings(as_of)
    from dtrack.workflow.vocabulary import REMINDER_LABELS, ReminderKind

    result = sweep(app.database(), app.clock(as_of), ReminderPolicy.from_settings(settings))
    names = {k: REMINDER_LABELS[app.lang][ReminderKind(k)] if app.lang == "vi" else k for k in result.generated}
    kinds = ", ".join(f"{names[k]} {result.generated[k]}" for k in sorted(result.generated)) or say("none")
    click.echo(say("sweep", day=f"{result.as_of:%d/%m/%Y}", iso=result.as_of.isoformat(), total=result.total,
                   kinds=kinds, cancelled=result.cancelled, periods=result.periods_opened,
                   checkpoints=result.checkpoints, scanned=result.scanned,
                   seconds=f"{result.seconds:.2f}".replace(".", "," if app.lang == "vi" else ".")))


@reminders.command("list")
@click.option("--all", "show_all", is_flag=True, help="Also show consumed and cancelled reminders.")
@as_of_option
@json_option
@pass_app
def reminders_list(app: App, show_all: bool, as_of: str | None, as_json: bool) -> None:
    """List reminders waiting for a digest (fallen due by today)."""
    from dtrack.terminal import table
    from dtrack.terminal_wording import value_text
    from dtrack.workflow.reminders import list_reminders
    from dtrack.workflow.vocabulary import REMINDER_LABELS, ReminderKind

    with app.database().session() as session:
        found = list_reminders(session, app.clock(as_of).today(), include_done=show_all)
    if as_json:
        emit_json([r.to_json() for r in found])
    else:
        click.echo(table((say("h_task"), say("h_reminder_kind"), say("h_audience"), say("h_deadline"),
                          say("h_remind_on"), say("h_days"), say("h_status")),
                         [(r.task, REMINDER_LABELS[app.lang][ReminderKind(r.kind)], value_text(r.audience, app.lang),
                           r.due_on, r.remind_on, r.days, value_text(r.status, app.lang)) for r in found])
                   + "\n" + say("n_reminders", n=len(found)))


@cli.command()
@click.option("--interval-seconds", type=click.FloatRange(min=0.1), default=None,
              help="Seconds between sweeps (default: DTRACK_SWEEP_INTERVAL_MINUTES x 60).")
@as_of_option
@pass_app
def scheduler(app: App, interval_seconds: float | None, as_of: str | None) -> None:
    """Run the reminder sweep and the daily digest on a schedule until Ctrl-C.

    Only one scheduler acts per database (a leader lock); start a second
    one as a standby and it takes over within one interval if the first
    dies. Each sweep is logged in one line.
    """
    import logging
    import signal
    import threading

    from dtrack.usecases import scheduler as runner

    settings = app.settings(as_of)
    db = app.database()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    runner.run(db, settings, stop, as_of=as_of, interval_seconds=interval_seconds)


# --- email digests and the outbox (issue 4) --------------------------------------


@cli.group()
def digest() -> None:
    """Daily email digests: at most one per person and day, with everything they must act on.

    `build` puts the day's digests into the outbox (and marks the reminders
    they report as consumed); `dtrack outbox send` delivers them. The
    scheduler's daily sweep does both after generating reminders.
    """


@digest.command("preview")
@click.option("--to", "email", required=True, metavar="EMAIL", help="The user whose digest to show.")
@click.option("--html", "as_html", is_flag=True, help="Print the HTML part instead of the plain text.")
@as_of_option
@pass_app
def digest_preview(app: App, email: str, as_html: bool, as_of: str | None) -> None:
    """Print the digest a user would get (its subject and plain-text part); nothing is queued or sent."""
    from dtrack.notifications.digest_sending import preview

    found, rendered = preview(app.database(), app.clock(as_of), app.settings(as_of), email)
    if not found.has_news:
        note_line(say("digest_nothing"))
    click.echo(f"{say('subject')}: {rendered.subject}\n")
    click.echo(rendered.html if as_html else rendered.text, nl=False)


@digest.command("build")
@as_of_option
@pass_app
def digest_build(app: App, as_of: str | None) -> None:
    """Queue today's digests in the outbox; running it again the same day adds nothing twice."""
    from dtrack.notifications.digest_sending import build_digests

    report = build_digests(app.database(), app.clock(as_of), app.settings(as_of))
    click.echo(say("digests_built", day=f"{report.day:%d/%m/%Y}", queued=report.queued, already=report.already,
                   nothing=report.nothing, consumed=report.reminders_consumed))
    if report.queued:
        click.echo(say("next", command="dtrack outbox send"))


@cli.group()
def outbox() -> None:
    """The durable queue of outgoing email: send it, list it, retry failures.

    Messages go to DTRACK_SMTP_URL (smtp://user:pass@host:587?starttls=1 or
    smtps://...), or, with no server set, into DTRACK_MAIL_DIR as .eml files.
    """


@outbox.command("send")
@click.option("--limit", type=click.IntRange(min=1), default=None, help="Send at most this many messages.")
@pass_app
def outbox_send(app: App, limit: int | None) -> None:
    """Deliver every due message; failures are retried later with backoff, up to DTRACK_MAIL_MAX_ATTEMPTS.

    Several `outbox send` may run at once: each message is claimed by one of
    them. Delivery is at least once: if the process dies after the server
    accepted a message but before it was marked sent, that one message is sent
    again later (with the same Message-ID, so mail programs can spot it).
    """
    from dtrack.notifications.outbox import deliver, due_count, utc_now
    from dtrack.notifications.transport import transport_from

    settings = app.settings()
    db = app.database()
    transport = transport_from(settings.smtp_url, settings.mail_dir)
    due = due_count(db, utc_now()) if limit is None else min(limit, due_count(db, utc_now()))
    if due > 20 and sys.stderr.isatty():
        with click.progressbar(length=due, label=say("sending_via", transport=transport.display), file=sys.stderr) as bar:
            report = deliver(db, transport, settings, on_message=lambda: bar.update(1), limit=limit)
    else:
        report = deliver(db, transport, settings, limit=limit)
    if report.recovered:
        note_line(say("recovered", n=report.recovered))
    click.echo(say("sent_report", transport=report.transport, sent=report.sent, retrying=report.retrying,
                   failed=report.failed))
    if report.stopped is not None:
        from dtrack.workflow.error_messages import say as say_error

        raise UserError(say_error(report.stopped, app.lang))


@outbox.command("list")
@click.option("--state", default=None, type=click.Choice(["pending", "sending", "sent", "failed"]),
              help="Only messages in this state.")
@click.option("--limit", type=click.IntRange(min=1), default=50, show_default=True, help="Newest messages shown.")
@json_option
@pass_app
def outbox_list(app: App, state: str | None, limit: int, as_json: bool) -> None:
    """List outgoing messages, newest first, with tries, the server's reply or the last error."""
    from dtrack.notifications.outbox import MessageView, counts, list_messages
    from dtrack.terminal import table
    from dtrack.terminal_wording import value_text

    with app.database().session() as session:
        found = [MessageView.of(m) for m in list_messages(session, state, limit)]
        totals = counts(session)
    if as_json:
        emit_json([m.to_json() for m in found])
        return
    click.echo(table((say("h_id"), say("h_state"), say("h_recipient"), say("h_kind"), say("h_day"), say("h_tries"),
                      say("h_next"), say("h_reply")),
                     [(m.id, value_text(m.state, app.lang), m.recipient, value_text(m.kind, app.lang), m.day, m.attempts,
                       m.sent_at if m.state == "sent" else m.next_attempt_at if m.state == "pending" else None,
                       (m.server_reply if m.state == "sent" else m.last_error) or "")
                      for m in found]))
    click.echo(say("outbox_total", counts=", ".join(f"{n} {value_text(s, app.lang)}" for s, n in sorted(totals.items()))
                   or say("no_messages")))


@outbox.command("failed")
@click.option("--limit", type=click.IntRange(min=1), default=50, show_default=True, help="Newest failures shown.")
@json_option
@pass_app
def outbox_failed(app: App, limit: int, as_json: bool) -> None:
    """List failed deliveries (refused for good, out of tries, or a disabled account): to whom, when, why."""
    from dtrack.notifications.outbox import failed_messages
    from dtrack.terminal import table
    from dtrack.workflow.error_messages import phrase

    with app.database().session() as session:
        found = failed_messages(session, limit)
    if as_json:
        emit_json([m.to_json() for m in found])
        return
    if not found:
        click.echo(say("no_failed"))
        return
    click.echo(table((say("h_id"), say("h_recipient"), say("subject"), say("h_failed_at"), say("h_reason")),
                     [(m.id, m.recipient, m.subject, m.failed_at, phrase(m.reason, app.lang)) for m in found]))
    click.echo(say("n_failed", n=len(found)))


@outbox.command("retry")
@click.argument("ids", metavar="[ID]...", nargs=-1, type=int)
@click.option("--all-failed", is_flag=True, help="Retry every failed message.")
@pass_app
def outbox_retry(app: App, ids: tuple[int, ...], all_failed: bool) -> None:
    """Make failed messages pending again (with a fresh count of tries); the next send delivers them."""
    from dtrack.notifications.outbox import retry

    count = retry(app.database(), ids, all_failed=all_failed)
    click.echo(say("retried", n=count))


# --- reports and indicators (issue 5) ----------------------------------------------


def _report_options(func: Callable) -> Callable:
    func = click.option("-o", "--output", "output", metavar="FILE", default=None,
                        help="Write the report to FILE. Without it, html/md/csv go to standard output and xlsx "
                             "is written to a default file name (bao-cao-SLUG-DATE.xlsx) in this folder.")(func)
    func = click.option("--format", "fmt", type=click.Choice(["html", "md", "xlsx", "csv"]), default="html",
                        show_default=True,
                        help="html: one self-contained file that prints on A4; md: for mail and wikis; "
                             "xlsx: one sheet per table; csv: the matrix (national) or the task table (province).")(func)
    func = click.option("--year", type=int, default=None,
                        help="Year of the reported figures (default: the year of --as-of).")(func)
    func = click.option("--directive", default="20/CT-BCT", show_default=True, help="Which directive.")(func)
    return lang_option(as_of_option(func))


def _report_request(app: App, as_of: str | None, lang: str | None, year: int | None, directive: str):
    from dtrack.reports.document import ReportOptions

    settings = app.settings(as_of)
    return ReportOptions(app.clock(as_of).today(), lang or app.lang_given or settings.language, year, directive,
                         settings.due_soon_days, settings.timezone)


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
        from dtrack.workflow.errors import InvalidInput

        raise InvalidInput("-o", f"cannot write {target} ({exc.strerror})", "choose a folder you can write to") from None
    click.echo(say("wrote", path=target, size=len(data)), err=True)


@cli.group()
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
def report_province(app: App, slug: str, as_of: str | None, lang: str | None, directive: str, year: int | None,
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
def report_national(app: App, since: date | None, as_of: str | None, lang: str | None, directive: str,
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
def report_send(app: App, kind: str, slug: str | None, to: str, since: date | None, as_of: str | None,
                lang: str | None, directive: str, year: int | None, fmt: str, output: str | None) -> None:
    """Put a rendered report into the outbox as an attachment with a short covering message.

    \b
    dtrack report send national --to department
    dtrack report send province ha-noi --to giam.sat@moit.gov.vn --format xlsx
    Then `dtrack outbox send` delivers it (the scheduler does so every day).
    """
    from dtrack.reports.national import national_report
    from dtrack.reports.province import province_report
    from dtrack.reports.sending import queue_report
    from dtrack.workflow.errors import InvalidInput

    if (kind == "province") != bool(slug):
        raise InvalidInput("SLUG", "a province report needs the province's slug, a national report none")
    options = _report_request(app, as_of, lang, year, directive)
    with app.database().session() as session:
        if kind == "national":
            built = national_report(session, options, since)
        else:
            built = province_report(session, slug, options)
        queued = queue_report(session, built, fmt, to, mail_from=app.settings().mail_from, now=app.clock(as_of).now())
    if output:
        _emit_report(built, fmt, output)
    for item in queued:
        state = say("queued", id=item.outbox_id) if item.created else say("already_queued", id=item.outbox_id)
        click.echo(f"{item.recipient}: {state}")
    click.echo(say("next", command="dtrack outbox send"))


@cli.group()
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
        click.echo(table((say("h_code"), say("h_name"), say("h_unit"), say("h_aggregate")), [(i.code, i.name, i.unit, i.aggregate) for i in found]))


@indicators.command("report")
@click.argument("unit", metavar="SLUG")
@click.option("--period", required=True, help="2025, 2025-H1, 2025-Q3 or 2025-09.")
@click.option("--indicator", required=True, help="An indicator code (see `dtrack indicators list`), e.g. budget_disbursed.")
@click.option("--value", required=True, help="A whole number: VND in đồng (8340000000 or 8.340.000.000), or a count.")
@click.option("--as", "actor", required=True, metavar="EMAIL",
              help="Who reports it: a province officer for their own province, or an overseer for any unit.")
@click.option("--note", default=None, help="Context, e.g. 'giải ngân đến hết tháng 9'.")
@as_of_option
@click.option("--directive", default="20/CT-BCT", show_default=True, help="Which directive's catalogue.")
@pass_app
def indicators_report(app: App, unit: str, period: str, indicator: str, value: str, actor: str, note: str | None,
                      as_of: str | None, directive: str) -> None:
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
              help="Record a different value for a day that already has a figure as its replacement (the old row stays).")
@as_of_option
@click.option("--directive", default="20/CT-BCT", show_default=True, help="Which directive's catalogue.")
@pass_app
def indicators_import(app: App, path: str, actor: str, replace_: bool, as_of: str | None, directive: str) -> None:
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


# --- demo -----------------------------------------------------------------------


@cli.command()
@click.option("--fresh", is_flag=True, help="Delete the demo database first and simulate again.")
@lang_option
@pass_app
def demo(app: App, fresh: bool, lang: str | None) -> None:
    """Simulate a season of work on Directive 20/CT-BCT and show the result.

    Uses its own SQLite file (dtrack-demo.db, or --db) so real data is never
    touched. The simulation is deterministic: the same run prints the same.
    """
    from pathlib import Path

    from dtrack.terminal import overdue_text, region_summary, status_text
    from dtrack.usecases.demo import DEMO_URL, OVERSEER, SEASON_END, last_day_outputs, run_demo, web_accounts
    from dtrack.workflow.database import Database
    from dtrack.workflow.overdue import overdue_review
    from dtrack.workflow.status import status_matrix

    db = Database(app.db_url or DEMO_URL)
    start_up_over()  # the simulation is long: collect as usual
    report = run_demo(db, fresh=fresh)
    shown = lang or app.lang  # the terminal's language; the reports' and mails' is below
    click.echo(say("demo_database", url=db.display_url))
    click.echo(report.summary)
    click.echo()
    with db.session() as session:
        matrix = status_matrix(session, "20/CT-BCT", as_of=SEASON_END)
        click.echo(status_text(matrix, shown))
        click.echo()
        click.echo(region_summary(matrix, shown))
        click.echo()
        click.echo(overdue_text(overdue_review(session, SEASON_END), shown))
    outputs = last_day_outputs(db, Path.cwd(), lang or app.lang_given or app.settings().language)
    click.echo()
    click.echo(say("demo_last_day", day=f"{SEASON_END:%d/%m/%Y}", reminders=outputs.reminders))
    click.echo(say("demo_digests", n=outputs.messages, folder=outputs.mail_dir))
    click.echo(say("demo_report", path=outputs.report))
    accounts = web_accounts(db)
    command = sys.argv[0] if Path(sys.argv[0]).name == "dtrack" else "dtrack"
    click.echo()
    click.echo(say("demo_web", command=f"{command} serve --db {db.url} --as-of {SEASON_END:%d/%m/%Y}"))
    click.echo(say("demo_login"))
    for email, password in accounts.items():
        who = say("demo_overseer") if email == OVERSEER else say("demo_officer")
        click.echo(say("demo_account", email=email, password=password, who=who))


def main() -> None:
    hold_collector()
    try:
        cli(prog_name="dtrack")
    finally:
        start_up_over()


if __name__ == "__main__":
    main()
    sys.exit(0)


# --- web and accounts ---------------------------------------------------------------------


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (0.0.0.0: every interface).")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True, help="Port to listen on.")
@click.option("--workers", type=click.IntRange(min=1), default=1, show_default=True,
              help="Worker processes (use PostgreSQL for more than one).")
@click.option("--db", "db_url", metavar="URL", default=None,
              help="Database URL (as `dtrack --db URL serve`); default: DTRACK_DATABASE_URL or sqlite:///dtrack.db.")
@as_of_option
@pass_app
def serve(app: App, host: str, port: int, workers: int, db_url: str | None, as_of: str | None) -> None:
    """Run the web application (uvicorn). Log in with an account set up by `dtrack users invite`.

    For production run it behind a reverse proxy that terminates HTTPS (and set
    DTRACK_SECURE_COOKIES=yes), on PostgreSQL, with several workers.
    """
    import logging
    import os

    import uvicorn

    from dtrack.web.serving import PROTOCOL

    # Server errors are logged with their reference id (the page shows only the id). No access log:
    # at log level warning uvicorn printed none anyway, but still formatted each line's arguments
    # (the reverse proxy in front keeps the access log). uvicorn uses httptools, installed with
    # dtrack (setup.cfg), and falls back to h11 without it; and uvloop if someone installs it.
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if db_url:
        app.db_url = db_url  # read before any setting is: the one URL for the whole command
    settings = app.settings(as_of)
    from dtrack.web.app import HANDLER_THREADS

    # The server's pool before the first connection: sized later, it would replace the engine just made.
    app.database(ready=False).keep_connections(HANDLER_THREADS)
    db = app.database()  # refuses a database `dtrack init` has not prepared
    click.echo(say("serving", host=host, port=port, url=db.display_url, workers=workers))
    if workers == 1:
        from dtrack.web.app import create_app

        uvicorn.run(create_app(db, settings), host=host, port=port, log_level="warning", access_log=False,
                    http=PROTOCOL)
        return
    # Each worker process builds its own app from the environment (dtrack.web.asgi).
    os.environ["DTRACK_DATABASE_URL"] = settings.database_url
    from dtrack.web.prelogin import share_secret

    share_secret()  # one login-form secret for every worker: they inherit it with the environment
    if as_of:
        os.environ["DTRACK_TODAY"] = as_of
    db.dispose()
    uvicorn.run("dtrack.web.asgi:app", host=host, port=port, workers=workers, log_level="warning", access_log=False,
                http=PROTOCOL)


@users.command("invite")
@click.option("--email", required=True, help="Login and mail address.")
@click.option("--name", required=True, help="Full name, with diacritics.")
@click.option("--role", required=True, type=click.Choice(["province", "overseer", "admin"]), help="What the user may do.")
@click.option("--province", default=None, help="Province slug for a province user, e.g. ha-noi.")
@click.option("--locale", default="vi", type=click.Choice(["vi", "en"]), help="Language of the user's pages and emails.")
@pass_app
def users_invite(app: App, email: str, name: str, role: str, province: str | None, locale: str) -> None:
    """Register a user and print the one-time link (48 h) with which they set their password."""
    from dtrack.accounts.admin import invite_user

    done = invite_user(app.database(), app.clock(), app.settings(), email=email, name=name, role=role,
                       province=province, locale=locale)
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
        password = click.prompt("password", hide_input=True, confirmation_prompt="repeat the password")
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


# --- evidence files and comments (issue 13) ---------------------------------------------


@task.command("attach")
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


@task.command("files")
@click.argument("task_ref", metavar="TASK")
@click.option("--withdrawn", is_flag=True, help="Also list files their uploader withdrew.")
@json_option
@pass_app
def task_files(app: App, task_ref: str, withdrawn: bool, as_json: bool) -> None:
    """List a task's evidence files: id, name, size, who attached it and when."""
    from dtrack.evidence.attachments import list_files
    from dtrack.terminal import table
    from dtrack.workflow.clock import local_dmy_hm

    clock = app.clock()
    with app.database().session() as session:
        found = list_files(session, None, task_ref, withdrawn=withdrawn)
    if as_json:
        emit_json([f.to_json() for f in found])
        return
    rows = [[f.id, f.name, f"{f.size:,}", f.mimetype.rsplit("/", 1)[-1][:20], f.uploaded_by,
             local_dmy_hm(f.uploaded_at, clock.tz), say("file_withdrawn") if f.withdrawn_at else ""] for f in found]
    click.echo(table(say("files_headers").split("|"), rows) if rows else say("no_files"))


@task.command("file-get")
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


@task.command("comment")
@click.argument("task_ref", metavar="TASK")
@click.argument("text")
@click.option("--as", "actor", required=True, metavar="EMAIL", help="Who writes it (the province or the Department).")
@pass_app
def task_comment(app: App, task_ref: str, text: str, actor: str) -> None:
    """Write in a task's thread; the other side sees it on the task page and in their next digest."""
    from dtrack.workflow.comments import post_comment

    posted = post_comment(app.database(), app.clock(), task_ref, actor, text, app.settings().comment_max_chars)
    click.echo(say("commented", key=posted.task_key, id=posted.event_id))
