"""Extension requests in the digests: pending ones for the overseers, decisions for the province."""
from __future__ import annotations

from datetime import date

from dtrack.config.clock import Clock
from dtrack.notifications.digest_sending import preview
from dtrack.workflow.extension_requests import grant_request, refuse_request, request_extension
from tests.conftest import TODAY
from tests.notifications.conftest import mail_settings

CLOCK = Clock(pinned=TODAY)
YESTERDAY = Clock(pinned=date(2026, 1, 4))
REPORT = "20/CT-BCT:9:ha-noi:2025-H2"


def test_a_pending_request_is_in_the_overseers_digest_only(world, tmp_path):
    officer, overseer = world.user("province", "ha-noi"), world.user("overseer", None)
    request_extension(world.db, YESTERDAY, officer, REPORT, date(2026, 2, 28), "Chờ số liệu <của> xã")
    digest, rendered = preview(world.db, CLOCK, mail_settings(tmp_path), overseer)
    section = digest.section("extension_requests")
    assert section.total == 1 and [i.key for i in section.items] == [REPORT]
    assert "Đề nghị gia hạn chờ quyết định" in rendered.text
    assert "đề nghị gia hạn từ 15/12/2025 đến 28/02/2026" in rendered.text
    assert "Lý do: Chờ số liệu <của> xã" in rendered.text
    assert "Chờ số liệu &lt;của&gt; xã" in rendered.html and "<của>" not in rendered.html
    # The officer's own request is not news to the officer's digest.
    mine, _ = preview(world.db, CLOCK, mail_settings(tmp_path), officer)
    assert mine.section("extension_requests") is None
    assert all(i.label["en"] != "extension requested" for i in mine.section("changes").items)


def test_decisions_reach_the_province_digest_and_leave_the_overseers(world, tmp_path):
    officer, overseer = world.user("province", "ha-noi"), world.user("overseer", None)
    first = request_extension(world.db, YESTERDAY, officer, REPORT, date(2026, 2, 28), "Chờ số liệu")
    grant_request(world.db, YESTERDAY, overseer, first.id, date(2026, 1, 30), "Đến cuối tháng 1")
    second = request_extension(world.db, YESTERDAY, officer, "20/CT-BCT:1:ha-noi", date(2027, 12, 31), "Thiếu vốn")
    refuse_request(world.db, YESTERDAY, overseer, second.id, "Không có căn cứ")
    digest, rendered = preview(world.db, CLOCK, mail_settings(tmp_path), officer)
    # Each task is one row: its changes are the row's own or merged into it (Item.changes).
    rows = [i for section in digest.sections for i in section.items]
    labels = [c.label["vi"] for i in rows for c in (i, *i.changes) if c.label is not None]
    assert "đồng ý gia hạn" in labels and "không đồng ý gia hạn" in labels and "gia hạn" in labels
    assert "Không có căn cứ" in rendered.text and "→ 30/01/2026: Đến cuối tháng 1" in rendered.text
    theirs, _ = preview(world.db, CLOCK, mail_settings(tmp_path), overseer)
    assert theirs.section("extension_requests").total == 0
