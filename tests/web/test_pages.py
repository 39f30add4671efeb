"""What the pages show: the province's sections, the review queue, the matrices, reports, errors."""
from __future__ import annotations

import logging
import re

from dtrack.config.today import Today
from dtrack.reports.document import ReportOptions
from dtrack.reports.national import national_report
from dtrack.reports.render import render_file
from tests.web.http_support import csrf_of, form_of


def act(client, task_id: int, trigger: str, **fields: str):
    token, version = form_of(client, task_id)
    return client.post(f"/tasks/{task_id}/actions/{trigger}", data={"csrf_token": token, "version": version,
                                                                    **fields})


def test_a_task_goes_round_the_review_loop_in_the_browser_forms(site):
    own, overseer = site.client("own"), site.client("overseer")
    task_id = site.task_id("20/CT-BCT:2:ha-noi")
    home = own.get("/province").text
    assert '<tr data-task="20/CT-BCT:2:ha-noi">' in home and 'data-allowed="start"' in home
    seen = site.client("overseer").get("/province?province=ha-noi").text
    row = seen.split('<tr data-task="20/CT-BCT:2:ha-noi">')[1].split("</tr>")[0]
    assert 'data-allowed="start"' not in row  # the province's work, not the overseer's
    page = own.get(f"/tasks/{task_id}").text
    assert 'data-action="start"' in page and 'data-action="accept"' not in page
    assert act(own, task_id, "start").status_code == 303
    assert act(own, task_id, "update", progress="60", note="Đã tổ chức 2 lớp tập huấn").status_code == 303
    assert act(own, task_id, "submit", progress="100", evidence="QĐ 123/QĐ-SCT").status_code == 303
    home = own.get("/province").text
    waiting = home.split('data-section="waiting"')[1].split("</section>")[0]
    assert "Chờ xem xét" in waiting and f'href="/tasks/{task_id}"' in waiting
    queue = overseer.get("/review").text
    assert '<tr data-task="20/CT-BCT:2:ha-noi">' in queue
    page = overseer.get(f"/tasks/{task_id}").text
    assert 'data-action="accept"' in page and 'data-action="send-back"' in page and 'data-action="start"' not in page
    assert act(overseer, task_id, "send-back", note="Thiếu biên bản nghiệm thu").status_code == 303
    history = own.get(f"/tasks/{task_id}").text.split('class="cards history"')[1]
    assert "Thiếu biên bản nghiệm thu" in history and "Lê Văn Giám" in history
    assert "QĐ 123/QĐ-SCT" in history and "05/01/2026" in history
    assert act(own, task_id, "submit", progress="100", evidence="Biên bản 45/BB").status_code == 303
    assert act(overseer, task_id, "accept").status_code == 303
    status = overseer.get("/status").text
    assert '<a data-task="20/CT-BCT:2:ha-noi" data-state="completed" class="state state-completed"' in status
    assert f'href="/tasks/{task_id}"' in status


def test_review_queue_longest_waiting_first(site):
    own, hue, overseer = site.client("own"), site.client("other"), site.client("overseer")
    first, second = site.task_id("20/CT-BCT:2:ha-noi"), site.task_id("20/CT-BCT:2:hue")
    for client, task_id in ((own, first), (hue, second)):
        act(client, task_id, "start")
        act(client, task_id, "submit", progress="100", note="Đã xong")
        site.clock.advance(minutes=20)  # within the sessions' idle limit
    rows = re.findall(r'<tr data-task="([^"]+)"', overseer.get("/review").text)
    assert rows == ["20/CT-BCT:2:ha-noi", "20/CT-BCT:2:hue"]


def test_overdue_list_filters_like_the_command(site):
    site.clock.advance(days=500)
    overseer = site.client("overseer")
    page = overseer.get("/overdue?region=north&min_days=1")
    assert page.status_code == 200
    keys = re.findall(r'<tr data-task="([^"]+)"', page.text)
    assert keys and len(keys) <= 50
    assert "Tổng số nhiệm vụ quá hạn" in page.text
    only = overseer.get("/overdue?province=ha-noi&group=2").text
    assert set(re.findall(r'<tr data-task="([^"]+)"', only)) <= {"20/CT-BCT:2:ha-noi"}
    # A filter's mistake: the list again with the message beside the filter, not an error page (issue 26).
    assert overseer.get("/overdue?min_days=abc").status_code == 422
    assert overseer.get("/overdue?region=atlantis").status_code == 422
    assert overseer.get("/matrix").status_code == 200


def test_reports_download_in_every_format_with_the_commands_bytes(site):
    overseer, own = site.client("overseer"), site.client("own")
    for fmt in ("html", "md", "xlsx", "csv"):
        answer = overseer.get(f"/reports/national?format={fmt}")
        shown = "inline" if fmt == "html" else "attachment"  # the HTML report opens in the browser (issue 26)
        assert answer.status_code == 200 and shown in answer.headers["content-disposition"]
        if fmt == "html":
            assert "sandbox" in answer.headers["content-security-policy"]
            assert answer.headers["content-security-policy"].count("default-src") == 1
        mine = own.get(f"/reports/province/ha-noi?format={fmt}")
        assert mine.status_code == 200
    csv = overseer.get("/reports/national?format=csv&as_of=05/01/2026").content
    with site.db.session() as session:
        expected = render_file(national_report(session, ReportOptions(Today.of(site.clock))), "csv")[2]
    assert csv == expected
    assert own.get("/reports/province/hue?format=csv").status_code == 403
    assert overseer.get("/reports/national?format=odt").status_code == 400  # docx and pdf are formats (issue 23)


