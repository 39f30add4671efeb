"""The table of evidence files (issue 13), on the engine's metadata.

The rules that use it live in `dtrack.evidence`; the bytes of a file live
in its content-addressed store (evidence/storage.py), named by `sha256`.
A task's comments need no table of their own: each is an audit event
(trigger `comment`, the text in its note), so the thread and the history
are one list, and a comment is as unchangeable as any event.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dtrack.persistence.models import Base, Task, User, UTCDateTime


class Attachment(Base):
    """One evidence file attached to a task; withdrawn, never deleted, so the history stays whole."""

    __tablename__ = "attachments"
    __table_args__ = (Index("ix_attachments_task", "task_id", "id"), Index("ix_attachments_sha256", "sha256"))

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id"))
    uploader_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    original_name: Mapped[str] = mapped_column(String(255))  # as the uploader's computer named it, diacritics kept
    size: Mapped[int] = mapped_column(BigInteger)
    mimetype: Mapped[str] = mapped_column(String(100))  # judged from the content (evidence.filetypes)
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    task: Mapped[Task] = relationship()
    uploader: Mapped[User] = relationship()

