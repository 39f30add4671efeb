"""The (state, trigger) -> destination table says what firing the machine says, and steps aside for callbacks."""
from __future__ import annotations

import pytest
from transitions import MachineError

from dtrack.workflow import lifecycle
from dtrack.workflow.vocabulary import State, Trigger


class _Moved:
    def __init__(self, state: str) -> None:
        self.state = state


def _fired(state: str, trigger: Trigger) -> str:
    moved = _Moved(state)
    lifecycle.machine().events[trigger].trigger(moved)
    return moved.state


@pytest.mark.parametrize("state", [s.value for s in State])
def test_every_move_is_the_machines(state):
    for trigger in Trigger:
        if trigger in lifecycle.triggers_from(state):
            assert lifecycle.destination(state, trigger) == _fired(state, trigger)
        else:
            with pytest.raises(MachineError):
                lifecycle.destination(state, trigger)
    assert lifecycle.triggers_from(state) == [Trigger(t) for t in lifecycle.machine().get_triggers(state)]


def test_the_table_is_derived_from_the_machine():
    moves = lifecycle._moves()
    assert moves is not None
    assert moves[(State.SUBMITTED, Trigger.ACCEPT)] == State.COMPLETED
    assert moves[(State.RETURNED, Trigger.UPDATE)] == State.RETURNED  # an internal transition keeps the state
    assert len(moves) == sum(len(event.transitions) for event in lifecycle.machine().events.values())


def test_a_machine_with_callbacks_is_fired_so_they_run(monkeypatch):
    called = []
    machine = lifecycle.machine()
    monkeypatch.setattr(machine, "after_state_change", [lambda *args, **kwargs: called.append(True)])
    lifecycle._moves.cache_clear()
    try:
        assert lifecycle._moves() is None
        assert lifecycle.destination(State.NOT_STARTED.value, Trigger.START) == State.IN_PROGRESS
        assert called == [True]
    finally:
        monkeypatch.undo()
        lifecycle._moves.cache_clear()
    assert lifecycle._moves() is not None
