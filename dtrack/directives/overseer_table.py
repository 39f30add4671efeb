"""The optional `[directive.overseer]` table: who oversees the directive, in the directive's own words.

    [directive.overseer]
    name_vi = "Bộ Công Thương"          # or the flat `overseer_vi` of [directive], not both
    name_en = "Ministry of Industry and Trade"
    short_vi = "Bộ"                     # "Chờ Bộ xem xét"; default: the kind the name starts with
    short_en = "the Ministry"
    parent_vi = ""                      # the body above it in the report's heading; "" : none
    parent_en = ""
    key_suffix = "bo"                   # its own tasks' keys: CODE:N:bo; default: the short word as a slug
    four_eyes = true                    # whoever submitted a task may not accept it (default)

Every key is optional; what is left out is derived (workflow/overseer.py).
Checked here, in the file's terms; whether the suffix collides with a
province is the loader's check (it has the provinces).
"""
from __future__ import annotations

import re
from typing import Any

from dtrack.errors import DirectiveInvalid, because
from dtrack.workflow.overseer import SUFFIX_LIMIT, OverseerSpec

TABLE = "overseer"
KEYS = {"name_vi", "name_en", "short_vi", "short_en", "parent_vi", "parent_en", "key_suffix", "four_eyes"}
_SUFFIX = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")


def parse_overseer(head: Any) -> tuple[str | None, str | None, OverseerSpec]:
    """The overseer's (name_vi, name_en, the rest) from [directive] (`head`, the format's table reader)."""
    flat = (head.text("overseer_vi", required=False), head.text("overseer_en", required=False))
    if TABLE not in head.table:
        return flat[0], flat[1], OverseerSpec()
    table = type(head)(head.path, f"{head.prefix}.{TABLE}", head.table[TABLE])
    table.check_keys(KEYS)
    names = (table.text("name_vi", required=False), table.text("name_en", required=False))
    for lang, (old, new) in zip(("vi", "en"), zip(flat, names, strict=True), strict=True):
        if old is not None and new is not None:
            raise table.fail(f"name_{lang}", because("given_twice", other=f"directive.overseer_{lang}"))
    suffix = table.text("key_suffix", required=False)
    if suffix is not None and (len(suffix) > SUFFIX_LIMIT or not _SUFFIX.fullmatch(suffix)):
        raise table.fail("key_suffix", because("bad_key_suffix", value=suffix, limit=SUFFIX_LIMIT))
    four_eyes = table.table.get("four_eyes", True)
    if not isinstance(four_eyes, bool):
        raise table.fail("four_eyes", because("must_be_true_or_false", value=four_eyes))
    spec = OverseerSpec(short_vi=table.text("short_vi", required=False),
                        short_en=table.text("short_en", required=False),
                        parent_vi=_parent(table, "parent_vi"), parent_en=_parent(table, "parent_en"),
                        key_suffix=suffix, four_eyes=four_eyes)
    return names[0] or flat[0], names[1] or flat[1], spec


def _parent(table: Any, name: str) -> str | None:
    """The body above, "" when the file says there is none (an empty text), None when it says nothing."""
    if name not in table.table:
        return None
    if isinstance(table.table[name], str) and not table.table[name].strip():
        return ""
    return table.text(name, required=False)


def check_suffix(path: str, suffix: str, is_province: bool) -> None:
    """A key suffix that names a province would make a key name two tasks: refused."""
    if is_province:
        raise DirectiveInvalid(path, f"directive.{TABLE}.key_suffix", because("key_suffix_is_a_province",
                                                                              value=suffix))
