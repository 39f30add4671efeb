"""The digest and outbox commands, and that mail server credentials never show."""
from __future__ import annotations

import logging

import pytest
from sqlalchemy import func, select

from dtrack.persistence.database import Database
from dtrack.persistence.models import Outbox
from tests.notifications.conftest import SMTP_PASSWORD, SmtpServer

# The command line in English: these tests are about reports, mail and accounts, not its wording.
pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def mail_env(monkeypatch, tmp_path):
    monkeypatch.setenv("DTRACK_MAIL_DIR", str(tmp_path / "mail"))
    monkeypatch.setenv("DTRACK_MAIL_RETRY_SECONDS", "0")
    monkeypatch.delenv("DTRACK_SMTP_URL", raising=False)
    return monkeypatch


def outbox_rows(db_url: str) -> int:
    db = Database(db_url)
    with db.session() as s:
        count = s.scalar(select(func.count()).select_from(Outbox))
    db.dispose()
    return count


def test_preview_build_send_list(world, cli_runner, mail_env, db_url, tmp_path):
    officer = world.user("province", "ha-noi")
    result = cli_runner("digest", "preview", "--to", officer)
    assert result.exit_code == 0
    assert result.output.startswith("Subject: [dtrack] Hà Nội: 1 nhiệm vụ quá hạn (05/01/2026)\n")
    assert outbox_rows(db_url) == 0  # a preview writes nothing
    result = cli_runner("digest", "build")
    assert "1 queued, 0 already built" in result.output
    assert "0 queued, 1 already built" in cli_runner("digest", "build", "--as-of", "2026-01-05").output
    result = cli_runner("outbox", "send")
    assert result.exit_code == 0 and f"via folder {tmp_path / 'mail'}: 1 sent" in result.output
    listing = cli_runner("outbox", "list", "--state", "sent")
    assert officer in listing.output and "written to" in listing.output and "total: 1 sent" in listing.output


def test_bad_input_is_one_line_and_changes_nothing(world, cli_runner, mail_env, db_url):
    result = cli_runner("digest", "preview", "--to", "nobody@example.vn")
    assert result.exit_code == 1 and result.output.strip().count("\n") == 0
    assert "unknown user 'nobody@example.vn'" in result.output
    result = cli_runner("outbox", "retry", "42")
    assert result.exit_code == 1 and "unknown outbox message '42'" in result.output
    result = cli_runner("outbox", "retry")
    assert result.exit_code == 1 and "give a message id or --all-failed" in result.output
    mail_env.setenv("DTRACK_SMTP_URL", "smtp://")
    result = cli_runner("outbox", "send")
    assert result.exit_code == 1 and result.output == (
        "error: DTRACK_SMTP_URL: has no host; write smtp://user:pass@host:587?starttls=1 or smtps://user:pass@host:465\n")
    assert outbox_rows(db_url) == 0


def test_failed_rows_are_listed_with_reason_and_retried(world, cli_runner, mail_env, smtp):
    officer = world.user("province", "ha-noi")
    smtp.handler.defer.add(officer)  # 451: temporary, tried again until the last allowed try
    mail_env.setenv("DTRACK_SMTP_URL", smtp.url)
    mail_env.setenv("DTRACK_MAIL_MAX_ATTEMPTS", "2")
    cli_runner("digest", "build")
    assert "1 to retry later" in cli_runner("outbox", "send").output
    assert "1 failed" in cli_runner("outbox", "send").output
    listing = cli_runner("outbox", "list", "--state", "failed")
    assert "451 4.3.0" in listing.output and officer in listing.output
    failed = cli_runner("outbox", "failed")
    assert failed.exit_code == 0 and "451 4.3.0" in failed.output and officer in failed.output
    smtp.handler.defer.clear()
    assert "1 message(s) pending again" in cli_runner("outbox", "retry", "--all-failed").output
    assert "1 sent" in cli_runner("outbox", "send").output
    assert smtp.handler.recipients() == [officer]


def test_credentials_never_printed_or_logged(world, cli_runner, mail_env, smtp_auth, caplog):
    caplog.set_level(logging.DEBUG)
    world.user("province", "ha-noi")
    mail_env.setenv("DTRACK_SMTP_URL", smtp_auth.url)
    outputs = [cli_runner("settings").output, cli_runner("digest", "build").output]
    sent = cli_runner("outbox", "send")
    assert sent.exit_code == 0 and "1 sent" in sent.output and smtp_auth.handler.messages
    outputs.append(sent.output)
    # A wrong password, and a server that is down: the errors name the server, not the secret.
    mail_env.setenv("DTRACK_SMTP_URL", smtp_auth.url.replace(SMTP_PASSWORD, SMTP_PASSWORD + "x"))
    cli_runner("digest", "build", "--as-of", "2026-01-06")
    refused = cli_runner("outbox", "send")
    assert refused.exit_code == 1 and "refused the login" in refused.output
    down = SmtpServer(auth=True)
    mail_env.setenv("DTRACK_SMTP_URL", down.url)
    unreachable = cli_runner("outbox", "send")
    assert unreachable.exit_code == 1 and f"smtp://***@127.0.0.1:{down.port}" in unreachable.output
    outputs += [refused.output, unreachable.output, cli_runner("outbox", "list").output, caplog.text]
    for text in outputs:
        assert SMTP_PASSWORD not in text
