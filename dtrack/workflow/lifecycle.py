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
        {"trigger": Trigger.SUBMIT, "source": [State.IN_PROGRESS, State.RETURNED], "dest": State.SUBMITTED,
         "by": OWNER},
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
    return list(_triggers_from(state))


@cache
def _triggers_from(state: str) -> tuple[Trigger, ...]:
    # Asked on every transition; the machine's answer is fixed once it is built.
    return tuple(Trigger(t) for t in machine().get_triggers(state))


class _StateHolder:
    """What the machine reads and writes when it is fired: just a `state`."""

    def __init__(self, state: str) -> None:
        self.state = state


def destination(state: str, trigger: Trigger) -> str:
    """The state `trigger` moves a task in `state` to (the same state for an internal transition).

    Read off the machine's own transitions once (`_moves`); a machine with
    callbacks or conditions is fired instead, so they still run, and a move
    it does not define raises its MachineError as firing always did.
    """
    moves = _moves()
    found = None if moves is None else moves.get((state, trigger))
    if found is not None:
        return found
    holder = _StateHolder(str(state))  # the machine reads a State member by its name, not its value
    machine().events[trigger].trigger(holder)
    return holder.state


@cache
def _moves() -> dict[tuple[str, str], str] | None:
    """(state, trigger) -> destination, derived from the machine; None when firing it could do more than move.

    Firing the shared machine costs more than a transition's checks (an
    EventData, partials, callback lists): a lookup gives the same state.
    """
    built = machine()
    hooks = (built.before_state_change, built.after_state_change, built.prepare_event, built.finalize_event,
             built.on_exception)
    if any(hooks) or built.has_queue or any(s.on_enter or s.on_exit for s in built.states.values()):
        return None
    moves: dict[tuple[str, str], str] = {}
    for name, event in built.events.items():
        for source, options in event.transitions.items():
            if len(options) != 1 or options[0].conditions or options[0].before or options[0].after \
                    or options[0].prepare:
                return None
            moves[(source, name)] = source if options[0].dest is None else options[0].dest
    return moves


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
