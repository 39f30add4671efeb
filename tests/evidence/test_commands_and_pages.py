"""Evidence and comments through the command line and the web pages."""
from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import select

from dtrack.persistence.models import Event
from tests.evidence.conftest import PNG, pdf_bytes
from tests.web.http_support import CSRF, count, make_site

KEY = "20/CT-BCT:2:ha-noi"


@pytest.fixture
def evidence_site(db, tmp_path):
    return make_site(db, evidence_dir=str(tmp_path / "evidence"), evidence_max_mb="1", comment_max_chars="200")


def test_cli_attach_list_and_get(cli_runner, world, tmp_path, monkeypatch, english):
    monkeypatch.setenv("DTRACK_EVIDENCE_DIR", str(tmp_path / "kho"))
    officer = world.user("province", "ha-noi")
    document = tmp_path / "Quyết định 12.pdf"
    document.write_bytes(pdf_bytes())
    done = cli_runner("task", "attach", KEY, str(document), "--as", officer)
    assert done.exit_code == 0 and "attached Quyết định 12.pdf" in done.output
    listed = json.loads(cli_runner("task", "files", KEY, "--json").output)
    assert [f["name"] for f in listed] == ["Quyết định 12.pdf"]
    out = tmp_path / "ban-sao.pdf"
    assert cli_runner("task", "file-get", KEY, str(listed[0]["id"]), "-o", str(out)).exit_code == 0
    assert out.read_bytes() == document.read_bytes()
    fake = tmp_path / "anh.pdf"
    fake.write_bytes(PNG)
    refused = cli_runner("task", "attach", KEY, str(fake), "--as", officer)
    assert refused.exit_code == 1 and refused.output.count("error:") == 1 and "PNG" in refused.output
    assert "Traceback" not in refused.output


def test_cli_comment(cli_runner, world, english):
    officer = world.user("province", "ha-noi")
    assert cli_runner("task", "comment", KEY, "Đã gửi dự thảo, mời Cục góp ý", "--as", officer).exit_code == 0
    empty = cli_runner("task", "comment", KEY, "   ", "--as", officer)
    assert empty.exit_code == 1 and "comment: is empty" in empty.output
    shown = json.loads(cli_runner("task", "show", KEY, "--json").output)
    assert [h["note"] for h in shown["history"] if h["trigger"] == "comment"] == ["Đã gửi dự thảo, mời Cục góp ý"]


def _csrf(client, task_id):
    return CSRF.search(client.get(f"/tasks/{task_id}").text).group(1)


def test_upload_download_and_withdraw_on_the_task_page(evidence_site):
    site = evidence_site
    task_id = site.task_id(KEY)
    own = site.client("own")
    token = _csrf(own, task_id)
    sent = own.post(f"/tasks/{task_id}/files", data={"csrf_token": token},
                    files={"file": ("Kế hoạch năm 2026.pdf", pdf_bytes(), "application/pdf")})
    assert sent.status_code == 303
    page = own.get(f"/tasks/{task_id}").text
    file_id = re.search(r'data-file="(\d+)"', page).group(1)
    assert "Kế hoạch năm 2026.pdf" in page
    for who in ("own", "overseer"):
        got = site.client(who).get(f"/tasks/{task_id}/files/{file_id}")
        assert got.status_code == 200 and got.content == pdf_bytes()
        assert got.headers["content-type"] == "application/pdf"
        assert got.headers["content-disposition"].startswith("attachment;")
        assert "filename*=UTF-8''K%E1%BA%BF%20ho%E1%BA%A1ch" in got.headers["content-disposition"]
    assert site.client("other").get(f"/tasks/{task_id}/files/{file_id}").status_code == 404  # as a missing task
    assert site.anonymous().get(f"/tasks/{task_id}/files/{file_id}").status_code == 303
    other_task = site.task_id("20/CT-BCT:3:ha-noi")
    assert own.get(f"/tasks/{other_task}/files/{file_id}").status_code == 404  # ids are per task
    gone = own.post(f"/tasks/{task_id}/files/{file_id}/withdraw", data={"csrf_token": token})
    assert gone.status_code == 303
    assert own.get(f"/tasks/{task_id}/files/{file_id}").status_code == 404
    assert count(site, "events", "trigger IN ('attach', 'withdraw')") == 2


def test_a_wrong_file_gets_a_message_beside_the_field_and_nothing_is_kept(evidence_site):
    site = evidence_site
    task_id = site.task_id(KEY)
    own = site.client("own")
    token = _csrf(own, task_id)
    before = site.fingerprint()
    for name, content, words in (("anh.pdf", PNG, "Chỉ nhận tệp"), ("rong.pdf", b"", "Tệp rỗng"),
                                 ("to.pdf", pdf_bytes() + b"0" * 1_100_000, "Tệp quá lớn (tối đa 1 MB)")):
        answer = own.post(f"/tasks/{task_id}/files", data={"csrf_token": token},
                          files={"file": (name, content, "application/pdf")})
        assert answer.status_code == 422 and words in answer.text, name
    assert site.fingerprint() == before and count(site, "attachments") == 0


def test_comments_are_escaped_bounded_and_in_the_history(evidence_site):
    site = evidence_site
    task_id = site.task_id(KEY)
    own, overseer = site.client("own"), site.client("overseer")
    said = own.post(f"/tasks/{task_id}/comments", data={"csrf_token": _csrf(own, task_id),
                                                      "comment": "Đã <b>bổ sung</b> phụ lục"})
    assert said.status_code == 303
    answer = overseer.post(f"/tasks/{task_id}/comments", data={"csrf_token": _csrf(overseer, task_id),
                                                             "comment": "Cục đã nhận, sẽ xem trong tuần"})
    assert answer.status_code == 303
    page = overseer.get(f"/tasks/{task_id}").text
    assert "Đã &lt;b&gt;bổ sung&lt;/b&gt; phụ lục" in page and "<b>bổ sung</b>" not in page
    too_long = own.post(f"/tasks/{task_id}/comments", data={"csrf_token": _csrf(own, task_id), "comment": "x" * 201})
    assert too_long.status_code == 422
    assert site.client("other").post(f"/tasks/{task_id}/comments", data={
        "csrf_token": _csrf(site.client("other"), site.task_id("20/CT-BCT:2:hue")), "comment": "xin chào"}
    ).status_code == 403
    with site.db.session() as session:
        notes = session.scalars(select(Event.note).where(Event.trigger == "comment").order_by(Event.id)).all()
    assert notes == ["Đã <b>bổ sung</b> phụ lục", "Cục đã nhận, sẽ xem trong tuần"]
