"""The database failures a user can act on, told as what to fix rather than as a driver's exception.

A SQLite file (or its folder) that dtrack may not write, and a URL naming a
dialect or driver that is not installed (`mysql://` wants MySQLdb), each
become one line. "Check that the server is running" would send the reader
after a server SQLite does not have.
"""
from __future__ import annotations

import os
from pathlib import Path

from dtrack.errors import DatabaseUnavailable

# What SQLite says when it may not write: the file, its -wal/-shm files or its folder (or a read-only mount).
_READ_ONLY_SIGNS = ("readonly database", "read-only database", "unable to open database file")


class DatabaseReadOnly(DatabaseUnavailable):
    """The SQLite file, or the folder that must hold its -wal and -shm files, is read-only: nothing was written."""

    error_code = "database_read_only"

    def __init__(self, url: str, path: str, what: str) -> None:
        self.path = path
        self.what = what  # file | folder
        # Its wording names a file or a folder: two codes.
        DatabaseUnavailable.__init__(self, url, "read_only", code=f"database_read_only_{what}", path=path, what=what)


def _writable(path: Path) -> bool:
    try:
        return os.access(path, os.W_OK, effective_ids=os.access in os.supports_effective_ids)
    except OSError:
        return False


def read_only_error(url: str, display_url: str, exc: BaseException) -> DatabaseReadOnly | None:
    """`exc` as a DatabaseReadOnly naming the file or folder, when SQLite refused to write for that reason."""
    text = str(getattr(exc, "orig", None) or exc).lower()
    if not any(sign in text for sign in _READ_ONLY_SIGNS):
        return None
    from sqlalchemy.engine import make_url

    database = make_url(url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    file = Path(database).absolute()
    folder = file.parent
    if not folder.is_dir():
        return None  # a folder that does not exist: not a permission problem (DatabaseUnavailable says so)
    if file.exists() and not _writable(file):
        return DatabaseReadOnly(display_url, str(file), "file")
    if not _writable(folder):
        return DatabaseReadOnly(display_url, str(folder), "folder")
    for suffix in ("-wal", "-shm"):
        companion = Path(f"{file}{suffix}")
        if companion.exists() and not _writable(companion):
            return DatabaseReadOnly(display_url, str(companion), "file")
    if "readonly" in text or "read-only" in text:
        return DatabaseReadOnly(display_url, str(file), "file")
    return None


class DatabaseUrlUnusable(DatabaseUnavailable):
    """A URL SQLAlchemy cannot turn into an engine: there is no server to check, the URL is what to fix."""

    error_code = "db_url_unsupported"

    def __init__(self, url: str, reason: str, **params: object) -> None:
        DatabaseUnavailable.__init__(self, url, reason, **params)


def unsupported_url(display_url: str, exc: BaseException) -> DatabaseUrlUnusable:
    """A URL SQLAlchemy cannot turn into an engine: unknown dialect, or its driver is not installed."""
    from dtrack.config.database_url import mask_url

    detail = mask_url(str(exc).splitlines()[0]) if str(exc) else type(exc).__name__
    if isinstance(exc, ImportError):
        return DatabaseUrlUnusable(display_url, detail, code="db_driver_missing")
    if detail.startswith("Can't load plugin: sqlalchemy.dialects:"):  # NoSuchModuleError
        return DatabaseUrlUnusable(display_url, detail, code="db_kind_unknown", kind=detail.rpartition(":")[2])
    return DatabaseUrlUnusable(display_url, detail)
