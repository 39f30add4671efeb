"""The one-time link by mail: queued in the outbox (delivered by `dtrack outbox send`) when SMTP is set.

The outbox allows one account message per person and day. A new link ends
the earlier ones, so a second link the same day replaces the text of a
message not yet sent (it would carry a dead link); once one has been sent,
the second is not mailed and the command or page that made it shows it.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.orm import Session

from dtrack.config.settings import Settings
from dtrack.notifications.outbox import enqueue
from dtrack.persistence.models import User
from dtrack.workflow.vocabulary import OutboxKind, OutboxState

_TEXT = {
    "vi": ("[dtrack] Đặt mật khẩu cho tài khoản của bạn",
           "Kính gửi {name},\n\nTài khoản dtrack của bạn ({email}) đã sẵn sàng. Mời bạn mở liên kết sau để đặt "
           "mật khẩu (liên kết chỉ dùng được một lần và hết hạn sau {hours} giờ):\n\n{link}\n\n"
           "Nếu bạn không yêu cầu việc này, hãy bỏ qua thư này.\n"),
    "en": ("[dtrack] Set the password of your account",
           "Dear {name},\n\nYour dtrack account ({email}) is ready. Open this link to set your password "
           "(it works once and expires in {hours} hours):\n\n{link}\n\n"
           "If you did not ask for this, ignore this message.\n"),
}


def queue_link_mail(session: Session, user: User, link: str, settings: Settings, now: datetime, today: date) -> bool:
    """Queue the link for `user` when a mail server is configured; True when a message was queued."""
    if settings.smtp_url is None:
        return False
    subject, body = _TEXT.get(user.locale, _TEXT["vi"])
    text = body.format(name=user.name, email=user.email, link=link, hours=settings.invite_valid_hours)
    row, created = enqueue(session, user.email, OutboxKind.ACCOUNT, today, subject, text, recipient_name=user.name,
                           mail_from=settings.mail_from, now=now)
    if not created and row.state == OutboxState.PENDING.value:
        row.subject, row.body_text = subject, text
        return True
    return created
