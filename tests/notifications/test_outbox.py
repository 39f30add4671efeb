"""Delivery through a real SMTP server: exactly once per person and day, retries, failures, recovery."""
from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from dtrack.config.clock import Clock
from dtrack.config.values import parse_smtp_url
from dtrack.notifications.digest_sending import build_digests, daily_run
from dtrack.notifications.outbox import deliver, enqueue, retry
from dtrack.notifications.transport import FileTransport, SmtpTransport, transport_from
from dtrack.persistence.database import Database
from dtrack.persistence.models import Outbox
from dtrack.workflow.vocabulary import OutboxState
from tests.conftest import TODAY
from tests.notifications.conftest import SmtpServer, mail_settings

CLOCK = Clock(pinned=TODAY)


def people(world) -> list[str]:
    """Three province officers and an overseer; each has something to act on today."""
    return sorted([world.user("province", p) for p in ("ha-noi", "hai-phong", "ca-mau")]
                  + [world.user("overseer", None)])


def smtp_transport(server: SmtpServer) -> SmtpTransport:
    return SmtpTransport(parse_smtp_url(server.url), timeout=5)


def states(db) -> dict[str, tuple[str, int]]:
    with db.session() as s:
        return {m.recipient: (m.state, m.attempts) for m in s.scalars(select(Outbox))}


def in_parallel(workers: int, db_url: str, work) -> None:
    """Run `work(database)` in several threads at once, each with its own engine (as processes would)."""
    errors: list[BaseException] = []

    def run() -> None:
        own = Database(db_url)
        try:
            work(own)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            own.dispose()

    threads = [threading.Thread(target=run) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


def test_build_and_send_twice_deliver_one_digest_each(world, db, smtp, tmp_path):
    recipients = people(world)
    settings = mail_settings(tmp_path, smtp_url=smtp.url)
    for _ in range(2):
        built, sent = daily_run(db, CLOCK, settings)
        assert sent.stopped is None
    assert smtp.handler.recipients() == recipients
    with db.session() as s:
        rows = list(s.scalars(select(Outbox)))
    assert {r.state for r in rows} == {"sent"} and all(r.server_reply.startswith("250 2.0.0 Ok") for r in rows)


def test_concurrent_builds_and_senders_deliver_one_digest_each(world, db_url, smtp, tmp_path):
    recipients = people(world)
    settings = mail_settings(tmp_path, smtp_url=smtp.url)
    in_parallel(4, db_url, lambda own: daily_run(own, CLOCK, settings))
    assert smtp.handler.recipients() == recipients


def test_concurrent_senders_share_the_queue_without_duplicates(db, db_url, smtp, tmp_path):
    settings = mail_settings(tmp_path)
    with db.session() as s:
        for n in range(60):
            enqueue(s, f"user{n}@example.vn", "digest", TODAY, f"Tin số {n}", "nội dung", None,
                    mail_from=settings.mail_from)

    in_parallel(3, db_url, lambda own: deliver(own, smtp_transport(smtp), settings))
    assert smtp.handler.recipients() == sorted(f"user{n}@example.vn" for n in range(60))
    assert set(states(db).values()) == {("sent", 1)}


def test_server_down_leaves_rows_pending_and_next_run_delivers(world, db, tmp_path):
    recipients = people(world)
    server = SmtpServer()  # not started yet: nothing listens on its port
    settings = mail_settings(tmp_path, smtp_url=server.url)
    built, sent = daily_run(db, CLOCK, settings)
    assert built.queued == 4 and sent.sent == 0
    assert sent.stopped is not None and f"127.0.0.1:{server.port}" in str(sent.stopped)
    assert set(states(db).values()) == {("pending", 0)}
    server.start()
    try:
        report = deliver(db, smtp_transport(server), settings)
    finally:
        server.stop()
    assert report.sent == 4 and server.handler.recipients() == recipients


def test_deferred_recipient_fails_after_max_attempts_others_delivered(world, db, smtp, tmp_path):
    recipients = people(world)
    refused = recipients[0]
    smtp.handler.defer.add(refused)  # 451: temporary, so tried again with backoff
    settings = mail_settings(tmp_path, mail_max_attempts="3", mail_retry_seconds="60")
    build_digests(db, CLOCK, settings)
    start = datetime(2026, 1, 5, 6, 0, tzinfo=UTC)
    moments = [start, start + timedelta(seconds=30), start + timedelta(seconds=61), start + timedelta(seconds=200)]
    for moment in moments:
        deliver(db, smtp_transport(smtp), settings, now=lambda: moment)  # noqa: B023 - used only within deliver()
    # 1st try at start; 30 s later the backoff (60 s) still holds; then 2nd try; 3rd after 120 s more.
    found = states(db)
    assert found.pop(refused) == ("failed", 3)
    assert set(found.values()) == {("sent", 1)}
    assert smtp.handler.recipients() == recipients[1:]
    with db.session() as s:
        failed = s.scalars(select(Outbox).where(Outbox.state == "failed")).one()
    assert failed.last_error.startswith("451 4.3.0") and refused in failed.last_error
    # The mailbox comes back; retry makes it pending again and it is delivered once.
    smtp.handler.defer.clear()
    assert retry(db, all_failed=True) == 1
    deliver(db, smtp_transport(smtp), settings)
    assert smtp.handler.recipients() == recipients


def test_stale_sending_row_is_recovered_and_resent_with_the_same_message_id(world, db, smtp, tmp_path):
    people(world)
    settings = mail_settings(tmp_path, mail_stale_seconds="600")
    build_digests(db, CLOCK, settings)
    crashed_at = datetime.now(UTC) - timedelta(hours=1)
    with db.session() as s:
        row = s.scalars(select(Outbox).order_by(Outbox.id)).first()
        s.execute(update(Outbox).where(Outbox.id == row.id)
                  .values(state=OutboxState.SENDING.value, claimed_by="dead", claimed_at=crashed_at))
    report = deliver(db, smtp_transport(smtp), settings)
    assert (report.recovered, report.sent) == (1, 4)
    resent = [m for m in smtp.handler.parsed() if m["To"].addresses[0].addr_spec == row.recipient]
    assert [m["Message-ID"] for m in resent] == [row.message_id]


def test_without_smtp_messages_become_eml_files(world, db, tmp_path):
    recipients = people(world)
    settings = mail_settings(tmp_path)
    assert isinstance(transport_from(settings.smtp_url, settings.mail_dir), FileTransport)
    built, sent = daily_run(db, CLOCK, settings)
    files = sorted((tmp_path / "mail").glob("*.eml"))
    assert sent.sent == 4 and len(files) == 4
    from email import message_from_bytes, policy

    to = sorted(message_from_bytes(f.read_bytes(), policy=policy.default)["To"].addresses[0].addr_spec
                for f in files)
    assert to == recipients
