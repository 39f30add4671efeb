"""Fixtures for the mail tests: a real SMTP server (aiosmtpd) on a free localhost port."""
from __future__ import annotations

import socket
import ssl
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from dtrack.config.settings import Settings, load_settings
from dtrack.persistence.models import Reminder
from dtrack.workflow.tasks import find_task
from tests.conftest import TODAY

SMTP_USER = "mailer"
SMTP_PASSWORD = "s3cret-Pa55word"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Recorder:
    """An aiosmtpd handler that keeps what it accepts; refuses chosen recipients for good (550) or for now (451)."""

    messages: list[tuple[str, list[str], bytes]] = field(default_factory=list)
    reject: set[str] = field(default_factory=set)
    defer: set[str] = field(default_factory=set)
    rcpt_seen: list[str] = field(default_factory=list)  # every RCPT TO, accepted or not

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        self.rcpt_seen.append(address)
        if address in self.reject:
            return f"550 5.1.1 <{address}>: mailbox unavailable"
        if address in self.defer:
            return f"451 4.3.0 <{address}>: temporarily unavailable, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
        return f"250 2.0.0 Ok: queued as {len(self.messages)}"

    def parsed(self) -> list[EmailMessage]:
        return [message_from_bytes(raw, policy=policy.default) for _, _, raw in self.messages]

    def recipients(self) -> list[str]:
        return sorted(r for _, tos, _ in self.messages for r in tos)

    def message_ids(self) -> list[str]:
        return sorted(m["Message-ID"] for m in self.parsed())


class SmtpServer:
    """A real SMTP server on localhost that tests can stop and start again on the same port.

    tls: None (plain), "starttls" (upgrade required before login) or "smtps" (TLS from the start).
    """

    def __init__(self, auth: bool = False, tls: str | None = None, certificate: Path | None = None) -> None:
        self.port = free_port()
        self.handler = Recorder()
        self.auth = auth
        self.tls = tls
        self.certificate = certificate
        self.controller: Controller | None = None

    @property
    def url(self) -> str:
        credentials = f"{SMTP_USER}:{SMTP_PASSWORD}@" if self.auth else ""
        if self.tls == "smtps":
            return f"smtps://{credentials}127.0.0.1:{self.port}"
        return f"smtp://{credentials}127.0.0.1:{self.port}" + ("?starttls=1" if self.tls == "starttls" else "")

    def start(self) -> None:
        kwargs: dict = {}
        if self.auth:
            # aiosmtpd only counts STARTTLS as TLS for AUTH; an smtps session is encrypted from the start.
            kwargs = {"authenticator": _check_login, "auth_require_tls": self.tls == "starttls"}
        if self.tls is not None:
            assert self.certificate is not None
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(self.certificate, self.certificate.with_suffix(".key"))
            if self.tls == "starttls":
                kwargs.update(tls_context=context, require_starttls=True)
            else:
                kwargs.update(ssl_context=context)
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port, **kwargs)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


def _check_login(server, session, envelope, mechanism, auth_data):
    ok = auth_data.login == SMTP_USER.encode() and auth_data.password == SMTP_PASSWORD.encode()
    return AuthResult(success=ok, handled=False)


@pytest.fixture(scope="session")
def certificate(tmp_path_factory) -> Path:
    """A self-signed certificate for 127.0.0.1 (the key sits beside it as .key)."""
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "server.pem", folder / "server.key"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    return cert


def client_tls(certificate: Path) -> ssl.SSLContext:
    """A client context that trusts the test certificate (and verifies it, as in production)."""
    return ssl.create_default_context(cafile=str(certificate))


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def smtp_auth() -> Iterator[SmtpServer]:
    server = SmtpServer(auth=True)
    server.start()
    yield server
    server.stop()


def mail_settings(tmp_path=None, **values: str) -> Settings:
    """Settings for a test: no environment, fast retries unless told otherwise."""
    environ = {"DTRACK_MAIL_RETRY_SECONDS": "0"}
    if tmp_path is not None:
        environ["DTRACK_MAIL_DIR"] = str(tmp_path / "mail")
    environ.update({"DTRACK_" + k.upper(): v for k, v in values.items()})
    return load_settings(environ=environ)


@pytest.fixture
def remind(db):
    """Create a Reminder row directly: remind(task_key, kind, audience=..., remind_on=..., days=...)."""

    def make(task: str, kind: str, audience: str = "province", remind_on: date = TODAY, days: int = 3,
             cancelled: bool = False) -> int:
        with db.session() as s:
            found, _ = find_task(s, task)
            row = Reminder(task_id=found.id, due_on=found.due_on, kind=kind, remind_on=remind_on,
                           audience=audience, days=days, created_at=datetime(2026, 1, 1, tzinfo=UTC),
                           cancelled_at=datetime(2026, 1, 2, tzinfo=UTC) if cancelled else None)
            s.add(row)
            s.flush()
            return row.id

    return make
