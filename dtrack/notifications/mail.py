"""Turning an outbox row into a valid MIME message.

UTF-8 bodies (quoted-printable, so the message is 7-bit clean for any
server), RFC 2047-encoded subjects and display names, a Date, a Message-ID
derived from the outbox key (a resend carries the same one), a
List-Unsubscribe header pointing at the user's settings page (or a mailto
address without a web site), and `Auto-Submitted` so auto-responders stay quiet.
"""
from __future__ import annotations

import hashlib
from datetime import date
from email import encoders
from email.charset import QP, Charset
from email.header import Header
from email.headerregistry import Address
from email.message import Message
from email.mime.base import MIMEBase
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.policy import compat32
from email.utils import format_datetime, formataddr, parseaddr
from functools import lru_cache

from dtrack.persistence.models import Outbox

# (filename, MIME type, content)
Attachment = tuple[str, str, bytes]

# On the wire and in .eml files lines end in CRLF; servers refuse bare LFs.
_WIRE = compat32.clone(linesep="\r\n")

# UTF-8 bodies as quoted-printable: 7-bit clean for any server, still readable.
_UTF8_QP = Charset("utf-8")
_UTF8_QP.body_encoding = QP


@lru_cache(maxsize=16)
def sender_address(mail_from: str, sender_name: str = "") -> Address:
    """The sender: mail_from's address, shown as `sender_name` (else the name written in mail_from)."""
    name, address = parseaddr(mail_from)
    return Address(display_name=sender_name.strip() or name, addr_spec=address)


def message_id(recipient: str, kind: str, key_date: date, mail_from: str) -> str:
    """A stable Message-ID for the outbox key: the same message always gets the same one."""
    digest = hashlib.sha256(f"{recipient.lower()}|{kind}|{key_date.isoformat()}".encode()).hexdigest()[:20]
    domain = sender_address(mail_from).domain or "dtrack.invalid"
    # Short enough that the header is never folded onto a second line.
    return f"<{kind}.{key_date:%Y%m%d}.{digest}@{domain}>"


@lru_cache(maxsize=16)
def unsubscribe_target(mail_from: str, base_url: str = "") -> str:
    """Where a recipient asks to change their mail settings: the sender's mailbox.

    The web application has no page for it (yet); pointing at one would be a dead link.
    """
    return f"<mailto:{sender_address(mail_from).addr_spec}?subject=unsubscribe>"


def build_message(row: Outbox, mail_from: str, base_url: str = "", sender_name: str = "") -> Message:
    """The message for one outbox row; its Date is when the row was built, so a resend is identical.

    Built with the classic `email.mime` classes: the same valid MIME as
    `EmailMessage`, at a tenth of the cost (its header refolding took most of
    a send), which matters when a day's digests go to thousands of people.
    """
    alternative = MIMEMultipart("alternative")
    for body, subtype in ((row.body_text, "plain"), (row.body_html, "html")):
        if body is not None:
            # typeshed says `_charset: str | None`, but MIMEText hands it to set_payload, which takes a Charset.
            text = MIMEText(body, subtype, _UTF8_QP)  # type: ignore[arg-type]
            del text["MIME-Version"]  # belongs to the message, not to each part
            alternative.attach(text)
    msg: Message = alternative
    if row.attachments:
        msg = MIMEMultipart("mixed")
        msg.attach(alternative)
        for attachment in row.attachments:
            maintype, _, subtype = attachment.mimetype.partition("/")
            # Text attachments (rendered reports: html, md, csv) are UTF-8; say so, or
            # mail readers fall back to ASCII and garble the diacritics.
            if maintype == "text":
                part = MIMEBase(maintype, subtype or "octet-stream", charset="utf-8")
            else:
                part = MIMEBase(maintype, subtype or "octet-stream")
            part.set_payload(attachment.content)
            encoders.encode_base64(part)
            part.add_header("Content-Disposition", "attachment", filename=("utf-8", "", attachment.filename))
            msg.attach(part)
    sender = sender_address(mail_from, sender_name)
    # typeshed types header values as str; the compat32 policy of `email.mime` stores a Header as given.
    msg["Subject"] = Header(row.subject, "utf-8", header_name="Subject")  # type: ignore[assignment]
    msg["From"] = formataddr((sender.display_name, sender.addr_spec), "utf-8")
    msg["To"] = formataddr((row.recipient_name, row.recipient), "utf-8")
    msg["Date"] = format_datetime(row.created_at)
    msg["Message-ID"] = row.message_id
    msg["List-Unsubscribe"] = unsubscribe_target(mail_from, base_url)
    msg["Auto-Submitted"] = "auto-generated"
    return msg


def wire_bytes(message: Message) -> bytes:
    """The message as sent: CRLF line ends, 7-bit."""
    return message.as_bytes(policy=_WIRE)
