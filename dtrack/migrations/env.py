"""Alembic environment: always run by `Database.migrate` with a live connection."""
from alembic import context
from alembic.script import ScriptDirectory
from sqlalchemy import exc

from dtrack.migrations.released_gaps import fill_gaps
from dtrack.persistence.models import schema_metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise SystemExit("run migrations through `dtrack init`, which passes the connection")

context.configure(
    connection=connection,
    target_metadata=schema_metadata(),
    # SQLite cannot ALTER most things in place; batch mode copies the table.
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    # Databases made by releases whose migrations were later edited first get
    # what those edits added (released_gaps.py), then the normal upgrade runs.
    fill_gaps(context.get_context(), ScriptDirectory.from_config(context.config))
    context.run_migrations()
    if connection.dialect.name == "sqlite":
        # Database.migrate turns foreign keys off for batch mode's table copies;
        # the rows must still agree before anything is committed.
        broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
        if broken:
            table, rowid, parent, _ = broken[0]
            raise exc.IntegrityError("PRAGMA foreign_key_check", None, Exception(
                f"{len(broken)} row(s) refer to missing rows, e.g. {table} row {rowid} -> {parent}"))
