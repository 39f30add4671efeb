"""The messages are valid MIME: parts, headers, encodings, and notes survive the round trip."""
from __future__ import annotations

import html
from datetime import UTC, date, datetime
from email import message_from_bytes, policy
from email.utils import parsedate_to_datetime

from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from markupsafe import escape

from dtrack.config.clock import Clock
from dtrack.config.values import parse_smtp_url
from dtrack.notifications.digest_gathering import Digest, Item, Section
from dtrack.notifications.digest_rendering import render
from dtrack.notifications.digest_sending import build_digests
from dtrack.notifications.mail import build_message, message_id
from dtrack.notifications.outbox import deliver, enqueue
from dtrack.notifications.transport import SmtpTransport
from dtrack.persistence.models import Outbox
from tests.conftest import TODAY
from tests.notifications.conftest import mail_settings

CLOCK = Clock(pinned=TODAY)
SETTINGS = mail_settings()


def test_digest_parses_into_text_and_html_parts_with_headers(world, db, smtp, tmp_path):
    officer = world.user("province", "ha-noi", email="nguyen.thi.ha@soct.hanoi.example.vn")
    settings = mail_settings(tmp_path, base_url="https://dtrack.example.vn", mail_from="thongbao@khuyencong.example.vn")
    build_digests(db, CLOCK, settings)
    deliver(db, SmtpTransport(parse_smtp_url(smtp.url)), settings)
    [(envelope_from, envelope_to, raw)] = smtp.handler.messages
    assert envelope_from == "thongbao@khuyencong.example.vn" and envelope_to == [officer]
    raw.decode("ascii")  # 7-bit clean: encoded headers, quoted-printable bodies
    msg = message_from_bytes(raw, policy=policy.default)
    assert msg.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in msg.iter_parts()] == ["text/plain", "text/html"]
    assert all(p.get_content_charset() == "utf-8" for p in msg.iter_parts())
    # Vietnamese subject and display names decode back exactly.
    assert msg["Subject"] == "[dtrack] Hà Nội: 1 nhiệm vụ quá hạn (05/01/2026)"
    assert b"=?utf-8?" in raw.split(b"\r\n\r\n")[0]
    # By default the sender is the Department, by name.
    assert msg["From"].addresses[0].display_name == "Cục Đổi mới sáng tạo, Chuyển đổi xanh và Khuyến công"
    assert msg["From"].addresses[0].addr_spec == "thongbao@khuyencong.example.vn"
    assert msg["To"].addresses[0].display_name == "Người dùng 1"
    assert parsedate_to_datetime(msg["Date"]) == CLOCK.now()
    assert msg["Message-ID"] == message_id(officer, "digest", TODAY, settings.mail_from)
    assert msg["List-Unsubscribe"] == "<mailto:thongbao@khuyencong.example.vn?subject=unsubscribe>"
    assert msg["Auto-Submitted"] == "auto-generated"
    text = msg.get_body(("plain",)).get_content()
    body = msg.get_body(("html",)).get_content()
    assert "Kính gửi Người dùng 1," in text and "https://dtrack.example.vn/tasks/" in text
    assert "<style" not in body and 'style="' in body  # inline CSS only


def test_message_id_is_stable_for_the_outbox_key():
    one = message_id("A@x.vn", "digest", date(2026, 1, 5), "dtrack <n@dtrack.example.vn>")
    assert one == message_id("a@x.vn", "digest", date(2026, 1, 5), "dtrack <n@dtrack.example.vn>")
    assert one != message_id("a@x.vn", "digest", date(2026, 1, 6), "dtrack <n@dtrack.example.vn>")
    assert one.endswith("@dtrack.example.vn>") and len(f"Message-ID: {one}") <= 78


def test_outbox_carries_attachments_with_a_covering_message(db, smtp, tmp_path):
    settings = mail_settings(tmp_path)
    content = "tỉnh;điểm\nHà Nội;9\n".encode()
    with db.session() as s:
        _, created = enqueue(s, "Bao.Cao@moit.example.vn", "report", TODAY, "Báo cáo tháng 12/2025",
                             "Kính gửi: báo cáo đính kèm.", "<p>Kính gửi: báo cáo đính kèm.</p>",
                             attachments=[("báo-cáo-12-2025.csv", "text/csv", content)],
                             recipient_name="Lãnh đạo Cục", mail_from=settings.mail_from)
        _, again = enqueue(s, "bao.cao@moit.example.vn", "report", TODAY, "x", "x", mail_from=settings.mail_from)
    assert created and not again
    deliver(db, SmtpTransport(parse_smtp_url(smtp.url)), settings)
    [msg] = smtp.handler.parsed()
    assert msg.get_content_type() == "multipart/mixed"
    [attachment] = list(msg.iter_attachments())
    assert attachment.get_filename() == "báo-cáo-12-2025.csv"
    assert attachment.get_content_type() == "text/csv" and attachment.get_payload(decode=True) == content
    assert msg.get_body(("plain",)).get_content().strip() == "Kính gửi: báo cáo đính kèm."


# Notes are whatever officials type: any printable text, including markup and
# Vietnamese. (Line and paragraph separators become line breaks in any email.)
NOTES = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), min_size=1, max_size=300)


@hsettings(max_examples=60, deadline=None)
@given(note=NOTES, name=st.text(alphabet="aăâbcdđeêghiklmnoôơpqrstuưvxyàáạảãẦẤỨ ", min_size=1, max_size=40))
def test_notes_survive_the_mime_round_trip(note, name):
    name = " ".join(name.split()) or "A"
    item = Item(1, "20/CT-BCT:2:ha-noi", {"vi": "Nhiệm vụ", "en": "Task"}, {"vi": "Hà Nội", "en": "Hanoi"},
                due_on=date(2026, 3, 17), note=note)
    digest = Digest("a@x.vn", name, "vi", "province", TODAY, False, {"vi": "Hà Nội", "en": "Hanoi"},
                    [Section("returned", [item], 1)])
    rendered = render(digest, SETTINGS, CLOCK)
    row = Outbox(recipient="a@x.vn", recipient_name=name, kind="digest", key_date=TODAY, subject=rendered.subject,
                 body_text=rendered.text, body_html=rendered.html, message_id="<m@x.vn>",
                 created_at=datetime(2026, 1, 5, 5, tzinfo=UTC))
    raw = build_message(row, SETTINGS.mail_from).as_bytes()
    msg = message_from_bytes(raw, policy=policy.default)
    text = msg.get_body(("plain",)).get_content()
    body = msg.get_body(("html",)).get_content()
    assert text.replace("\r\n", "\n") == rendered.text
    assert f"Ghi chú của cán bộ giám sát: {note}" in text
    # The HTML part holds the note escaped, and unescaping gives it back exactly.
    escaped = str(escape(note))
    assert escaped in body and html.unescape(escaped) == note
    assert msg["Subject"] == rendered.subject and msg["To"].addresses[0].display_name == name
