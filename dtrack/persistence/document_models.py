"""The register of outgoing documents (issue 23): numbers per issuing body and year, and what was issued.

A Vietnamese body numbers its outgoing documents from 1 each calendar year ("Số: 12/KC"), and a
number is given when a document is issued, never to a draft. `document_counters` holds the last
number given per (issuer, year); taking one is a single `UPDATE … RETURNING` on that row inside
the issuing transaction (documents/register.py), so two overseers issuing at once queue on the row
lock and a cancelled issue gives its number back with its rollback: no duplicate, no gap.
`issued_documents` keeps each issued document (what, to whom, by whom) for the history and reports.
`letter_drafts` holds the urge letters the daily job prepares for an overseer's approval, and
`task_documents` the numbers and dates of the documents exchanged about each task (migration 0021).
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from dtrack.persistence.models import Base, UTCDateTime


class DocumentCounter(Base):
    """The last number an issuing body gave in a year."""

    __tablename__ = "document_counters"

    issuer: Mapped[str] = mapped_column(String(200), primary_key=True)  # the body as its header names it
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_number: Mapped[int] = mapped_column(Integer)


class IssuedDocument(Base):
    """One issued document with its number ("12/KC" in year 2026 of the Cục)."""

    __tablename__ = "issued_documents"
    __table_args__ = (UniqueConstraint("issuer", "year", "number"),
                      Index("ix_issued_documents_province", "province_id", "issued_on"))

    id: Mapped[int] = mapped_column(primary_key=True)
    issuer: Mapped[str] = mapped_column(String(200))
    year: Mapped[int] = mapped_column(Integer)
    number: Mapped[int] = mapped_column(Integer)
    symbol: Mapped[str] = mapped_column(String(40))  # what follows the number: "/KC", "/BC-KC"
    kind: Mapped[str] = mapped_column(String(20))  # vocabulary.DocumentKind: "urge"
    directive_id: Mapped[int | None] = mapped_column(ForeignKey("directives.id"))
    province_id: Mapped[int | None] = mapped_column(ForeignKey("provinces.id"))
    issued_on: Mapped[date] = mapped_column(Date)  # the date the document bears (local day)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    issued_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    addressee: Mapped[str] = mapped_column(Text)  # "Kính gửi" as written
    summary: Mapped[str] = mapped_column(Text)  # "V/v đôn đốc thực hiện Chỉ thị số 20/CT-BCT"
    tasks: Mapped[int] = mapped_column(Integer, default=0)  # how many tasks it names (each has an audit row)


class LetterDraft(Base):
    """An urge letter the daily job prepared, waiting for an overseer to approve or discard it (issue 23).

    The escalation step of the daily job (documents/escalation.py) writes one for each province whose
    tasks of a directive are overdue past the directive's `escalate_after_days`, addressed to the
    provincial People's Committee. At most one waits per province and directive (the partial unique
    index): the next days' runs refresh its figures instead of adding another. Nothing is numbered or
    sent until a person approves it; the decision (who, when) stays on the row.
    """

    __tablename__ = "letter_drafts"
    __table_args__ = (Index("uq_letter_drafts_pending", "province_id", "directive_id", unique=True,
                            sqlite_where=text("status = 'pending'"), postgresql_where=text("status = 'pending'")),
                      Index("ix_letter_drafts_status", "status", "prepared_on"))

    id: Mapped[int] = mapped_column(primary_key=True)
    province_id: Mapped[int] = mapped_column(ForeignKey("provinces.id"))
    directive_id: Mapped[int] = mapped_column(ForeignKey("directives.id"))
    status: Mapped[str] = mapped_column(String(12))  # vocabulary-like: pending, approving, approved, discarded
    prepared_on: Mapped[date] = mapped_column(Date)  # the local day the job first prepared it
    prepared_at: Mapped[datetime] = mapped_column(UTCDateTime)
    refreshed_on: Mapped[date] = mapped_column(Date)  # the last day the job found it still due
    tasks: Mapped[int] = mapped_column(Integer)  # overdue tasks past the threshold on `refreshed_on`
    most_days: Mapped[int] = mapped_column(Integer)  # the longest delay among them
    threshold: Mapped[int] = mapped_column(Integer)  # the directive's escalate_after_days then
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    issued_document_id: Mapped[int | None] = mapped_column(ForeignKey("issued_documents.id"), nullable=True)


class TaskDocument(Base):
    """A document exchanged about a task: its number and date ("Số 123/BC-SCT ngày 10/11/2026").

    Recorded by hand (the province's report, the Ministry's letter) or, for letters dtrack issues,
    automatically on each task the letter names (`issued_document_id` set).
    """

    __tablename__ = "task_documents"
    __table_args__ = (Index("ix_task_documents_task", "task_id", "issued_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id"))
    number: Mapped[str] = mapped_column(String(60))  # "123/BC-SCT"
    issued_on: Mapped[date] = mapped_column(Date)  # the date the document bears
    issuer: Mapped[str] = mapped_column(String(200))  # who issued it: "Sở Công Thương tỉnh Cà Mau"
    summary: Mapped[str] = mapped_column(Text, default="")  # its summary line, "V/v …"
    direction: Mapped[str] = mapped_column(String(8))  # "in": to the Ministry; "out": from it
    issued_document_id: Mapped[int | None] = mapped_column(ForeignKey("issued_documents.id"), nullable=True)
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
