"""Mail that cannot be delivered: a 5xx fails at once, a 4xx is retried; a dead sender's lease runs out;
no mail of any kind goes to a disabled account. Real aiosmtpd servers, real `dtrack outbox send` processes."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from dtrack.accounts.admin import disable_user
from dtrack.config.clock import Clock
from dtrack.config.values import parse_smtp_url
from dtrack.notifications.digest_sending import build_digests
from dtrack.notifications.outbox import deliver, enqueue, failed_messages
from dtrack.notifications.transport import SmtpTransport
from dtrack.persistence.database import Database
from dtrack.persistence.models import Outbox
from tests.conftest import TODAY
from tests.notifications.conftest import SmtpServer, mail_settings
from tests.web.http_support import CSRF, cheap_hashing, csrf_of, make_site  # noqa: F401 - cheap_hashing: autouse fixture

ROOT = Path(__file__).resolve().parents[2]
CLOCK = Clock(pinned=TODAY)
DISABLED = "account disabled: no mail goes to it"


def smtp_transport(server: SmtpServer) -> SmtpTransport:
    return SmtpTransport(parse_smtp_url(server.url), timeout=5)


def queue(db: Database, recipients: list[str], kind: str = "report", day: date = TODAY) -> None:
    with db.session() as s:
        for r in recipients:
            enqueue(s, r, kind, day, f"Báo cáo cho {r}", "Nội dung", mail_from="no-reply@dtrack.example.vn")


def rows(db: Database) -> dict[str, Outbox]:
    with db.session() as s:
        return {m.recipient: m for m in s.scalars(select(Outbox))}


def test_permanent_refusal_fails_after_one_try_temporary_is_retried(db, db_url, smtp, tmp_path, cli_runner):
    gone, busy, fine = "khong.ton.tai@soct.example.vn", "ban@soct.example.vn", "tot@soct.example.vn"
    smtp.handler.reject.add(gone)  # 550: permanent
    smtp.handler.defer.add(busy)  # 451: temporary
    queue(db, [gone, busy, fine])
    settings = mail_settings(tmp_path, mail_max_attempts="5", mail_retry_seconds="60")
    start = datetime.now(UTC)
    first = deliver(db, smtp_transport(smtp), settings, now=lambda: start)
    assert (first.sent, first.retrying, first.failed) == (1, 1, 1)
    later = start + timedelta(seconds=61)  # past the 451 row's backoff
    second = deliver(db, smtp_transport(smtp), settings, now=lambda: later)
    assert (second.sent, second.retrying, second.failed) == (0, 1, 0)
    found = rows(db)
    assert (found[gone].state, found[gone].attempts) == ("failed", 1)
    assert found[gone].last_error == f"550 5.1.1 <{gone}>: mailbox unavailable"  # the server's reply, kept
    assert (found[busy].state, found[busy].attempts) == ("pending", 2)
    assert found[busy].last_error.startswith("451 4.3.0")
    assert smtp.handler.rcpt_seen.count(gone) == 1 and smtp.handler.rcpt_seen.count(busy) == 2
    assert smtp.handler.recipients() == [fine]

    # Admins see it: the command line ...
    result = cli_runner("outbox", "failed")
    assert result.exit_code == 0, result.output
    assert gone in result.output and "550 5.1.1" in result.output and f"Báo cáo cho {gone}" in result.output
    assert busy not in result.output and fine not in result.output
    assert "1 thư gửi thất bại" in result.output
    # ... and the admin page, in Vietnamese (others may not open it).
    site = make_site(db)
    page = site.client("admin").get("/admin/outbox")
    assert page.status_code == 200
    assert "Thư gửi thất bại" in page.text and "Lý do" in page.text and "Người nhận" in page.text
    assert gone in page.text and "550 5.1.1" in page.text and busy not in page.text
    shown = CSRF.sub("", page.text)  # a random token may hold "--"
    assert "dtrack " not in shown and "--" not in shown  # no command line on a page
    assert site.client("overseer").get("/admin/outbox").status_code == 403
    # Once the cause is fixed, the admin sends it again from the page: pending, with a fresh count of tries.
    admin = site.client("admin")
    gone_id = found[gone].id
    assert site.client("overseer").post(f"/admin/outbox/{gone_id}/retry", data={
        "csrf_token": csrf_of(site.client("overseer"), "/province")}).status_code in (403, 404)
    assert rows(db)[gone].state == "failed"
    again = admin.post(f"/admin/outbox/{gone_id}/retry", data={"csrf_token": csrf_of(admin, "/admin/outbox")})
    assert again.status_code == 303
    assert (rows(db)[gone].state, rows(db)[gone].attempts) == ("pending", 0)
    assert gone not in admin.get("/admin/outbox").text


def test_permanent_refusal_to_data_fails_at_once(db, tmp_path):
    """A 554 to the message itself (after DATA) is as final as a 550 to the recipient."""

    class RefuseData:
        async def handle_DATA(self, server, session, envelope):
            return "554 5.7.1 message refused by policy"

    server = SmtpServer()
    server.handler = RefuseData()
    server.start()
    try:
        queue(db, ["a@soct.example.vn"])
        report = deliver(db, smtp_transport(server), mail_settings(tmp_path))
    finally:
        server.stop()
    row = rows(db)["a@soct.example.vn"]
    assert (report.failed, row.state, row.attempts) == (1, "failed", 1)
    assert row.last_error == "554 5.7.1 message refused by policy"


class StallingServer:
    """Accepts SMTP connections and never says a word: a sender stays inside its claim."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.port = self.sock.getsockname()[1]
        self.accepted: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        try:
            while True:
                self.accepted.append(self.sock.accept()[0])
        except OSError:
            pass

    def close(self) -> None:
        for conn in self.accepted:
            conn.close()
        self.sock.close()


