"""Database URLs as people type them: checked before any driver sees them, and never shown with a secret.

A URL's credentials are everything before the LAST `@` of its netloc (how
`urllib.parse` reads them, unlike SQLAlchemy, which stops the password at
the first `@`). So `postgresql://u:p@ss@host/db` hides `u:p@ss` whole, never
leaving `ss@host` in a message; and such a URL is refused with the way to
write it (`@` as `%40`) instead of a driver failing on host `ss@host`.
"""
from __future__ import annotations

import re

from dtrack.errors import InvalidInput

MASK = "***"
# scheme://, then what follows up to the query or fragment.
_URL = re.compile(r"^(?P<scheme>[A-Za-z][A-Za-z0-9+.\-]*://)(?P<body>[^?#]*)(?P<query>.*)$", re.DOTALL)
_PORT = re.compile(r"^(?:\[[^\]]*\]|[^:]*)(?::(?P<port>.*))?$", re.DOTALL)


def _split(scheme: str, body: str) -> tuple[str | None, str]:
    """(credentials, the rest) of what follows `scheme://`: the credentials end at the LAST '@'.

    A raw '/' or '@' in a password then stays inside the credentials (masked whole). A SQLite
    URL has no credentials, only a path that may hold an '@' (sqlite:////data/a@b.db).
    """
    if scheme.lower().startswith("sqlite") or "@" not in body:
        return None, body
    credentials, _, rest = body.rpartition("@")
    return credentials, rest


def mask_url(text: str) -> str:
    """`text` with the whole user name and password of its URL replaced by ***; anything else unchanged.

    Also used on free text (a driver's message may quote the URL): every
    `scheme://user:pass@` in it is masked.
    """
    match = _URL.match(text)
    if match and " " not in match.group("body"):
        credentials, rest = _split(match.group("scheme"), match.group("body"))
        if credentials is None:
            return text
        return f"{match.group('scheme')}{MASK}@{rest}{match.group('query')}"
    # In a sentence: mask each URL's credentials (up to a space or a quote).
    return re.sub(r"([A-Za-z][A-Za-z0-9+.\-]*://)[^\s?#'\"]*@", rf"\1{MASK}@", text)


def check_database_url(text: str, field_name: str = "database_url") -> str:
    """A database URL whose shape a driver can read; refused with one line that never shows its credentials."""
    url = text.strip()
    match = _URL.match(url)
    if not match:
        if url.startswith("sqlite:"):
            return url
        raise InvalidInput(field_name, "bad_db_url", url=mask_url(url))
    credentials, rest = _split(match.group("scheme"), match.group("body"))
    if credentials is not None and any(c in credentials for c in "@/"):
        raise InvalidInput(field_name, "db_url_raw_at", url=mask_url(url))
    hostport = rest.split("/", 1)[0]
    port = _PORT.match(hostport)
    port_text = port.group("port") if port else None
    if port_text is not None and port_text != "" and not (port_text.isascii() and port_text.isdigit()
                                                           and 0 < int(port_text) < 65536):
        raise InvalidInput(field_name, "db_url_bad_port", url=mask_url(url), port=port_text)
    return url
