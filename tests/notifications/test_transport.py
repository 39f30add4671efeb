"""Mail server URLs and the mail settings: checked at start-up, secrets never shown."""
from __future__ import annotations

from datetime import date

import pytest

from dtrack.config.values import SmtpTarget, Weekday, parse_smtp_url
from dtrack.errors import InvalidInput
from dtrack.i18n.error_messages import say
from dtrack.notifications.outbox import deliver, enqueue
from dtrack.notifications.transport import SmtpTransport
from tests.notifications.conftest import (
    SMTP_PASSWORD,
    SmtpServer,
    client_tls,
    mail_settings,
)


@pytest.mark.parametrize(("url", "expected"), [
    ("", None),
    ("smtp://mail.example.vn", SmtpTarget("smtp", "mail.example.vn", 25)),
    ("smtp://user:p%40ss@mail.example.vn:587?starttls=1",
     SmtpTarget("smtp", "mail.example.vn", 587, "user", "p@ss", starttls=True)),
    ("smtps://user:pw@mail.example.vn", SmtpTarget("smtps", "mail.example.vn", 465, "user", "pw")),
])
def test_smtp_urls(url, expected):
    assert parse_smtp_url(url) == expected


@pytest.mark.parametrize(("url", "problem"), [
    ("http://mail.example.vn", "scheme 'http' is not smtp or smtps"),
    ("smtp://user:hunter2@", "has no host"),
    ("smtp://user:hunter2@mail.example.vn:99999", "is not a valid URL"),
    ("smtps://user:hunter2@mail.example.vn?starttls=1", "smtps:// is already encrypted"),
])
def test_bad_smtp_urls_say_why_without_the_password(url, problem):
    with pytest.raises(InvalidInput) as caught:
        parse_smtp_url(url, "DTRACK_SMTP_URL")
    assert problem in say(caught.value, "en") and "hunter2" not in str(caught.value)
    assert "hunter2" not in say(caught.value, "vi")


def test_target_prints_without_password():
    target = parse_smtp_url("smtp://mailer:hunter2@mail.example.vn:587?starttls=1")
    assert str(target) == repr(target) == "smtp://***@mail.example.vn:587?starttls=1"
    assert "hunter2" not in f"{target} {target!r} {[target]}"


def test_mail_settings_are_checked():
    settings = mail_settings(digest_weekday="Friday", digest_send_empty="yes", digest_cap="5")
    assert (settings.digest_weekday, settings.digest_send_empty, settings.digest_cap) == (Weekday.FRIDAY, True, 5)
    assert settings.digest_weekday.number == 4
    for name, value, problem in [("digest_weekday", "someday", "not a weekday"),
                                 ("digest_send_empty", "maybe", "yes or no"),
                                 ("digest_cap", "0", "is 0"), ("mail_from", "nobody", "no email address")]:
        with pytest.raises(InvalidInput) as caught:
            mail_settings(**{name: value})
        assert problem in say(caught.value, "en")


@pytest.mark.parametrize("tls", ["starttls", "smtps"])
def test_encrypted_login_and_delivery(db, certificate, tls, tmp_path):
    server = SmtpServer(auth=True, tls=tls, certificate=certificate)
    server.start()
    try:
        settings = mail_settings(tmp_path, smtp_url=server.url)
        with db.session() as s:
            enqueue(s, "can.bo@soct.example.vn", "digest", date(2026, 1, 5), "Thử nghiệm TLS", "nội dung",
                    mail_from=settings.mail_from)
        report = deliver(db, SmtpTransport(settings.smtp_url, timeout=5, tls=client_tls(certificate)), settings)
        assert (report.sent, report.stopped) == (1, None)
        assert server.handler.recipients() == ["can.bo@soct.example.vn"]
        # Without trusting the certificate, nothing is sent and the message stays pending.
        with db.session() as s:
            enqueue(s, "khac@soct.example.vn", "digest", date(2026, 1, 5), "x", "y", mail_from=settings.mail_from)
        refused = deliver(db, SmtpTransport(settings.smtp_url, timeout=5), settings)
        assert refused.sent == 0 and "CERTIFICATE_VERIFY_FAILED" in str(refused.stopped)
        assert SMTP_PASSWORD not in str(refused.stopped)
    finally:
        server.stop()
