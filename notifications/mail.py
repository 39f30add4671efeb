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
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr

from workflow.models import Outbox

# (filename, MIME type, content)
Attachment = tuple[str, str, bytes]


def sender_address(mail_from: str) -> Address:
    name, address = parseaddr(mail_from)
    return Address(display_name=name, addr_spec=address)


def message_id(recipient: str, kind: str, key_date: date, mail_from: str) -> str:
    """A stable Message-ID for the outbox key: the same message always gets the same one."""
    digest = hashlib.sha256(f"{recipient.lower()}|{kind}|{key_date.isoformat()}".encode()).hexdigest()[:20]
    domain = sender_address(mail_from).domain or "dtrack.invalid"
    # Short enough that the header is never folded onto a second line.
    return f"<{kind}.{key_date:%Y%m%d}.{digest}@{domain}>"


def unsubscribe_target(mail_from: str, base_url: str) -> str:
    """Where a recipient changes their mail settings: the web page if there is one, else the sender."""
    if base_url:
        return f"<{base_url.rstrip('/')}/settings/notifications>"
    return f"<mailto:{sender_address(mail_from).addr_spec}?subject=unsubscribe>"


def build_message(row: Outbox, mail_from: str, base_url: str = "") -> EmailMessage:
    """The message for one outbox row; its Date is when the row was built, so a resend is identical."""
    msg = EmailMessage(policy=policy.SMTP)
    msg["Subject"] = row.subject
    msg["From"] = sender_address(mail_from)
    msg["To"] = Address(display_name=row.recipient_name, addr_spec=row.recipient)
    msg["Date"] = format_datetime(row.created_at)
    msg["Message-ID"] = row.message_id
    msg["List-Unsubscribe"] = unsubscribe_target(mail_from, base_url)
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(row.body_text, charset="utf-8", cte="quoted-printable")
    if row.body_html is not None:
        msg.add_alternative(row.body_html, subtype="html", charset="utf-8", cte="quoted-printable")
    for attachment in row.attachments:
        maintype, _, subtype = attachment.mimetype.partition("/")
        msg.add_attachment(attachment.content, maintype=maintype, subtype=subtype or "octet-stream",
                           filename=attachment.filename)
    return msg
