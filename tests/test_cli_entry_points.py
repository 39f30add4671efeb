"""Every command answers through each of the three ways dtrack is started.

`dtrack` (the console script of the environment), `python -m dtrack` and
`python -m dtrack.cli` must resolve to the same, complete command tree: the
commands live in `dtrack/commands/`, one module per group, and `dtrack.cli`
imports them and adds them to its root group. (Run as `python -m
dtrack.cli`, that file is `__main__`, a second copy of the module; when the
commands registered themselves on the group of `dtrack.cli`, a `main()` run
from that copy once answered "No such command 'serve'" for eleven commands.)

Real processes for the root's `--help` and every command or group directly
under it (20 x 3); the leaves below the groups go through the same entry
points in one process per entry point (runpy runs the console script, or the
module as `python -m` does, once per command), which keeps this under a few
seconds. No database: `--help` never opens one.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import click
import pytest

from dtrack.cli import cli

CONSOLE_SCRIPT = Path(sys.executable).with_name("dtrack")
ENTRY_POINTS = {
    "dtrack": [str(CONSOLE_SCRIPT)],
    "python -m dtrack": [sys.executable, "-m", "dtrack"],
    "python -m dtrack.cli": [sys.executable, "-m", "dtrack.cli"],
}
# The same entry points run in-process, once per command: how each one starts (see WALK).
RUNS = {
    "dtrack": f"runpy.run_path({str(CONSOLE_SCRIPT)!r}, run_name='__main__')",
    "python -m dtrack": "runpy.run_module('dtrack', run_name='__main__', alter_sys=True)",
    "python -m dtrack.cli": "runpy.run_module('dtrack.cli', run_name='__main__', alter_sys=True)",
}
# Reads a JSON list of command paths on stdin; answers, per path, the exit code and what was printed.
# From the second run on, runpy warns that `dtrack.cli` is already imported: true, and only here
# (a real `python -m dtrack.cli` starts afresh, and the tests above see it print nothing on stderr).
WALK = """
import contextlib, io, json, runpy, sys, warnings
warnings.filterwarnings("ignore", "'dtrack.cli' found in sys.modules", RuntimeWarning)
found = []
for path in json.load(sys.stdin):
    out, err, code = io.StringIO(), io.StringIO(), None
    sys.argv = ["dtrack", *path, "--help"]
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            {run}
        except SystemExit as exit:
            code = exit.code
    found.append([code, out.getvalue(), err.getvalue()])
print(json.dumps(found))
"""
ENV = {**{k: v for k, v in os.environ.items() if k not in ("DTRACK_LANG", "LINES")}, "COLUMNS": "80"}


def command_paths(group: click.Group = cli, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every command and group below `group`, as the words typed after `dtrack`, depth first."""
    found = []
    for name in group.list_commands(click.Context(group)):
        command = group.get_command(click.Context(group), name)  # a group may make its commands (`task`)
        assert command is not None, (*prefix, name)
        found.append((*prefix, name))
        if isinstance(command, click.Group):
            found += command_paths(command, (*prefix, name))
    return found


PATHS = command_paths()


def run(entry: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*ENTRY_POINTS[entry], *args], env=ENV, capture_output=True, text=True, timeout=60)


def usage_line(path: tuple[str, ...]) -> str:
    return " ".join(("Usage: dtrack", *path))


def test_the_tree_holds_every_command_and_they_live_in_the_command_modules():
    assert len(PATHS) >= 60
    for expected in [("serve",), ("scheduler",), ("demo",), ("users", "invite"), ("users", "add"), ("users", "purge"),
                     ("task", "comment"), ("task", "submit"), ("deadlines", "grant"), ("report", "send")]:
        assert expected in PATHS
    places = {path: _command(path).callback.__module__ for path in PATHS}
    assert {place.split(".")[1] for place in places.values()} == {"commands"}, places
    # One group, one module: a group's own commands are where the group is (the task group's evidence aside);
    # a group inside a group (`report letters`) may have a module of its own, and then its commands are there.
    for path in PATHS:
        if len(path) >= 2 and path[0] != "task" and not isinstance(_command(path), click.Group):
            assert places[path] == places[path[:-1]], path


def _command(path: tuple[str, ...]) -> click.Command:
    command: click.Command = cli
    for name in path:
        assert isinstance(command, click.Group)
        found = command.get_command(click.Context(command), name)
        assert found is not None, path
        command = found
    return command


def test_the_console_script_is_installed():
    assert CONSOLE_SCRIPT.is_file(), f"{CONSOLE_SCRIPT}: run `make install`"


@pytest.mark.parametrize("path", [(), *[p for p in PATHS if len(p) == 1]], ids=lambda p: " ".join(p) or "dtrack")
def test_the_root_and_each_command_under_it_answer_help_the_same_through_every_entry_point(path):
    with ThreadPoolExecutor(max_workers=3) as pool:
        done = dict(zip(ENTRY_POINTS, pool.map(lambda entry: run(entry, *path, "--help"), ENTRY_POINTS), strict=True))
    for entry, result in done.items():
        assert (result.returncode, result.stderr) == (0, ""), f"{entry} {' '.join(path)} --help:\n{result.stderr}"
        assert result.stdout.startswith(usage_line(path) + " "), f"{entry}:\n{result.stdout}"
    assert done["python -m dtrack"].stdout == done["dtrack"].stdout
    assert done["python -m dtrack.cli"].stdout == done["dtrack"].stdout


def test_every_command_answers_help_the_same_through_every_entry_point():
    answers = {}
    for entry, start in RUNS.items():
        done = subprocess.run([sys.executable, "-c", WALK.replace("{run}", start)], input=json.dumps(PATHS),
                              env=ENV, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        answers[entry] = json.loads(done.stdout.splitlines()[-1])
    for entry, found in answers.items():
        for path, (code, out, err) in zip(PATHS, found, strict=True):
            assert (code, err) == (0, ""), f"{entry} {' '.join(path)} --help: {code}\n{err}"
            assert out.startswith(usage_line(path) + " "), f"{entry} {' '.join(path)} --help:\n{out}"
    assert answers["python -m dtrack"] == answers["dtrack"]
    assert answers["python -m dtrack.cli"] == answers["dtrack"]


def test_a_mistyped_command_is_refused_the_same_through_every_entry_point():
    done = {entry: run(entry, "no-such-command") for entry in ENTRY_POINTS}
    assert {result.returncode for result in done.values()} == {2}
    assert len({result.stderr for result in done.values()}) == 1
    assert "no-such-command" in done["dtrack"].stderr
