"""The official list of communes, wards and special zones, and keeping the `communes` table in step with it.

Source: the `vietnam-provinces` package (PyPI, github.com/sunshine-tech/VietnamProvinces,
by Nguyễn Hồng Quân), pinned `>=2025.10,<2026`. Version 2025.10.1 carries data version
2025-10-18 (`vietnam_provinces.__data_version__`, the day its data was retrieved): the 34
provincial units and 3,321 commune-level units (2,621 xã, 687 phường, 13 đặc khu) since
1 July 2025, with the codes of the Government's list of administrative units and their
codes (Tổng cục Thống kê). Licence: GPL-3.0-or-later (its pyproject.toml; the wheel's
metadata names none). dtrack, MIT-licensed, does not copy its code or data: it reads the
package's data file (`nested-divisions.json`) where the package is installed, so the
package stays a separate dependency; whoever ships dtrack bundled with it (a wheelhouse,
an image) must meet the GPL's terms for that part.

Communes are keyed by their official five-digit code and mapped onto dtrack's provinces
by the province's official two-digit code (`provinces.code`, from the seed file), never
by name. A later list is compared code by code (`compare`): what is new is added, a
changed name or kind is a rename, a changed province a move, one that left the list is
retired (never deleted: an officer's account or, later, delegated work may refer to
it), and one that comes back is restored. `apply` makes all of it in the caller's
transaction; `dtrack init` loads the whole list once into an empty table.
"""
from __future__ import annotations

import json
import os
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from dtrack.errors import DtrackError, Reason, UnknownProvince, because
from dtrack.persistence.commune_models import Commune
from dtrack.persistence.models import Province
from dtrack.workflow.views import View
from dtrack.workflow.vocabulary import CommuneKind

# The list's `division_type` words -> the vocabulary's kinds.
KINDS = {"xã": CommuneKind.COMMUNE, "phường": CommuneKind.WARD, "đặc khu": CommuneKind.SPECIAL_ZONE}


class CommuneListInvalid(DtrackError):
    """A commune list file cannot be used: its path, the entry, and what is wrong there."""

    error_code = "commune_list_invalid"

    def __init__(self, path: str, key: str, problem: Reason) -> None:
        self.path = path
        self.key = key  # where, JSONPath-like: "$[3].wards[7].division_type"; "$" for the file as a whole
        self.problem = problem
        super().__init__(field="file", path=path, key=key, problem=problem)


@dataclass(frozen=True)
class OfficialCommune:
    code: str  # five digits, zero-padded: "00004"
    province_code: str  # two digits: "01"
    name: str  # NFC, with diacritics
    kind: str  # CommuneKind


@dataclass(frozen=True)
class OfficialList:
    source: str  # "vietnam-provinces 2025.10.1" or the file read
    data_version: str | None  # the package's data version (2025-10-18); None for a file
    communes: tuple[OfficialCommune, ...]


def package_list() -> OfficialList:
    """The list the installed `vietnam-provinces` package ships."""
    import vietnam_provinces

    parsed = read_list(vietnam_provinces.NESTED_DIVISIONS_JSON_PATH)
    return OfficialList(f"vietnam-provinces {vietnam_provinces.__version__}", vietnam_provinces.__data_version__,
                        parsed.communes)


def read_list(path: str | os.PathLike[str]) -> OfficialList:
    """A list in the package's nested format: provinces, each with `code` and `wards` (code, name, division_type)."""
    shown = str(path)
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise CommuneListInvalid(shown, "$", because("cannot_read_file", reason=reason)) from None
    except ValueError as exc:
        raise CommuneListInvalid(shown, "$", because("not_json", detail=str(exc))) from None
    if not isinstance(data, list):
        raise CommuneListInvalid(shown, "$", because("not_a_list"))
    communes: list[OfficialCommune] = []
    seen: set[str] = set()
    for p, province in enumerate(data):
        where = f"$[{p}]"
        if not isinstance(province, dict) or not isinstance(province.get("wards"), list):
            raise CommuneListInvalid(shown, where, because("not_a_province_entry"))
        province_code = _code(province.get("code"), 2, shown, f"{where}.code")
        for w, ward in enumerate(province["wards"]):
            at = f"{where}.wards[{w}]"
            if not isinstance(ward, dict):
                raise CommuneListInvalid(shown, at, because("not_a_commune_entry"))
            code = _code(ward.get("code"), 5, shown, f"{at}.code")
            if code in seen:
                raise CommuneListInvalid(shown, f"{at}.code", because("code_twice", value=code))
            seen.add(code)
            name = ward.get("name")
            if not isinstance(name, str) or not name.strip():
                raise CommuneListInvalid(shown, f"{at}.name", because("empty"))
            kind = KINDS.get(str(ward.get("division_type", "")).strip())
            if kind is None:
                raise CommuneListInvalid(shown, f"{at}.division_type",
                                         because("not_a_commune_kind", value=ward.get("division_type")))
            communes.append(OfficialCommune(code, province_code, unicodedata.normalize("NFC", " ".join(name.split())),
                                            kind.value))
    return OfficialList(shown, None, tuple(communes))


def _code(value: Any, digits: int, path: str, key: str) -> str:
    """An official code as the list gives it (a number or digits) as `digits` zero-padded digits."""
    text = str(value).strip() if isinstance(value, int | str) and not isinstance(value, bool) else ""
    if not (text.isascii() and text.isdigit() and len(text) <= digits):
        raise CommuneListInvalid(path, key, because("not_an_official_code", value=value, digits=digits))
    return text.zfill(digits)


