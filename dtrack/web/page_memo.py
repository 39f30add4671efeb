"""Whole pages remembered for exactly as long as the database shows the same data.

A page of the Department (the review queue, the overdue list, the matrices)
reads tens of thousands of rows and renders a few hundred: 5-20 ms of CPU on
every request, for an answer that changes only when somebody writes. On two
cores that caps a server at a hundred-odd pages a second, and fifty people
opening the morning's overdue list queue behind each other.

PostgreSQL names what a statement sees of this database: `dtrack_change_key()`
(migration 0020; see `persistence.snapshot_memo`, which remembers the overdue
counts the same way; other databases on the server do not move it).
The session lookup that every request makes anyway reads it in the same
statement (`accounts.sessions.current`), so a page rendered after it shows
at least that state. The page is kept when the snapshot is still the same
after the render (nothing of this database was written or committed meanwhile),
under the snapshot and everything else the page depends on: the path, the
query string, the user (their role, province and name are rows too: a
change to them is a commit), the language and today's date.
A later request under the same snapshot gets the kept bytes; the first one
after any commit renders afresh. Nothing is ever stale and nothing needs
invalidating by hand. SQLite has no such name: there the server counts every
commit it can see (its own, and other processes' through `PRAGMA
data_version`; `persistence.commit_count`), and the count stands for it.

The page holds the session's CSRF token in its forms; it is kept with a
placeholder instead, and each request gets its own token put back. The
placeholder starts with `<`, which escaping turns into `&lt;` in any text a
user wrote, so it can only stand where the template put the token.

While one thread renders a page, the others that want the same page under
the same snapshot wait for it (a burst of requests after a commit renders it
once, not once per handler thread).
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass

from starlette.responses import Response

from dtrack.persistence.database import Database
from dtrack.persistence.snapshot_memo import current_snapshot

PLACEHOLDER = b"<dtrack-csrf-token>"
MAX_BYTES = 64 * 1024 * 1024  # all kept pages together, per server process
MAX_PAGE = 2 * 1024 * 1024  # a larger answer (a whole-matrix JSON) is rendered each time
WAIT_SECONDS = 10.0  # how long a request waits for another thread's render before rendering itself


@dataclass(frozen=True)
class _Kept:
    status: int
    headers: tuple[tuple[bytes, bytes], ...]
    body: bytes
    has_token: bool

    def response(self, csrf_token: str) -> Response:
        body = self.body.replace(PLACEHOLDER, csrf_token.encode()) if self.has_token else self.body
        response = Response(body, status_code=self.status)
        # Starlette computed content-length from the body; the kept headers say the rest (type, no-store).
        response.raw_headers = [(k, v) for k, v in self.headers if k != b"content-length"] + [
            (b"content-length", str(len(body)).encode())]
        return response


class PageMemo:
    """Rendered pages of the newest snapshot seen, by key; thread-safe (the web's handler threads).

    Only one snapshot's pages are kept: a snapshot never comes back once a
    newer one is seen, so the pages of older ones would only take memory.
    """

    def __init__(self, snapshot_now: Callable[[], str | None], enabled: bool = True,
                 max_bytes: int = MAX_BYTES) -> None:
        self._snapshot_now = snapshot_now  # what the database shows now (`current_snapshot`)
        self.enabled = enabled
        self._max_bytes = max_bytes
        self._bytes = 0
        self._snapshot: str | None = None  # the snapshot of every kept page
        self._pages: OrderedDict[Hashable, _Kept] = OrderedDict()
        self._lock = threading.Lock()
        self._rendering: dict[tuple, threading.Event] = {}

    def page(self, snapshot: str | None, key: Hashable, csrf_token: str, render: Callable[[], Response]) -> Response:
        """The page `render()` gives, or the one it gave under `snapshot` (read before anything else)."""
        if not self.enabled or snapshot is None:
            return render()
        slot = (snapshot, key)
        for _ in range(2):  # look, and if another thread is rendering this page, wait for it and look again
            with self._lock:
                kept = self._pages.get(key) if snapshot == self._snapshot else None
                if kept is not None:
                    self._pages.move_to_end(key)
                    return kept.response(csrf_token)
                running = self._rendering.get(slot)
                if running is None:
                    running = self._rendering[slot] = threading.Event()
                    break
            running.wait(WAIT_SECONDS)
        else:
            return render()  # the other render failed or was not kept: this one renders on its own
        try:
            response = render()
            self._keep(key, snapshot, response, csrf_token)
            return response
        finally:
            with self._lock:
                self._rendering.pop(slot, None)
            running.set()

    def _keep(self, key: Hashable, snapshot: str, response: Response, csrf_token: str) -> None:
        body = getattr(response, "body", None)
        if (response.status_code != 200 or not isinstance(body, bytes) or len(body) > MAX_PAGE
                or any(name == b"set-cookie" for name, _ in response.raw_headers)):
            return
        with self._lock:
            if self._stale_or_kept(key, snapshot):  # before asking the database: nothing to keep anyway
                return
        if self._snapshot_now() != snapshot:  # something was committed while it rendered
            return
        token = csrf_token.encode()
        kept = _Kept(response.status_code, tuple(response.raw_headers), body.replace(token, PLACEHOLDER),
                     token in body)
        with self._lock:
            if self._stale_or_kept(key, snapshot):  # another thread may have moved on meanwhile
                return
            if snapshot != self._snapshot:
                self._snapshot, self._bytes = snapshot, 0
                self._pages.clear()
            self._pages[key] = kept
            self._bytes += len(kept.body)
            while self._bytes > self._max_bytes and self._pages:
                _, dropped = self._pages.popitem(last=False)
                self._bytes -= len(dropped.body)

    def _stale_or_kept(self, key: Hashable, snapshot: str) -> bool:
        """Under the lock: a newer snapshot has been seen (this page is history), or the page is kept."""
        if self._snapshot is None or snapshot == self._snapshot:
            return key in self._pages and snapshot == self._snapshot
        return _order(snapshot) < _order(self._snapshot)

    def __len__(self) -> int:
        return len(self._pages)


def _order(snapshot: str) -> tuple[int, int]:
    """(xmax, xmin) of a key `xmin:xmax:xip,...` (the change count twice, then the open writers): both only grow."""
    xmin, xmax, _ = snapshot.split(":", 2)
    return int(xmax), int(xmin)


def page_memo(db: Database, enabled: bool) -> PageMemo:
    """The memo of a server on `db`: PostgreSQL's change key of the database, or on SQLite the server's commit count."""
    if enabled:
        db.count_commits()
    return PageMemo(lambda: current_snapshot(db), enabled)


__all__ = ["PLACEHOLDER", "PageMemo", "page_memo"]
