"""Alembic environment: always run by `Database.migrate` with a live connection."""
from alembic import context

from dtrack.workflow.models import schema_metadata

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
    context.run_migrations()
