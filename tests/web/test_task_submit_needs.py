"""Issue 26: one form for updating and submitting; a submission without a note or evidence is refused beside
the note, the typed values kept; system actions in the history are the system's, in Vietnamese."""
from __future__ import annotations

from tests.web.http_support import count, form_of
from tests.web.words_check import messages

KEY = "20/CT-BCT:2:ha-noi"


def test_submit_without_note_or_evidence_is_refused_beside_the_note_and_values_kept(site):
    own = site.client("own")
    task_id = site.task_id(KEY)
    token, version = form_of(own, task_id)
    started = own.post(f"/tasks/{task_id}/actions/start", data={"csrf_token": token, "version": version})
    assert started.status_code == 303
    page = own.get(f"/tasks/{task_id}").text
    assert 'data-form="update"' not in page and 'data-also="update"' in page  # one form, not two
    token, version = form_of(own, task_id)
    events = count(site, "events")
    refused = own.post(f"/tasks/{task_id}/actions/submit",
                       data={"csrf_token": token, "version": version, "progress": "80", "note": "", "evidence": ""})
    assert refused.status_code == 422 and count(site, "events") == events
    form = refused.text.split('data-also="update"')[1].split("</form>")[0]
    assert 'value="80"' in form
    assert any("cần ghi chú hoặc minh chứng trước khi nộp" in m for m in messages(form))
    done = own.post(f"/tasks/{task_id}/actions/submit",
                    data={"csrf_token": token, "version": version, "progress": "80", "note": "Đã trình UBND tỉnh"})
    assert done.status_code == 303 and count(site, "events") == events + 1
