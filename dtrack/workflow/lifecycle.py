"""The task lifecycle: the states and actions of `workflow.actions`, run by one `transitions.Machine`.

A `Lifecycle` is built from a declaration (states, the initial state, the
actions) and answers every question about it: which actions a state
allows, who may fire one, where it leads. The engine, the read side and the
front ends ask the lifecycle in force, `current()`, at run time; the
default is `DEFAULT`, built from `workflow.actions`. `installed(other)`
puts another one in force for a while: the tests run a lifecycle with an
extra state and action through the CLI, the pages and the API that way.

There is one machine per lifecycle (`model=None`), built on first use: a
trigger is fired on a holder of the task's state. Adding every row to the
machine would make its membership checks quadratic, and a machine per row
would cost one build each. Moving a task reads a (state, trigger) ->
destination table derived from the machine once (`moves`); a machine with
callbacks or conditions is fired instead, so they still run.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property
from typing import TYPE_CHECKING

from dtrack.errors import UnknownTrigger
from dtrack.workflow.actions import ACTIONS, FINAL, INITIAL, STATES, Action, Who
from dtrack.workflow.vocabulary import Role

if TYPE_CHECKING:
    from transitions import Machine


class Lifecycle:
    """States and actions, checked once when built, with the lookups the engine runs on every transition."""

    def __init__(self, states: tuple[str, ...], initial: str, actions: tuple[Action, ...],
                 final: tuple[str, ...] = ()) -> None:
        self.states = tuple(str(s) for s in states)
        self.initial = str(initial)
        self.final = tuple(str(s) for s in final)
        self.actions = actions
        self._by_trigger = {str(a.trigger): a for a in actions}
        # A command or URL names an action by its command name (send-back); the engine by its trigger.
        self._by_name = {**{a.command: a for a in actions}, **self._by_trigger}
        if len(self._by_trigger) != len(actions):
            raise ValueError("two actions share a trigger")
        for state in (self.initial, *self.final, *(s for a in actions for s in (*a.sources, a.dest) if s)):
            if state not in self.states:
                raise ValueError(f"{state!r} is not a state of the lifecycle")
        self._from: dict[str, tuple[str, ...]] = {}

    def action(self, trigger: str) -> Action:
        """The action named by its trigger (`send_back`) or its command (`send-back`); `UnknownTrigger` if none."""
        found = self._by_name.get(trigger)
        if found is None:
            raise UnknownTrigger(trigger, (a.command for a in self.actions))
        return found

    def triggers_from(self, state: str) -> tuple[str, ...]:
        """Triggers the lifecycle accepts in `state`, in declaration order (whoever asks)."""
        found = self._from.get(state)
        if found is None:  # asked on every transition: the machine's answer is fixed once it is built
            found = self._from[state] = tuple(str(t) for t in self.machine.get_triggers(state))
        return found

    def may_fire(self, action: Action, role: str, owns: bool, judges: bool | None = None) -> bool:
        """Whether a user of `role` may fire `action`; `owns` says the task is theirs to carry out.

        `judges` says the user judges the work (an overseer for a task; for a
        commune's part, the province officer of its task): None, the task's rule.
        """
        if role == Role.ADMIN:
            return True
        if action.by == Who.OVERSEER:
            return role == Role.OVERSEER if judges is None else judges
        return owns

    def allowed_for(self, state: str, role: str | None = None, owns: bool = True,
                    judges: bool | None = None) -> list[str]:
        """Triggers allowed in `state`; with a role, only those that user may fire."""
        found = self.triggers_from(state)
        if role is None:
            return list(found)
        return [t for t in found if self.may_fire(self._by_trigger[t], role, owns, judges)]

    def destination(self, state: str, trigger: str) -> str:
        """The state `trigger` moves a task in `state` to (the same state for an internal transition).

        A move the machine does not define raises its MachineError, as firing it does.
        """
        moves = self.moves
        found = None if moves is None else moves.get((state, trigger))
        if found is not None:
            return found
        holder = _StateHolder(str(state))
        self.machine.events[trigger].trigger(holder)
        return holder.state

    @cached_property
    def machine(self) -> Machine:
        """The one machine every task of this lifecycle runs on."""
        from transitions import Machine  # imported when first fired: a read command never needs it

        transitions = [{"trigger": str(a.trigger), "source": [str(s) for s in a.sources],
                        "dest": None if a.dest is None else str(a.dest)} for a in self.actions]
        return Machine(model=None, states=list(self.states), initial=self.initial, transitions=transitions,
                       auto_transitions=False, model_attribute="state")

    @cached_property
    def moves(self) -> dict[tuple[str, str], str] | None:
        """(state, trigger) -> destination, derived from the machine; None when firing it could do more than move.

        Firing the shared machine costs more than a transition's checks (an
        EventData, partials, callback lists): a lookup gives the same state.
        """
        built = self.machine
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

    def mermaid(self) -> str:
        """The state diagram in Mermaid syntax, drawn from the declaration itself."""
        lines = ["stateDiagram-v2", f"    [*] --> {self.initial}"]
        for a in self.actions:
            label = f"{a.trigger} ({a.by}{', note required' if a.needs_note else ''})"
            lines += [f"    {source} --> {source if a.dest is None else a.dest}: {label}" for source in a.sources]
        lines += [f"    {state} --> [*]" for state in self.final]
        return "\n".join(lines)


class _StateHolder:
    """What the machine reads and writes when it is fired: just a `state`."""

    def __init__(self, state: str) -> None:
        self.state = state


DEFAULT = Lifecycle(STATES, INITIAL, ACTIONS, FINAL)
_in_force = [DEFAULT]


def current() -> Lifecycle:
    """The lifecycle in force: `DEFAULT`, unless `installed` put another one in force."""
    return _in_force[-1]


@contextmanager
def installed(lifecycle: Lifecycle) -> Iterator[Lifecycle]:
    """Put `lifecycle` in force for the block, for every caller in the process (the tests' other lifecycles)."""
    _in_force.append(lifecycle)
    try:
        yield lifecycle
    finally:
        _in_force.remove(lifecycle)


__all__ = ["DEFAULT", "Lifecycle", "current", "installed"]
