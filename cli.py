"""dtrack's command line: parses options, calls the core, prints the result.

Nothing here decides anything: every rule lives in `workflow/` and
`directives/`. Core errors (`DtrackError`) become one line on stderr and a
non-zero exit; heavy libraries are imported inside the commands that use
them, so `dtrack --help` starts fast.
"""
from __future__ import annotations

import json
import sys
from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from workflow.clock import Clock
    from workflow.database import Database
    from workflow.settings import Settings


class UserError(click.ClickException):
    """A core error shown as `error: <what>; <hint>` with exit code 1."""

    def show(self, file=None) -> None:  # noqa: D102 - click's signature
        click.echo(f"error: {self.format_message()}", err=True)


class DtrackGroup(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        from workflow.errors import DtrackError

        try:
            return super().invoke(ctx)
        except DtrackError as exc:
            raise UserError(str(exc)) from None


class App:
    """What every command needs: checked settings, the database, the clock."""

    def __init__(self, db_url: str | None) -> None:
        self.db_url = db_url
        self._db: Database | None = None

    def settings(self, as_of: str | None = None) -> Settings:
        from workflow.settings import load_settings

        return load_settings(database_url=self.db_url, today=as_of)

    def database(self, ready: bool = True) -> Database:
        if self._db is None:
            from workflow.database import Database

            self._db = Database(self.settings().database_url)
        if ready:
            self._db.ensure_ready()
        return self._db

    def clock(self, as_of: str | None = None) -> Clock:
        from workflow.clock import Clock

        settings = self.settings(as_of)
        return Clock(settings.timezone, settings.today)


def as_of_option(func: Callable) -> Callable:
    return click.option(
        "--as-of", metavar="YYYY-MM-DD", default=None,
        help="Act as if today were this date (in Asia/Ho_Chi_Minh); default: DTRACK_TODAY or the real date.",
    )(func)


def json_option(func: Callable) -> Callable:
    return click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts instead of a table.")(func)


def lang_option(func: Callable) -> Callable:
    return click.option(
        "--lang", type=click.Choice(["vi", "en"]), default=None, help="Language of titles (default: DTRACK_LANGUAGE or vi)."
    )(func)


def emit_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def note_line(note: str | None) -> None:
    if note:
        click.echo(f"note: {note}", err=True)


@click.group(cls=DtrackGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option(
    "--db", "db_url", metavar="URL", default=None,
    help="Database URL (default: DTRACK_DATABASE_URL or sqlite:///dtrack.db), e.g. postgresql+psycopg://user@host/db.",
)
@click.version_option(package_name="dtrack")
@click.pass_context
def cli(ctx: click.Context, db_url: str | None) -> None:
    """Track how provinces carry out a government directive.

    Each task group of a directive is a state machine per province.
    Province users start, update, submit and block their tasks; the
    Department's overseers send them back or accept them. Start with
    `dtrack init`, then `dtrack status`. A task is named by its id or
    its key DIRECTIVE:GROUP:PROVINCE, e.g. 20/CT-BCT:2:ha-noi.
    """
    ctx.obj = App(db_url)


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
    from workflow.bootstrap import initialise

    db = app.database(ready=False)
    result = initialise(db, app.clock(as_of))
    click.echo(f"database: {db.display_url} (schema up to date)")
    click.echo(f"provinces: {result.provinces}")
    click.echo(f"directive {result.directive.code}: {result.directive.status}")
    a = result.assignment
    click.echo(f"tasks: {a.created} created, {a.existing} already there ({a.provinces} provinces)")


@cli.command("settings")
@pass_app
def settings_cmd(app: App) -> None:
    """Show every setting, its value in force, and its environment variable."""
    from workflow.settings import SETTINGS, display
    from workflow.terminal import table

    values = app.settings().values
    click.echo(table(("setting", "value", "environment", "meaning"),
                     [(s.name, display(values[s.name]), s.env, s.help) for s in SETTINGS]))


@cli.command()
@click.option("--region", default=None, help="Only north, central or south.")
@json_option
@pass_app
def provinces(app: App, region: str | None, as_json: bool) -> None:
    """List the 34 provinces with their region and the old provinces merged into them."""
    from workflow.provinces import all_provinces, check_region
    from workflow.terminal import table

    check_region(region)
    with app.database().session() as session:
        found = [p for p in all_provinces(session) if region is None or p.region == region]
        data = [
            {"slug": p.slug, "name": p.name, "name_en": p.name_en, "region": p.region, "kind": p.kind,
             "merged_from": [a.name for a in p.aliases]}
            for p in found
        ]
    if as_json:
        emit_json(data)
        return
    click.echo(table(("slug", "name", "region", "kind", "merged from (before 1/7/2025)"),
                     [(d["slug"], d["name"], d["region"], d["kind"], ", ".join(d["merged_from"])) for d in data]))


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
    from workflow.users import add_user

    with app.database().session() as session:
        user, note = add_user(session, email=email, name=name, role=role, province=province,
                              now=app.clock().now(), locale=locale)
        where = f" for {user.province.slug}" if user.province else ""
        line = f"added {user.email} ({user.role}{where})"
    note_line(note)
    click.echo(line)


@users.command("list")
@json_option
@pass_app
def users_list(app: App, as_json: bool) -> None:
    """List registered users."""
    from workflow.terminal import table
    from workflow.users import list_users

    with app.database().session() as session:
        data = [{"email": u.email, "name": u.name, "role": u.role,
                 "province": u.province.slug if u.province else None, "locale": u.locale}
                for u in list_users(session)]
    if as_json:
        emit_json(data)
    else:
        click.echo(table(("email", "name", "role", "province", "locale"), [tuple(d.values()) for d in data]))


# --- tasks --------------------------------------------------------------------


@cli.group()
def tasks() -> None:
    """List tasks."""


@tasks.command("list")
@click.option("--province", default=None, help="Province slug or name (old names work too).")
@click.option("--region", default=None, help="north, central or south.")
@click.option("--state", default=None, help="Only tasks in this state, e.g. submitted.")
@click.option("--directive", default=None, help="Only this directive's tasks, e.g. 20/CT-BCT.")
@click.option("--group", type=int, default=None, help="Only this task group number.")
@as_of_option
@json_option
@lang_option
@pass_app
def tasks_list(app: App, province: str | None, region: str | None, state: str | None,
               directive: str | None, group: int | None, as_of: str | None, as_json: bool, lang: str | None) -> None:
    """List tasks with their state, progress, deadline and deadline status (on track, due soon, overdue...)."""
    from workflow.provinces import check_region, resolve_optional
    from workflow.tasks import list_tasks
    from workflow.terminal import task_table

    check_region(region)
    settings = app.settings(as_of)
    with app.database().session() as session:
        province_row, note = resolve_optional(session, province)
        views = list_tasks(session, province=province_row, region=region, state=state, directive=directive,
                           group=group, as_of=app.clock(as_of).today(), due_soon_days=settings.due_soon_days)
    note_line(note)
    if as_json:
        emit_json([v.to_json() for v in views])
    else:
        click.echo(task_table(views, lang or app.settings().language))


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
@json_option
@lang_option
@pass_app
def task_show(app: App, task_ref: str, as_json: bool, lang: str | None) -> None:
    """Show a task and its full history: who, when, from -> to, note."""
    from workflow import lifecycle
    from workflow.tasks import TaskView, find_task
    from workflow.terminal import task_details

    with app.database().session() as session:
        found, note = find_task(session, task_ref)
        if as_json:
            data = TaskView.of(found).to_json()
            data["allowed"] = [t.value for t in lifecycle.triggers_from(found.state)]
            data["history"] = [
                {"at": e.at.isoformat(), "actor": e.actor.email if e.actor else None, "trigger": e.trigger,
                 "from": e.from_state, "to": e.to_state, "progress": e.progress, "note": e.note,
                 "evidence": e.evidence, "from_due_on": e.from_due_on, "to_due_on": e.to_due_on}
                for e in found.events
            ]
        else:
            text = task_details(found, lang or app.settings().language)
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
        from workflow.service import Tracker

        outcome = Tracker(app.database(), app.clock(as_of)).fire(
            task_ref, trigger, actor, note=note, evidence=evidence, progress=progress)
        note_line(outcome.note)
        moved = (f"{outcome.from_state} -> {outcome.to_state}" if outcome.from_state != outcome.to_state
                 else f"still {outcome.to_state}")
        click.echo(f"{outcome.task_key}: {trigger.replace('_', '-')} ({moved}, progress {outcome.progress}%)")

    command.__doc__ = _ACTION_HELP[trigger]
    return click.command(trigger.replace("_", "-"))(command)


for _trigger in _ACTION_HELP:
    task.add_command(_action_command(_trigger))


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

    A cell marked ! is overdue and ~ due soon (as of --as-of); the totals
    count them per region.
    """
    from workflow.provinces import check_region
    from workflow.status import status_matrix
    from workflow.terminal import region_summary, status_text

    check_region(region)
    settings = app.settings(as_of)
    lang = lang or settings.language
    with app.database().session() as session:
        matrix = status_matrix(session, directive, region, as_of=app.clock(as_of).today(),
                               due_soon_days=settings.due_soon_days)
        if as_json:
            emit_json({"directive": matrix.directive, "as_of": matrix.as_of, "provinces": [
                {"slug": p.slug, "region": p.region,
                 "states": {str(g): matrix.cells.get((p.id, g)) for g in matrix.groups},
                 "deadline": {str(g): matrix.timeliness.get((p.id, g)) for g in matrix.groups}}
                for p in matrix.provinces]})
            return
        click.echo(status_text(matrix, lang))
        click.echo()
        click.echo(region_summary(matrix, lang))


@cli.command()
@click.option("--format", "fmt", type=click.Choice(["mermaid", "table"]), default="mermaid", show_default=True)
def lifecycle(fmt: str) -> None:
    """The task state diagram, drawn from the definition the engine runs."""
    from workflow import lifecycle as definition
    from workflow.terminal import table

    if fmt == "mermaid":
        click.echo(definition.mermaid())
        return
    rows = []
    for spec in definition.LIFECYCLE["transitions"]:
        sources = spec["source"] if isinstance(spec["source"], list) else [spec["source"]]
        rows.append((spec["trigger"].replace("_", "-"), ", ".join(sources), spec["dest"] or "(same)",
                     spec["by"], "yes" if spec.get("note") else ""))
    click.echo(table(("action", "from", "to", "who", "note required"), rows))


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
    from directives.format import parse_file
    from directives.loader import load

    spec = parse_file(path)
    with app.database().session() as session:
        result = load(session, spec, app.clock().now(), path)
    extra = ""
    if result.groups_added or result.groups_updated:
        extra = f" (groups added: {result.groups_added or '-'}, updated: {result.groups_updated or '-'})"
    click.echo(f"directive {result.code}: {result.status}, {len(spec.groups)} task groups{extra}")
    if result.status == "created":
        click.echo(f"next: dtrack directive assign {result.code} --provinces all")


@directive.command("assign")
@click.argument("code")
@click.option("--provinces", "spec", required=True, metavar="all|north|central|south|SLUG,...",
              help="Which provinces get the directive's tasks.")
@as_of_option
@pass_app
def directive_assign(app: App, code: str, spec: str, as_of: str | None) -> None:
    """Create the directive's tasks for the chosen provinces (only the missing ones)."""
    from directives.loader import assign
    from workflow.provinces import select_provinces

    clock = app.clock(as_of)
    with app.database().session() as session:
        chosen, notes = select_provinces(session, spec)
        result = assign(session, code, chosen, clock.today(), clock.now())
    for note in notes:
        note_line(note)
    click.echo(f"{result.code}: {result.created} tasks created, {result.existing} already there "
               f"({result.provinces} provinces)")


@directive.command("list")
@json_option
@pass_app
def directive_list(app: App, as_json: bool) -> None:
    """List loaded directives."""
    from sqlalchemy import select

    from workflow.models import Directive
    from workflow.terminal import table

    with app.database().session() as session:
        data = [{"code": d.code, "title_vi": d.title_vi, "issued_on": d.issued_on, "groups": len(d.groups)}
                for d in session.scalars(select(Directive).order_by(Directive.code))]
    if as_json:
        emit_json(data)
    else:
        click.echo(table(("code", "issued", "groups", "title"), [(d["code"], d["issued_on"], d["groups"], d["title_vi"])
                                                                 for d in data]))


# --- deadlines, overdue review, reminders, scheduler (issue 3) ---------------------


@cli.command()
@click.option("--region", default=None, help="Only north, central or south.")
@click.option("--province", default=None, help="Only this province (slug or name; old names work too).")
@click.option("--group", type=int, default=None, help="Only this task group number, e.g. 9.")
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
    from workflow.overdue import Scope, check_min_days, overdue_review, timeliness_matrix
    from workflow.provinces import check_region, resolve_optional
    from workflow.terminal import overdue_text, timeliness_matrix_text

    check_region(region)
    check_min_days(min_days)
    if as_json and as_csv:
        raise UserError("--json and --csv: choose one output format")
    settings = app.settings(as_of)
    clock = app.clock(as_of)
    lang = lang or settings.language
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
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer)
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
    click.echo(buffer.getvalue(), nl=False)


@cli.group()
def deadlines() -> None:
    """Extend deadlines (one task, or a task group for many provinces), with a reason."""


@deadlines.command("extend")
@click.argument("task_refs", metavar="[TASK]...", nargs=-1)
@click.option("--to", "to_date", required=True, metavar="YYYY-MM-DD", help="The new deadline; must be after the current one.")
@click.option("--reason", required=True, help="Why the deadline moves; kept in the audit trail.")
@click.option("--as", "actor", required=True, metavar="EMAIL", help="The overseer who decides it.")
@click.option("--group", type=int, default=None, help="Extend this task group (instead of naming tasks).")
@click.option("--provinces", "spec", default="all", show_default=True, metavar="all|north|central|south|SLUG,...",
              help="With --group: which provinces.")
@click.option("--period", default=None, help="With --group of a recurring group: only this period, e.g. 2026-H1.")
@click.option("--directive", default="20/CT-BCT", show_default=True, help="With --group: which directive.")
@as_of_option
@pass_app
def deadlines_extend(app: App, task_refs: tuple[str, ...], to_date: str, reason: str, actor: str, group: int | None,
                     spec: str, period: str | None, directive: str, as_of: str | None) -> None:
    """Move deadlines later: name tasks, or give --group (and --provinces) for many at once.

    All or nothing: if one task cannot be extended, none is. The original
    deadline is kept and shown in reports beside the new one.
    """
    from workflow.extension import extend
    from workflow.provinces import select_provinces
    from workflow.settings import parse_date

    new_due = parse_date(to_date, "--to")
    if bool(task_refs) == (group is not None):
        raise UserError("give either task keys or --group N, not both and not neither")
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
        before = f"{item.from_due_on:%d/%m/%Y}" if item.from_due_on else "none"
        click.echo(f"{item.task_key}: deadline {before} -> {item.to_due_on:%d/%m/%Y}"
                   + (f" (originally {item.original_due_on:%d/%m/%Y})" if item.original_due_on else ""))
    click.echo(f"{len(done)} deadline(s) extended")


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
    from workflow.reminders import ReminderPolicy, sweep

    settings = app.settings(as_of)
    result = sweep(app.database(), app.clock(as_of), ReminderPolicy.from_settings(settings))
    click.echo(result.line())


@reminders.command("list")
@click.option("--all", "show_all", is_flag=True, help="Also show consumed and cancelled reminders.")
@as_of_option
@json_option
@pass_app
def reminders_list(app: App, show_all: bool, as_of: str | None, as_json: bool) -> None:
    """List reminders waiting for a digest (fallen due by today)."""
    from sqlalchemy import select

    from workflow.models import Reminder, Task
    from workflow.terminal import table

    today = app.clock(as_of).today()
    with app.database().session() as session:
        query = select(Reminder).join(Task).where(Reminder.remind_on <= today).order_by(Reminder.remind_on, Reminder.id)
        if not show_all:
            query = query.where(Reminder.consumed_at.is_(None), Reminder.cancelled_at.is_(None))
        data = [{"task": r.task.key, "kind": r.kind, "audience": r.audience, "due_on": r.due_on,
                 "remind_on": r.remind_on, "days": r.days,
                 "status": "cancelled" if r.cancelled_at else "consumed" if r.consumed_at else "pending"}
                for r in session.scalars(query)]
    if as_json:
        emit_json(data)
    else:
        click.echo(table(("task", "kind", "to", "deadline", "remind on", "days", "status"),
                         [tuple(d.values()) for d in data]) + f"\n{len(data)} reminder(s)")


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

    from workflow import scheduler as runner

    settings = app.settings(as_of)
    db = app.database()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    runner.run(db, settings, stop, as_of=as_of, interval_seconds=interval_seconds)


# --- email digests and the outbox (issue 4) --------------------------------------
# (commands of that issue go here)


# --- reports and indicators (issue 5) ----------------------------------------------
# (commands of that issue go here)


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
    from workflow.database import Database
    from workflow.demo import DEMO_URL, SEASON_END, run_demo
    from workflow.overdue import overdue_review
    from workflow.status import status_matrix
    from workflow.terminal import overdue_text, region_summary, status_text

    db = Database(app.db_url or DEMO_URL)
    report = run_demo(db, fresh=fresh)
    lang = lang or app.settings().language
    click.echo(f"demo database: {db.display_url}")
    click.echo(report.summary)
    click.echo()
    with db.session() as session:
        matrix = status_matrix(session, "20/CT-BCT", as_of=SEASON_END)
        click.echo(status_text(matrix, lang))
        click.echo()
        click.echo(region_summary(matrix, lang))
        click.echo()
        click.echo(overdue_text(overdue_review(session, SEASON_END), lang))


def main() -> None:
    cli(prog_name="dtrack")


if __name__ == "__main__":
    main()
    sys.exit(0)