def wait_until(condition, timeout: float = 15.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def test_killed_sender_rows_are_taken_over_after_the_lease_and_sent_once(db, db_url, smtp, tmp_path):
    people = [f"nguoi{i}@soct.example.vn" for i in range(5)]
    queue(db, people)
    stall = StallingServer()
    lease = "2"
    env = {**os.environ, "DTRACK_DATABASE_URL": db_url, "DTRACK_SMTP_URL": f"smtp://127.0.0.1:{stall.port}",
           "DTRACK_MAIL_STALE_SECONDS": lease, "DTRACK_LANG": "en"}
    sender = subprocess.Popen([sys.executable, "-m", "dtrack", "outbox", "send"], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_until(lambda: stall.accepted and {m.state for m in rows(db).values()} == {"sending"},
                   what="the sender to claim every row and connect")
        held_by = {m.claimed_by for m in rows(db).values()}
        settings = mail_settings(tmp_path, mail_stale_seconds=lease)
        # Alive but stuck longer than the lease: its heartbeat keeps the rows; nobody takes them.
        time.sleep(float(lease) * 1.5)
        meanwhile = deliver(db, smtp_transport(smtp), settings)
        assert (meanwhile.recovered, meanwhile.sent) == (0, 0)
        assert {m.claimed_by for m in rows(db).values()} == held_by
        renewed = max(m.claimed_at for m in rows(db).values())
        assert datetime.now(UTC) - renewed < timedelta(seconds=float(lease))

        sender.send_signal(signal.SIGKILL)
        sender.wait(10)
        killed_at = time.monotonic()
        # Within the lease the dead sender's rows still wait ...
        assert deliver(db, smtp_transport(smtp), settings).recovered == 0
        # ... and once it has run out the next sender takes them over.
        wait_until(lambda: time.monotonic() - killed_at > float(lease) + 0.2, what="the lease")
        taken = deliver(db, smtp_transport(smtp), settings)
        assert (taken.recovered, taken.sent) == (5, 5)
        assert deliver(db, smtp_transport(smtp), settings).sent == 0
    finally:
        if sender.poll() is None:
            sender.kill()
            sender.wait(10)
        stall.close()
    assert smtp.handler.recipients() == people
    assert len(smtp.handler.message_ids()) == len(set(smtp.handler.message_ids())) == 5
    assert {m.state for m in rows(db).values()} == {"sent"}


def test_disabled_account_gets_no_digest_and_no_other_mail(world, db, smtp, tmp_path):
    active = world.user("province", "ha-noi")
    disabled = world.user("province", "ha-noi")
    settings = mail_settings(tmp_path)
    # Queued while the account was still active: must not go once it is disabled.
    queue(db, [disabled], kind="report")
    disable_user(db, CLOCK, disabled)
    # Queued after: stored failed at once, never sent.
    queue(db, [disabled], kind="account")
    built = build_digests(db, CLOCK, settings)
    assert built.queued == 1  # the active officer's digest only
    report = deliver(db, smtp_transport(smtp), settings)
    assert smtp.handler.recipients() == [active] and disabled not in smtp.handler.rcpt_seen
    assert report.sent == 1 and report.failed == 1  # the report row, cancelled when claimed
    with db.session() as s:
        mine = {(m.kind, m.state, m.last_error) for m in s.scalars(select(Outbox).where(Outbox.recipient == disabled))}
        listed = failed_messages(s)
    assert mine == {("report", "failed", DISABLED), ("account", "failed", DISABLED)}
    assert {(m.recipient, m.reason) for m in listed} == {(disabled, DISABLED)}
    # A retry does not slip it through either.
    from dtrack.notifications.outbox import retry

    assert retry(db, all_failed=True) == 2
    deliver(db, smtp_transport(smtp), settings)
    assert smtp.handler.recipients() == [active]
    assert {m.state for m in rows(db).values() if m.recipient == disabled} == {"failed"}


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_failed_list_says_why_in_the_users_language(world, db, cli_runner, monkeypatch, lang):
    disabled = world.user("overseer", None)
    disable_user(db, CLOCK, disabled)
    queue(db, [disabled])
    monkeypatch.setenv("DTRACK_LANG", lang)
    result = cli_runner("outbox", "failed")
    assert result.exit_code == 0
    assert disabled in result.output
    expected = "tài khoản đã bị vô hiệu hóa" if lang == "vi" else "account disabled"
    assert expected in result.output
