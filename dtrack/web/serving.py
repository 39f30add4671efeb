"""How `dtrack serve` runs the application under uvicorn: the factory, the workers, TCP_NODELAY.

The application is always built by a factory (`dtrack.web.asgi.create_app`
with the command's settings and --as-of bound to it), in each worker process
that serves it: the configuration travels with uvicorn's `Config` (pickled
into each spawned worker), never through the environment.

With `--workers N` uvicorn's supervisor binds the socket itself (protocol 0),
and asyncio only sets TCP_NODELAY on sockets that say IPPROTO_TCP: every
keep-alive response then waits for the client's delayed ACK (~40 ms, see
docs/performance.md). `NoDelayHTTP` sets it on each accepted connection.
"""
from __future__ import annotations

import asyncio
import contextlib
import socket
import sys
from collections.abc import Callable

import uvicorn
from starlette.applications import Starlette
from uvicorn.protocols.http.auto import AutoHTTPProtocol
from uvicorn.supervisors import Multiprocess

PROTOCOL = "dtrack.web.serving:NoDelayHTTP"
STARTUP_FAILURE = 3  # uvicorn's exit status when the server did not start


class NoDelayHTTP(AutoHTTPProtocol):  # type: ignore[misc, valid-type]
    def connection_made(self, transport: asyncio.BaseTransport) -> None:  # type: ignore[override]
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            with contextlib.suppress(OSError):  # not every transport allows it; latency, not correctness
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().connection_made(transport)  # type: ignore[arg-type]


def run(factory: Callable[[], Starlette], *, host: str, port: int, workers: int) -> None:
    """Serve the application `factory` builds, in this process or in `workers` worker processes.

    `factory` must pickle (a module-level function, or a `functools.partial` of one with plain
    arguments) when there are several workers. What `uvicorn.run` does, minus its rule that
    several workers take an import string (which leaves only the environment to configure them).
    """
    # Server errors are logged with their reference id (the page shows only the id). No access log:
    # at log level warning uvicorn printed none anyway, but still formatted each line's arguments
    # (the reverse proxy in front keeps the access log). uvicorn uses httptools, installed with
    # dtrack (setup.cfg), and falls back to h11 without it; and uvloop if someone installs it.
    config = uvicorn.Config(factory, factory=True, host=host, port=port, workers=workers, log_level="warning",
                            access_log=False, http=PROTOCOL)
    server = uvicorn.Server(config)
    with contextlib.suppress(KeyboardInterrupt):
        if workers > 1:
            Multiprocess(config, sockets=[config.bind_socket()]).run()
            return
        server.run()
    if not server.started:
        sys.exit(STARTUP_FAILURE)
