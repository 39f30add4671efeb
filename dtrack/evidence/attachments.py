"""Attaching, listing, fetching and withdrawing a task's evidence files: the one core both front ends call.

Who may do what (the read rule is `workflow.access`'s):
- attach: whoever carries the task out (its province's officer; an overseer for a
  Department-owned group) or an admin, while the task is not completed;
- read and download: whoever may read the task (overseers, the province's own officers);
- withdraw: the uploader, while the task is not completed. A file of a completed task
  stays; a withdrawn one is kept (the history names it) but is no longer offered.

An upload arrives either as bytes (the CLI) or as a file already received to
the store's disk, counted and hashed while it streamed in (the web,
`storage.Incoming`): never the whole body in memory.

The bytes are written before the row and its audit event are committed, and
removed again if that transaction fails, so there is never a row without its
file, nor (beyond a crash between the two) a file without its row.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePosixPath, PureWindowsPath

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from dtrack.config.clock import Clock
from dtrack.config.settings import Settings
from dtrack.errors import InvalidInput, NotFound, PermissionDenied, UnknownTask, because
from dtrack.evidence.filetypes import check_file
from dtrack.evidence.storage import Incoming, Store, evidence_root
from dtrack.persistence.database import Database, row_id
from dtrack.persistence.evidence_models import Attachment
from dtrack.persistence.models import Event, Task, User
from dtrack.workflow.access import check_active, check_task
from dtrack.workflow.service import owns
from dtrack.workflow.tasks import find_task
from dtrack.workflow.users import find_user
from dtrack.workflow.views import View
from dtrack.workflow.vocabulary import EvidenceTrigger, Role, State

MAX_NAME = 255


class UnknownAttachment(NotFound):
    error_code = "unknown_attachment"
    kind = "attachment"


@dataclass(frozen=True)
class AttachmentView(View):
    id: int
    task_id: int
    task_key: str
    name: str
    size: int
    mimetype: str
    sha256: str
    uploaded_by: str
    uploaded_by_name: str
    uploaded_at: datetime
    withdrawn_at: datetime | None

    @classmethod
    def of(cls, row: Attachment) -> AttachmentView:
        return cls(row.id, row.task_id, row.task.key, row.original_name, row.size, row.mimetype, row.sha256,
                   row.uploader.email, row.uploader.name, row.created_at, row.withdrawn_at)


def clean_name(filename: str | None) -> str:
    """The file's own name, without any folder a browser or a shell put before it; diacritics kept (NFC)."""
    name = PureWindowsPath(PurePosixPath(filename or "").name).name
    name = unicodedata.normalize("NFC", "".join(c for c in name if unicodedata.category(c)[0] != "C")).strip()
    if not name or name in (".", ".."):
        raise InvalidInput("file", "file_no_name")
    if len(name) > MAX_NAME:
        stem, dot, ext = name.rpartition(".")
        name = (stem[:MAX_NAME - len(ext) - 1] + dot + ext) if dot else name[:MAX_NAME]
    return name


def _check_open(task: Task, action: str) -> None:
    if task.state == State.COMPLETED:
        raise InvalidInput("file", "evidence_closed", action=action, task_key=task.key)


def attach(db: Database, clock: Clock, settings: Settings, task_ref: str, actor_email: str, filename: str | None,
           content: bytes | Incoming) -> AttachmentView:
    """Store one file as evidence of the task (one transaction with its audit event).

    A received `Incoming` is kept (moved into the store) or, on any refusal, left for its owner to discard.
    """
    with db.session() as session:  # who first, then what: a refused upload writes nothing at all
        actor, task = find_user(session, actor_email), find_task(session, task_ref)[0]
        check_task(actor, task, task_ref)  # another province's task is unknown to them, as a missing one
        _check_may_attach(actor, task)
        _check_open(task, "attach")
    name = clean_name(filename)
    store = Store(evidence_root(settings))
    if isinstance(content, Incoming):
        size = content.size
        content.finish()  # on disk before its bytes are looked at
        kind = check_file(name, content.path, settings.evidence_max_mb * 1_000_000, size)
        digest, written = store.keep(content)
    else:
        size = len(content)
        kind = check_file(name, content, settings.evidence_max_mb * 1_000_000)
        digest, written = store.put(content)
    try:
        now = clock.now()
        with db.session() as session:
            actor, again = find_user(session, actor_email), session.get(Task, task.id)
            if again is None:  # found above, and tasks are never deleted
                raise UnknownTask(task_ref)
            task = again
            _check_may_attach(actor, task)
            _check_open(task, "attach")
            row = Attachment(task_id=task.id, uploader_id=actor.id, original_name=name, size=size,
                             mimetype=kind.mimetype, sha256=digest, created_at=now)
            session.add(row)
            session.add(_event(task, actor, EvidenceTrigger.ATTACH, name, now))
            session.flush()
            return AttachmentView.of(row)
    except BaseException:
        if written and not _referenced(db, digest):
            store.discard(digest)
        raise


