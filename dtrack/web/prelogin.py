"""The CSRF token of the forms shown before there is a session (login, invitation): server-issued only.

The browser gets a pre-login cookie `<id>.<issued>.<signature>`: a random id,
when it was issued, and an HMAC of both with the server's secret. The form's
token is another HMAC of the id. A POST passes only when the cookie carries
the server's signature, is not older than `MAX_AGE`, and the field is the
token of that id: a cookie and field a client makes up itself (the same
random value in both, as the old double-submit check took) are refused, and
so is a cookie the server never issued.

The secret is the application's (`WebApp.secret`): the `web_secret` setting
when it is set (every worker of every host must then have the same),
otherwise one made when the application is built (`new_secret`): `dtrack
serve --workers N` makes it once and hands it to every worker with their
configuration. A restart makes a new one; a login form older than the
restart is then refused with "reload the page", nothing else is lost.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time

MAX_AGE = 24 * 3600  # seconds a login form may stay open


def new_secret() -> str:
    """A fresh random secret for a server that was given none."""
    return secrets.token_urlsafe(32)


def _mac(secret: str, purpose: str, value: str) -> str:
    key = secret.encode()
    digest = hmac.new(key, f"{purpose}:{value}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:24]).decode().rstrip("=")


def new_cookie(secret: str, now: float | None = None) -> str:
    """A fresh pre-login cookie value: id, issue time, signature."""
    body = f"{secrets.token_urlsafe(18)}.{int(now if now is not None else time.time())}"
    return f"{body}.{_mac(secret, 'cookie', body)}"


def cookie_id(secret: str, cookie: str | None, now: float | None = None) -> str | None:
    """The id of a cookie this server issued and that is still young; None for anything else."""
    if not cookie or len(cookie) > 200 or cookie.count(".") != 2:
        return None
    body, _, signature = cookie.rpartition(".")
    if not hmac.compare_digest(signature.encode(), _mac(secret, "cookie", body).encode()):
        return None
    ident, _, issued = body.partition(".")
    current = now if now is not None else time.time()
    if not issued.isdigit() or not 0 <= current - int(issued) <= MAX_AGE:
        return None
    return ident


def form_token(secret: str, cookie: str) -> str:
    """The CSRF token the forms carry for a valid pre-login cookie (`cookie_id` said yes)."""
    ident = cookie_id(secret, cookie)
    assert ident is not None, "only a cookie this server issued has a token"
    return _mac(secret, "csrf", ident)


def token_matches(secret: str, cookie: str | None, given: str) -> bool:
    """Whether `given` is the form token of a valid pre-login cookie."""
    ident = cookie_id(secret, cookie)
    if ident is None or not given:
        return False
    return hmac.compare_digest(given.encode(), _mac(secret, "csrf", ident).encode())
