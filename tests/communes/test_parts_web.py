"""Communes' parts on the web: the province delegates on the task page, the commune officer updates and
submits on their home and the part's page, the province accepts; who sees which page (both back-ends).

The route x role matrix for parts: a commune officer of the part's commune, of another commune of the
same province, a province officer of another province, the overseer: what each gets on the part's page,
its actions, the task page's delegation form and the commune home.
"""
from __future__ import annotations

import re

import pytest

from dtrack.accounts import admin
from dtrack.workflow.users import add_user
from tests.web.http_support import PASSWORD, csrf_of, form_of

KEY = "20/CT-BCT:2:ha-noi"
OWN_COMMUNE = "xa@badinh.hanoi.example.vn"
OTHER_COMMUNE = "xa@ngocha.hanoi.example.vn"
FAR_COMMUNE = "xa@hue.example.vn"
VERSION = re.compile(r'name="version" value="(\d+)"')


@pytest.fixture
def communes(site):
    """Three commune officers: Ba Đình (the part's), Ngọc Hà (same province), one of Huế (another province)."""
    with site.db.session() as session:
        for email, code in ((OWN_COMMUNE, "00004"), (OTHER_COMMUNE, "00008"), (FAR_COMMUNE, "19768")):
            add_user(session, email=email, name=f"Cán bộ {code}", role="commune", province=None,
                     now=site.clock.now(), commune=code)
    for email in (OWN_COMMUNE, OTHER_COMMUNE, FAR_COMMUNE):
        admin.set_password(site.db, site.clock, email, PASSWORD)
    return site


def delegated(site) -> tuple[int, int]:
    """Hà Nội's officer delegates task 2 to Ba Đình and Ngọc Hà on the task page; (task id, Ba Đình's part id)."""
    officer = site.client("own")
    task_id = site.task_id(KEY)
    csrf, _ = form_of(officer, task_id)
    page = officer.get(f"/tasks/{task_id}").text
    assert 'data-form="delegate"' in page and '<option value="00004">Phường Ba Đình</option>' in page
    done = officer.post(f"/tasks/{task_id}/delegate", data={
        "csrf_token": csrf, "communes": "00004, Phường Ngọc Hà", "to": "02/03/2026", "note": "Báo cáo số cơ sở CNNT",
        "progress_from_parts": "1"})
    assert done.status_code == 303, done.text[:500]
    part_id = site.scalar("SELECT p.id FROM task_parts p JOIN communes c ON c.id = p.commune_id "
                          "WHERE c.code = '00004'")
    return task_id, part_id


def act(client, part_id: int, action: str, **data: str):
    page = client.get(f"/parts/{part_id}")
    assert page.status_code == 200, page.text[:300]
    version = VERSION.search(page.text).group(1)
    return client.post(f"/parts/{part_id}/actions/{action}",
                       data={"csrf_token": csrf_of(client, f"/parts/{part_id}"), "version": version, **data})


def test_delegate_submit_accept_and_the_task_s_roll_up_moves(communes):
    site = communes
    task_id, part_id = delegated(site)
    commune = site.client(OWN_COMMUNE)
    assert commune.get("/").headers["location"] == "/commune"
    home = commune.get("/commune").text
    assert "Phường Ba Đình" in home and f'data-part="{KEY}/00004"' in home and "00008" not in home
    assert act(commune, part_id, "start").status_code == 303
    refused = act(commune, part_id, "submit", progress="150")
    assert refused.status_code == 422 and 'data-field="progress"' in refused.text
    assert act(commune, part_id, "submit", progress="100", note="Đã báo cáo").status_code == 303
    assert 'data-form="accept"' not in commune.get(f"/parts/{part_id}").text

    officer = site.client("own")
    task_page = officer.get(f"/tasks/{task_id}").text
    assert 'data-parts-total="2" data-parts-completed="0"' in task_page
    assert act(officer, part_id, "accept").status_code == 303
    task_page = officer.get(f"/tasks/{task_id}").text
    assert 'data-parts-total="2" data-parts-completed="1"' in task_page
    assert site.scalar("SELECT progress FROM tasks WHERE id = :t", t=task_id) == 50  # (100 + 0) / 2
    assert site.scalar("SELECT count(*) FROM part_events WHERE part_id = :p", p=part_id) == 4


def test_the_delegation_form_shows_the_core_s_refusals_beside_their_fields(communes):
    site = communes
    officer = site.client("own")
    task_id = site.task_id(KEY)
    csrf, _ = form_of(officer, task_id)
    late = officer.post(f"/tasks/{task_id}/delegate", data={"csrf_token": csrf, "communes": "00004",
                                                            "to": "01/08/2026", "note": "x"})
    assert late.status_code == 422 and 'data-field="to"' in late.text
    nobody = officer.post(f"/tasks/{task_id}/delegate", data={"csrf_token": csrf, "communes": " ",
                                                              "to": "02/03/2026", "note": "x"})
    assert nobody.status_code == 422 and 'data-field="communes"' in nobody.text
    wrong = officer.post(f"/tasks/{task_id}/delegate", data={"csrf_token": csrf, "communes": "16171",
                                                             "to": "02/03/2026", "note": "x"})
    assert wrong.status_code == 422 and 'data-field="commune"' in wrong.text
    assert site.scalar("SELECT count(*) FROM task_parts") == 0


# Who gets what: the part's page, a commune officer's action on it, the judge's action, the delegation form.
MATRIX = {
    OWN_COMMUNE: {"page": 200, "start": 303, "delegate": 404},
    OTHER_COMMUNE: {"page": 404, "start": 404, "delegate": 404},
    FAR_COMMUNE: {"page": 404, "start": 404, "delegate": 404},
    "other": {"page": 404, "start": 404, "delegate": 404},
    "overseer": {"page": 200, "start": 403, "delegate": 403},
}


@pytest.mark.parametrize("who", sorted(MATRIX))
def test_the_route_by_role_matrix_for_parts(communes, who):
    site = communes
    task_id, part_id = delegated(site)
    before = site.scalar("SELECT count(*) FROM part_events")
    client = site.client(who)
    expected = MATRIX[who]
    assert client.get(f"/parts/{part_id}").status_code == expected["page"]
    csrf = csrf_of(client, "/account")
    started = client.post(f"/parts/{part_id}/actions/start", data={"csrf_token": csrf, "version": "1"})
    assert started.status_code == expected["start"], started.text[:300]
    again = client.post(f"/tasks/{task_id}/delegate", data={"csrf_token": csrf, "communes": "00025",
                                                            "to": "02/03/2026", "note": "x"})
    assert again.status_code == expected["delegate"], again.text[:300]
    home = client.get("/commune")
    assert home.status_code == 200
    assert (f'data-part="{KEY}/00004"' in home.text) == (who in (OWN_COMMUNE, "overseer"))
    changed = site.scalar("SELECT count(*) FROM part_events") - before
    assert changed == (1 if expected["start"] == 303 else 0)
