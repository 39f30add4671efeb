"""A core error on a page is worded beside its field in the page's language; in the API, by the field's API name.

The core names a domain field (`province`, `note`); neither front end shows a
command-line word: no `--province` on a page, no `--note` in a problem's detail.
"""
from __future__ import annotations

import re

from tests.web.http_support import csrf_of
from tests.web.test_api import api, token_for

FIELD_ERROR = re.compile(r'<p class="field-error" data-field="([^"]+)">(.*?)</p>', re.DOTALL)


def test_a_bad_form_post_shows_the_vietnamese_message_beside_its_field(site):
    admin = site.client("admin")
    before = site.fingerprint()
    answer = admin.post("/admin/users/invite", data={"csrf_token": csrf_of(admin), "email": "moi@soct.hue.example.vn",
                                                     "name": "Người Mới", "role": "province", "province": ""})
    assert answer.status_code == 422
    shown = dict(FIELD_ERROR.findall(answer.text))
    assert shown == {"province": "người dùng của tỉnh cần có tỉnh"}
    assert not any("--" in message or "dtrack " in message for message in shown.values())
    assert site.fingerprint() == before


def test_the_api_answers_the_fields_api_name_and_the_callers_language(site):
    own = api(site, token_for(site, "own"))  # a Vietnamese account
    task_id = site.task_id("20/CT-BCT:2:ha-noi")
    path = f"/api/v1/tasks/{task_id}/transitions"
    assert own.post(path, json={"trigger": "start"}).status_code == 200
    refused = own.post(path, json={"trigger": "block"})
    assert refused.status_code == 422
    body = refused.json()
    assert body["field"] == "note" and body["detail"] == "note: thao tác block cần ghi rõ lý do"
    # Asked in English (?lang), the same problem in English; before any token, Accept-Language decides.
    english = own.post(f"{path}?lang=en", json={"trigger": "block"}).json()
    assert english["field"] == "note" and english["detail"] == "note: block needs a note saying why"
    anonymous = api(site, None).get("/api/v1/tasks", headers={"Accept-Language": "en-GB,en;q=0.8"})
    assert anonymous.status_code == 401 and "API token" in anonymous.json()["detail"]
    assert "mã truy cập" in api(site, None).get("/api/v1/tasks", headers={"Accept-Language": "vi"}).json()["detail"]
