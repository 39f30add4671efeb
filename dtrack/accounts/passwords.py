"""Password hashing (argon2id through argon2-cffi) and the password rules.

Each hash or verification takes about 64 MiB and a core for a moment (the
RFC 9106 profile): a burst of logins, 40 failed ones at once, would take a
gigabyte and every thread of the server. So they run under a bounded
concurrency: `SLOTS` at a time per process, `QUEUE` more waiting at most
`WAIT_SECONDS`; beyond that `HashingBusy` at once, which the web answers 503
with Retry-After and "try again in a moment" on the form. No failed login is
recorded for a refused attempt: its password was never checked.
"""
from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from dtrack.errors import DtrackError, InvalidInput

MIN_LENGTH = 10
MAX_LENGTH = 200  # argon2 takes any length; a bound keeps a hostile 1 MB "password" cheap to refuse
SLOTS = max(2, min(4, os.cpu_count() or 1))  # more than the cores only queues in the kernel, with the memory held
QUEUE = SLOTS  # waiting holds a handler thread (not the 64 MiB): fewer than the 15 threads, so pages still get some
WAIT_SECONDS = 4.0
RETRY_AFTER = 5  # seconds, the Retry-After of a refusal


class HashingBusy(DtrackError):
    """Every password slot is taken and the queue is full: nothing was checked, try again shortly."""
    error_code = "hashing_busy"

    def __init__(self) -> None:
        super().__init__()
        self.retry_after = RETRY_AFTER


class _Gate:
    """At most `slots` running and `queue` waiting; anyone beyond is refused at once."""

    def __init__(self, slots: int, queue: int, wait: float) -> None:
        self.slots = threading.BoundedSemaphore(slots)
        self.limit = slots + queue
        self.wait = wait
        self.inside = 0  # running and waiting
        self.lock = threading.Lock()

    @contextmanager
    def held(self) -> Iterator[None]:
        with self.lock:
            if self.inside >= self.limit:
                raise HashingBusy()
            self.inside += 1
        try:
            if not self.slots.acquire(timeout=self.wait):
                raise HashingBusy()
            try:
                yield
            finally:
                self.slots.release()
        finally:
            with self.lock:
                self.inside -= 1


GATE = _Gate(SLOTS, QUEUE, WAIT_SECONDS)


@cache
def hasher() -> PasswordHasher:
    # argon2-cffi's defaults are the RFC 9106 low-memory profile, argon2id.
    return PasswordHasher()


def hash_password(password: str) -> str:
    with GATE.held():
        return hasher().hash(password)


def verify(stored_hash: str, password: str) -> bool:
    """Whether `password` is the one of `stored_hash`; HashingBusy when the server is saturated."""
    try:
        with GATE.held():
            return hasher().verify(stored_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return hasher().check_needs_rehash(stored_hash)


@cache
def _dummy_hash(with_hasher: PasswordHasher) -> str:
    # Per hasher: the dummy must cost what a real hash of the same parameters costs.
    with GATE.held():
        return with_hasher.hash("dtrack: no such account, same work as a real one")


def waste_time(password: str) -> None:
    """Verify against a dummy hash, so an unknown email takes as long as a wrong password."""
    verify(_dummy_hash(hasher()), password)


def check_new_password(password: str, confirm: str | None = None, email: str | None = None) -> str:
    """A new password as the rules allow it; InvalidInput names the form field."""
    if len(password) < MIN_LENGTH:
        raise InvalidInput("password", "password_too_short", min=MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        raise InvalidInput("password", "password_too_long", max=MAX_LENGTH)
    if not password.strip():
        raise InvalidInput("password", "password_only_spaces")
    if email and password.strip().lower() == email.strip().lower():
        raise InvalidInput("password", "password_is_email")
    if confirm is not None and confirm != password:
        raise InvalidInput("password_confirm", "passwords_differ")
    return password
