"""Files stored once by content (SHA-256), outside the web root, written so nothing is half there.

A file goes to `<root>/<first two hex>/<sha256>`: written to a temporary
name in the same folder, flushed to disk, then renamed (atomic on one file
system), so a reader never sees a partial file and a crash leaves only a
temporary file, never a wrong one. The same content attached twice is one
file. The folder is a setting (`evidence_dir`), by default beside the
SQLite file.
"""
from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from sqlalchemy.engine import make_url

from dtrack.workflow.errors import StorageFailed
from dtrack.workflow.settings import Settings


def evidence_root(settings: Settings) -> Path:
    """Where evidence files live: `evidence_dir`, or `<database file>.evidence` beside an SQLite file."""
    if settings.evidence_dir:
        return Path(settings.evidence_dir)
    url = make_url(settings.database_url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        database = Path(url.database)
        return database.with_name(database.name + ".evidence")
    return Path("dtrack-evidence")


class Store:
    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, digest: str) -> Path:
        return self.root / digest[:2] / digest

    def put(self, content: bytes) -> tuple[str, bool]:
        """Store `content`; (its SHA-256, whether a new file was written)."""
        digest = hashlib.sha256(content).hexdigest()
        target = self.path(digest)
        if target.is_file() and target.stat().st_size == len(content):
            return digest, False
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
            try:
                with os.fdopen(fd, "wb") as out:
                    out.write(content)
                    out.flush()
                    os.fsync(out.fileno())
                os.replace(temporary, target)
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
        except OSError as exc:
            raise StorageFailed(exc.strerror or str(exc)) from None
        return digest, True

    def read(self, digest: str) -> bytes:
        try:
            return self.path(digest).read_bytes()
        except OSError as exc:
            raise StorageFailed(f"the stored file is missing ({exc.strerror})") from None

    def discard(self, digest: str) -> None:
        """Remove a file that no row refers to (the caller has checked)."""
        self.path(digest).unlink(missing_ok=True)
