"""Escalation with approval: the daily job prepares urge letters to the People's Committees; a person sends them.

For each directive and province whose tasks are overdue `escalate_after_days` or more (the
directive file's `[directive.report]`, else `urge.ESCALATE_AFTER_DAYS`), `prepare_escalations`
keeps one pending `LetterDraft`, addressed to the provincial People's Committee (UBND tỉnh): a
later run refreshes its figures rather than adding another (the partial unique index holds it even
against two runs at once), and a pending draft whose province has come back under the threshold
lapses. Below the threshold no draft is made. After a decision (approved or discarded) the job
waits `QUIET_DAYS` before preparing another for the same province and directive, so a discarded
letter does not come back the next morning.

Nothing is numbered or sent by the job. `approve_draft` (an overseer or admin) claims the draft
with one `UPDATE … WHERE status = 'pending'` (two overseers at once: one wins, the other is told it
was decided), builds the letter as of the approval day, takes its number from the register, audits
each task it names, records its number on each task and queues it to the province's officers: one
transaction, all or nothing. `discard_draft` claims it the same way and sends nothing.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from dtrack.config.today import Today
from dtrack.documents.files import MIMETYPES, official_bytes, urge_file_names
from dtrack.documents.issuing import Issued, issue_urge
from dtrack.documents.sending import QueuedLetter, queue_letter
from dtrack.documents.urge import REPLY_DAYS, UrgeLetter, UrgeRequest, escalation_days, urge_letter
from dtrack.errors import InvalidInput, NotFound
from dtrack.persistence.document_models import LetterDraft
from dtrack.persistence.models import Directive, Province, User
from dtrack.reading.overdue import overdue_review
from dtrack.reading.scope import Scope
from dtrack.workflow.access import check_oversight

PENDING, APPROVED, DISCARDED, LAPSED = "pending", "approved", "discarded", "lapsed"
QUIET_DAYS = REPLY_DAYS  # after a decision: the province had this long to answer the last letter


@dataclass(frozen=True)
class Prepared:
    """What one run of the job did: drafts made, refreshed, lapsed."""

    prepared: int
    refreshed: int
    lapsed: int

    def line(self) -> str:
        return f"urge letters: {self.prepared} prepared, {self.refreshed} still waiting, {self.lapsed} lapsed"


@dataclass(frozen=True)
class WaitingLetter:
    """A pending draft as lists show it."""

    id: int
    province_slug: str
    province_vi: str
    province_en: str
    directive: str
    tasks: int
    most_days: int
    threshold: int
    prepared_on: str  # dd/mm/yyyy

    def province(self, lang: str) -> str:
        return self.province_vi if lang == "vi" else self.province_en


def prepare_escalations(session: Session, today: Today, now: datetime) -> Prepared:
    """Keep one pending draft per province and directive past the threshold (the caller commits)."""
    prepared = refreshed = lapsed = 0
    for directive in session.scalars(select(Directive).order_by(Directive.id)):
        threshold = escalation_days(directive, UrgeRequest(today))
        # Overdue by `threshold` days or more (at least one): the letter's own escalation test.
        review = overdue_review(session, today, Scope(directive=directive.code), min_days=max(threshold, 1), limit=0)
        due = {slug: n for slug, n in review.per_province.items() if n}
        pending = {d.province_id: d for d in session.scalars(
            select(LetterDraft).where(LetterDraft.directive_id == directive.id, LetterDraft.status == PENDING))}
        provinces = {p.slug: p for p in session.scalars(select(Province).where(Province.slug.in_(due)))}
        quiet = _recently_decided(session, directive, now, {p.id for p in provinces.values()})
        for slug, count in sorted(due.items()):
            province = provinces[slug]
            most = _most_days(session, today, province, directive, threshold)
            draft = pending.pop(province.id, None)
            if draft is not None:
                draft.tasks, draft.most_days, draft.threshold, draft.refreshed_on = count, most, threshold, today.day
                refreshed += 1
            elif province.id not in quiet:
                prepared += _add(session, LetterDraft(
                    province_id=province.id, directive_id=directive.id, status=PENDING, prepared_on=today.day,
                    prepared_at=now, refreshed_on=today.day, tasks=count, most_days=most, threshold=threshold))
        for draft in pending.values():  # back under the threshold: nothing left to escalate
            draft.status, draft.decided_at = LAPSED, now
            lapsed += 1
    session.flush()
    return Prepared(prepared, refreshed, lapsed)


def _add(session: Session, draft: LetterDraft) -> int:
    """Insert a draft unless another run just did (the partial unique index): 1 if this one added it."""
    try:
        with session.begin_nested():
            session.add(draft)
            session.flush()
    except IntegrityError:
        return 0
    return 1


def _recently_decided(session: Session, directive: Directive, now: datetime, province_ids: set[int]) -> set[int]:
    since = now - timedelta(days=QUIET_DAYS)
    rows = session.scalars(select(LetterDraft.province_id).where(
        LetterDraft.directive_id == directive.id, LetterDraft.province_id.in_(province_ids),
        LetterDraft.status.in_((APPROVED, DISCARDED)), LetterDraft.decided_at >= since))
    return set(rows)


def _most_days(session: Session, today: Today, province: Province, directive: Directive, threshold: int) -> int:
    found = overdue_review(session, today, Scope(province=province, directive=directive.code),
                           min_days=max(threshold, 1), limit=1).overdue
    return found[0].days if found else 0


def waiting_letters(session: Session, actor: User) -> list[WaitingLetter]:
    """The drafts waiting for a decision, longest delay first (overseers and admins)."""
    check_oversight(actor, "urge_letter")
    return pending_letters(session)


def pending_letters(session: Session) -> list[WaitingLetter]:
    rows = session.execute(
        select(LetterDraft, Province.slug, Province.name, Province.name_en, Directive.code)
        .join(Province, Province.id == LetterDraft.province_id)
        .join(Directive, Directive.id == LetterDraft.directive_id)
        .where(LetterDraft.status == PENDING).order_by(LetterDraft.most_days.desc(), Province.slug)).all()
    return [WaitingLetter(d.id, slug, name, name_en, code, d.tasks, d.most_days, d.threshold,
                          d.prepared_on.strftime("%d/%m/%Y")) for d, slug, name, name_en, code in rows]


@dataclass(frozen=True)
class Approved:
    draft_id: int
    letter: UrgeLetter
    issued: Issued
    queued: list[QueuedLetter]
    file: tuple[str, str, bytes]  # the Vietnamese file name, its MIME type, the PDF


def draft_letter(session: Session, actor: User, draft_id: int, today: Today, lang: str = "vi") -> UrgeLetter:
    """The letter a pending draft would be if approved today (number blank): for the preview."""
    check_oversight(actor, "urge_letter")
    draft = _pending(session, draft_id)
    return _letter(session, draft, today, lang)


def approve_draft(session: Session, actor: User, draft_id: int, today: Today, now: datetime, *,
                  mail_from: str) -> Approved:
    """Issue the draft's letter (numbered, audited, recorded on each task) and queue it; the caller commits."""
    check_oversight(actor, "urge_letter")
    draft = _claim(session, draft_id, actor, now, APPROVED)
    letter = _letter(session, draft, today, "vi")  # an official letter: Vietnamese
    issued = issue_urge(session, letter, actor, now)
    _, display = urge_file_names(letter.province.slug, letter.day, issued.document.title, "pdf")
    file = (display, MIMETYPES["pdf"], official_bytes(issued.document, "pdf"))
    queued = queue_letter(session, letter, issued, file, mail_from=mail_from, now=now)
    draft.issued_document_id = issued.row.id
    session.flush()
    return Approved(draft_id, letter, issued, queued, file)


