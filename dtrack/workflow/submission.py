"""What a submission must carry: a note, evidence, or either (issue 26), as the directive says.

A directive file may say it in `[directive.submit]`:

    [directive.submit]
    requires = "note_or_evidence"   # or "note", "evidence"

Kept in `directives.report_wording` (JSON, under `submit_requires`) like the rest of
what a file says of its overseer: no column of its own. Evidence is the submission's
evidence reference or a file attached to the task and not withdrawn.

Who enforces it: the engine, on every channel, when the directive says it; when
the directive says nothing, the default (`DEFAULT`) applies where a person submits
by hand (the task page passes `default=DEFAULT`). Scripts, imports and the demo
season that submit without a note keep working until their directives say so.
"""
from __future__ import annotations

import json

from sqlalchemy import Connection, exists, select

from dtrack.errors import InvalidInput
from dtrack.persistence.models import Directive, Task, TaskGroup

REQUIRES = ("note", "evidence", "note_or_evidence")
DEFAULT = "note_or_evidence"
KEY = "submit_requires"  # where the file's choice sits in `directives.report_wording`


def stored_requirement(report_wording: str | None) -> str | None:
    """What the directive's stored wording says a submission needs; None: it says nothing."""
    if not report_wording:
        return None
    value = json.loads(report_wording).get(KEY)
    return value if value in REQUIRES else None


def requirement(connection: Connection, task_id: int, default: str | None = None) -> str | None:
    """What a submission of the task needs: its directive's choice, else `default` (None: nothing)."""
    wording = connection.scalar(select(Directive.report_wording).select_from(Task)
                                .join(TaskGroup, Task.group_id == TaskGroup.id)
                                .join(Directive, TaskGroup.directive_id == Directive.id).where(Task.id == task_id))
    return stored_requirement(wording) or default


def _has_file(connection: Connection, task_id: int) -> bool:
    from dtrack.persistence.evidence_models import Attachment  # mapped on first use, as the engine's features are

    files = Attachment.__table__
    return bool(connection.scalar(select(exists().where(files.c.task_id == task_id, files.c.withdrawn_at.is_(None)))))


def check_submission(connection: Connection, task_id: int, note: str | None, evidence: str | None,
                     default: str | None = None) -> None:
    """Refuse a submission without what its directive (or `default`) requires, on the field to fill in."""
    needs = requirement(connection, task_id, default)
    if needs is None:
        return
    has_evidence = evidence is not None or _has_file(connection, task_id)
    if needs == "note" and note is None:
        raise InvalidInput("note", "submit_needs_note")
    if needs == "evidence" and not has_evidence:
        raise InvalidInput("evidence", "submit_needs_evidence")
    if needs == "note_or_evidence" and note is None and not has_evidence:
        raise InvalidInput("note", "submit_needs_note_or_evidence")


__all__ = ["DEFAULT", "KEY", "REQUIRES", "check_submission", "requirement", "stored_requirement"]
