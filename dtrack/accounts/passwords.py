"""Password hashing (argon2id through argon2-cffi) and the password rules."""
from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from dtrack.workflow.errors import InvalidInput

MIN_LENGTH = 10
MAX_LENGTH = 200  # argon2 takes any length; a bound keeps a hostile 1 MB "password" cheap to refuse


@cache
def hasher() -> PasswordHasher:
    # argon2-cffi's defaults are the RFC 9106 low-memory profile, argon2id.
    return PasswordHasher()


def hash_password(password: str) -> str:
    return hasher().hash(password)


def verify(stored_hash: str, password: str) -> bool:
    try:
        return hasher().verify(stored_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return hasher().check_needs_rehash(stored_hash)


@cache
def _dummy_hash(with_hasher: PasswordHasher) -> str:
    # Per hasher: the dummy must cost what a real hash of the same parameters costs.
    return with_hasher.hash("dtrack: no such account, same work as a real one")


def waste_time(password: str) -> None:
    """Verify against a dummy hash, so an unknown email takes as long as a wrong password."""
    verify(_dummy_hash(hasher()), password)


def check_new_password(password: str, confirm: str | None = None, email: str | None = None) -> str:
    """A new password as the rules allow it; InvalidInput names the form field."""
    if len(password) < MIN_LENGTH:
        raise InvalidInput("password", f"is shorter than {MIN_LENGTH} characters",
                           f"choose at least {MIN_LENGTH} characters; a sentence is easy to remember")
    if len(password) > MAX_LENGTH:
        raise InvalidInput("password", f"is longer than {MAX_LENGTH} characters")
    if not password.strip():
        raise InvalidInput("password", "is only spaces")
    if email and password.strip().lower() == email.strip().lower():
        raise InvalidInput("password", "is the email address", "choose something else")
    if confirm is not None and confirm != password:
        raise InvalidInput("password_confirm", "the two passwords differ", "type the same password twice")
    return password
