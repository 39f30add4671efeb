"""A sender's lease on the outbox rows it claimed, renewed by a heartbeat while it works.

A claimed row is `sending`, carries the sender's claim token, and its
`claimed_at` is the last time the sender renewed the claim. The lease is
`mail_stale_seconds` (DTRACK_MAIL_STALE_SECONDS, default 90 s): a row whose
`claimed_at` is older than that belongs to a sender that stopped, and the
next sender takes it over (`outbox.recover_stale`).

A live sender renews every third of the lease from a background thread, so
that one slow message (the SMTP timeout is 30 s per command) never lets its
lease run out. Before handing a message to the server the sender checks
`holds(row_id)`: the row was still its own at the last renewal, and that
renewal is recent enough (within two thirds of the lease) that no other
sender can have taken it over since. A sender that cannot reach the database
to renew stops sending instead of racing the one that will take over.
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Collection
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.exc import SQLAlchemyError

from dtrack.persistence.database import Database
from dtrack.persistence.models import Outbox
from dtrack.workflow.vocabulary import OutboxState

log = logging.getLogger("dtrack.outbox")


class Lease:
    """The claim of one sender run; a context manager that runs the heartbeat."""

    def __init__(self, db: Database, token: str, seconds: float, now: Callable[[], datetime]) -> None:
        self.db = db
        self.token = token
        self.seconds = float(seconds)
        self.now = now
        self._lock = threading.Lock()
        self._held: frozenset[int] = frozenset()
        self._renewed = time.monotonic()
        self._generation = 0  # a new claim makes a renewal started before it moot
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name="outbox-lease", daemon=True)

    def __enter__(self) -> Lease:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def claimed(self, ids: Collection[int], at: float) -> None:
        """The rows a claim (committed after monotonic time `at`) gave this sender."""
        with self._lock:
            self._generation += 1
            self._held = frozenset(ids)
            self._renewed = at

    def holds(self, row_id: int) -> bool:
        """True when this sender may hand the row to the server now."""
        with self._lock:
            fresh = time.monotonic() - self._renewed < self.seconds * 2 / 3
            return fresh and row_id in self._held

    def renew(self) -> None:
        """Push the claimed rows' lease forward; rows no longer ours drop out of `holds`."""
        with self._lock:
            generation, ids = self._generation, self._held
        if not ids:
            return
        started = time.monotonic()
        with self.db.session() as session:
            kept = frozenset(session.scalars(
                update(Outbox).where(Outbox.id.in_(sorted(ids)), Outbox.claimed_by == self.token,
                                     Outbox.state == OutboxState.SENDING.value)
                .values(claimed_at=self.now()).returning(Outbox.id)))
        with self._lock:
            if generation == self._generation:
                # Rows marked sent or failed meanwhile leave the set; they are done anyway.
                self._held = kept
                self._renewed = started

    def _beat(self) -> None:
        while not self._stop.wait(self.seconds / 3):
            try:
                self.renew()
            except SQLAlchemyError as exc:  # the database is away: `holds` turns false once the lease runs short
                log.warning("could not renew the outbox lease: %s", str(exc).splitlines()[0])
