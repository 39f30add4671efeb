"""The command line's one-line errors: a core error in the command's language, its field named by the option.

The core names a domain field (`note`, `due_on`, `min_days`) and never an
option. The option that takes the field is a parameter of the running
command (or of a group above it) named like the field, or as `ALIASES`
says where the command line calls it otherwise (`due_on` is `--to`). So:

- an option: `--note: ...` (and the CLI's own hint may say `add --note "..."`);
- an argument (TASK_REF, PATH): no prefix, the message names the value;
- a setting read from the environment: its variable, `DTRACK_TODAY: ...`;
- anything else: the field's label from the catalog.
"""
from __future__ import annotations

from collections.abc import Iterator
from types import TracebackType

import click

from dtrack.errors import DtrackError
from dtrack.i18n.error_messages import field_label, say

# Domain field -> the command line's parameter names for it, where they differ from the field's name.
ALIASES: dict[str, tuple[str, ...]] = {
    "due_on": ("to_date",),
    "recipients": ("to",),
    "database_url": ("db_url",),
    "today": ("as_of",),
    "provinces": ("spec",),
    "task": ("task_ref",),
    "file": ("path",),
    "format": ("fmt",),
}


def innermost_context(traceback: TracebackType | None) -> click.Context | None:
    """The context of the command that was running when an error was raised (its frames hold it)."""
    found = None
    while traceback is not None:
        for value in traceback.tb_frame.f_locals.values():
            if isinstance(value, click.Context):
                found = value
        traceback = traceback.tb_next
    return found


def _contexts(ctx: click.Context | None) -> Iterator[click.Context]:
    while ctx is not None:
        yield ctx
        ctx = ctx.parent


def option_for(field: str, ctx: click.Context | None) -> click.Parameter | None:
    """The parameter of the running command (or a group above it) that takes `field`, if any."""
    names = (field, *ALIASES.get(field, ()))
    for context in _contexts(ctx):
        for name in names:
            for param in context.command.params:
                if param.name == name:
                    return param
    return None


def error_line(error: DtrackError, lang: str, ctx: click.Context | None) -> str:
    """`error` as the one line the command line prints after `lỗi:` / `error:`."""
    field = error.field
    if not field:
        return say(error, lang, "cli")
    env = error.params.get("env")
    param = None if env else option_for(field, ctx)
    if isinstance(param, click.Option):
        flag = max(param.opts, key=len)
        return say(error, lang, "cli", where=flag, flag=flag)
    if isinstance(param, click.Argument):  # the message names what was typed
        return say(error, lang, "cli", where="", flag=param.human_readable_name)
    where = str(env) if env else field_label(field, lang)
    return say(error, lang, "cli", where=where, flag=where)


__all__ = ["ALIASES", "error_line", "innermost_context", "option_for"]
