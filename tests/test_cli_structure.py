"""cli.py is the root group, the error mapping and `main`; the commands are modules it imports, never the reverse."""
from __future__ import annotations

import importlib
import pkgutil
import subprocess
import sys

import click

import dtrack.commands
from dtrack.cli import cli


def _tree(group: click.Group) -> list[click.Command]:
    found: list[click.Command] = []
    context = click.Context(group)
    for name in group.list_commands(context):
        command = group.get_command(context, name)
        assert command is not None, name
        found.append(command)
        if isinstance(command, click.Group):
            found += _tree(command)
    return found


def _declared() -> dict[str, click.Command]:
    """Every click command a module of `dtrack.commands` declares at its top level, by dotted name."""
    declared = {}
    for info in pkgutil.iter_modules(dtrack.commands.__path__):
        module = importlib.import_module(f"dtrack.commands.{info.name}")
        for name, value in vars(module).items():
            if isinstance(value, click.Command) and getattr(value.callback, "__module__", None) == module.__name__:
                declared[f"{module.__name__}.{name}"] = value
    return declared


def test_every_command_a_module_declares_is_in_the_tree():
    reachable = {id(command) for command in _tree(cli)}
    declared = _declared()
    assert len(declared) > 40
    missing = sorted(name for name, command in declared.items() if id(command) not in reachable)
    assert not missing, f"declared but never added to the root group (dtrack/cli.py): {missing}"


def test_a_command_module_loads_without_the_root_group():
    code = ("import sys, dtrack.commands.tasks, dtrack.commands.shared\n"
            "print('dtrack.cli' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"