def discard_draft(session: Session, actor: User, draft_id: int, now: datetime) -> None:
    """Set the draft aside: nothing is numbered or sent; who and when stay on the row."""
    check_oversight(actor, "urge_letter")
    _claim(session, draft_id, actor, now, DISCARDED)


def _letter(session: Session, draft: LetterDraft, today: Today, lang: str) -> UrgeLetter:
    province = session.get(Province, draft.province_id)
    directive = session.get(Directive, draft.directive_id)
    assert province is not None and directive is not None, "foreign keys"
    # escalate_after=0: the draft was prepared for the People's Committee, and goes there as approved.
    return urge_letter(session, province.slug, UrgeRequest(today, lang, directive.code, escalate_after=0))


def _pending(session: Session, draft_id: int) -> LetterDraft:
    draft = session.get(LetterDraft, draft_id, populate_existing=True)
    if draft is None:
        raise NotFound(str(draft_id), code="unknown_letter_draft")
    if draft.status != PENDING:
        raise InvalidInput("draft", "letter_draft_decided", id=draft_id)
    return draft


def _claim(session: Session, draft_id: int, actor: User, now: datetime, status: str) -> LetterDraft:
    """Take the decision on a pending draft: one statement, so of two deciders at once only one gets it."""
    claimed = session.execute(update(LetterDraft).where(LetterDraft.id == draft_id, LetterDraft.status == PENDING)
                              .values(status=status, decided_at=now, decided_by=actor.id)
                              .returning(LetterDraft.id)).scalar_one_or_none()
    if claimed is None:
        _pending(session, draft_id)  # no such draft, or decided: says which
        raise InvalidInput("draft", "letter_draft_decided", id=draft_id)  # decided between the two reads
    draft = session.get(LetterDraft, draft_id, populate_existing=True)
    assert draft is not None, "claimed just now"
    return draft
