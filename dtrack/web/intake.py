"""Reading a form's body, after the edge knows who sends it, and only as far as the checks allow.

The edge (`edge._endpoint`) has already refused an anonymous POST to a
logged-in route without reading it, and set the route's body limit, which
`body_limit.BodyLimit` enforces on every byte read. Here:

- a urlencoded form is read whole (it is small: the route's limit) and parsed;
- a multipart form is parsed as it streams. Its text fields come first (the
  CSRF token is the first field of every form of dtrack); at the first file
  part the CSRF token is checked, so not one byte of a file is taken from a
  client whose form is not ours. A file part goes to the route's sink: in
  memory (a small file such as a directive or a figures file), or straight
  to the evidence store's disk (`evidence.storage.Incoming`), counted as it
  comes. Whatever was received is discarded again if anything refuses it.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import Request

if TYPE_CHECKING:  # python_multipart defines its callback types for type checkers only
    from python_multipart.multipart import MultipartCallbacks

MAX_FIELD = 3 * 1024 * 1024
MAX_FIELDS = 1000  # a DoS guard above any real form: the bulk accept has a check box per task shown (200)
MAX_FILES = 2


class MalformedBody(Exception):
    """The body is not a form we can read (400)."""


class CsrfRefused(Exception):
    """The form's CSRF token is missing or wrong (403)."""


class MemoryFile:
    """A small upload kept in memory (the route's body limit bounds it)."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []

    def write(self, chunk: bytes) -> None:
        self.parts.append(chunk)

    def discard(self) -> None:
        self.parts.clear()

    def content(self) -> bytes:
        return b"".join(self.parts)


# What a route's file parts go to: made per file, given the request (it may need the app's settings).
Sink = Callable[[Request], Any]


@dataclass
class Received:
    """A body as the handler gets it: text fields, and file parts as (file name, sink)."""

    form: dict[str, str] = field(default_factory=dict)
    files: dict[str, tuple[str, Any]] = field(default_factory=dict)

    def discard(self) -> None:
        """Remove whatever the file parts left behind (a refusal; harmless after the handler kept them)."""
        for _, sink in self.files.values():
            sink.discard()


def media_type(request: Request) -> str:
    return request.headers.get("content-type", "").partition(";")[0].strip().lower()


async def read_body(request: Request) -> bytes:
    """The whole body (bounded by the route's limit: `body_limit` raises past it)."""
    chunks = [chunk async for chunk in request.stream()]
    return b"".join(chunks)


async def read_form(request: Request, check_csrf: Callable[[str], bool], sink: Sink | None,
                    received: Received) -> None:
    """Fill `received` from the body; CsrfRefused before the first file byte when the token is wrong."""
    if media_type(request) == "multipart/form-data":
        await _multipart(request, check_csrf, sink or (lambda _: MemoryFile()), received)
        return
    # Every form but a file upload. The standard library's parser, as Starlette's decodes
    # (UTF-8, a malformed escape replaced): a third of the cost of Starlette's streaming one.
    body = await read_body(request)
    try:
        pairs = parse_qsl(body.decode("latin-1"), keep_blank_values=True, max_num_fields=MAX_FIELDS)
    except ValueError:  # more fields than any form has
        raise MalformedBody() from None
    for name, value in pairs:
        received.form.setdefault(name, value)


class _Parts:
    """The callbacks of python-multipart's streaming parser: fields to memory, files to their sink."""

    def __init__(self, request: Request, check_csrf: Callable[[str], bool], sink: Sink, received: Received) -> None:
        self.request, self.check_csrf, self.sink, self.received = request, check_csrf, sink, received
        self.header_name = self.header_value = b""
        self.disposition = b""
        self.name = ""
        self.text: bytearray | None = None
        self.file: Any = None
        self.fields = 0
        self.checked = False

    def callbacks(self) -> MultipartCallbacks:
        return {"on_part_begin": self.begin, "on_part_data": self.data, "on_part_end": self.end,
                "on_header_field": self.header_field, "on_header_value": self.header_value_part,
                "on_header_end": self.header_end, "on_headers_finished": self.headers_finished}

    def begin(self) -> None:
        self.disposition, self.text, self.file = b"", None, None

    def header_field(self, data: bytes, start: int, end: int) -> None:
        self.header_name += data[start:end]

    def header_value_part(self, data: bytes, start: int, end: int) -> None:
        self.header_value += data[start:end]

    def header_end(self) -> None:
        if self.header_name.lower() == b"content-disposition":
            self.disposition = self.header_value
        self.header_name = self.header_value = b""

    def headers_finished(self) -> None:
        _, options = parse_options_header(self.disposition)
        if b"name" not in options:
            raise MalformedBody()
        self.name = options[b"name"].decode("utf-8", errors="replace")
        if b"filename" not in options:
            self.fields += 1
            if self.fields > MAX_FIELDS:
                raise MalformedBody()
            self.text = bytearray()
            return
        if not self.checked:  # who and which form, before any file byte is taken
            if not self.check_csrf(self.received.form.get("csrf_token", "")):
                raise CsrfRefused()
            self.checked = True
        if len(self.received.files) >= MAX_FILES:
            raise MalformedBody()
        self.file = self.sink(self.request)
        filename = options[b"filename"].decode("utf-8", errors="replace")
        self.received.files[self.name] = (filename, self.file)

    def data(self, data: bytes, start: int, end: int) -> None:
        if self.file is not None:
            self.file.write(data[start:end])
        elif self.text is not None:
            self.text += data[start:end]
            if len(self.text) > MAX_FIELD:
                raise MalformedBody()

    def end(self) -> None:
        if self.text is not None:
            self.received.form.setdefault(self.name, self.text.decode("utf-8", errors="replace"))


async def _multipart(request: Request, check_csrf: Callable[[str], bool], sink: Sink, received: Received) -> None:
    _, params = parse_options_header(request.headers.get("content-type", ""))
    boundary = params.get(b"boundary")
    if not boundary:
        raise MalformedBody()
    parts = _Parts(request, check_csrf, sink, received)
    try:
        parser = MultipartParser(boundary, parts.callbacks())
        async for chunk in request.stream():
            parser.write(chunk)  # the sinks write as the parts come: no file is kept whole in memory
        parser.finalize()
    except (FormParserError, ValueError) as exc:
        raise MalformedBody() from exc
