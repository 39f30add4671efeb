"""A figures file sent through the web page: the same import as `dtrack indicators import`, from bytes.

The upload is written to a temporary file named like the original (the
reader goes by .csv or .xlsx), imported all or nothing with its line-numbered
errors, and removed. Errors about the file come back on the `file` field.
"""
from __future__ import annotations

import tempfile
from datetime import date, datetime
from pathlib import Path, PurePath

from sqlalchemy.orm import Session

from dtrack.errors import ImportInvalid, InvalidInput
from dtrack.reports.indicators import DEFAULT_DIRECTIVE, ImportResult, import_file

MAX_BYTES = 10 * 1024 * 1024


def import_upload(session: Session, filename: str, content: bytes, actor_email: str, now: datetime, today: date, *,
                  directive: str = DEFAULT_DIRECTIVE, replace: bool = False) -> ImportResult:
    """Import an uploaded CSV or XLSX of figures in the caller's transaction (all rows or none)."""
    name = PurePath(filename or "").name
    suffix = PurePath(name).suffix.lower()
    if not content:
        raise InvalidInput("file", "no_figures_file")
    if len(content) > MAX_BYTES:
        raise InvalidInput("file", "figures_file_too_large", mb=MAX_BYTES // (1024 * 1024))
    if suffix not in (".csv", ".xlsx"):
        raise InvalidInput("file", "not_csv_or_xlsx", path=name)
    with tempfile.TemporaryDirectory(prefix="dtrack-upload-") as folder:
        path = Path(folder) / f"upload{suffix}"
        path.write_bytes(content)
        try:
            result = import_file(session, path, actor_email, now, today, directive=directive, replace=replace)
        except ImportInvalid as exc:  # shown beside the form's file field, the rows listed
            raise InvalidInput("file", f"upload_{exc.error_code}", path=name, count=len(exc.problems),
                               problems=exc.problems) from None
        except InvalidInput as exc:
            if exc.params.get("path") == str(path):  # the reader names the file by its path: here, the sent name
                raise InvalidInput("file", exc.error_code, **{**exc.params, "path": name}) from None
            raise
    result.path = name
    return result
