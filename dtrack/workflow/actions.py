"""The lifecycle's actions, one declaration each: everything dtrack knows about a trigger.

An `Action` says from which states a trigger may be fired and where it
leads, who may fire it, whether a note saying why is required, which
inputs its form asks for, what else it writes on the task, and the catalog
ids of its words. Nothing else in the code names an action's properties:
the machine (`workflow.lifecycle`), the engine's checks and writes
(`workflow.service`), the CLI's `dtrack task <action>` commands, the task
page's forms, the API's schema and the digests all read them from here,
through the lifecycle in force (`lifecycle.current()`).

An action that `judges` a submission (accept) is refused to whoever made
the submission (four eyes), unless the directive turns that off.

Adding an action (or a state) is a line in `ACTIONS` (and `STATES`) plus
its messages in the catalogs (`action.<trigger>`, `action.<trigger>.help`).
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from dtrack.workflow.vocabulary import State, Trigger


class Who(StrEnum):
    """Who may fire an action; admins may fire every one.

    owner: the province user of the task's own province (or, for a group the
    Department carries out itself, an overseer). overseer: any overseer.
    """

    OWNER = "owner"
    OVERSEER = "overseer"


class Field(StrEnum):
    """An input an action takes besides the task and the actor (the engine takes each on every action)."""

    PROGRESS = "progress"  # a whole percentage, 0-100
    NOTE = "note"  # what was done, or why
    EVIDENCE = "evidence"  # a reference to the proof (a decision number, a link)


# Every input, in the order forms and commands show them.
FIELDS: tuple[Field, ...] = (Field.PROGRESS, Field.NOTE, Field.EVIDENCE)


@dataclass(frozen=True, slots=True)
class Effects:
    """What an action writes on the task besides its state, version and time of change.

    `progress`: a progress it sets whatever was given (accept: 100);
    `submitted`: it stamps `submitted_at`; `completed`: True stamps
    `completed_at`, False clears it, None leaves it.
    """

    progress: int | None = None
    submitted: bool = False
    completed: bool | None = None


@dataclass(frozen=True, slots=True)
class Action:
    """One action of the lifecycle.

    `dest` None is an internal transition: progress changes, the state does
    not. `fields` are the inputs the action's form asks for, in order (the
    CLI and the API take every input of `FIELDS` on every action, as the
    engine does).
    """

    trigger: str
    sources: tuple[str, ...]
    dest: str | None
    by: Who
    needs_note: bool = False
    fields: tuple[Field, ...] = (Field.NOTE,)
    effects: Effects = Effects()
    # It passes judgement on a submission: whoever made the submission may not (four eyes,
    # workflow.access.check_four_eyes), unless the task's directive says `four_eyes = false`.
    judges: bool = False

    @property
    def command(self) -> str:
        """Its name on the command line and in URLs (`send-back`)."""
        return self.trigger.replace("_", "-")

    @property
    def label(self) -> str:
        """Catalog id of its name, as a button or a heading says it ("Trả lại để hoàn thiện")."""
        return f"action.{self.trigger}"

    @property
    def help(self) -> str:
        """Catalog id of one line saying what it does and who may (the CLI's help)."""
        return f"action.{self.trigger}.help"

    @property
    def done(self) -> str:
        """Catalog id of what it is called once done, in the history, digests and reports ("đã nộp")."""
        return f"trigger.{self.trigger}"


STATES: tuple[str, ...] = tuple(s.value for s in State)
INITIAL = State.NOT_STARTED.value
# States a task's life may end in (the diagram's end mark); a final state may still be left (reopen).
FINAL: tuple[str, ...] = (State.COMPLETED.value,)

_OWED = (State.NOT_STARTED.value, State.IN_PROGRESS.value, State.RETURNED.value)
_WORKING = (State.IN_PROGRESS.value, State.RETURNED.value)
_FORM = (Field.PROGRESS, Field.NOTE, Field.EVIDENCE)

ACTIONS: tuple[Action, ...] = (
    Action(Trigger.START, (State.NOT_STARTED,), State.IN_PROGRESS, Who.OWNER),
    Action(Trigger.UPDATE, _WORKING, None, Who.OWNER, fields=_FORM),
    Action(Trigger.SUBMIT, _WORKING, State.SUBMITTED, Who.OWNER, fields=_FORM, effects=Effects(submitted=True)),
    Action(Trigger.SEND_BACK, (State.SUBMITTED,), State.RETURNED, Who.OVERSEER, needs_note=True),
    Action(Trigger.ACCEPT, (State.SUBMITTED,), State.COMPLETED, Who.OVERSEER,
           effects=Effects(progress=100, completed=True), judges=True),
    Action(Trigger.BLOCK, _OWED, State.BLOCKED, Who.OWNER, needs_note=True),
    Action(Trigger.UNBLOCK, (State.BLOCKED,), State.IN_PROGRESS, Who.OWNER),
    Action(Trigger.REOPEN, (State.COMPLETED,), State.IN_PROGRESS, Who.OVERSEER, needs_note=True,
           effects=Effects(completed=False)),
)

__all__ = ["ACTIONS", "FIELDS", "FINAL", "INITIAL", "STATES", "Action", "Effects", "Field", "Who"]
