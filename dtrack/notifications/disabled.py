"""No mail of any kind goes to a disabled account.

The rule is kept in the outbox, the one place every message passes: `enqueue`
and `enqueue_many` store a message for a disabled account as `failed` at once
(never sent, and listed among the failed deliveries so an administrator sees
it), and a sender marks `failed` the rows it claims whose account was disabled
after they were queued. Both give the reason `DISABLED_REASON`.

An account being (re)activated needs no exception: the activation clears
`disabled_at` in the same transaction before its invitation is queued, and the
check reads through that transaction.
"""
from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dtrack.persistence.models import User

DISABLED_REASON = "account disabled: no mail goes to it"


def disabled_emails():
    """A subquery of the disabled accounts' addresses (outbox recipients are stored lower case)."""
    return select(func.lower(User.email)).where(User.disabled_at.is_not(None))


def disabled_among(session: Session, emails: Collection[str]) -> set[str]:
    """Which of these addresses (lower case) belong to disabled accounts."""
    wanted = sorted({e.strip().lower() for e in emails})
    found: set[str] = set()
    for start in range(0, len(wanted), 500):
        found.update(session.scalars(
            disabled_emails().where(func.lower(User.email).in_(wanted[start:start + 500]))))
    return found
