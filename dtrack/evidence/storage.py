"""Files stored once by content (SHA-256), outside the web root, written so nothing is half there.

A file goes to `<root>/<first two hex>/<sha256>`: written to a temporary
name in the same folder, flushed to disk, then renamed (atomic on one file
system), so a reader never sees a partial file and a crash leaves only a
temporary file, never a wrong one. The same content attached twice is one
file. The folder is a setting (`evidence_dir`), by default beside the
SQLite file.

An upload does not go through memory: `Store.incoming()` gives a file that
takes the bytes as they arrive (`<root>/.incoming/`, the same file system),
hashing and counting them, and `Store.keep()` moves it to its place once the
checks have passed; `Incoming.discard()` removes it on any refusal.
"""
from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from sqlalchemy.engine import make_url

from dtrack.config.settings import Settings
from dtrack.errors import StorageFailed


def evidence_root(settings: Settings) -> Path:
    """Where evidence files live: `evidence_dir`, or `<database file>.evidence` beside an SQLite file."""
    if settings.evidence_dir:
        return Path(settings.evidence_dir)
    url = make_url(settings.database_url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        database = Path(url.database)
        return database.with_name(database.name + ".evidence")
    return Path("dtrack-evidence")


class Incoming:
    """A file being received: written as it arrives, hashed and counted; nothing kept past `cap` bytes.

    Past `cap` it keeps counting but writes nothing: the size says the file was too large (the core
    then refuses it with a message) without the disk holding what nobody will keep.
    """

    def __init__(self, folder: Path, cap: int) -> None:
        try:
            folder.mkdir(parents=True, exist_ok=True)
            fd, name = tempfile.mkstemp(dir=folder, prefix=".upload-")
        except OSError as exc:
            raise StorageFailed(exc.strerror or str(exc)) from None
        self.path = Path(name)
        self.cap = cap
        self.size = 0
        self._file = os.fdopen(fd, "wb")
        self._hash = hashlib.sha256()
        self.kept = False  # moved into the store: no longer this object's to remove

    @property
    def over_cap(self) -> bool:
        return self.size > self.cap

    def write(self, chunk: bytes) -> None:
        self.size += len(chunk)
        if self.over_cap:
            if not self._file.closed:  # the first chunk past the cap: what was written goes at once
                self._file.close()
                self.path.write_bytes(b"")
            return
        self._hash.update(chunk)
        self._file.write(chunk)

    @property
    def digest(self) -> str:
        return self._hash.hexdigest()

    def finish(self) -> None:
        """All bytes received: flushed to disk (the rename that follows must not publish a partial file)."""
        if not self._file.closed:
            self._file.flush()
            os.fsync(self._file.fileno())
            self._file.close()

    def discard(self) -> None:
        """Remove the file (a refused or failed upload); harmless once kept or discarded."""
        if not self._file.closed:
            self._file.close()
        if not self.kept:
            self.path.unlink(missing_ok=True)
            self.kept = True  # nothing left: a second discard does nothing


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

    def incoming(self, cap: int) -> Incoming:
        """A file to receive an upload into (see `Incoming`), on the store's own file system."""
        return Incoming(self.root / ".incoming", cap)

    def keep(self, incoming: Incoming) -> tuple[str, bool]:
        """Move a received file to its place; (its SHA-256, whether a new file was written)."""
        assert not incoming.over_cap, "the core refuses a file over the limit before keeping it"
        digest = incoming.digest
        target = self.path(digest)
        try:
            incoming.finish()
            if target.is_file() and target.stat().st_size == incoming.size:
                incoming.discard()  # the same content is there already
                return digest, False
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(incoming.path, target)
            incoming.kept = True
        except OSError as exc:
            incoming.discard()
            raise StorageFailed(exc.strerror or str(exc)) from None
        return digest, True

    def read(self, digest: str) -> bytes:
        try:
            return self.path(digest).read_bytes()
        except OSError as exc:
            raise StorageFailed(exc.strerror or str(exc), code="stored_file_missing") from None

    def discard(self, digest: str) -> None:
        """Remove a file that no row refers to (the caller has checked)."""
        self.path(digest).unlink(missing_ok=True)
