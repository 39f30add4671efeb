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

While one thread renders a page, the others that want the same page wait
for it and take its bytes when that render may stand for their own: it
began after they arrived (its statements see everything committed before
they asked, which is all a render of their own would show), or it began
under the very snapshot they saw (nothing was committed between). A render
that began before a request arrived, under another snapshot, is never handed
to it: the request waits for that render to end, and the next render (one of
the waiting threads leads it, the others take its bytes) is its answer. So
while provinces write (a commit every 50 ms, renders slower than that) fifty
people on one page cost about one render per render time, not fifty, and each
waits at most the rest of one render and one render of its own.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field

from starlette.responses import Response

from dtrack.persistence.database import Database
from dtrack.persistence.snapshot_memo import current_snapshot

PLACEHOLDER = b"<dtrack-csrf-token>"
MAX_BYTES = 64 * 1024 * 1024  # all kept pages together, per server process
MAX_PAGE = 2 * 1024 * 1024  # a larger answer (a whole-matrix JSON) is not kept (only shared with waiting requests)
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


@dataclass
class _Flight:
    """One render of a page in progress, and its bytes for the threads that wait for it."""

    tick: int  # renders of this memo begun before it, counting it: a request that saw fewer may take it
    snapshot: str  # what the leading request's lookup saw
    done: threading.Event = field(default_factory=threading.Event)
    kept: _Kept | None = None  # set before `done`: None if the render failed or cannot be shared
    # The render that followed it, for the requests that arrived during this one (under the memo's lock).
    next: _Flight | None = None


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
        self._flights: dict[Hashable, _Flight] = {}  # the render in progress of each page
        self._ticks = 0  # renders begun (under the lock): orders a request's arrival against them
        self.renders = 0  # renders this memo led (for the tests and the benchmark's notes)

    def page(self, snapshot: str | None, key: Hashable, csrf_token: str, render: Callable[[], Response]) -> Response:
        """The page `render()` gives, or the one it gave under `snapshot` (read before anything else), or
        the bytes of a render of the same page that began after this call (see the module's rule)."""
        if not self.enabled or snapshot is None:
            return render()
        with self._lock:
            arrived = self._ticks  # renders begun before this request arrived
            kept = self._kept(key, snapshot)
            if kept is not None:
                return kept.response(csrf_token)
            flight = self._flights.get(key)
            leads = flight is None  # nobody renders this page: this request does, for whoever comes meanwhile
            if flight is None:
                flight = self._begin(key, snapshot)
        if leads:
            return self._lead(flight, key, snapshot, csrf_token, render)
        if not flight.done.wait(WAIT_SECONDS):
            return render()  # a render this slow: not worth waiting for longer
        if flight.snapshot != snapshot:
            # It began before this request arrived, under another snapshot: the next render is this request's.
            with self._lock:
                kept = self._kept(key, snapshot)
                if kept is not None:
                    return kept.response(csrf_token)
                after = flight.next or self._flights.get(key)
                leads = after is None
                if after is None:
                    after = self._begin(key, snapshot)
                flight.next = after
            if leads:
                return self._lead(after, key, snapshot, csrf_token, render)
            if after.tick <= arrived or not after.done.wait(WAIT_SECONDS):
                return render()  # (a render begun before this request arrived is never its answer)
            flight = after
        # Began after this request arrived, or under what it saw: it stands for this request's own render.
        return flight.kept.response(csrf_token) if flight.kept is not None else render()

    def _kept(self, key: Hashable, snapshot: str) -> _Kept | None:
        """Under the lock: the page kept under `snapshot`, if any."""
        kept = self._pages.get(key) if snapshot == self._snapshot else None
        if kept is not None:
            self._pages.move_to_end(key)
        return kept

    def _begin(self, key: Hashable, snapshot: str) -> _Flight:
        """Under the lock: a render of the page begins (this thread leads it)."""
        self._ticks += 1
        flight = self._flights[key] = _Flight(self._ticks, snapshot)
        return flight

    def _lead(self, flight: _Flight, key: Hashable, snapshot: str, csrf_token: str,
              render: Callable[[], Response]) -> Response:
        """Render for this request and the ones waiting on `flight`; keep the page if nothing was committed."""
        try:
            self.renders += 1
            response = render()
            flight.kept = _shareable(response, csrf_token)
            if flight.kept is not None:
                self._keep(key, snapshot, flight.kept)
            return response
        finally:
            with self._lock:
                if self._flights.get(key) is flight:
                    del self._flights[key]
            flight.done.set()

    def _keep(self, key: Hashable, snapshot: str, kept: _Kept) -> None:
        if len(kept.body) > MAX_PAGE:
            return
        with self._lock:
            if self._stale_or_kept(key, snapshot):  # before asking the database: nothing to keep anyway
                return
        if self._snapshot_now() != snapshot:  # something was committed while it rendered
            return
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


def _shareable(response: Response, csrf_token: str) -> _Kept | None:
    """The response as bytes another request of the same page may get (its own token put back), or None."""
    body = getattr(response, "body", None)
    if (response.status_code != 200 or not isinstance(body, bytes)
            or any(name == b"set-cookie" for name, _ in response.raw_headers)):
        return None
    token = csrf_token.encode()
    return _Kept(response.status_code, tuple(response.raw_headers), body.replace(token, PLACEHOLDER), token in body)


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
