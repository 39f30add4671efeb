"""Escalation with approval: the daily job prepares urge letters to the People's Committees; a person sends them."""
from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from dtrack.config.clock import Clock
from dtrack.config.today import Today
from dtrack.documents.escalation import (
    APPROVED,
    DISCARDED,
    LAPSED,
    PENDING,
    approve_draft,
    discard_draft,
    draft_letter,
    pending_letters,
    prepare_escalations,
    waiting_letters,
)
from dtrack.errors import DtrackError, InvalidInput, NotFound, PermissionDenied
from dtrack.persistence.document_models import IssuedDocument, LetterDraft, TaskDocument
from dtrack.persistence.models import Directive, Event, Outbox
from dtrack.reading.overdue import overdue_review
from dtrack.reading.scope import Scope
from dtrack.usecases.demo import OVERSEER, province_email
from dtrack.workflow.users import find_user

AS_OF = date(2026, 12, 5)
NOW = datetime(2026, 12, 5, 1, 0, tzinfo=UTC)
TODAY = Today(AS_OF)
MAIL_FROM = "dtrack@moit.gov.vn"


@pytest.fixture
def db_url(demo_url) -> str:
    return demo_url


def _threshold(db, days: int | None) -> None:
    """Set the directive file's `escalate_after_days` (None: the default, 30)."""
    import json

    with db.session() as session:
        row = session.scalar(select(Directive).where(Directive.code == "20/CT-BCT"))
        wording = json.loads(row.report_wording or "{}")
        if days is None:
            wording.pop("escalate_after_days", None)
        else:
            wording["escalate_after_days"] = days
        row.report_wording = json.dumps(wording)


def _prepare(db, day: date = AS_OF):
    with db.session() as session:
        return prepare_escalations(session, Today(day), datetime.combine(day, datetime.min.time(), UTC))


def _drafts(db) -> dict[str, tuple[str, int, int]]:
    with db.session() as session:
        return {w.province_slug: (PENDING, w.tasks, w.most_days) for w in pending_letters(session)}


def test_one_draft_per_province_past_the_threshold_and_not_one_per_day(db):
    done = _prepare(db)
    drafts = _drafts(db)
    with db.session() as session:
        past = overdue_review(session, TODAY, Scope(directive="20/CT-BCT"), min_days=30, limit=0).per_province
    assert done.prepared == len(drafts) == len([s for s, n in past.items() if n]) > 0
    assert {slug: n for slug, (_, n, _) in drafts.items()} == {s: n for s, n in past.items() if n}
    assert all(most >= 30 for _, _, most in drafts.values())
    again = _prepare(db, AS_OF + timedelta(days=1))
    assert (again.prepared, again.refreshed) == (0, len(drafts))
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(LetterDraft)) == len(drafts)
        # Nothing numbered, queued or audited by the job.
        assert session.scalar(select(func.count()).select_from(IssuedDocument)) == 0
        assert session.scalar(select(func.count()).select_from(Outbox).where(Outbox.kind == "letter")) == 0
        assert session.scalar(select(func.count()).select_from(Event).where(Event.trigger == "urge")) == 0


def test_the_threshold_is_where_drafts_begin(db):
    _prepare(db)
    most = _drafts(db)["ca-mau"][2]
    with db.session() as session:
        for draft in session.scalars(select(LetterDraft)):
            session.delete(draft)
    _threshold(db, most + 1)  # ca-mau's longest delay is just under it: no draft
    _prepare(db)
    assert "ca-mau" not in _drafts(db)
    _threshold(db, most)  # at it: the draft; and below every other province's delays none
    _prepare(db)
    assert _drafts(db)["ca-mau"][2] == most
    assert all(days >= most for _, _, days in _drafts(db).values())


def test_a_pending_draft_lapses_when_nothing_is_past_the_threshold_any_more(db):
    _prepare(db)
    waiting = len(_drafts(db))
    _threshold(db, 5000)
    done = _prepare(db)
    assert (done.prepared, done.lapsed) == (0, waiting) and _drafts(db) == {}
    with db.session() as session:
        assert set(session.scalars(select(LetterDraft.status))) == {LAPSED}


def test_approving_numbers_audits_records_and_queues_the_letter(db):
    _prepare(db)
    with db.session() as session:
        overseer = find_user(session, OVERSEER)
        draft_id = next(w.id for w in waiting_letters(session, overseer) if w.province_slug == "ca-mau")
        preview = draft_letter(session, overseer, draft_id, TODAY)
        assert preview.document.number == "Số:        /KC"
        assert preview.document.recipient == "Kính gửi: Ủy ban nhân dân tỉnh Cà Mau"
        done = approve_draft(session, overseer, draft_id, TODAY, NOW, mail_from=MAIL_FROM)
    assert done.issued.reference == "1/KC" and done.file[2][:5] == b"%PDF-"
    assert [q.recipient for q in done.queued] == [province_email("ca-mau")]
    names = sorted(t.task_id for t in done.letter.tasks)
    with db.session() as session:
        draft = session.get(LetterDraft, draft_id)
        assert (draft.status, draft.issued_document_id) == (APPROVED, done.issued.row.id)
        assert draft.decided_by == find_user(session, OVERSEER).id
        audited = session.scalars(select(Event.task_id).where(Event.trigger == "urge", Event.note == "1/KC")).all()
        assert sorted(audited) == names
        recorded = session.execute(select(TaskDocument.task_id, TaskDocument.number, TaskDocument.direction,
                                          TaskDocument.issued_on)).all()
        assert sorted(r.task_id for r in recorded) == names
        assert {(r.number, r.direction, r.issued_on) for r in recorded} == {("1/KC", "out", AS_OF)}
        letters = session.scalars(select(Outbox).where(Outbox.kind == "letter")).all()
        assert [o.recipient for o in letters] == [province_email("ca-mau")]
        with pytest.raises(InvalidInput) as twice:
            approve_draft(session, find_user(session, OVERSEER), draft_id, TODAY, NOW, mail_from=MAIL_FROM)
        assert twice.value.error_code == "letter_draft_decided"


