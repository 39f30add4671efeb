"""The floors a transition is measured against (bench/suite_engine.py): the same job by hand, the driver's writes.

`same_job_writer` is issue 25's floor: what the engine does, done the
cheapest way (read, check, version-checked UPDATE, audit INSERT, commit);
`raw_writer` is the driver's own limit: the writes alone, no read, no check.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlalchemy import bindparam, insert, text

from dtrack.persistence.database import Database
from dtrack.persistence.models import Event
from dtrack.workflow.vocabulary import Role, Trigger

if TYPE_CHECKING:  # the plan's step; suite_engine imports this module
    from bench.suite_engine import Step


def same_job_writer(db: Database) -> Callable[[Step], object]:
    """The engine's job done the cheapest way by hand: the floor a transition is measured against.

    Per step, on a pooled connection (the engine's connection policy: on
    PostgreSQL in autocommit mode with the writes as one statement, as the
    engine; on SQLite one `Database.transaction`): ONE statement reading the task
    by its key with the actor by e-mail (as the engine's `read_for_transition`),
    the checks (actor active and the task's own or an overseer; the move allowed
    from the state read), on a judging step the last submitter (four eyes), a
    version-checked UPDATE (a lost race raises), the audit INSERT, the commit.
    What it leaves out is what the engine adds on top of that job: the lifecycle
    table, error wording, reminders and deadline bookkeeping.
    """
    read = text(
        "SELECT t.id, t.state, t.version, t.province_id, g.owner, u.id AS actor_id, u.role, "
        "u.province_id AS actor_province_id, u.disabled_at "
        "FROM tasks t JOIN task_groups g ON g.id = t.group_id JOIN directives d ON d.id = g.directive_id "
        "JOIN provinces p ON p.id = t.province_id JOIN users u ON u.email = :email "
        "WHERE d.code = :code AND g.ordinal = :ordinal AND p.slug = :slug AND t.period = :period")
    last_submitter = text("SELECT actor_id FROM events WHERE task_id = :tid AND trigger = 'submit' "
                          "ORDER BY id DESC LIMIT 1")
    set_progress = text("UPDATE tasks SET state = :state, updated_at = :now, version = version + 1, "
                        "progress = :progress WHERE id = :tid AND version = :version")
    keep_progress = text("UPDATE tasks SET state = :state, updated_at = :now, version = version + 1 "
                         "WHERE id = :tid AND version = :version")
    add_event = insert(Event.__table__).values({c: bindparam(c, type_=Event.__table__.c[c].type) for c in (
        "task_id", "actor_id", "trigger", "from_state", "to_state", "progress", "note", "evidence", "at")})
    now = datetime(2026, 1, 5, 1, tzinfo=UTC)
    stamp = now if not db.is_sqlite else "2026-01-05 01:00:00.000000"
    judged_by_overseers = {Trigger.SEND_BACK, Trigger.ACCEPT, Trigger.REOPEN}

    # PostgreSQL: the engine's lever is the cheapest way there too (workflow.one_statement): the read in
    # autocommit mode, then the guarded UPDATE and the audit INSERT as ONE statement, atomic on its own.
    one_statement = not db.is_sqlite
    update_cte = ("WITH u AS (UPDATE tasks SET state = :state, updated_at = :now, version = version + 1{progress} "
                  "WHERE id = :tid AND version = :version RETURNING id) "
                  "INSERT INTO events (task_id, actor_id, trigger, from_state, to_state, progress, note, evidence, at) "
                  "SELECT u.id, :actor_id, :trigger, :from_state, :to_state, :event_progress, :note, NULL, :now "
                  "FROM u RETURNING id")
    write_set = text(update_cte.format(progress=", progress = :progress"))
    write_keep = text(update_cte.format(progress=""))

    def write(s: Step) -> None:
        code, ordinal, slug, *period = s.key.split(":")
        with db.statement_connection() if one_statement else db.transaction() as conn:
            row = conn.execute(read, {"email": s.actor, "code": code, "ordinal": int(ordinal), "slug": slug,
                                      "period": period[0] if period else ""}).one()
            if row.disabled_at is not None or row.state != s.from_state:
                raise RuntimeError(f"floor: refused {s.key} {s.trigger}")
            overseer = row.role in (Role.OVERSEER, Role.ADMIN)
            if s.trigger in judged_by_overseers and not overseer:
                raise RuntimeError("floor: not an overseer")
            if s.trigger not in judged_by_overseers and not (overseer or row.actor_province_id == row.province_id):
                raise RuntimeError("floor: not the task's own")
            if s.trigger == Trigger.ACCEPT and conn.execute(last_submitter, {"tid": row.id}).scalar() == row.actor_id:
                raise RuntimeError("floor: four eyes")
            if one_statement:
                written = conn.execute(write_keep if s.progress is None else write_set, {
                    "state": s.to_state, "now": now, "progress": s.progress, "tid": row.id, "version": row.version,
                    "actor_id": row.actor_id, "trigger": s.trigger.value, "from_state": s.from_state,
                    "to_state": s.to_state, "event_progress": s.progress or 0, "note": s.note}).scalar()
                if written is None:
                    raise RuntimeError("floor: lost the race")
                return
            done = conn.execute(keep_progress if s.progress is None else set_progress,
                                {"state": s.to_state, "now": stamp, "progress": s.progress, "tid": row.id,
                                 "version": row.version})
            if done.rowcount != 1:
                raise RuntimeError("floor: lost the race")
            conn.execute(add_event, {"task_id": row.id, "actor_id": row.actor_id, "trigger": s.trigger.value,
                                     "from_state": s.from_state, "to_state": s.to_state, "progress": s.progress or 0,
                                     "note": s.note, "evidence": None, "at": now})

    return write


def raw_writer(db: Database) -> tuple[Callable[[Step], object], Callable[[], None]]:
    """The same writes through the DB-API driver itself (sqlite3 or psycopg): SQL text, one held connection.

    The connection comes from the engine's pool, so it has the same settings
    (SQLite: WAL, synchronous = NORMAL; PostgreSQL: synchronous_commit on).
    """
    raw = db.engine.raw_connection()
    mark = "?" if db.is_sqlite else "%s"
    cursor = raw.cursor()
    cursor.execute("SELECT email, id FROM users")
    actors = dict(cursor.fetchall())
    raw.commit()
    now = datetime(2026, 1, 5, 1) if not db.is_sqlite else "2026-01-05 01:00:00.000000"
    set_progress = (f"UPDATE tasks SET state = {mark}, updated_at = {mark}, version = version + 1, progress = {mark} "
                    f"WHERE id = {mark}")
    keep_progress = f"UPDATE tasks SET state = {mark}, updated_at = {mark}, version = version + 1 WHERE id = {mark}"
    add_event = ("INSERT INTO events (task_id, actor_id, trigger, from_state, to_state, progress, note, evidence, at) "
                 f"VALUES ({', '.join([mark] * 9)})")

    def write(s: Step) -> None:
        if s.progress is None:
            cursor.execute(keep_progress, (s.to_state, now, s.task_id))
        else:
            cursor.execute(set_progress, (s.to_state, now, s.progress, s.task_id))
        cursor.execute(add_event, (s.task_id, actors[s.actor], s.trigger.value, s.from_state, s.to_state,
                                   s.progress or 0, s.note, None, now))
        raw.commit()

    return write, raw.close
