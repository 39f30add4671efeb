"""Round trips as the wire carries them: libpq's own trace of the PostgreSQL protocol.

Counting statements (SQLAlchemy's `before_cursor_execute`) and adding a
BEGIN and a COMMIT per transaction guesses at the wire: a connection in
autocommit mode sends neither, and pipelined statements share one wait. The
protocol says it exactly: the client waits for the server once per
`ReadyForQuery` the server sends (one per simple Query, BEGIN and COMMIT
included, and one per Sync of the extended protocol). `RoundTrips` turns on
libpq's trace (psycopg's `PGconn.trace`) on every connection the engine
hands out while it is open, and counts them.
"""
from __future__ import annotations

import tempfile
from types import TracebackType
from typing import IO, Any

from sqlalchemy import Engine, event


class RoundTrips:
    """`with RoundTrips(engine) as trips: ...; trips.count` (PostgreSQL through psycopg only)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.count = 0
        self._traced: list[tuple[Any, IO[bytes]]] = []

    def _checkout(self, dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
        from psycopg import pq

        pgconn = dbapi_connection.pgconn
        if any(traced is pgconn for traced, _ in self._traced):
            return
        sink = tempfile.TemporaryFile()  # noqa: SIM115 - open until __exit__ reads and closes it
        pgconn.trace(sink.fileno())
        pgconn.set_trace_flags(pq.Trace.SUPPRESS_TIMESTAMPS | pq.Trace.REGRESS_MODE)
        self._traced.append((pgconn, sink))

    def __enter__(self) -> RoundTrips:
        if self.engine.dialect.name != "postgresql":
            raise ValueError("round trips are counted on PostgreSQL's wire only")
        event.listen(self.engine, "checkout", self._checkout)
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        event.remove(self.engine, "checkout", self._checkout)
        for pgconn, sink in self._traced:
            pgconn.untrace()
            sink.seek(0)
            self.count += sum(1 for line in sink.read().decode(errors="replace").splitlines()
                              if line.split("\t")[:1] == ["B"] and "\tReadyForQuery\t" in line)
            sink.close()
        self._traced.clear()


__all__ = ["RoundTrips"]