def test_the_report_over_every_directive_is_offered_to_the_department_only(site):
    """`?directive=all` (reports/every_directive.py): beside the national report's links on the review page."""
    overseer, own = site.client("overseer"), site.client("own")
    assert "/reports/national?directive=all&amp;format=pdf" in overseer.get("/review").text
    page = overseer.get("/reports/national?directive=all&format=html")
    assert page.status_code == 200 and "Tổng hợp tình hình thực hiện các chỉ thị" in page.text
    assert overseer.get("/reports/national?directive=all&format=xlsx").status_code == 200
    assert own.get("/reports/national?directive=all&format=html").status_code == 403


def test_a_server_error_shows_a_reference_that_is_in_the_log(site, monkeypatch, caplog):
    import dtrack.web.routes_work as routes_work

    def broken(*args, **kwargs):
        raise RuntimeError("SELECT secret FROM somewhere")

    monkeypatch.setattr(routes_work, "province_worklist", broken)
    client = site.client("own")
    with caplog.at_level(logging.ERROR, logger="dtrack.web"):
        answer = client.get("/province")
    assert answer.status_code == 500
    assert "SELECT" not in answer.text and "Traceback" not in answer.text
    reference = re.search(r"Mã tham chiếu: ([0-9a-f]{12})", answer.text).group(1)
    assert reference in caplog.text and "RuntimeError" in caplog.text


def test_pages_use_the_stylesheet_and_no_inline_script(site):
    client = site.client("admin")
    for path in ("/admin/users", "/admin/directives", "/admin/settings", "/review", "/status", "/matrix",
                 "/overdue", "/indicators", "/province?province=ha-noi", "/extend-group"):
        page = client.get(path)
        assert page.status_code == 200, path
        # A script only from the site's own files (the CSP's script-src 'self'), never inline.
        assert not re.search(r'<script(?! src="/static/[a-z_]+\.js" defer></script>)', page.text), path
        assert "style=" not in page.text
        assert '<link rel="stylesheet" href="/static/dtrack.css">' in page.text
    css = client.get("/static/dtrack.css")
    assert "@media print" in css.text and "@media (max-width" in css.text


def test_admin_invites_and_the_link_is_shown_once(site):
    admin = site.client("admin")
    answer = admin.post("/admin/users/invite", data={"csrf_token": csrf_of(admin), "email": "moi@soct.hue.example.vn",
                                                     "name": "Người <Mới>", "role": "province", "province": "hue"})
    assert answer.status_code == 200
    link = re.search(r'<code class="invite-link">http://127.0.0.1:8000(/invite/[^<]+)</code>', answer.text).group(1)
    assert site.anonymous().get(link).status_code == 200
    assert "Người &lt;Mới&gt;" in admin.get("/admin/users").text
    bad = admin.post("/admin/users/invite", data={"csrf_token": csrf_of(admin), "email": "không-phải-email",
                                                  "name": "X", "role": "province", "province": "hue"})
    assert bad.status_code == 422 and 'data-field="email"' in bad.text and "không-phải-email" in bad.text


def test_admin_settings_mask_secrets(db):
    from tests.web.http_support import make_site

    secret = make_site(db, smtp_url="smtp://mailer:hunter2-secret@mail.example.vn:587?starttls=1")
    page = secret.client("admin").get("/admin/settings").text
    assert "hunter2-secret" not in page and "mail.example.vn" in page


def test_indicator_figures_follow_the_command_rules(site):
    own, other = site.client("own"), site.client("other")
    ok = own.post("/indicators", data={"csrf_token": csrf_of(own), "unit": "ha-noi", "indicator": "budget_plan",
                                       "period": "2025", "value": "1.200.000.000"})
    assert ok.status_code == 303
    bad = own.post("/indicators", data={"csrf_token": csrf_of(own), "unit": "ha-noi", "indicator": "budget_plan",
                                        "period": "2025-Q9", "value": "12"})
    assert bad.status_code == 422 and 'data-field="period"' in bad.text and "2025-Q9" in bad.text
    refused = other.post("/indicators", data={"csrf_token": csrf_of(other), "unit": "ha-noi",
                                              "indicator": "budget_plan", "period": "2025", "value": "1"})
    assert refused.status_code == 403


def test_both_languages_have_every_word_and_every_page_renders_in_english(site):
    from dtrack.web.wording import words

    # Every web.* id in both catalogs: tests/i18n/test_catalogs.py.
    vi = words("vi")
    for key, word in (("nav_home", "Việc của tỉnh"), ("nav_review", "Rà soát"), ("nav_overdue", "Quá hạn"),
                      ("sec_due_soon", "Sắp đến hạn"), ("sec_in_progress", "Đang thực hiện"),
                      ("sec_waiting", "Chờ xem xét"), ("sec_completed", "Hoàn thành"), ("login", "Đăng nhập"),
                      ("logout", "Đăng xuất"), ("password", "Mật khẩu")):
        assert vi[key] == word
    client = site.client("admin")
    client.post("/account/language", data={"csrf_token": csrf_of(client), "lang": "en"})
    task_id = site.task_id("20/CT-BCT:2:ha-noi")
    for path in ("/admin/users", "/admin/directives", "/admin/settings", "/review", "/status", "/matrix",
                 "/overdue", "/indicators", "/province?province=ha-noi", "/extend-group", f"/tasks/{task_id}"):
        page = client.get(path)
        assert page.status_code == 200 and 'lang="en"' in page.text, path
