"""Where messages go: an SMTP server, or .eml files in a folder.

`DTRACK_SMTP_URL` names the server: `smtp://user:pass@host:587?starttls=1`
(plain SMTP, optionally upgraded with STARTTLS) or `smtps://user:pass@host:465`
(TLS from the first byte). With no URL (the embedded default that `dtrack demo`
uses) every message is written as an .eml file into the mail folder, which
any mail program opens. The password lives only in `SmtpTarget.password`:
the object prints and logs as `smtp://***@host:587`, and no error
message built here contains it.
"""
from __future__ import annotations

import os
import smtplib
import ssl
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from email.message import Message
from pathlib import Path
from typing import Protocol

from dtrack.config.values import SmtpTarget
from dtrack.errors import MailServerUnavailable, MessageRejected
from dtrack.notifications.mail import wire_bytes

TIMEOUT_SECONDS = 30


def permanent(refusal: MessageRejected) -> bool:
    """A 5xx reply is a permanent refusal (RFC 5321 4.2.1: e.g. 550 no such mailbox): trying again cannot help.

    4xx replies (451 try again later, 452 mailbox full) are temporary and retried with backoff.
    """
    return 500 <= refusal.code <= 599


class Connection(Protocol):
    def send(self, message: Message, sender: str, recipient: str) -> str:
        """Hand one message over; returns the server's acceptance reply, raises MessageRejected."""


class Transport(Protocol):
    display: str

    def open(self) -> AbstractContextManager[Connection]:
        """A context manager: one session for a batch of messages."""


class SmtpConnection:
    def __init__(self, client: smtplib.SMTP, display: str) -> None:
        self.client = client
        self.display = display

    def send(self, message: Message, sender: str, recipient: str) -> str:
        # MAIL/RCPT/DATA by hand, because smtplib's sendmail drops the reply to
        # DATA, which is the server's receipt we store with the sent row.
        data = wire_bytes(message)
        try:
            code, reply = self.client.mail(sender)
            if code != 250:
                raise MessageRejected(code, _text(reply))
            code, reply = self.client.rcpt(recipient)
            if code not in (250, 251):
                raise MessageRejected(code, _text(reply))
            code, reply = self.client.data(data)
            if code != 250:
                raise MessageRejected(code, _text(reply))
        except MessageRejected:
            self._reset()
            raise
        except smtplib.SMTPResponseException as exc:  # e.g. 554 instead of 354 before the data
            self._reset()
            raise MessageRejected(exc.smtp_code, _text(exc.smtp_error)) from None
        except OSError as exc:  # smtplib's errors are OSErrors too; the ones left mean the session broke
            # The server went away: not this message's fault; the caller stops the batch.
            raise MailServerUnavailable(self.display, _reason(exc)) from None
        return f"{code} {_text(reply)}"

    def _reset(self) -> None:
        try:
            self.client.rset()
        except OSError as exc:
            raise MailServerUnavailable(self.display, _reason(exc)) from None


def _text(reply: bytes | str) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)


class SmtpTransport:
    def __init__(self, target: SmtpTarget, timeout: float = TIMEOUT_SECONDS,
                 tls: ssl.SSLContext | None = None) -> None:
        self.target = target
        self.timeout = timeout
        self.display = str(target)
        # Certificates are verified against the system's CAs unless a context is given.
        self.tls = tls

    @contextmanager
    def open(self) -> Iterator[SmtpConnection]:
        t = self.target
        try:
            if t.scheme == "smtps":
                client: smtplib.SMTP = smtplib.SMTP_SSL(t.host, t.port, timeout=self.timeout,
                                                        context=self.tls or ssl.create_default_context())
            else:
                client = smtplib.SMTP(t.host, t.port, timeout=self.timeout)
            client.ehlo()
            if t.starttls:
                client.starttls(context=self.tls or ssl.create_default_context())
                client.ehlo()
            if t.username:
                client.login(t.username, t.password or "")
        except smtplib.SMTPAuthenticationError as exc:
            raise MailServerUnavailable(self.display, str(exc.smtp_code), code="smtp_login_refused") from None
        except (OSError, smtplib.SMTPException) as exc:
            # The exception text never contains the password: smtplib does not echo it.
            raise MailServerUnavailable(self.display, _reason(exc)) from None
        try:
            yield SmtpConnection(client, self.display)
        finally:
            try:
                client.quit()
            except (OSError, smtplib.SMTPException):
                client.close()


def _reason(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0]


class FileConnection:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def send(self, message: Message, sender: str, recipient: str) -> str:
        # One file per Message-ID: delivering the same message twice rewrites
        # the same file instead of making a duplicate.
        message_id = message["Message-ID"].strip("<>").split("@")[0]
        name = f"{recipient.replace('/', '_')}--{message_id}.eml"
        path = self.folder / name
        tmp = path.with_suffix(".tmp")
        try:
            tmp.write_bytes(wire_bytes(message))
            os.replace(tmp, path)  # whole file or none: a reader never sees half a message
        except OSError as exc:
            raise MailServerUnavailable(str(self.folder), _reason(exc), code="mail_folder_unavailable") from None
        return f"written to {path}"


class FileTransport:
    """Delivers into a folder of .eml files (no mail server configured)."""

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)
        self.display = f"folder {self.folder}"

    @contextmanager
    def open(self) -> Iterator[FileConnection]:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise MailServerUnavailable(str(self.folder), _reason(exc), code="mail_folder_unavailable") from None
        yield FileConnection(self.folder)


def transport_from(smtp_url: SmtpTarget | None, mail_dir: str) -> SmtpTransport | FileTransport:
    """The transport the settings ask for."""
    return SmtpTransport(smtp_url) if smtp_url is not None else FileTransport(mail_dir)
