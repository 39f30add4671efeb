"""Who oversees a directive, as its file says, and what follows from it for the engine and every reader.

A directive is overseen by one body: the Department (Cục) for Directive
20/CT-BCT, the Ministry (Bộ) for a Prime Minister's directive the Ministry
follows. The file may say (`[directive.overseer]`, see directives/format.py)
its name, the short word sentences use ("Chờ Cục xem xét", "Chờ Bộ xem
xét"), the body above it (the first line of the reports it issues), the
last part of the keys of its own tasks (`20/CT-BCT:10:cuc`) and whether
whoever submits a task may also accept it (`four_eyes`, on by default).

What the file says is stored with the reports' wording
(`directives.report_wording`, JSON, under `oversight`): no column of its
own. What it leaves out is derived here, once, from what it does say, so
the engine (keys, four eyes), the pages and the reports agree:

- the name: the issuer's, when the file names no overseer;
- the short word: the kind of body the name starts with ("Cục", "Bộ",
  "Vụ"; "the Ministry"), else the whole name;
- the body above: none when the overseer is the issuer or a ministry-level
  body (Decree 30/2020/NĐ-CP, Appendix I: a ministry's documents carry no
  parent line), else the issuer;
- the key suffix: `cuc`, as keys were before files could name it (keys are
  names people keep: a file that wants its own says so, `key_suffix = "bo"`).
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields
from typing import Any

from dtrack.persistence.models import Directive
from dtrack.workflow.vocabulary import DEPARTMENT_SLUG

KEY = "oversight"  # where the file's words sit in `directives.report_wording`
NAME_LIMIT = 80  # `provinces.name`: the overseer's unit carries its name
SUFFIX_LIMIT = 20

# Kinds of body a name starts with, longest first: the word a sentence uses for it.
_KINDS_VI = ("Tổng cục", "Chi cục", "Cục", "Vụ", "Bộ", "Sở", "Ủy ban", "Ban", "Văn phòng", "Thanh tra", "Viện",
             "Trung tâm")
_KINDS_EN = ("General Department", "Department", "Ministry", "Division", "Agency", "Office", "Committee", "Board",
             "Inspectorate", "Institute", "Centre", "Center")
# Bodies whose documents carry no parent line (ministries and above, the provinces' People's Committees).
_TOP_LEVEL_VI = ("Bộ ", "Chính phủ", "Thủ tướng", "Văn phòng Chính phủ", "Thanh tra Chính phủ", "Ngân hàng Nhà nước",
                 "Ủy ban Dân tộc", "Ủy ban nhân dân", "UBND", "Quốc hội", "Kiểm toán Nhà nước")


@dataclass(frozen=True)
class OverseerSpec:
    """What the directive file says about its overseer beyond its name; None: derived (see the module)."""

    short_vi: str | None = None  # "Cục", "Bộ"
    short_en: str | None = None  # "the Department", "the Ministry"
    parent_vi: str | None = None  # the body above; "" says there is none
    parent_en: str | None = None
    key_suffix: str | None = None  # the last part of its own tasks' keys ("cuc")
    four_eyes: bool = True  # whoever submitted a task may not accept it

    @property
    def is_default(self) -> bool:
        return self == OverseerSpec()

    def to_data(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_data(cls, data: object) -> OverseerSpec:
        if not isinstance(data, dict):
            return cls()
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


def spec_of(report_wording: str | None) -> OverseerSpec:
    """The overseer part of a stored wording (None, or a wording from before it existed: every default)."""
    if not report_wording:
        return OverseerSpec()
    return OverseerSpec.from_data(json.loads(report_wording).get(KEY))


@dataclass(frozen=True)
class Overseer:
    """A directive's overseer with every default resolved."""

    name_vi: str
    name_en: str
    short_vi: str
    short_en: str
    parent_vi: str  # "" : none
    parent_en: str
    key_suffix: str
    four_eyes: bool

    def name(self, lang: str) -> str:
        return self.name_vi if lang == "vi" else self.name_en

    def short(self, lang: str) -> str:
        return self.short_vi if lang == "vi" else self.short_en

    def parent(self, lang: str) -> str:
        return self.parent_vi if lang == "vi" else self.parent_en


def overseer_of(directive: Directive) -> Overseer:
    """`directive`'s overseer, from its stored wording and its issuer."""
    stored = json.loads(directive.report_wording) if directive.report_wording else {}
    return resolve(OverseerSpec.from_data(stored.get(KEY)), stored.get("overseer_vi"), stored.get("overseer_en"),
                   directive.issuer_vi or "", directive.issuer_en or "")


def resolve(spec: OverseerSpec, name_vi: str | None, name_en: str | None, issuer_vi: str,
            issuer_en: str) -> Overseer:
    """The overseer the file describes, its gaps filled as the module says."""
    named_vi, named_en = name_vi or issuer_vi, name_en or issuer_en
    short_vi = spec.short_vi or _kind(named_vi, _KINDS_VI) or named_vi
    short_en = spec.short_en or _english_kind(named_en) or named_en
    if spec.parent_vi is not None:
        parent_vi = spec.parent_vi
        parent_en = spec.parent_en if spec.parent_en is not None else parent_vi
    elif named_vi == issuer_vi or named_vi.startswith(_TOP_LEVEL_VI):
        parent_vi = parent_en = ""
    else:
        parent_vi, parent_en = issuer_vi, spec.parent_en if spec.parent_en is not None else issuer_en
    return Overseer(named_vi, named_en, short_vi, short_en, parent_vi, parent_en,
                    spec.key_suffix or DEPARTMENT_SLUG, spec.four_eyes)


def _kind(name: str, kinds: tuple[str, ...]) -> str | None:
    return next((k for k in kinds if name == k or name.startswith(k + " ")), None)


def _english_kind(name: str) -> str | None:
    bare = name.removeprefix("the ").removeprefix("The ")
    kind = _kind(bare, _KINDS_EN)
    return f"the {kind}" if kind else None


__all__ = ["KEY", "NAME_LIMIT", "Overseer", "OverseerSpec", "overseer_of", "resolve", "spec_of"]
