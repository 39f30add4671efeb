"""Scratch databases for one benchmark run on one back-end.

SQLite: files in the run's folder. PostgreSQL: databases named
`dtrack_bench_*` on DTRACK_BENCH_PG_URL (default: the local server as
postgres), created from an initialised template and dropped by `close`.
"""
from __future__ import annotations

import os
import shutil
import uuid
from datetime import date
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bench.generate import FULL_SHAPE, QUICK_DELEGATE_TO, QUICK_SHAPE, GenerateStats, generate
from dtrack.config.clock import Clock
from dtrack.persistence.database import Database
from dtrack.usecases.bootstrap import initialise

PG_URL = os.environ.get("DTRACK_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432")
ASSIGNED_ON = date(2025, 11, 3)


def pg_database_url(name: str) -> str:
    """The URL of database `name` on the benchmark's PostgreSQL server."""
    return make_url(PG_URL).set(database=name).render_as_string(hide_password=False)


class Scratch:
    """The scratch databases of one back-end for one run; `close` removes them all."""

    def __init__(self, backend: str, workdir: Path, quick: bool) -> None:
        self.backend = backend
        self.workdir = workdir
        self.quick = quick
        self.created: list[str] = []  # PostgreSQL database names
        self.template: str | None = None  # an initialised database to copy
        self.big: str | None = None
        self.big_stats: GenerateStats | None = None
        self.admin = None
        if backend == "postgresql":
            self.admin = create_engine(pg_database_url("postgres"), isolation_level="AUTOCOMMIT")

    def _new(self, stem: str) -> str:
        """A URL for a new, empty database."""
        if self.backend == "sqlite":
            return f"sqlite:///{self.workdir / f'{stem}-{uuid.uuid4().hex[:8]}.db'}"
        name = f"dtrack_bench_{stem}_{uuid.uuid4().hex[:8]}"
        self._create(name)
        return pg_database_url(name)

    def _create(self, name: str, template: str | None = None) -> None:
        assert self.admin is not None
        with self.admin.connect() as conn:
            clause = f' TEMPLATE "{template}"' if template else ""
            conn.execute(text(f'CREATE DATABASE "{name}"{clause}'))
        self.created.append(name)

    def fresh_url(self) -> str:
        """A new initialised database (34 provinces, Directive 20 and its 307 tasks), copied from a template."""
        if self.template is None:
            url = self._new("template")
            db = Database(url)
            initialise(db, Clock(pinned=ASSIGNED_ON))
            if db.is_sqlite:
                with db.engine.connect() as conn:
                    conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            db.dispose()
            self.template = url
        if self.backend == "sqlite":
            source = make_url(self.template).database
            target = self.workdir / f"fresh-{uuid.uuid4().hex[:8]}.db"
            shutil.copy(source, target)
            return f"sqlite:///{target}"
        name = f"dtrack_bench_fresh_{uuid.uuid4().hex[:8]}"
        self._create(name, template=make_url(self.template).database)
        return pg_database_url(name)

    def big_url(self) -> str:
        """The scale data set, generated on first use and shared by every suite of the run."""
        kept = os.environ.get(f"DTRACK_BENCH_SEASON_{self.backend.upper()}")
        if self.big is None and kept and not self.quick:
            # A season generated before (bench/generate.py, FULL_SHAPE) and kept by whoever runs a suite again:
            # the suites write to it (users, updates), and it is not dropped at the end.
            print(f"  the season of DTRACK_BENCH_SEASON_{self.backend.upper()}, generated before", flush=True)
            self.big = kept
        if self.big is None:
            directives, units, groups = QUICK_SHAPE if self.quick else FULL_SHAPE
            url = self._new("big")
            print(f"  generating {directives} x {units} x {groups} tasks on {self.backend} ...", flush=True)
            self.big_stats = generate(url, directives=directives, units=units, groups=groups,
                                      delegate_to=QUICK_DELEGATE_TO if self.quick else None)
            print(f"  commune-scale season: {self.big_stats.parts:,} parts of {self.big_stats.delegated_tasks:,} "
                  f"tasks, {self.big_stats.part_events:,} part events", flush=True)
            self.big = url
        return self.big

    def close(self) -> None:
        if self.admin is not None:
            with self.admin.connect() as conn:
                for name in self.created:
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            self.admin.dispose()
