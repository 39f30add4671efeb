"""The register of outgoing documents (issue 23): numbers per issuing body and year, and what was issued.

A Vietnamese body numbers its outgoing documents from 1 each calendar year ("Số: 12/KC"), and a
number is given when a document is issued, never to a draft. `document_counters` holds the last
number given per (issuer, year); taking one is a single `UPDATE … RETURNING` on that row inside
the issuing transaction (documents/register.py), so two overseers issuing at once queue on the row
lock and a cancelled issue gives its number back with its rollback: no duplicate, no gap.
`issued_documents` keeps each issued document (what, to whom, by whom) for the history and reports.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
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
