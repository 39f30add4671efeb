"""The "công văn đôn đốc": the overseeing body's letter urging a province whose tasks are late.

Issued by the overseer (the national report's header: "BỘ CÔNG THƯƠNG / CỤC …"), it names the
province's overdue tasks with their deadlines and days late (the overdue review's figures,
reading/overdue.py), asks for completion by a date and carries the summary line "V/v đôn đốc
thực hiện Chỉ thị số …" under its number, as Decree 30 sets a công văn out.

Escalation: when a task is `escalate_after` days late or more, the letter goes to the provincial
People's Committee (UBND tỉnh) rather than to its Department. Signer, authority (TM., KT., TL.,
TUQ., Q.) and the "Nơi nhận" lines default from the directive's wording and can be set per
letter. A draft's number is blank; documents/issuing.py gives the real one.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta

from sqlalchemy.orm import Session

from dtrack.config.today import Today
from dtrack.directives.report_spec import ReportSpec
from dtrack.documents.model import Grid, OfficialDocument, Para, Signature
from dtrack.errors import InvalidInput
from dtrack.i18n.catalog import Words
from dtrack.i18n.periods import period_name
from dtrack.persistence.models import Directive, Province, User
from dtrack.reading.overdue import LateTask, overdue_review
from dtrack.reading.scope import Scope
from dtrack.reports.document import national_header
from dtrack.reports.indicators import DEFAULT_DIRECTIVE
from dtrack.reports.labels import TEXT, state_label
from dtrack.reports.wording import DirectiveWording, directive_wording, province_in_text
from dtrack.workflow.access import check_oversight
from dtrack.workflow.assignments import find_directive
from dtrack.workflow.provinces import resolve
from dtrack.workflow.vocabulary import LANGUAGES

ESCALATE_AFTER_DAYS = 30  # overdue this long: the letter goes to the People's Committee
REPLY_DAYS = 15  # the completion date asked for, counted from the letter's date
AUTHORITIES = ("TM.", "KT.", "TL.", "TUQ.", "Q.")
MAX_DAYS = 36500


@dataclass(frozen=True)
class UrgeRequest:
    """What an urge letter is asked for; empty signer fields take the directive's words."""

    today: Today
    lang: str = "vi"
    directive: str = DEFAULT_DIRECTIVE
    reply_by: date | None = None  # default: REPLY_DAYS after the letter's date
    escalate_after: int | None = None  # None: the directive file's `escalate_after_days`, else ESCALATE_AFTER_DAYS
    authority: str = ""  # "KT. CỤC TRƯỞNG"
    position: str = ""  # "PHÓ CỤC TRƯỞNG"; default the directive's national signer
    signer: str = ""  # the signer's name
    copies: tuple[str, ...] = ()  # "Nơi nhận" lines after "Như trên"; default the directive's

    def __post_init__(self) -> None:
        if self.lang not in LANGUAGES:
            raise InvalidInput("lang", "unsupported_language", value=self.lang)
        check_authority(self.authority)
        if self.escalate_after is not None and self.escalate_after < 0:  # 0: every letter goes to the Committee
            raise InvalidInput("escalate_after", "negative", value=self.escalate_after)
        if self.escalate_after is not None and self.escalate_after > MAX_DAYS:
            raise InvalidInput("escalate_after", "too_large", value=self.escalate_after, max=MAX_DAYS)
        if self.reply_by is not None and self.reply_by <= self.today.day:
            raise InvalidInput("reply_by", "reply_by_not_after", date=self.reply_by.strftime("%d/%m/%Y"),
                               day=self.today.day.strftime("%d/%m/%Y"))

    @property
    def reply_day(self) -> date:
        return self.reply_by or self.today.day + timedelta(days=REPLY_DAYS)


def check_authority(authority: str) -> None:
    """'' (the head signs) or TM./KT./TL./TUQ./Q. followed by the position signed for."""
    text = authority.strip()
    if text and not any(text.startswith(a + " ") and len(text) > len(a) + 1 for a in AUTHORITIES):
        raise InvalidInput("authority", "not_a_signing_authority", value=authority)


@dataclass(frozen=True)
class UrgeLetter:
    """A draft letter, the tasks it names and what issuing it needs (the register's issuer and symbol)."""

    document: OfficialDocument
    province: Province
    directive: Directive
    tasks: tuple[LateTask, ...]
    escalated: bool
    issuer: str  # the register's key: the issuing body as its header names it
    symbol: str  # what follows the number: "/KC"
    day: date
    sender: str  # the issuing body as running text names it: "Cục Đổi mới sáng tạo, …"
    reply_by: date  # the completion date the letter asks for
    escalate_after: int  # the days overdue that sent it to the People's Committee (directive or request)

    def numbered(self, number: int) -> OfficialDocument:
        t = TEXT[self.document.lang]
        return replace(self.document, number=f"{t['number']}: {number}{self.symbol}")


