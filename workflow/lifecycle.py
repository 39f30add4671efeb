"""The task lifecycle, configured from data and run by one `transitions.Machine`.

`LIFECYCLE` is the single definition: the engine fires its triggers, the
permission check reads its roles, and `dtrack lifecycle` draws it. There is
one machine for all tasks (`model=None`): a trigger is fired on the loaded
row with `machine.events[trigger].trigger(row)`, which reads and writes the
mapped `state` column. Adding every row to the machine would make its
membership checks quadratic, and a machine per row would cost one build each.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from dtrack.workflow.vocabulary import Role, State, Trigger

if TYPE_CHECKING:
    from transitions import Machine

# Who may fire each trigger; admins may fire every one.
#   "owner": the province user of the task's own province (or, for a group the
#            Department carries out itself, an overseer).
#   "overseer": any overseer.
OWNER = "owner"
OVERSEER = Role.OVERSEER.value

LIFECYCLE: dict[str, Any] = {
    "states": [s.value for s in State],
    "initial": State.NOT_STARTED.value,
    "transitions": [
        {"trigger": Trigger.START, "source": State.NOT_STARTED, "dest": State.IN_PROGRESS, "by": OWNER},
        # dest None: an internal transition; progress changes, the state does not.
        {"trigger": Trigger.UPDATE, "source": [State.IN_PROGRESS, State.RETURNED], "dest": None, "by": OWNER},
        {"trigger": Trigger.SUBMIT, "source": [State.IN_PROGRESS, State.RETURNED], "dest": State.SUBMITTED, "by": OWNER},
        {"trigger": Trigger.SEND_BACK, "source": State.SUBMITTED, "dest": State.RETURNED, "by": OVERSEER, "note": True},
        {"trigger": Trigger.ACCEPT, "source": State.SUBMITTED, "dest": State.COMPLETED, "by": OVERSEER},
        {
            "trigger": Trigger.BLOCK,
            "source": [State.NOT_STARTED, State.IN_PROGRESS, State.RETURNED],
            "dest": State.BLOCKED,
            "by": OWNER,
            "note": True,
        },
        {"trigger": Trigger.UNBLOCK, "source": State.BLOCKED, "dest": State.IN_PROGRESS, "by": OWNER},
        {"trigger": Trigger.REOPEN, "source": State.COMPLETED, "dest": State.IN_PROGRESS, "by": OVERSEER, "note": True},
    ],
}

# Keys of LIFECYCLE's transitions that are dtrack's, not the transitions library's.
_OWN_KEYS = ("by", "note")


@dataclass(frozen=True)
class Rule:
    """What dtrack adds to a trigger: who may fire it and whether a note is required."""

    trigger: Trigger
    by: str
    needs_note: bool


def _plain(value: Any) -> Any:
    if isinstance(value, list):
        return [str(v) for v in value]
    return None if value is None else str(value)


@cache
def machine() -> Machine:
    """The one machine every task runs on (built on first use)."""
    from transitions import Machine

    transitions = [
        {key: _plain(value) for key, value in spec.items() if key not in _OWN_KEYS}
        for spec in LIFECYCLE["transitions"]
    ]
    return Machine(
        model=None,
        states=LIFECYCLE["states"],
        initial=LIFECYCLE["initial"],
        transitions=transitions,
        auto_transitions=False,
        model_attribute="state",
    )


RULES: dict[Trigger, Rule] = {
    Trigger(spec["trigger"]): Rule(Trigger(spec["trigger"]), spec["by"], spec.get("note", False))
    for spec in LIFECYCLE["transitions"]
}


def triggers_from(state: str) -> list[Trigger]:
    """Triggers the lifecycle accepts in a state, in definition order (ignores roles)."""
    return [Trigger(t) for t in machine().get_triggers(state)]


def may_fire(trigger: Trigger, role: str, owns: bool) -> bool:
    """Whether a user of `role` may fire `trigger`; `owns` says the task is theirs to carry out."""
    if role == Role.ADMIN:
        return True
    if RULES[trigger].by == OVERSEER:
        return role == Role.OVERSEER
    return owns


def allowed_for(state: str, role: str | None = None, owns: bool = True) -> list[Trigger]:
    """Triggers allowed in `state`; with a role, only those that user may fire."""
    found = triggers_from(state)
    if role is None:
        return found
    return [t for t in found if may_fire(t, role, owns)]


def mermaid() -> str:
    """The state diagram in Mermaid syntax, drawn from LIFECYCLE itself."""
    lines = ["stateDiagram-v2", f"    [*] --> {LIFECYCLE['initial']}"]
    for spec in LIFECYCLE["transitions"]:
        sources = spec["source"] if isinstance(spec["source"], list) else [spec["source"]]
        who = "owner" if spec["by"] == OWNER else "overseer"
        label = f"{spec['trigger']} ({who}{', note required' if spec.get('note') else ''})"
        for source in sources:
            dest = source if spec["dest"] is None else spec["dest"]
            lines.append(f"    {source} --> {dest}: {label}")
    lines.append(f"    {State.COMPLETED} --> [*]")
    return "\n".join(lines)
