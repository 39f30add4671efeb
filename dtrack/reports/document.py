"""What every report is made of: the administrative header and typed tables.

A report is data (a `Report` with its `Header` and `Table`s) before it is
HTML, Markdown, XLSX or CSV; `reports.render` turns the same data into each
format, so the numbers cannot differ between them.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from dtrack.config.today import Today
from dtrack.errors import InvalidInput
from dtrack.persistence.models import Province
from dtrack.reports.indicators import DEFAULT_DIRECTIVE
from dtrack.reports.labels import TEXT
from dtrack.reports.wording import DirectiveWording, for_province
from dtrack.workflow.vocabulary import LANGUAGES


@dataclass(frozen=True)
class ReportOptions:
    """What a report is asked for: the day it stands at, its language, the year of its figures."""

    today: Today  # the day the report stands at, its time zone and due-soon window
    lang: str = "vi"
    year: int | None = None  # of the reported figures; default: the year of as_of
    directive: str = DEFAULT_DIRECTIVE

    def __post_init__(self) -> None:
        if self.lang not in LANGUAGES:
            raise InvalidInput("lang", "unsupported_language", value=self.lang)

    @property
    def as_of(self) -> date:
        return self.today.day

    @property
    def figures_year(self) -> int:
        return self.year or self.as_of.year


@dataclass
class Table:
    key: str  # short id: the XLSX sheet name, the HTML anchor
    title: str
    headers: list[str]
    rows: list[list[Any]]  # str, int, figures.Money, figures.Percent, date or None
    note: str = ""
    empty: str = ""  # shown instead of an empty table


@dataclass(frozen=True)
class Header:
    """The top of a Vietnamese administrative document (Decree 30/2020/NĐ-CP layout)."""

    parent: str  # the body above the issuer, e.g. BỘ CÔNG THƯƠNG
    issuer: str  # the issuing body, e.g. SỞ CÔNG THƯƠNG
    country: str
    motto: str
    number: str  # left blank for the clerk: numbers are given when the document is issued
    place_date: str
    kind: str  # BÁO CÁO
    title: str
    recipient: str  # "Kính gửi: ..."
    sender: str  # the issuer as running text names it: "Sở Công Thương Cà Mau"
    signer: str = ""  # the signer's title above the signature: "CỤC TRƯỞNG"
    recipients: tuple[str, ...] = ()  # "Nơi nhận", before the archive line
    overseer: str = ""  # the directive's overseer as a sentence names it ("Cục", "Bộ"): "Chờ Cục xem xét"


def place_date(place: str, day: date, lang: str) -> str:
    """'Hà Nội, ngày 05 tháng 01 năm 2026': days below 10 and months below 3 take a leading zero."""
    if lang == "vi":
        month = f"{day.month:02d}" if day.month < 3 else str(day.month)
        return f"{place}, ngày {day.day:02d} tháng {month} năm {day.year}"
    return f"{place}, {day.day} {day:%B %Y}"


def national_header(code: str, as_of: date, lang: str, words: DirectiveWording) -> Header:
    """The overseer's synthesis: issued by the overseer under the body above IT (not the directive's issuer).

    A Prime Minister's directive followed by the Ministry gives "BỘ CÔNG THƯƠNG" alone: a top-level body
    has no line above it (reports/wording.py, workflow/overseer.py).
    """
    t, side = TEXT[lang], words.national
    parent = words.parent.upper() if words.parent and words.parent != side.body else ""
    return Header(parent, side.body.upper(), t["country"], t["motto"], f"{t['number']}:        {side.number_prefix}",
                  place_date(side.place or "", as_of, lang), t["report"], t["national_title"].format(code=code),
                  f"{t['to']}: {side.addressee}", side.body if lang == "vi" else f"The {side.body}",
                  side.signer, side.recipients, words.short)


def province_header(code: str, province: Province, as_of: date, lang: str, words: DirectiveWording) -> Header:
    """A province's report: issued by its department under the People's Committee, to the overseer."""
    t, side = TEXT[lang], words.province
    name = province.name if lang == "vi" else province.name_en
    bare = name.removeprefix("TP. ")
    parent = t["committee_of_city" if province.kind == "city" else "committee_of_province"].format(name=bare.upper())
    sender = f"{side.body} {name}" if lang == "vi" else f"The {side.body} of {name}"
    return Header(parent, side.body.upper(), t["country"], t["motto"], f"{t['number']}:        {side.number_prefix}",
                  place_date(side.place or name, as_of, lang), t["report"],
                  t["province_title"].format(code=code, name=name),
                  f"{t['to']}: {for_province(side.addressee, province, lang)}", sender, side.signer,
                  tuple(for_province(r, province, lang) for r in side.recipients), words.short)


@dataclass
class Report:
    kind: str  # national | province
    lang: str
    as_of: date
    year: int
    header: Header
    tables: list[Table] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)  # what a template draws specially (matrix, chart)

    def table(self, key: str) -> Table:
        return next(t for t in self.tables if t.key == key)

    @property
    def slug(self) -> str:
        return self.extra.get("slug", self.kind)
