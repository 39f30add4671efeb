"""What a file really is, judged by its bytes: the types a province may attach as evidence.

The name's extension must agree with the content: a renamed executable is
not a PDF because it is called `quyet-dinh.pdf`. Office files are ZIP
archives, told apart by what they hold (Word and Excel by their part names,
ODF by the `mimetype` member the format puts first).
"""
from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import BinaryIO

from dtrack.errors import InvalidInput


@dataclass(frozen=True)
class FileType:
    name: str
    mimetype: str
    extensions: tuple[str, ...]


PDF = FileType("PDF", "application/pdf", (".pdf",))
DOCX = FileType("DOCX", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", (".docx",))
XLSX = FileType("XLSX", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (".xlsx",))
ODT = FileType("ODT", "application/vnd.oasis.opendocument.text", (".odt",))
ODS = FileType("ODS", "application/vnd.oasis.opendocument.spreadsheet", (".ods",))
JPEG = FileType("JPEG", "image/jpeg", (".jpg", ".jpeg"))
PNG = FileType("PNG", "image/png", (".png",))
ALLOWED = (PDF, DOCX, XLSX, ODT, ODS, JPEG, PNG)
ALLOWED_TEXT = "PDF, DOCX, XLSX, ODT, ODS, JPEG, PNG"


def _zip_kind(content: bytes | BinaryIO) -> FileType | None:
    try:
        with zipfile.ZipFile(io.BytesIO(content) if isinstance(content, bytes) else content) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                declared = archive.read("mimetype")[:100].decode("ascii", errors="replace").strip()
                return {ODT.mimetype: ODT, ODS.mimetype: ODS}.get(declared)
            if "[Content_Types].xml" in names:
                if any(n.startswith("word/") for n in names):
                    return DOCX
                if any(n.startswith("xl/") for n in names):
                    return XLSX
    except (zipfile.BadZipFile, OSError, KeyError, RuntimeError, ValueError, NotImplementedError):
        return None
    return None


def sniff(content: bytes | Path) -> FileType | None:
    """The allowed type the bytes (or the received file holding them) are, or None."""
    if isinstance(content, Path):  # an upload received to disk (evidence.storage.Incoming)
        with content.open("rb") as file:
            if file.read(4) == b"PK\x03\x04":
                file.seek(0)
                return _zip_kind(file)
            file.seek(0)
            return sniff(file.read(16))
    if content.startswith(b"%PDF-"):
        return PDF
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if content.startswith(b"\xff\xd8\xff"):
        return JPEG
    if content.startswith(b"PK\x03\x04"):
        return _zip_kind(content)
    return None


def check_file(filename: str, content: bytes | Path, max_bytes: int, size: int | None = None) -> FileType:
    """The file's type if it may be attached; InvalidInput saying what is wrong otherwise.

    `content` is the bytes, or a received file and its `size` (as counted while it arrived).
    """
    size = len(content) if isinstance(content, bytes) else size
    assert size is not None, "a received file comes with its size"
    if not size:
        raise InvalidInput("file", "file_empty")
    if size > max_bytes:
        raise InvalidInput("file", "file_too_big", size_mb=size / 1e6, max_mb=max_bytes / 1e6)
    kind = sniff(content)
    if kind is None:
        raise InvalidInput("file", "file_type_not_allowed", allowed=ALLOWED_TEXT)
    extension = PurePath(filename).suffix.lower()
    if extension not in kind.extensions:
        raise InvalidInput("file", "file_extension_mismatch", kind=kind.name, extension=extension,
                           expected=kind.extensions[0])
    return kind
