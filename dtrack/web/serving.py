"""What `dtrack serve` gives uvicorn beyond the app: TCP_NODELAY on every connection.

With `--workers N` uvicorn's supervisor binds the socket itself (protocol 0),
and asyncio only sets TCP_NODELAY on sockets that say IPPROTO_TCP: every
keep-alive response then waits for the client's delayed ACK (~40 ms, see
docs/performance.md). This protocol sets it on each accepted connection.
"""
from __future__ import annotations

import asyncio
import contextlib
import socket

from uvicorn.protocols.http.auto import AutoHTTPProtocol

PROTOCOL = "dtrack.web.serving:NoDelayHTTP"


class NoDelayHTTP(AutoHTTPProtocol):  # type: ignore[misc, valid-type]
    def connection_made(self, transport: asyncio.BaseTransport) -> None:  # type: ignore[override]
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            with contextlib.suppress(OSError):  # not every transport allows it; latency, not correctness
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().connection_made(transport)  # type: ignore[arg-type]