def test_discarding_sends_nothing_and_the_job_waits_before_the_next(db):
    _prepare(db)
    with db.session() as session:
        overseer = find_user(session, OVERSEER)
        draft_id = next(w.id for w in waiting_letters(session, overseer) if w.province_slug == "ca-mau")
        discard_draft(session, overseer, draft_id, NOW)
    with db.session() as session:
        assert session.get(LetterDraft, draft_id).status == DISCARDED
        assert session.scalar(select(func.count()).select_from(IssuedDocument)) == 0
        with pytest.raises(InvalidInput):
            approve_draft(session, find_user(session, OVERSEER), draft_id, TODAY, NOW, mail_from=MAIL_FROM)
        with pytest.raises(NotFound):
            discard_draft(session, find_user(session, OVERSEER), 99999, NOW)
    assert _prepare(db, AS_OF + timedelta(days=1)).prepared == 0 and "ca-mau" not in _drafts(db)
    assert _prepare(db, AS_OF + timedelta(days=16)).prepared == 1 and "ca-mau" in _drafts(db)


def test_a_province_officer_can_neither_list_nor_decide(db):
    _prepare(db)
    with db.session() as session:
        officer = find_user(session, province_email("ca-mau"))
        draft_id = pending_letters(session)[0].id
        for attempt in (lambda: waiting_letters(session, officer),
                        lambda: approve_draft(session, officer, draft_id, TODAY, NOW, mail_from=MAIL_FROM),
                        lambda: discard_draft(session, officer, draft_id, NOW),
                        lambda: draft_letter(session, officer, draft_id, TODAY)):
            with pytest.raises(PermissionDenied):
                attempt()
    assert len(_drafts(db)) > 0


def test_two_overseers_approving_at_once_issue_one_letter(db):
    _prepare(db)
    with db.session() as session:
        draft_id = pending_letters(session)[0].id
    barrier, outcomes = threading.Barrier(2), []

    def approve() -> None:
        barrier.wait()
        try:
            with db.session() as session:
                done = approve_draft(session, find_user(session, OVERSEER), draft_id, TODAY, NOW, mail_from=MAIL_FROM)
                outcomes.append(done.issued.reference)
        except DtrackError as exc:  # the loser: decided (PostgreSQL), or the database busy (SQLite's one writer)
            outcomes.append(exc.error_code)

    threads = [threading.Thread(target=approve) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(outcomes)[0] == "1/KC" and "1/KC" not in sorted(outcomes)[1:]
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(IssuedDocument)) == 1


def test_the_cli_lists_approves_and_discards(cli_runner, db):
    _prepare(db)
    listed = cli_runner("report", "letters", "list", "--as", OVERSEER)
    assert listed.exit_code == 0 and "Cà Mau (20/CT-BCT)" in listed.output
    with db.session() as session:
        ids = [w.id for w in pending_letters(session)]
    approved = cli_runner("report", "letters", "approve", str(ids[0]), "--as", OVERSEER, "--as-of", "2026-12-05")
    assert approved.exit_code == 0 and "1/KC" in approved.output
    discarded = cli_runner("report", "letters", "discard", str(ids[1]), "--as", OVERSEER)
    assert discarded.exit_code == 0
    again = cli_runner("report", "letters", "discard", str(ids[1]), "--as", OVERSEER)
    assert again.exit_code == 1 and "đã được xử lý" in again.output
    refused = cli_runner("report", "letters", "list", "--as", province_email("ca-mau"))
    assert refused.exit_code != 0


def test_the_overseers_digest_lists_the_letters_waiting(db, tmp_path):
    from dtrack.notifications.digest_sending import preview
    from tests.notifications.conftest import mail_settings

    _prepare(db)
    digest, rendered = preview(db, Clock(pinned=AS_OF), mail_settings(tmp_path), OVERSEER)
    assert len(digest.letters) == len(_drafts(db)) > 0
    assert "Công văn đôn đốc chờ phê duyệt" in rendered.text and "Cà Mau (20/CT-BCT)" in rendered.text
    assert "Công văn đôn đốc chờ phê duyệt" in rendered.html
    mine, _ = preview(db, Clock(pinned=AS_OF), mail_settings(tmp_path), province_email("ca-mau"))
    assert mine.letters == []
