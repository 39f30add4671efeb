"""A directive's own words in its reports: who oversees it, who signs, who receives.

The directive file says them (`[directive.report]`, `[directive.overseer]`, see
directives/format.py); what it leaves out is defaulted here, once, from what the
file does say: the number prefix "/BC", the signer the generic "THỦ TRƯỞNG ĐƠN
VỊ", a province report goes to the overseer (under the body above it) and the
provincial People's Committee. Who oversees, the body above it and the short
word sentences use come from workflow/overseer.py, as the engine reads them.

A national report is the overseer's: it is headed by the overseer under the
body above IT (not under the directive's issuer: the Ministry's report on a
Prime Minister's directive is headed "BỘ CÔNG THƯƠNG" alone), and goes to
that body's leadership; with no body above, to the issuer when the issuer
is another body (the Prime Minister), else to its own leadership.
"""
from __future__ import annotations

from dataclasses import dataclass

from dtrack.directives.format import ReportSideSpec, ReportSpec
from dtrack.i18n.catalog import Words
from dtrack.persistence.models import Directive, Province
from dtrack.reports.labels import TEXT
from dtrack.workflow.overseer import overseer_of

DEFAULT_PREFIX = "/BC"
PROVINCE_PLACEHOLDER = "{province}"

# Only what has no better source (the `report.default.*` messages: budget, indicators, place,
# national_addressee, province_body, committee): the rest is derived from the directive's issuer
# and overseer.


@dataclass(frozen=True)
class SideWording:
    """The resolved wording of one kind of report, in one language."""

    body: str  # the issuing body as running text
    place: str | None  # None: the province's own name (province reports)
    number_prefix: str
    addressee: str
    signer: str
    recipients: tuple[str, ...]  # province ones may still hold {province}


@dataclass(frozen=True)
class DirectiveWording:
    issuer: str
    overseer: str
    parent: str  # the body above the overseer ("Bộ Công Thương" above a Cục); "" : none
    short: str  # the overseer as a sentence names it: "Cục", "Bộ" ("Chờ Cục xem xét")
    budget: str  # names the plan/actual section: "Kinh phí khuyến công"
    indicators: str  # names the results section: "Chỉ tiêu khuyến công"
    national: SideWording
    province: SideWording


def _pick(spec: ReportSpec | ReportSideSpec, name: str, lang: str) -> str | None:
    return getattr(spec, f"{name}_{lang}")


def _recipients(spec: ReportSideSpec, lang: str) -> tuple[str, ...] | None:
    """The side's "Nơi nhận" lines in `lang` (the one field that is a list), if the file gives them."""
    recipients: tuple[str, ...] | None = getattr(spec, f"recipients_{lang}")
    return recipients


def directive_wording(directive: Directive, lang: str) -> DirectiveWording:
    """What `directive`'s reports say in `lang`: the file's words, else the defaults."""
    spec = ReportSpec.from_json(directive.report_wording)
    d, t = Words(lang, "report.default"), TEXT[lang]
    issuer = (directive.issuer_vi if lang == "vi" else directive.issuer_en) or ""
    who = overseer_of(directive)
    overseer, parent = who.name(lang), who.parent(lang)
    n, p = spec.national, spec.province

    # A body of its own (no body above it, not the issuer) reports to the one that issued the directive.
    leadership = d["national_addressee"].format(issuer=parent or issuer) if parent or overseer == issuer else issuer
    national_addressee = _pick(n, "addressee", lang) or leadership
    national = SideWording(
        body=_pick(n, "body", lang) or overseer,
        place=_pick(n, "place", lang) or d["place"],
        number_prefix=n.number_prefix or DEFAULT_PREFIX,
        addressee=national_addressee,
        signer=_pick(n, "signer", lang) or t["signature"],
        recipients=_recipients(n, lang) or (national_addressee,),
    )
    article = "" if lang == "vi" else "the "
    default_addressee = article + overseer + (f" ({parent})" if parent else "")
    province_addressee = _pick(p, "addressee", lang) or default_addressee
    province = SideWording(
        body=_pick(p, "body", lang) or d["province_body"],
        place=_pick(p, "place", lang),
        number_prefix=p.number_prefix or DEFAULT_PREFIX,
        addressee=province_addressee,
        signer=_pick(p, "signer", lang) or t["signature"],
        recipients=_recipients(p, lang) or (province_addressee, d["committee"]),
    )
    return DirectiveWording(issuer, overseer, parent, who.short(lang), _pick(spec, "budget", lang) or d["budget"],
                            _pick(spec, "indicators", lang) or d["indicators"], national, province)


def province_in_text(province: Province, lang: str) -> str:
    """How a recipient line names the province: 'tỉnh Cà Mau', 'thành phố Hà Nội'; 'Ca Mau' in English."""
    name = (province.name if lang == "vi" else province.name_en).removeprefix("TP. ")
    return TEXT[lang]["city_named" if province.kind == "city" else "province_named"].format(name=name)


def for_province(text: str, province: Province, lang: str) -> str:
    """`text` with {province} filled in (a plain replacement: other braces stay as written)."""
    return text.replace(PROVINCE_PLACEHOLDER, province_in_text(province, lang))