def may_attach(actor: User, task: Task) -> bool:
    """Whether the task page offers `actor` the upload form (the core checks again on upload)."""
    return (actor.disabled_at is None and task.state != State.COMPLETED
            and (actor.role == Role.ADMIN or owns(actor, task)))


def _check_may_attach(actor: User, task: Task) -> None:
    check_active(actor, "attach", task.key)
    if not (actor.role == Role.ADMIN or owns(actor, task)):
        raise PermissionDenied(actor.email, "attach", task.key, because("evidence_by_owner"))


def _event(task: Task, actor: User, trigger: EvidenceTrigger, note: str, now: datetime) -> Event:
    return Event(task_id=task.id, actor_id=actor.id, trigger=trigger.value, from_state=task.state,
                 to_state=task.state, progress=task.progress, note=note, at=now)


def _referenced(db: Database, digest: str) -> bool:
    with db.session() as session:
        return session.scalar(select(Attachment.id).where(Attachment.sha256 == digest).limit(1)) is not None


def _rows(session: Session, task_id: int):
    return select(Attachment).options(joinedload(Attachment.uploader), joinedload(Attachment.task)) \
        .where(Attachment.task_id == task_id).order_by(Attachment.id)


def files_of(session: Session, task: Task, *, withdrawn: bool = False) -> list[AttachmentView]:
    """The task's evidence files, oldest first (withdrawn ones too when asked)."""
    rows = session.scalars(_rows(session, task.id)).all()
    return [AttachmentView.of(r) for r in rows if withdrawn or r.withdrawn_at is None]


def list_files(session: Session, actor: User | None, task_ref: str, *, withdrawn: bool = False) -> list[AttachmentView]:
    """`files_of` for a task named by id or key; an actor sees only a task they may read (None: the server's shell)."""
    task = find_task(session, task_ref)[0]
    if actor is not None:
        check_task(actor, task)
    return files_of(session, task, withdrawn=withdrawn)


def fetch(db: Database, settings: Settings, actor_email: str | None, task_ref: str,
          attachment_id: int | str) -> tuple[AttachmentView, bytes]:
    """One file of the task and its bytes; a withdrawn file, another task's or a guessed id is 'unknown'."""
    with db.session() as session:
        task = find_task(session, task_ref)[0]
        if actor_email is not None:
            check_task(find_user(session, actor_email), task)
        row = _find(session, task, attachment_id)
        view = AttachmentView.of(row)
    return view, Store(evidence_root(settings)).read(view.sha256)


def _find(session: Session, task: Task, attachment_id: int | str) -> Attachment:
    number = row_id(attachment_id)
    row = session.get(Attachment, number) if number is not None else None
    if row is None or row.task_id != task.id or row.withdrawn_at is not None:
        raise UnknownAttachment(str(attachment_id))
    return row


def withdraw(db: Database, clock: Clock, task_ref: str, actor_email: str, attachment_id: int | str) -> AttachmentView:
    """The uploader takes a file back before acceptance; audited. The bytes stay for the history."""
    now = clock.now()
    with db.session() as session:
        actor, task = find_user(session, actor_email), find_task(session, task_ref)[0]
        check_task(actor, task)
        row = _find(session, task, attachment_id)
        if row.uploader_id != actor.id:
            raise PermissionDenied(actor.email, "withdraw", row.original_name, because("uploader_only"))
        _check_open(task, "withdraw")
        row.withdrawn_at = now
        session.add(_event(task, actor, EvidenceTrigger.WITHDRAW, row.original_name, now))
        session.flush()
        return AttachmentView.of(row)
