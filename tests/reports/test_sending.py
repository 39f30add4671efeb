"""`dtrack report send`: the rendered report travels through the outbox as an attachment."""
from __future__ import annotations

import email
from email import policy

import pytest
from sqlalchemy import func, select

from dtrack.persistence.models import Outbox

# The command line in English: these tests are about reports, mail and accounts, not its wording.
pytestmark = pytest.mark.usefixtures("english")


def test_national_report_goes_to_every_overseer_once_a_day(cli_runner, world, tmp_path, monkeypatch):
    first = world.user("overseer", None, email="giam.sat@moit.gov.vn")
    second = world.user("overseer", None, email="pho.cuc@moit.gov.vn")
    sent = cli_runner("report", "send", "national", "--to", "department", "--as-of", "2026-01-05")
    assert sent.exit_code == 0, sent.output
    assert f"{first}: queued as message" in sent.output and f"{second}: queued" in sent.output
    again = cli_runner("report", "send", "national", "--to", "department", "--as-of", "2026-01-05")
    assert again.exit_code == 0, again.output
    assert "already queued for that day" in again.output
    with world.db.session() as s:
        assert s.scalar(select(func.count()).select_from(Outbox)) == 2

    monkeypatch.setenv("DTRACK_MAIL_DIR", str(tmp_path / "mail"))
    delivered = cli_runner("outbox", "send")
    assert delivered.exit_code == 0, delivered.output
    files = sorted((tmp_path / "mail").glob("*.eml"))
    assert len(files) == 2
    message = email.message_from_bytes(files[0].read_bytes(), policy=policy.default)
    assert "05/01/2026" in message["Subject"]
    attachment = next(message.iter_attachments())
    assert attachment.get_filename().endswith(".html")
    html = attachment.get_content()
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in html
    body = message.get_body(("plain",)).get_content()
    assert attachment.get_filename() in body


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("province", "--to", "department"), "needs the province's slug"),
        (("national", "--to", "nobody@x.vn"), "unknown user 'nobody@x.vn'"),
        (("national", "--to", "department"), "no overseer is registered"),
    ],
)
def test_bad_send_requests_queue_nothing(cli_runner, world, args, message):
    result = cli_runner("report", "send", *args)
    assert result.exit_code == 1
    assert message in result.output
    with world.db.session() as s:
        assert s.scalar(select(func.count()).select_from(Outbox)) == 0
