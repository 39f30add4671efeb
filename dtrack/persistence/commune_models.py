"""The table of communes, wards and special zones: the second tier of local government since 1 July 2025.

Rows come from the official list (`workflow.commune_list`, which reads the
`vietnam-provinces` package) and are keyed by the official five-digit code,
so a later version of the list is compared code by code. A commune is never
deleted: one that leaves the list is marked retired (`retired_at`) and keeps
whatever refers to it (a commune officer's account, later the parts of tasks
delegated to it).
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dtrack.persistence.models import Base, Province, UTCDateTime


class Commune(Base):
    """One commune (xã), ward (phường) or special zone (đặc khu) of a province."""

    __tablename__ = "communes"
    # A province's communes in official order, without reading the table: the listing and the name lookup.
    __table_args__ = (Index("ix_communes_province", "province_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(5), unique=True)  # official code, zero-padded: "00004"
    province_id: Mapped[int] = mapped_column(ForeignKey("provinces.id"))
    name: Mapped[str] = mapped_column(String(120))  # as the list gives it, NFC with diacritics: "Phường Ba Đình"
    kind: Mapped[str] = mapped_column(String(12))  # vocabulary.CommuneKind
    loaded_at: Mapped[datetime] = mapped_column(UTCDateTime)  # when this row last took the list's values
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # left the official list (kept, never deleted)

    province: Mapped[Province] = relationship()
