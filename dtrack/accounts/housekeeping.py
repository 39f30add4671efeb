"""Deleting account rows that can no longer be used: ended sessions and spent one-time links.

A session row is needed only while its cookie may still be presented; a
link row only until it is used or expires. Both are kept
`account_rows_kept_days` longer (an administrator looking into a problem
sees recent ones), then deleted. What happened stays in the accounts audit
trail (`auth_events`: logins, logouts, invitations, password changes), which
is never purged here. The reminder scheduler runs this once a day;
`dtrack users purge` runs it by hand.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, or_

from dtrack.config.clock import Clock
from dtrack.config.settings import Settings
from dtrack.persistence.account_models import AuthToken, WebSession
from dtrack.persistence.database import Database, rows_matched
from dtrack.workflow.views import View


@dataclass(frozen=True)
class Purged(View):
    sessions: int
    links: int
    before: datetime  # rows that ended before this UTC time were deleted

    def line(self) -> str:
        return (f"deleted {self.sessions} ended session(s) and {self.links} used or expired link(s) "
                f"that ended before {self.before:%d/%m/%Y %H:%M} UTC")


def purge_account_rows(db: Database, clock: Clock, settings: Settings) -> Purged:
    """Delete sessions and links that ended more than `account_rows_kept_days` ago (one transaction)."""
    now = clock.now()
    before = now - timedelta(days=settings.account_rows_kept_days)
    with db.session() as session:
        # Every session, idle or not, ends by its absolute expiry at the latest.
        sessions = rows_matched(session.execute(delete(WebSession).where(or_(
            WebSession.expires_at < before, WebSession.revoked_at < before)))) or 0
        links = rows_matched(session.execute(delete(AuthToken).where(or_(
            AuthToken.expires_at < before, AuthToken.used_at < before)))) or 0
    return Purged(sessions, links, before)
