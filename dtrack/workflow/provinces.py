"""The 34 provincial-level units, their regions, and the old names they absorbed.

Users type slugs (`ha-noi`), display names (`Hà Nội`) or a pre-2025 name
(`Kiên Giang`); all resolve to today's unit, and an old name says which unit
it merged into.
"""
from __future__ import annotations

import os
import unicodedata
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from dtrack.errors import InvalidInput, UnknownProvince
from dtrack.persistence.models import Province, ProvinceAlias
from dtrack.workflow.applicability import province_units
from dtrack.workflow.views import View
from dtrack.workflow.vocabulary import Region


def slugify(name: str) -> str:
    """ASCII slug of a Vietnamese name: 'TP. Hồ Chí Minh' -> 'tp-ho-chi-minh', 'Đắk Lắk' -> 'dak-lak'."""
    text = name.replace("Đ", "D").replace("đ", "d")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    words = "".join(c if c.isalnum() else " " for c in text).split()
    return "-".join(words)


# How people write the kind of unit before its name: "TP. Hồ Chí Minh", "Thành phố Huế", "tỉnh Gia Lai".
_PREFIXES = ("tp-", "thanh-pho-", "tinh-")
_GLUED_PREFIXES = ("thanhpho", "tp")  # "tphcm", "TP.HCM" once the dot is gone


def _candidates(ref: str) -> list[str]:
    slug = slugify(ref)
    found = [slug]
    for prefix in _PREFIXES:
        if slug.startswith(prefix):
            found.append(slug[len(prefix):])
    return found


def compact(slug: str) -> str:
    """A slug without its hyphens: 'ho-chi-minh' -> 'hochiminh'."""
    return slug.replace("-", "")


def initials(slug: str) -> str | None:
    """'ho-chi-minh' -> 'hcm'; a one-word name ('hue') has none (one letter names nothing safely)."""
    words = slug.split("-")
    return "".join(w[0] for w in words) if len(words) > 1 else None


def _shorthands(ref: str) -> list[str]:
    """What a shorthand may be once spaces, dots and hyphens are gone: 'TP.HCM' -> ['tphcm', 'hcm']."""
    found = []
    for candidate in _candidates(ref):
        glued = compact(candidate)
        found.append(glued)
        for prefix in _GLUED_PREFIXES:
            if glued.startswith(prefix) and len(glued) > len(prefix) + 1:
                found.append(glued[len(prefix):])
    return list(dict.fromkeys(found))


def shorthand_index(names: list[tuple[str, object]]) -> dict[str, object]:
    """Shorthands (compact slug, initials) of every name -> what it names; an ambiguous one is left out.

    `names` pairs each slug (today's units and their old names) with what it
    resolves to. Initials shared by two names ('lc': Lào Cai, Lai Châu) name
    neither, so a shorthand never picks one province by chance.
    """
    claims: dict[str, set[str]] = {}
    target: dict[str, object] = {}
    for slug, thing in names:
        for key in (compact(slug), initials(slug)):
            if key:
                claims.setdefault(key, set()).add(slug)
                target[key] = thing
    return {key: target[key] for key, slugs in claims.items() if len(slugs) == 1}


@dataclass(frozen=True)
class Resolved:
    province: Province
    note: str | None  # set when an old name was mapped to its merged unit
    source: str = ""  # the slug of the name used: the unit's own, or the old name's (kien-giang)


def resolve_optional(session: Session, ref: str | None) -> tuple[Province | None, str | None]:
    """A command's optional --province filter: (province or None, note about an old name)."""
    if not ref:
        return None, None
    resolved = resolve(session, ref)
    return resolved.province, resolved.note