def letter_symbol(prefix: str) -> str:
    """A report's "/BC-KC" gives a letter's "/KC": a công văn carries the issuer's abbreviation alone."""
    rest = prefix.removeprefix("/").removeprefix("BC").lstrip("-")
    return f"/{rest}" if rest else "/CV"


def urge_letter_for(session: Session, actor: User, province_ref: str, request: UrgeRequest) -> UrgeLetter:
    """`urge_letter` for a person: the overseeing body's letter, so overseers and admins only, draft or not."""
    check_oversight(actor, "urge_letter")
    return urge_letter(session, province_ref, request)


def urge_letter(session: Session, province_ref: str, request: UrgeRequest) -> UrgeLetter:
    """The draft of the letter to `province_ref` about its overdue tasks of the directive."""
    lang, day = request.lang, request.today.day
    province = resolve(session, province_ref).province
    directive = find_directive(session, request.directive)
    review = overdue_review(session, request.today, Scope(province=province, directive=directive.code))
    tasks = tuple(review.overdue)
    name = province.name if lang == "vi" else province.name_en
    if not tasks:
        raise InvalidInput("province", "nothing_overdue", province=name, date=day.strftime("%d/%m/%Y"))
    words = directive_wording(directive, lang)
    escalated = max(t.days for t in tasks) >= escalation_days(directive, request)
    addressee = _addressee(words, province, lang, escalated)
    head = national_header(directive.code, day, lang, words)
    symbol = letter_symbol(words.national.number_prefix)
    d, t = Words(lang, "document"), TEXT[lang]
    sender = words.national.body
    blocks = (
        Para(d["urge_opening"].format(code=directive.code, issuer=words.issuer, sender=sender,
                                      date=day.strftime("%d/%m/%Y"), province=province_in_text(province, lang),
                                      n=len(tasks))),
        _task_grid(tasks, lang),
        Para(d["urge_request"].format(sender=sender, addressee=addressee, date=request.reply_day.strftime("%d/%m/%Y"))),
    )
    copies = request.copies or _default_copies(words, province, lang, escalated)
    abbreviation = symbol.removeprefix("/")
    document = OfficialDocument(
        parent=head.parent, issuer=head.issuer, country=head.country, motto=head.motto,
        number=f"{t['number']}:        {symbol}", place_date=head.place_date, kind="",
        title=d["urge_summary"].format(code=directive.code), recipient=f"{t['to']}: {addressee}", blocks=blocks,
        signature=Signature(request.authority.strip(), request.position.strip() or words.national.signer,
                            request.signer.strip(), t["signature_hint"]),
        recipients_label=t["recipients"], recipients=(d["as_above"], *copies, f"{t['archive']}, {abbreviation}"),
        file_title=d["urge_summary"].format(code=directive.code), lang=lang)
    return UrgeLetter(document, province, directive, tasks, escalated, head.issuer, symbol, day, sender,
                      request.reply_day, escalation_days(directive, request))


def escalation_days(directive: Directive, request: UrgeRequest) -> int:
    """Days overdue that send the letter to the People's Committee: the request's, the directive's, the default."""
    if request.escalate_after is not None:
        return request.escalate_after
    given = ReportSpec.from_json(directive.report_wording).escalate_after_days
    return ESCALATE_AFTER_DAYS if given is None else given


def _addressee(words: DirectiveWording, province: Province, lang: str, escalated: bool) -> str:
    d, where = Words(lang, "document"), province_in_text(province, lang)
    if escalated:
        return d["urge_to_committee"].format(province=where)
    return d["urge_to_department"].format(body=words.province.body, province=where)


def _default_copies(words: DirectiveWording, province: Province, lang: str, escalated: bool) -> tuple[str, ...]:
    """The overseer's own addressee (to report), and the People's Committee when the letter goes to the Department."""
    d = Words(lang, "document")
    lines = [d["to_report"].format(who=words.national.addressee)]
    if not escalated:
        lines.append(d["to_direct"].format(who=_addressee(words, province, lang, True)))
    return tuple(lines)


def _task_grid(tasks: tuple[LateTask, ...], lang: str) -> Grid:
    t, d = TEXT[lang], Words(lang, "document")
    rows = []
    for index, task in enumerate(tasks, start=1):
        title = task.title_vi if lang == "vi" else task.title_en
        rows.append((str(index), f"{task.group}. {title}", period_name(task.period, lang) or "–",
                     task.due_on.strftime("%d/%m/%Y") if task.due_on else "–", str(task.days),
                     state_label(task.state, lang)))
    return Grid((d["number_column"], t["task"], t["period"], t["deadline"], t["days_overdue"], t["state"]),
                tuple(rows), (True, False, False, False, True, False))