@dataclass(frozen=True)
class Change(View):
    """One commune the list changes: its values in the list and, for a change, what the table holds."""

    code: str
    province: str  # slug
    name: str
    kind: str
    was_province: str | None = None
    was_name: str | None = None
    was_kind: str | None = None


@dataclass
class CommuneChanges:
    """What applying a list would do (or did); `unchanged` counts the communes it leaves as they are."""

    source: str
    data_version: str | None
    added: list[Change] = field(default_factory=list)
    renamed: list[Change] = field(default_factory=list)  # a new name or kind (xã -> phường)
    moved: list[Change] = field(default_factory=list)  # another province
    retired: list[Change] = field(default_factory=list)  # left the list: kept, marked retired
    restored: list[Change] = field(default_factory=list)  # back in the list after being retired
    unchanged: int = 0
    _rows: dict[str, OfficialCommune] = field(default_factory=dict, repr=False)  # code -> the list's values

    @property
    def empty(self) -> bool:
        return not (self.added or self.renamed or self.moved or self.retired or self.restored)

    def to_json(self) -> dict[str, Any]:
        return {"source": self.source, "data_version": self.data_version, "unchanged": self.unchanged,
                **{name: [c.to_json() for c in getattr(self, name)]
                   for name in ("added", "renamed", "moved", "retired", "restored")}}


def _province_ids(session: Session) -> tuple[dict[str, int], dict[int, str]]:
    """Official code -> province id, and id -> slug, for the units that have a code."""
    rows = session.execute(select(Province.id, Province.code, Province.slug).where(Province.code.is_not(None))).all()
    return {r.code: r.id for r in rows}, {r.id: r.slug for r in rows}


def compare(session: Session, official: OfficialList) -> CommuneChanges:
    """What `official` would change in the table, code by code (nothing is written)."""
    by_code, slugs = _province_ids(session)
    changes = CommuneChanges(official.source, official.data_version)
    listed: set[str] = set()
    current = {r.code: r for r in session.execute(
        select(Commune.code, Commune.province_id, Commune.name, Commune.kind, Commune.retired_at))}
    for item in official.communes:
        province_id = by_code.get(item.province_code)
        if province_id is None:
            raise UnknownProvince(item.province_code, code="unknown_province_code", field="province",
                                  commune=item.code)
        listed.add(item.code)
        changes._rows[item.code] = item
        row = current.get(item.code)
        change = Change(item.code, slugs[province_id], item.name, item.kind)
        if row is None:
            changes.added.append(change)
            continue
        before = Change(item.code, slugs[province_id], item.name, item.kind, was_province=slugs.get(row.province_id),
                        was_name=row.name, was_kind=row.kind)
        same = True
        if row.retired_at is not None:
            changes.restored.append(before)
            same = False
        if row.name != item.name or row.kind != item.kind:
            changes.renamed.append(before)
            same = False
        if row.province_id != province_id:
            changes.moved.append(before)
            same = False
        changes.unchanged += same
    for code, row in sorted(current.items()):
        if code not in listed and row.retired_at is None:
            changes.retired.append(Change(code, slugs.get(row.province_id, ""), row.name, row.kind))
    return changes


def apply(session: Session, changes: CommuneChanges, now: datetime) -> None:
    """Make `changes` (from `compare`) in the caller's transaction: insert, update, mark retired; delete nothing."""
    by_code, _ = _province_ids(session)
    if changes.added:
        session.execute(insert(Commune.__table__), [
            {"code": c.code, "province_id": by_code[changes._rows[c.code].province_code], "name": c.name,
             "kind": c.kind, "loaded_at": now, "retired_at": None} for c in changes.added])
    touched = {c.code for c in (*changes.renamed, *changes.moved, *changes.restored)}
    for code in sorted(touched):
        item = changes._rows[code]
        session.execute(update(Commune.__table__).where(Commune.code == code).values(
            province_id=by_code[item.province_code], name=item.name, kind=item.kind, loaded_at=now, retired_at=None))
    retired = [c.code for c in changes.retired]
    for start in range(0, len(retired), 500):  # a bound list per statement, whatever the list's size
        session.execute(update(Commune.__table__).where(Commune.code.in_(retired[start:start + 500]))
                        .values(retired_at=now))
    session.flush()


def load_communes(session: Session, now: datetime, official: OfficialList | None = None) -> int:
    """`dtrack init`: the whole list (the package's by default) into an empty table, in one bulk insert.

    Returns how many were added. A table that has communes is left as it is (0,
    and the list is not even read): a later list is applied by `dtrack communes
    update`, which says what it changes before it does.
    """
    if session.scalar(select(Commune.id).limit(1)) is not None:
        return 0
    changes = compare(session, official or package_list())
    apply(session, changes, now)
    return len(changes.added)


def commune_count(session: Session) -> int:
    """The communes in force (not retired)."""
    return session.scalar(select(func.count()).select_from(Commune).where(Commune.retired_at.is_(None))) or 0


__all__ = ["KINDS", "Change", "CommuneChanges", "CommuneListInvalid", "OfficialCommune", "OfficialList", "apply",
           "commune_count", "compare", "load_communes", "package_list", "read_list"]