def resolve(session: Session, ref: str) -> Resolved:
    """Find a province by slug, name or pre-2025 name, or raise UnknownProvince."""
    for slug in _candidates(ref):
        # The Department's unit is not a province (its tasks are named by their key, `...:cuc`).
        province = session.scalar(select(Province).where(Province.slug == slug, province_units()))
        if province is not None:
            return Resolved(province, None, province.slug)
        alias = session.scalar(select(ProvinceAlias).where(ProvinceAlias.slug == slug))
        if alias is not None:
            return Resolved(alias.province, _merged_note(alias), alias.slug)
    # Shorthands: 'hcm', 'tphcm', 'TP.HCM', 'hochiminh' -> ho-chi-minh.
    index = shorthand_index([(p.slug, p) for p in session.scalars(select(Province).where(province_units()))]
                            + [(a.slug, a) for a in session.scalars(select(ProvinceAlias))])
    for key in _shorthands(ref):
        found = index.get(key)
        if isinstance(found, Province):
            return Resolved(found, None, found.slug)
        if isinstance(found, ProvinceAlias):
            return Resolved(found.province, _merged_note(found), found.slug)
    raise UnknownProvince(ref)


def _merged_note(alias: ProvinceAlias) -> str:
    return f"{alias.name} is now part of {alias.province.name}; using {alias.province.slug}"


def select_provinces(session: Session, spec: str) -> tuple[list[Province], list[str]]:
    """Provinces named by `all`, a region, or a comma-separated list; plus notes on old names."""
    spec = spec.strip()
    if not spec:
        raise UnknownProvince(spec, code="unknown_province_choice", field="provinces")
    ordered = select(Province).where(province_units()).order_by(Province.ordinal)
    if spec == "all":
        return list(session.scalars(ordered)), []
    if spec in {r.value for r in Region}:
        return list(session.scalars(ordered.where(Province.region == spec))), []
    chosen: dict[int, Province] = {}
    notes = []
    for part in spec.split(","):
        resolved = resolve(session, part)
        chosen[resolved.province.id] = resolved.province
        if resolved.note:
            notes.append(resolved.note)
    return sorted(chosen.values(), key=lambda p: p.ordinal), notes


def check_region(region: str | None) -> str | None:
    if region is not None and region not in {r.value for r in Region}:
        raise InvalidInput("region", "not_a_region", value=region)
    return region


def all_provinces(session: Session) -> list[Province]:
    """The 34 provinces in their official order (never the Department's unit)."""
    return list(session.scalars(select(Province).where(province_units()).order_by(Province.ordinal)))


def unit_choices(session: Session) -> tuple[tuple[str, str], ...]:
    """(slug, name) of every unit `all_provinces` lists, in order: what a filter offers (two columns, no objects)."""
    return tuple((slug, name) for slug, name in session.execute(
        select(Province.slug, Province.name).where(province_units()).order_by(Province.ordinal)))


@dataclass(frozen=True)
class ProvinceView(View):
    slug: str
    name: str
    name_en: str
    region: str
    kind: str
    merged_from: list[str]  # the pre-2025 provinces merged into it

    @classmethod
    def of(cls, province: Province) -> ProvinceView:
        return cls(province.slug, province.name, province.name_en, province.region, province.kind,
                   [alias.name for alias in province.aliases])


def list_provinces(session: Session, region: str | None = None) -> list[ProvinceView]:
    """The provinces in their official order, optionally of one region."""
    check_region(region)
    return [ProvinceView.of(p) for p in all_provinces(session) if region is None or p.region == region]


def load_provinces(session: Session, path: str | os.PathLike[str]) -> int:
    """Insert or update the provinces and their old names from a TOML file; returns how many."""
    import tomllib

    with open(path, "rb") as handle:
        rows = tomllib.load(handle)["provinces"]
    existing = {p.slug: p for p in session.scalars(select(Province).where(province_units()))}
    aliases = {a.slug: a for a in session.scalars(select(ProvinceAlias))}
    for ordinal, row in enumerate(rows, start=1):
        province = existing.get(row["slug"]) or Province(slug=row["slug"])
        province.name, province.name_en = row["name"], row["name_en"]
        province.region, province.kind, province.ordinal = row["region"], row["kind"], ordinal
        province.code = row.get("code")  # the official code, by which the communes are mapped onto it
        session.add(province)
        for old_name in [*row.get("merged_from", []), *row.get("renamed_from", [])]:
            alias = aliases.get(slugify(old_name)) or ProvinceAlias(slug=slugify(old_name))
            alias.name, alias.province = old_name, province
            session.add(alias)
    session.flush()
    return len(rows)
