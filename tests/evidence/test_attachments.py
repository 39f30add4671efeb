"""Evidence files: checked by content, stored once, audited, readable only by who may read the task."""
from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from sqlalchemy import func, select

from dtrack.config.clock import Clock
from dtrack.config.settings import load_settings
from dtrack.errors import InvalidInput, PermissionDenied, StorageFailed, UnknownTask
from dtrack.evidence.attachments import UnknownAttachment, attach, clean_name, fetch, list_files, withdraw
from dtrack.evidence.filetypes import check_file, sniff
from dtrack.evidence.storage import Store, evidence_root
from dtrack.i18n.error_messages import say
from dtrack.persistence.evidence_models import Attachment
from dtrack.persistence.models import Event
from tests.evidence.conftest import PNG, docx_bytes, odt_bytes, pdf_bytes, xlsx_bytes

KEY = "20/CT-BCT:2:ha-noi"


def _counts(db):
    with db.session() as session:
        return (session.scalar(select(func.count()).select_from(Attachment)),
                session.scalar(select(func.count()).select_from(Event)))


@pytest.mark.parametrize("name,content,mimetype", [
    ("Quyết định phê duyệt.pdf", pdf_bytes(), "application/pdf"),
    ("Chương trình.docx", docx_bytes(), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("Số liệu.xlsx", xlsx_bytes(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("Báo cáo.odt", odt_bytes(), "application/vnd.oasis.opendocument.text"),
    ("Ảnh hội nghị.png", PNG, "image/png"),
])
def test_each_accepted_type_is_recognised_by_its_content(name, content, mimetype):
    assert check_file(name, content, 10**6).mimetype == mimetype


@pytest.mark.parametrize("name,content,problem", [
    ("rong.pdf", b"", "empty"),
    ("to.pdf", pdf_bytes() + b"x" * 2_000_000, "more than"),
    ("virus.pdf", b"MZ\x90\x00 this is an executable", "not one of"),
    ("doi-ten.pdf", PNG, "but the name ends in '.pdf'"),
    ("script.html", b"<script>alert(1)</script>", "not one of"),
    ("zip.docx", b"PK\x03\x04 broken", "not one of"),
])
def test_wrong_files_are_refused_with_what_was_wrong(name, content, problem):
    with pytest.raises(InvalidInput) as refused:
        check_file(name, content, 10**6)
    assert refused.value.field == "file" and problem in say(refused.value, "en")


def test_attach_stores_once_by_content_with_an_audit_event_and_keeps_the_name(world, evidence_settings):
    officer = world.user("province", "ha-noi")
    content = pdf_bytes()
    first = attach(world.db, Clock(), evidence_settings, KEY, officer, "C:\\Hồ sơ\\Quyết định số 12.pdf", content)
    second = attach(world.db, Clock(), evidence_settings, KEY, officer, "ban-sao.pdf", content)
    assert first.name == "Quyết định số 12.pdf" and first.sha256 == second.sha256 and first.size == len(content)
    stored = [p for p in evidence_root(evidence_settings).rglob("*") if p.is_file()]
    assert len(stored) == 1 and stored[0].read_bytes() == content  # one file for one content
    with world.db.session() as session:
        names = [f.name for f in list_files(session, None, KEY)]
        events = session.scalars(select(Event).where(Event.trigger == "attach")).all()
    assert names == ["Quyết định số 12.pdf", "ban-sao.pdf"]
    assert [e.note for e in events] == names and all(e.from_state == e.to_state for e in events)
    view, got = fetch(world.db, evidence_settings, officer, KEY, first.id)
    assert got == content and view.mimetype == "application/pdf"


def test_who_may_attach_read_and_withdraw(world, evidence_settings):
    officer, other, overseer = (world.user("province", "ha-noi"), world.user("province", "hue"),
                                world.user("overseer", None))
    made = attach(world.db, Clock(), evidence_settings, KEY, officer, "a.png", PNG)
    before = _counts(world.db)
    with pytest.raises(UnknownTask):  # another province's task: as a missing one
        attach(world.db, Clock(), evidence_settings, KEY, other, "b.png", PNG)
    with pytest.raises(UnknownTask):
        fetch(world.db, evidence_settings, other, KEY, made.id)
    assert fetch(world.db, evidence_settings, overseer, KEY, made.id)[1] == PNG
    with pytest.raises(UnknownAttachment):  # another task's id, or a guessed one
        fetch(world.db, evidence_settings, overseer, "20/CT-BCT:3:ha-noi", made.id)
    with pytest.raises(PermissionDenied):
        withdraw(world.db, Clock(), KEY, overseer, made.id)
    assert _counts(world.db) == before
    withdraw(world.db, Clock(), KEY, officer, made.id)
    with pytest.raises(UnknownAttachment):
        fetch(world.db, evidence_settings, officer, KEY, made.id)
    with world.db.session() as session:
        assert list_files(session, None, KEY) == [] and len(list_files(session, None, KEY, withdrawn=True)) == 1


def test_a_completed_tasks_files_stay_and_no_new_ones_come(world, evidence_settings):
    officer, overseer = world.user("province", "ha-noi"), world.user("overseer", None)
    made = attach(world.db, Clock(), evidence_settings, KEY, officer, "qd.pdf", pdf_bytes())
    for trigger, who in (("start", officer), ("submit", officer), ("accept", overseer)):
        world.fire(KEY, trigger, who)
    before = _counts(world.db)
    with pytest.raises(InvalidInput, match="evidence_closed"):
        withdraw(world.db, Clock(), KEY, officer, made.id)
    with pytest.raises(InvalidInput, match="evidence_closed"):
        attach(world.db, Clock(), evidence_settings, KEY, officer, "muon.pdf", pdf_bytes("khác"))
    assert _counts(world.db) == before
    assert not [p for p in evidence_root(evidence_settings).rglob("*") if p.is_file() and "muon" in p.name]


def test_a_full_disk_leaves_no_row_and_no_file(world, evidence_settings, tmp_path):
    officer = world.user("province", "ha-noi")
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the folder should be")
    settings = load_settings({}, evidence_dir=str(blocked), evidence_max_mb="1")
    before = _counts(world.db)
    with pytest.raises(StorageFailed):
        attach(world.db, Clock(), settings, KEY, officer, "qd.pdf", pdf_bytes())
    assert _counts(world.db) == before


def test_a_failed_transaction_removes_the_file_it_wrote(world, evidence_settings, monkeypatch):
    officer = world.user("province", "ha-noi")
    from dtrack.evidence import attachments

    def broken(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(attachments, "_event", broken)
    with pytest.raises(RuntimeError):
        attach(world.db, Clock(), evidence_settings, KEY, officer, "qd.pdf", pdf_bytes())
    assert not [p for p in evidence_root(evidence_settings).rglob("*") if p.is_file()]
    assert _counts(world.db)[0] == 0


def test_the_store_writes_atomically_without_leftovers(tmp_path):
    store = Store(tmp_path / "kho")
    digest, written = store.put(b"%PDF-1.4 one")
    assert written and store.read(digest) == b"%PDF-1.4 one"
    assert store.put(b"%PDF-1.4 one") == (digest, False)
    assert [p.name for p in (tmp_path / "kho").rglob("*") if p.is_file()] == [digest]
    assert os.path.dirname(store.path(digest)).endswith(digest[:2])


@hsettings(max_examples=80, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(content=st.binary(max_size=300), name=st.text(max_size=40))
def test_any_bytes_and_any_name_give_a_type_or_a_clear_refusal(content, name):
    try:
        kind = check_file(clean_name(name) if name.strip() else "x", content, 10**6)
    except InvalidInput as refused:
        assert refused.field == "file" and str(refused)
    else:
        assert sniff(content) is kind


@given(name=st.text(min_size=1, max_size=400))
def test_a_kept_name_has_no_folder_and_no_control_characters(name):
    try:
        kept = clean_name(name)
    except InvalidInput:
        return
    assert "/" not in kept and "\\" not in kept and len(kept) <= 255
    assert not any(ord(c) < 32 for c in kept)
