"""The `task` group: show one task and act on it (the lifecycle's actions, not applicable / applicable).

Its evidence-file and comment commands are in `dtrack.commands.evidence`.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import click

from dtrack.commands.shared import (
    ActionGroup,
    App,
    as_of_option,
    current_lang,
    emit_json,
    json_option,
    lang_option,
    note_line,
    pass_app,
    say,
)
from dtrack.workflow.actions import Action, Field


class _TaskGroup(ActionGroup):
    """The `task` group: its own commands, and one command per action of the lifecycle in force."""

    def action_command(self, action: Action) -> click.Command:
        return _action_command(action)

    def help_text(self) -> str:
        return _group_help(current_lang())


def _group_help(lang: str) -> str:
    """The group's help: its actions, and who may do which (from the lifecycle's declaration)."""
    from dtrack.i18n.catalog import text
    from dtrack.workflow import lifecycle
    from dtrack.workflow.actions import Who

    actions = lifecycle.current().actions
    names = {who: ", ".join(a.command for a in actions if a.by == who) for who in Who}
    return "\n\n".join([
        text(lang, "action.group.help", actions=", ".join(a.command for a in actions)),
        "\b\n" + "\n".join([text(lang, "action.group.owner", actions=names[Who.OWNER]),
                             text(lang, "action.group.overseer", actions=names[Who.OVERSEER]),
                             text(lang, "action.group.admin"), text(lang, "action.group.see")]),
    ])


@click.group(cls=_TaskGroup)
def task() -> None:
    """Act on one task or show it (the help is the lifecycle's: `_group_help`)."""


@task.command("show")
@click.argument("task_ref", metavar="TASK")
@as_of_option
@json_option
@lang_option
@pass_app
def task_show(app: App, task_ref: str, as_of: date | None, as_json: bool, lang: str | None) -> None:
    """Show a task, its deadline status (as of --as-of), what may happen next, and its full history.

    The history says who (name and email), when, the action, from -> to, and the note.
    """
    from dtrack.terminal import task_details
    from dtrack.workflow.part_rollup import rollups
    from dtrack.workflow.tasks import TaskDetail, find_task

    with app.database().session() as session:
        found, note = find_task(session, task_ref)
        detail = TaskDetail(found, app.today(as_of))
        # The communes' parts, counted (issue 24): shown when the province delegated some.
        rollup = rollups(session, [found.id], app.today(as_of).day).get(found.id)
        if as_json:
            data = {**detail.to_json(), "parts": rollup.to_json() if rollup else None}
        else:
            text = task_details(found, lang or app.lang, detail.view(), detail.allowed())
            if rollup is not None:
                head, blank, rest = text.partition("\n\n")
                text = f"{head}\n  {say('task_parts', **rollup.to_json())}{blank}{rest}"
    note_line(note)
    emit_json(data) if as_json else click.echo(text)


def _action_command(action: Action) -> click.Command:
    """`dtrack task <action>`: its help and its options from the action's declaration, in the command's language."""
    from dtrack.i18n.catalog import text
    from dtrack.workflow.actions import FIELDS

    lang = current_lang()

    def act(app: App, task_ref: str, actor: str, as_of: date | None, **inputs: str | None) -> None:
        from dtrack.terminal import state_text
        from dtrack.workflow.service import Tracker

        outcome = Tracker(app.database(), app.clock(as_of)).fire(task_ref, action.trigger, actor, **inputs)
        note_line(outcome.note)
        lang = app.lang
        moved = (f"{state_text(outcome.from_state, lang)} -> {state_text(outcome.to_state, lang)}"
                 if outcome.from_state != outcome.to_state else say("still", state=state_text(outcome.to_state, lang)))
        click.echo(say("action_done", key=outcome.task_key, action=action.command, moved=moved,
                       progress=outcome.progress))

    # Every input the engine takes, on every action, as an option named after it (--note); the task
    # page's form shows the action's own `fields`.
    inputs = [click.option(f"--{field}", field.value, default=None, help=text(lang, f"cli.option.{field}"),
                           metavar="0-100" if field == Field.PROGRESS else None) for field in FIELDS]
    decorators: list[Callable[[Any], Any]] = [
        click.command(action.command, help=text(lang, action.help)), click.argument("task_ref", metavar="TASK"),
        click.option("--as", "actor", required=True, metavar="EMAIL", help=text(lang, "cli.option.as")),
        *inputs, as_of_option, pass_app]
    command: Any = act
    for decorate in reversed(decorators):  # as if stacked with @, the first on top
        command = decorate(command)
    assert isinstance(command, click.Command)
    return command


@task.command("not-applicable")
@click.argument("task_ref", metavar="TASK")
@click.option("--reason", required=True, help="Why the task does not apply to this province (shown with it).")
@click.option("--as", "actor", required=True, metavar="EMAIL", help="The overseer who decides.")
@as_of_option
@pass_app
def task_not_applicable(app: App, task_ref: str, reason: str, actor: str, as_of: date | None) -> None:
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
def task_applicable(app: App, task_ref: str, reason: str | None, actor: str, as_of: date | None) -> None:
    """Make a task marked not applicable applicable again (overseer): it counts again from now."""
    from dtrack.workflow.exemption import set_applicability

    done = set_applicability(app.database(), app.clock(as_of), actor, task_ref, not_applicable=False, reason=reason)
    note_line(done.note)
    click.echo(say("applicable_again", key=done.task_key))
