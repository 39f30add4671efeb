"""The `task` group: show one task and act on it (the lifecycle's actions, not applicable / applicable).

Its evidence-file and comment commands are in `dtrack.commands.evidence`.
"""
from __future__ import annotations

import click

from dtrack.cli import App, as_of_option, cli, emit_json, json_option, lang_option, note_line, pass_app, say


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
