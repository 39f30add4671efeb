"""/letters: the urge letters the daily job prepared, approved or discarded by an overseer on the web."""
from __future__ import annotations

import io

from pypdf import PdfReader

from dtrack.config.today import Today
from dtrack.documents.escalation import prepare_escalations
from tests.web.http_support import csrf_of


def _prepared(site) -> list[int]:
    site.clock.advance(days=400)  # far past the first deadlines: every province's tasks long overdue
    with site.db.session() as session:
        prepare_escalations(session, Today.of(site.clock), site.clock.now())
    with site.db.engine.connect() as connection:
        return list(connection.exec_driver_sql(
        "SELECT d.id FROM letter_drafts d JOIN provinces p ON p.id = d.province_id WHERE d.status = 'pending' "
            "ORDER BY p.slug <> 'ha-noi', d.id").scalars())  # Hà Nội first: the site's one province with an officer


def test_an_overseer_previews_approves_and_discards(site):
    ids = _prepared(site)
    assert len(ids) == 34
    overseer = site.client("overseer")
    page = overseer.get("/letters")
    assert page.status_code == 200 and page.text.count('data-action="approve-letter"') == 34
    assert 'href="/letters"' in page.text  # in the menu
    pdf = overseer.get(f"/letters/{ids[0]}/draft?format=pdf")
    text = PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    assert pdf.status_code == 200 and "Ủy ban nhân dân" in text and "V/v đôn đốc thực hiện Chỉ thị số" in text
    assert "6 tháng cuối năm 2025" in " ".join(text.split()) and "2025-H2" not in text  # periods by name
    token = csrf_of(overseer, "/letters")
    approved = overseer.post(f"/letters/{ids[0]}/approve", data={"csrf_token": token}, follow_redirects=True)
    assert approved.status_code == 200 and "công văn được cấp số" in approved.text
    assert f'data-letter="{ids[0]}"' not in approved.text
    assert site.scalar("SELECT count(*) FROM issued_documents") == 1
    assert site.scalar("SELECT count(*) FROM outbox WHERE kind = 'letter'") >= 1
    named = site.scalar("SELECT min(task_id) FROM task_documents WHERE number = '1/KC'")
    history = overseer.get(f"/tasks/{named}").text
    assert 'data-document="1/KC"' in history and "Số 1/KC ngày " in history  # the letter's number on the task
    discarded = overseer.post(f"/letters/{ids[1]}/discard", data={"csrf_token": token}, follow_redirects=True)
    assert "Đã hủy dự thảo công văn" in discarded.text
    again = overseer.post(f"/letters/{ids[1]}/approve", data={"csrf_token": token})
    assert again.status_code == 422 and "đã được xử lý" in again.text
    assert site.scalar("SELECT count(*) FROM issued_documents") == 1


def test_a_province_officer_sees_no_letters(site):
    ids = _prepared(site)
    own = site.client("own")
    assert own.get("/letters").status_code == 403
    assert own.get(f"/letters/{ids[0]}/draft").status_code == 403
    before = site.fingerprint()
    refused = own.post(f"/letters/{ids[0]}/approve", data={"csrf_token": csrf_of(own, "/province")})
    assert refused.status_code in (403, 404, 422)
    assert site.fingerprint() == before
    assert 'href="/letters"' not in own.get("/province").text


def test_an_overseer_composes_previews_and_issues_a_letter(site):
    site.clock.advance(days=400)
    overseer = site.client("overseer")
    assert 'data-action="urge-compose"' in overseer.get("/overdue?province=ha-noi").text
    assert "/reports/urge/ha-noi/compose" in overseer.get("/province?province=ha-noi").text
    form = overseer.get("/reports/urge/ha-noi/compose")
    assert form.status_code == 200 and 'value="committee" checked' in form.text and 'type="date"' in form.text
    token = csrf_of(overseer, "/reports/urge/ha-noi/compose")
    fields = {"csrf_token": token, "directive": "20/CT-BCT", "recipient": "department", "reply_by": "",
              "authority": "KT. CỤC TRƯỞNG", "position": "PHÓ CỤC TRƯỞNG", "signer": "Nguyễn Văn A", "copies": ""}
    preview = overseer.post("/reports/urge/ha-noi/compose", data={**fields, "do": "pdf"})
    text = " ".join(PdfReader(io.BytesIO(preview.content)).pages[0].extract_text().split())
    assert preview.status_code == 200 and "Kính gửi: Sở Công Thương thành phố Hà Nội" in text and "Nguyễn Văn A" in text
    assert site.scalar("SELECT count(*) FROM issued_documents") == 0  # a preview records nothing
    wrong = overseer.post("/reports/urge/ha-noi/compose", data={**fields, "authority": "Giám đốc", "do": "issue"})
    assert wrong.status_code == 422 and 'value="Giám đốc"' in wrong.text
    issued = overseer.post("/reports/urge/ha-noi/compose", data={**fields, "do": "issue"}, follow_redirects=True)
    assert issued.status_code == 200 and "Đã ban hành công văn" in issued.text
    assert site.scalar("SELECT count(*) FROM issued_documents WHERE addressee LIKE '%Sở Công Thương%'") == 1
    assert site.scalar("SELECT count(*) FROM task_documents WHERE number = '1/KC'") > 0
    own = site.client("own")
    assert own.get("/reports/urge/ha-noi/compose").status_code == 403
    refused = own.post("/reports/urge/ha-noi/compose", data={**fields, "csrf_token": csrf_of(own, "/province"),
                                                             "do": "issue"})
    assert refused.status_code in (403, 422) and site.scalar("SELECT count(*) FROM issued_documents") == 1
