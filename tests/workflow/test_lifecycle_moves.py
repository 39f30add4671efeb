"""The (state, trigger) -> destination table says what firing the machine says, and steps aside for callbacks."""
from __future__ import annotations

import pytest
from transitions import MachineError

from dtrack.workflow.lifecycle import DEFAULT, Lifecycle
from dtrack.workflow.vocabulary import State, Trigger


class _Moved:
    def __init__(self, state: str) -> None:
        self.state = state


def _fired(lifecycle: Lifecycle, state: str, trigger: Trigger) -> str:
    moved = _Moved(state)
    lifecycle.machine.events[trigger].trigger(moved)
    return moved.state


@pytest.mark.parametrize("state", [s.value for s in State])
def test_every_move_is_the_machines(state):
    for trigger in Trigger:
        if trigger in DEFAULT.triggers_from(state):
            assert DEFAULT.destination(state, trigger) == _fired(DEFAULT, state, trigger)
        else:
            with pytest.raises(MachineError):
                DEFAULT.destination(state, trigger)
    assert DEFAULT.triggers_from(state) == tuple(DEFAULT.machine.get_triggers(state))


def test_the_table_is_derived_from_the_machine():
    moves = DEFAULT.moves
    assert moves is not None
    assert moves[(State.SUBMITTED, Trigger.ACCEPT)] == State.COMPLETED
    assert moves[(State.RETURNED, Trigger.UPDATE)] == State.RETURNED  # an internal transition keeps the state
    assert len(moves) == sum(len(event.transitions) for event in DEFAULT.machine.events.values())


def test_a_machine_with_callbacks_is_fired_so_they_run():
    called = []
    lifecycle = Lifecycle(DEFAULT.states, DEFAULT.initial, DEFAULT.actions)  # its own machine: DEFAULT's stays
    lifecycle.machine.after_state_change = [lambda *args, **kwargs: called.append(True)]
    assert lifecycle.moves is None
    assert lifecycle.destination(State.NOT_STARTED.value, Trigger.START) == State.IN_PROGRESS
    assert called == [True]
    assert DEFAULT.moves is not None
