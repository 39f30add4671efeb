"""Naming a commune: by its official code or its name, with or without diacritics, within a province or not.

People write "Phường Ba Đình", "phuong ba dinh", "Ba Đình" or "00004"; all name the
same ward (in Hà Nội: "ba dinh" alone also names Xã Ba Dinh of Quảng Ngãi). A name
written with diacritics is tried first as written (so "Ba Đình" is not taken for
"Ba Dinh"), then without them. The kind word in front (xã, phường, đặc khu) may be
left out. A name that several
communes answer to is refused with the candidates (code and name, the province too
when no province was given), never guessed; nothing found is `UnknownCommune`.

Retired communes (gone from the official list) are named only by code, and only
when the caller asks for them: a new account is never bound to one.
"""
from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from dtrack.errors import InvalidInput, NotFound
from dtrack.persistence.commune_models import Commune
from dtrack.persistence.models import Province
from dtrack.workflow.provinces import slugify
from dtrack.workflow.views import View

# The kind words a name starts with, folded (see `fold`): left out, a name still matches.
_KIND_WORDS = ("xa ", "phuong ", "dac khu ")
CODE_DIGITS = 5


class UnknownCommune(NotFound):
    """No commune has this code or name (in the province, when one is given: `province` is its slug)."""

    error_code = "unknown_commune"
    kind = "commune"

    def __init__(self, ref: str, province: str | None = None) -> None:
        self.province = province
        super().__init__(ref, code="unknown_commune_in_province" if province else None, field="commune",
                         province=province)


class AmbiguousCommune(InvalidInput):
    """A name several communes answer to; `candidates` are (code, name[, province]) of each, in code order.

    Shown as a mistake in the commune field (a form shows it beside the field, the CLI names --commune).
    """

    error_code = "ambiguous_commune"

    def __init__(self, ref: str, candidates: list[tuple[str, ...]]) -> None:
        self.ref = ref
        self.candidates = candidates
        listed = [" ".join(c[:2]) + (f" ({c[2]})" if len(c) > 2 else "") for c in candidates]
        super().__init__("commune", "ambiguous_commune", ref=ref, candidates=listed, count=len(candidates))


def fold(text: str) -> str:
    """A name as compared without diacritics or case: 'Phường Ba Đình' -> 'phuong ba dinh' (the provinces' slug)."""
    return slugify(text).replace("-", " ")


def exact(text: str) -> str:
    """A name as compared with its diacritics, without case or extra spaces."""
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def bare(folded_or_exact: str) -> str:
    """A compared name without the kind word in front ('phuong ba dinh' -> 'ba dinh'; exact forms too)."""
    for word in (*_KIND_WORDS, "xã ", "phường ", "đặc khu "):
        if folded_or_exact.startswith(word):
            return folded_or_exact[len(word):]
    return folded_or_exact


def as_code(ref: str) -> str | None:
    """`ref` as an official code when it is one to five ASCII digits ('4' -> '00004')."""
    text = ref.strip()
    return text.zfill(CODE_DIGITS) if text.isascii() and text.isdigit() and len(text) <= CODE_DIGITS else None


def resolve_commune(session: Session, ref: str, province: Province | None = None, *,
                    include_retired: bool = False) -> Commune:
    """The commune named by `ref` (code or name), within `province` when given.

    Raises UnknownCommune, AmbiguousCommune (the candidates in its params), or
    InvalidInput(commune_not_in_province) for a code of another province's commune.
    """
    text = (ref or "").strip()
    if not text or "\x00" in text:
        raise UnknownCommune(text, province.slug if province else None)
    code = as_code(text)
    if code is not None:
        found = session.scalar(select(Commune).where(Commune.code == code))
        if found is None or (found.retired_at is not None and not include_retired):
            raise UnknownCommune(text, province.slug if province else None)
        if province is not None and found.province_id != province.id:
            raise InvalidInput("commune", "commune_not_in_province", commune=f"{found.code} {found.name}",
                               province=province.name)
        return found
    return _by_name(session, text, province)


def _by_name(session: Session, text: str, province: Province | None) -> Commune:
    query = (select(Commune.id, Commune.code, Commune.name, Province.name.label("province"))
             .join(Province, Province.id == Commune.province_id).where(Commune.retired_at.is_(None)))
    if province is not None:
        query = query.where(Commune.province_id == province.id)
    rows = session.execute(query.order_by(Commune.code)).all()
    wanted_exact, wanted_folded = exact(text), fold(text)
    steps: list[Callable[[Any], bool]] = []
    if not text.isascii():  # written with diacritics: as written first ("ba dinh" has none to go by)
        steps.append(lambda r: wanted_exact in (exact(r.name), bare(exact(r.name))))
    steps.append(lambda r: fold(r.name) == wanted_folded)
    if bare(wanted_folded) == wanted_folded:  # no kind word given: a name of any kind
        steps.append(lambda r: bare(fold(r.name)) == wanted_folded)
    for matches in ([r for r in rows if step(r)] for step in steps):
        if len(matches) == 1:
            commune = session.get(Commune, matches[0].id)
            assert commune is not None  # read in this transaction a moment ago
            return commune
        if matches:
            raise AmbiguousCommune(text, [(r.code, r.name) if province is not None else (r.code, r.name, r.province)
                                          for r in matches])
    raise UnknownCommune(text, province.slug if province else None)


@dataclass(frozen=True)
class CommuneView(View):
    code: str
    name: str
    kind: str  # vocabulary.CommuneKind
    province: str  # slug
    retired_at: datetime | None


def list_communes(session: Session, province: Province | None = None, *,
                  include_retired: bool = False) -> list[CommuneView]:
    """A province's communes (or every province's, in the provinces' order), by official code."""
    query = (select(Commune.code, Commune.name, Commune.kind, Province.slug, Commune.retired_at)
             .join(Province, Province.id == Commune.province_id))
    if province is not None:
        query = query.where(Commune.province_id == province.id)
    if not include_retired:
        query = query.where(Commune.retired_at.is_(None))
    return [CommuneView(*row) for row in session.execute(query.order_by(Province.ordinal, Commune.code))]


def commune_label(commune: Commune | None) -> str | None:
    """'00004 Phường Ba Đình': how lists show a commune (None for none)."""
    return None if commune is None else f"{commune.code} {commune.name}"


def communes_by_id(session: Session, ids: set[int]) -> dict[int, Any]:
    """Commune rows (id, code, name, province slug and name) by id, for lists of users."""
    if not ids:
        return {}
    rows = session.execute(select(Commune.id, Commune.code, Commune.name, Province.slug.label("province"),
                                  Province.name.label("province_name"))
                           .join(Province, Province.id == Commune.province_id).where(Commune.id.in_(sorted(ids))))
    return {r.id: r for r in rows}


__all__ = ["AmbiguousCommune", "CommuneView", "UnknownCommune", "as_code", "bare", "commune_label", "communes_by_id",
           "exact", "fold", "list_communes", "resolve_commune"]
