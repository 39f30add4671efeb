"""A conversation on each task: a comment is an audit event, so the thread is the task's history.

Whoever may read the task may write in its thread: the province's officers
and the Department. A comment is the event's note (trigger `comment`, state
and progress as they were), written in its own transaction, never edited by
anyone: events are append-only. Digests pick up the other side's comments
(notifications/digest_gathering.py reads events after the last digest).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from dtrack.config.clock import Clock
from dtrack.errors import InvalidInput
from dtrack.persistence.database import Database
from dtrack.persistence.models import Event
from dtrack.workflow.access import check_task
from dtrack.workflow.tasks import find_task
from dtrack.workflow.users import find_user
from dtrack.workflow.views import View
from dtrack.workflow.vocabulary import EvidenceTrigger


@dataclass(frozen=True)
class Posted(View):
    event_id: int
    task_id: int
    task_key: str
    author: str
    at: datetime
    text: str


def check_comment(text: str | None, max_chars: int) -> str:
    """The comment as it will be kept (trimmed), or InvalidInput naming the `comment` field."""
    text = (text or "").replace("\r\n", "\n").strip()
    if not text:
        raise InvalidInput("comment", "empty_comment")
    if len(text) > max_chars:
        raise InvalidInput("comment", "too_long", length=len(text), max=max_chars)
    if "\x00" in text:
        raise InvalidInput("comment", "has_nul")
    return text


def post_comment(db: Database, clock: Clock, task_ref: str, actor_email: str, text: str | None,
                 max_chars: int = 4000) -> Posted:
    """Add one comment to the task's thread (one transaction, one event)."""
    now = clock.now()
    with db.session() as session:
        actor = find_user(session, actor_email)
        task = find_task(session, task_ref)[0]
        check_task(actor, task)  # who first (a disabled account too), then what
        body = check_comment(text, max_chars)
        event = Event(task_id=task.id, actor_id=actor.id, trigger=EvidenceTrigger.COMMENT.value, from_state=task.state,
                      to_state=task.state, progress=task.progress, note=body, at=now)
        session.add(event)
        session.flush()
        return Posted(event.id, task.id, task.key, actor.email, now, body)
