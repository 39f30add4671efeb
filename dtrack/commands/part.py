"""The `part` group (a commune's part of a task: list, show, and the lifecycle's actions) and `task delegate`.

A part is named PART: its id or TASKKEY/COMMUNE (`20/CT-BCT:2:ha-noi/00004`,
the commune by its code or its name). Its actions are the task's, read from
the lifecycle in force as `dtrack task`'s are; who may fire them differs:
the commune's officer owns it, the province officer judges it.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import click

from dtrack.commands.shared import (
    ActionGroup,
    App,
    DateParam,
    as_of_option,
    current_lang,
    emit_json,
    json_option,
    pass_app,
    say,
)
from dtrack.workflow.actions import Action, Field


def _help(msgid: str) -> str:
    from dtrack.i18n.catalog import text

    return text(current_lang(), msgid)


class _Helped(click.Command):
    """A command whose help is a catalog id, read in the command's language when asked (not at import)."""

    def __init__(self, *args: Any, help_id: str, **kwargs: Any) -> None:
        kwargs["help"] = kwargs.get("help") or _help(help_id)  # for whoever reads `.help`; shown lazily below
        super().__init__(*args, **kwargs)
        self.help_id = help_id

    def format_help_text(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        formatter.write_paragraph()
        with formatter.indentation():
            formatter.write_text(_help(self.help_id))

    def get_short_help_str(self, limit: int = 45) -> str:
        return click.Command(self.name, help=_help(self.help_id)).get_short_help_str(limit)


class _PartGroup(ActionGroup):
    """`dtrack part`: list, show, and one command per action of the lifecycle in force."""

    def action_command(self, action: Action) -> click.Command:
        return _action_command(action)

    def help_text(self) -> str:
        return _help("cli.help.part")


@click.group(cls=_PartGroup)
def part() -> None:
    """A commune's part of a task (the help is the catalog's `cli.help.part`)."""


def _action_command(action: Action) -> click.Command:
    """`dtrack part <action>`: the action's help and inputs, fired by the parts' engine."""
    from dtrack.workflow.actions import FIELDS

    def act(app: App, part_ref: str, actor: str, as_of: date | None, **inputs: str | None) -> None:
        from dtrack.terminal import state_text
        from dtrack.workflow.part_service import PartTracker

        outcome = PartTracker(app.database(), app.clock(as_of)).fire(part_ref, action.trigger, actor, **inputs)
        lang = app.lang
        moved = (f"{state_text(outcome.from_state, lang)} -> {state_text(outcome.to_state, lang)}"
                 if outcome.from_state != outcome.to_state else say("still", state=state_text(outcome.to_state, lang)))
        click.echo(say("action_done", key=outcome.task_key, action=action.command, moved=moved,
                       progress=outcome.progress))

    inputs = [click.option(f"--{field}", field.value, default=None, help=_help(f"cli.option.{field}"),
                           metavar="0-100" if field == Field.PROGRESS else None) for field in FIELDS]
    decorators: list[Callable[[Any], Any]] = [
        click.command(action.command, help=f"{_help(action.help)} {_help('cli.help.part_action')}"),
        click.argument("part_ref", metavar="PART"),
        click.option("--as", "actor", required=True, metavar="EMAIL", help=_help("cli.option.as")),
        *inputs, as_of_option, pass_app]
    command: Any = act
    for decorate in reversed(decorators):
        command = decorate(command)
    assert isinstance(command, click.Command)
    return command


@part.command("list", cls=_Helped, help_id="cli.help.part_list")
@click.option("--as", "actor", required=True, metavar="EMAIL", help=_help("cli.option.as_reader"))
@click.option("--task", "task_ref", default=None, metavar="TASK", help=_help("cli.option.part_task"))
@click.option("--state", default=None, help=_help("cli.option.part_state"))
@as_of_option
@json_option
@pass_app
def part_list(app: App, actor: str, task_ref: str | None, state: str | None, as_of: date | None,
              as_json: bool) -> None:
    from dtrack.reading.commune_parts import list_parts
    from dtrack.terminal import state_text, table
    from dtrack.workflow.access import readable_task
    from dtrack.workflow.users import find_user

    with app.database().session() as session:
        user = find_user(session, actor)
        task = readable_task(session, user, task_ref) if task_ref else None
        found = list_parts(session, user, app.today(as_of).day, task=task, state=state)
    if as_json:
        emit_json([p.to_json() for p in found])
        return
    lang = app.lang
    click.echo(table((say("h_part"), say("h_commune"), say("h_state"), say("h_progress"), say("h_deadline"),
                      say("h_overdue")),
                     ((p.key, p.commune_name, state_text(p.state, lang), f"{p.progress}%", p.due_on,
                       say("yes") if p.overdue else "") for p in found)))


@part.command("show", cls=_Helped, help_id="cli.help.part_show")
@click.argument("part_ref", metavar="PART")
@click.option("--as", "actor", required=True, metavar="EMAIL", help=_help("cli.option.as_reader"))
@as_of_option
@json_option
@pass_app
def part_show(app: App, part_ref: str, actor: str, as_of: date | None, as_json: bool) -> None:
    from dtrack.config.clock import local_dmy_hm
    from dtrack.i18n.labels import TRIGGER_LABELS
    from dtrack.reading.commune_parts import part_history
    from dtrack.terminal import neutralise, state_text
    from dtrack.workflow.parts import part_key, readable_part
    from dtrack.workflow.users import find_user

    lang = app.lang
    with app.database().session() as session:
        found = readable_part(session, find_user(session, actor), part_ref)
        key = part_key(found.task.key, found.commune.code)
        history = part_history(session, found.id)
        data = {"id": found.id, "key": key, "task": found.task.key, "commune": found.commune.code,
                "commune_name": found.commune.name, "instruction": found.instruction, "due_on": found.due_on,
                "state": found.state, "progress": found.progress, "version": found.version,
                "history": [h.to_json() for h in history]}
    if as_json:
        emit_json({k: v.isoformat() if isinstance(v, date) else v for k, v in data.items()})
        return
    click.echo(say("part_head", key=key, commune=found.commune.name, state=state_text(found.state, lang),
                   progress=found.progress, due=f"{found.due_on:%d/%m/%Y}"))
    click.echo(say("part_instruction", text=neutralise(found.instruction)))
    for line in history:
        click.echo(f"  {local_dmy_hm(line.at, app.clock().tz)}  {neutralise(line.actor or 'dtrack')}  "
                   f"{TRIGGER_LABELS[lang][line.trigger]}  {state_text(line.from_state, lang)} -> "
                   f"{state_text(line.to_state, lang)}  {line.progress}%  {neutralise(line.note or '')}".rstrip())


@click.command("delegate", cls=_Helped, help_id="cli.help.delegate")
@click.argument("task_ref", metavar="TASK")
@click.option("--communes", default=None, metavar="CODE,…", help=_help("cli.option.communes"))
@click.option("--all-communes", is_flag=True, help=_help("cli.option.all_communes"))
@click.option("--due", "due_on", required=True, type=DateParam(), metavar="DD/MM/YYYY",
              help=_help("cli.option.part_due"))
@click.option("--note", required=True, help=_help("cli.option.part_note"))
@click.option("--progress-from-parts/--progress-typed", "from_parts", default=None,
              help=_help("cli.option.progress_from_parts"))
@click.option("--as", "actor", required=True, metavar="EMAIL", help=_help("cli.option.as"))
@as_of_option
@pass_app
def task_delegate(app: App, task_ref: str, communes: str | None, all_communes: bool, due_on: date, note: str,
                  from_parts: bool | None, actor: str, as_of: date | None) -> None:
    from dtrack.workflow.parts import delegate

    if bool(communes) == all_communes:
        raise click.UsageError(say("delegate_which"))
    refs = None if all_communes else [c for c in (communes or "").split(",") if c.strip()]
    done = delegate(app.database(), app.clock(as_of), actor, task_ref, refs, due_on, note,
                    calendar=app.calendar(), progress_from_parts=from_parts)
    click.echo(say("delegated", key=done.task_key, count=len(done.added), due=f"{done.due_on:%d/%m/%Y}"))
    if done.already:
        click.echo(say("delegated_already", count=len(done.already), keys=", ".join(done.already)))


__all__ = ["part", "task_delegate"]
