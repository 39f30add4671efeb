"""task_tallies: each unit's tasks counted by the writes that change them, for today's figures (issue 25)

The dashboard, the scorecard and the report over every directive counted
today's figures over every task (`reading.dashboard_sql.province_counts`):
0.55-0.8 s on PostgreSQL at 955,244 tasks, paid again after every commit, so
with 34 provinces writing the overseer's dashboard was never drawn in time.

Most of a task's part in those figures does not depend on the day: whether it
is completed, on time or late (and by how many days), waiting for review,
blocked or still open. Those are summed here per (unit, year of the deadline:
the scorecard's year) -- 17,857 rows at 955,244 tasks -- by triggers on
`tasks`, in the statement that writes the task, so the sums are never behind
a committed write and no caller can forget them. What does depend on the day
(open tasks past their deadline, completed ones whose deadline has not come,
tasks assigned after it) is a short read of an index
(`reading.dashboard_sql.tallied_counts`); the tasks assigned after a day are
found on `ix_tasks_assigned_on`. A view of one directive counts its own tasks
(a thirtieth of them at that scale: as fast as these sums; a directive
dimension here made the table 70,912 rows, or 246,456 with the year).

The parts delegated to communes are tallied the same way, per unit and
directive (`part_tallies`: how many, how many completed; 685 rows at the
commune-scale season), by triggers on `task_parts`; the parts overdue on a
day (15,731 of 274,665 there) are read on `ix_task_parts_state_due`, which
now holds their tasks too. The nationwide count read every part: 250 ms on
PostgreSQL, after every commit. A task never moves to another unit, so a
part's unit is its task's when the part is written.

A task marked not applicable is not counted. Days are Asia/Ho_Chi_Minh's
(+07:00, kept since 1975): the reader falls back to counting every task for
another zone.

On PostgreSQL one trigger function writes the task's difference (new minus
old) to its row, so a transition locks one tally row (until it commits), and
none when no count changes (progress typed, a deadline moved on an open task:
the daily sweeps). A transaction that changes the counts of many tasks
(`dtrack deadlines extend --group`) holds their units' rows until it commits:
a transition in one of those units waits for it, as it would for its task's
row. SQLite has one writer at a time.

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-06
"""
from alembic import op
import sqlalchemy as sa


revision = '0026'
down_revision = '0025'
branch_labels = None
depends_on = None

KEY = ("province_id", "due_year")
COUNTS = ("tasks", "completed", "on_time", "late", "late_days", "awaiting", "blocked", "open")


def _due_year(r: str, dialect: str) -> str:
    """The year of the task's deadline (0: none), the scorecard's year of deadlines."""
    if dialect == "postgresql":
        return f"COALESCE(CAST(EXTRACT(YEAR FROM {r}.due_on) AS INTEGER), 0)"
    return f"COALESCE(CAST(strftime('%Y', {r}.due_on) AS INTEGER), 0)"


def _finished_day(r: str, dialect: str) -> str:
    finished = f"COALESCE({r}.submitted_at, {r}.completed_at)"
    if dialect == "postgresql":
        return f"CAST({finished} + INTERVAL '7 hours' AS DATE)"
    return f"date({finished}, '+420 minutes')"


def _days_late(r: str, dialect: str) -> str:
    day = _finished_day(r, dialect)
    if dialect == "postgresql":
        return f"({day} - {r}.due_on)"
    return f"CAST(julianday({day}) - julianday({r}.due_on) AS INTEGER)"


def contributions(r: str, dialect: str) -> dict[str, str]:
    """What one task row (`r`: NEW, OLD or an alias) adds to each count, as SQL (the rules of
    `reading.dashboard_sql.province_counts` that do not depend on the day)."""
    late = (f"({r}.state = 'completed' AND {r}.due_on IS NOT NULL "
            f"AND COALESCE({r}.submitted_at, {r}.completed_at) IS NOT NULL "
            f"AND {_finished_day(r, dialect)} > {r}.due_on)")
    awaiting = f"({r}.state = 'submitted' AND {r}.submitted_at IS NOT NULL)"
    return {
        "tasks": "1",
        "completed": f"CASE WHEN {r}.state = 'completed' THEN 1 ELSE 0 END",
        "on_time": f"CASE WHEN {r}.state = 'completed' AND NOT {late} THEN 1 ELSE 0 END",
        "late": f"CASE WHEN {late} THEN 1 ELSE 0 END",
        "late_days": f"CASE WHEN {late} THEN {_days_late(r, dialect)} ELSE 0 END",
        "awaiting": f"CASE WHEN {awaiting} THEN 1 ELSE 0 END",
        "blocked": f"CASE WHEN {r}.state = 'blocked' THEN 1 ELSE 0 END",
        "open": f"CASE WHEN {r}.state <> 'completed' AND NOT {awaiting} THEN 1 ELSE 0 END",
    }


WATCHED = ("state", "due_on", "submitted_at", "completed_at", "not_applicable_since", "province_id")


def _upsert(r: str, dialect: str, sign: str) -> str:
    """Add (`sign` '+') or take away ('-') row `r`'s contributions to its unit's tally row."""
    values = contributions(r, dialect)
    selected = ", ".join((f"{r}.province_id", _due_year(r, dialect), *(f"{sign}({values[c]})" for c in COUNTS)))
    return f"{_insert(selected)} WHERE {r}.not_applicable_since IS NULL {_adding()}"


def _insert(selected: str) -> str:
    # SQLite reads `INSERT ... SELECT ... ON CONFLICT` only with a WHERE in the SELECT (its upsert's parsing rule).
    return f"INSERT INTO task_tallies ({', '.join((*KEY, *COUNTS))}) SELECT {selected}"


def _adding() -> str:
    updates = ", ".join(f"{c} = task_tallies.{c} + excluded.{c}" for c in COUNTS)
    return f"ON CONFLICT ({', '.join(KEY)}) DO UPDATE SET {updates}"


def _pg_function() -> str:
    new, old = contributions("NEW", "postgresql"), contributions("OLD", "postgresql")
    same_key = (f"OLD.province_id = NEW.province_id "
                f"AND {_due_year('OLD', 'postgresql')} = {_due_year('NEW', 'postgresql')}")
    difference = ", ".join(f"({new[c]}) - ({old[c]})" for c in COUNTS)
    no_difference = " AND ".join(f"({new[c]}) = ({old[c]})" for c in COUNTS)
    counted_both = "OLD.not_applicable_since IS NULL AND NEW.not_applicable_since IS NULL"
    unchanged = " AND ".join(f"OLD.{c} IS NOT DISTINCT FROM NEW.{c}" for c in WATCHED)
    return f"""
        CREATE FUNCTION dtrack_tally_task() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'UPDATE' THEN
                IF {unchanged} THEN
                    RETURN NULL;
                END IF;
                IF {same_key} AND {counted_both} THEN  -- one row, one write: the difference
                    IF {no_difference} THEN  -- a deadline moved on an open task: no count changed, no row locked
                        RETURN NULL;
                    END IF;
                    {_insert(f"NEW.province_id, {_due_year('NEW', 'postgresql')}, {difference}")}
                    {_adding()};
                    RETURN NULL;
                END IF;
            END IF;
            IF TG_OP IN ('UPDATE', 'DELETE') THEN
                {_upsert("OLD", "postgresql", "-")};
            END IF;
            IF TG_OP IN ('UPDATE', 'INSERT') THEN
                {_upsert("NEW", "postgresql", "+")};
            END IF;
            RETURN NULL;
        END $$"""


PART_COUNTS = ("parts", "completed")


def _part_upsert(r: str, sign: str) -> str:
    """Add or take away part row `r` in its task's unit's tally, under its task's directive."""
    return (f"INSERT INTO part_tallies (province_id, directive_id, parts, completed) "
            f"SELECT t.province_id, g.directive_id, {sign}1, "
            f"{sign}(CASE WHEN {r}.state = 'completed' THEN 1 ELSE 0 END) "
            f"FROM tasks t JOIN task_groups g ON g.id = t.group_id WHERE t.id = {r}.task_id "
            f"ON CONFLICT (province_id, directive_id) DO UPDATE SET parts = part_tallies.parts + excluded.parts, "
            f"completed = part_tallies.completed + excluded.completed")


def _part_triggers(dialect: str) -> list[str]:
    if dialect == "postgresql":
        return [f"""
            CREATE FUNCTION dtrack_tally_part() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_OP = 'UPDATE' AND OLD.state = NEW.state AND OLD.task_id = NEW.task_id THEN
                    RETURN NULL;  -- progress, notes, deadlines: no count changed, no row locked
                END IF;
                IF TG_OP IN ('UPDATE', 'DELETE') THEN
                    {_part_upsert("OLD", "-")};
                END IF;
                IF TG_OP IN ('UPDATE', 'INSERT') THEN
                    {_part_upsert("NEW", "+")};
                END IF;
                RETURN NULL;
            END $$""",
                "CREATE TRIGGER dtrack_tally_part AFTER INSERT OR UPDATE OR DELETE ON task_parts "
                "FOR EACH ROW EXECUTE FUNCTION dtrack_tally_part()"]
    changed = "OLD.state IS NOT NEW.state OR OLD.task_id IS NOT NEW.task_id"
    return [
        f"CREATE TRIGGER dtrack_tally_part_insert AFTER INSERT ON task_parts BEGIN {_part_upsert('NEW', '+')}; END",
        f"CREATE TRIGGER dtrack_tally_part_delete AFTER DELETE ON task_parts BEGIN {_part_upsert('OLD', '-')}; END",
        f"CREATE TRIGGER dtrack_tally_part_update AFTER UPDATE ON task_parts WHEN {changed} BEGIN "
        f"{_part_upsert('OLD', '-')}; {_part_upsert('NEW', '+')}; END",
    ]


def _part_fill() -> str:
    return ("INSERT INTO part_tallies (province_id, directive_id, parts, completed) "
            "SELECT t.province_id, g.directive_id, count(*), SUM(CASE WHEN p.state = 'completed' THEN 1 ELSE 0 END) "
            "FROM task_parts p JOIN tasks t ON t.id = p.task_id JOIN task_groups g ON g.id = t.group_id "
            "GROUP BY t.province_id, g.directive_id")


def _sqlite_triggers() -> list[str]:
    changed = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in WATCHED)
    return [
        f"CREATE TRIGGER dtrack_tally_insert AFTER INSERT ON tasks BEGIN {_upsert('NEW', 'sqlite', '+')}; END",
        f"CREATE TRIGGER dtrack_tally_delete AFTER DELETE ON tasks BEGIN {_upsert('OLD', 'sqlite', '-')}; END",
        f"CREATE TRIGGER dtrack_tally_update AFTER UPDATE ON tasks WHEN {changed} BEGIN "
        f"{_upsert('OLD', 'sqlite', '-')}; {_upsert('NEW', 'sqlite', '+')}; END",
    ]


def _fill(dialect: str) -> str:
    """Every task counted as the triggers count it, for a database that has tasks already."""
    values = contributions("t", dialect)
    year = _due_year("t", dialect)
    return (f"INSERT INTO task_tallies ({', '.join((*KEY, *COUNTS))}) "
            f"SELECT t.province_id, {year}, {', '.join(f'SUM({values[c]})' for c in COUNTS)} "
            f"FROM tasks t WHERE t.not_applicable_since IS NULL GROUP BY t.province_id, {year}")


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    op.create_table('task_tallies',
    sa.Column('province_id', sa.Integer(), nullable=False),
    sa.Column('due_year', sa.Integer(), nullable=False),
    *(sa.Column(name, sa.Integer(), nullable=False) for name in COUNTS),
    sa.ForeignKeyConstraint(['province_id'], ['provinces.id'], name=op.f('fk_task_tallies_province_id_provinces')),
    sa.PrimaryKeyConstraint('province_id', 'due_year', name=op.f('pk_task_tallies'))
    )
    op.create_index('ix_tasks_assigned_on', 'tasks', ['assigned_on'], unique=False)
    op.create_table('part_tallies',
    sa.Column('province_id', sa.Integer(), nullable=False),
    sa.Column('directive_id', sa.Integer(), nullable=False),
    *(sa.Column(name, sa.Integer(), nullable=False) for name in PART_COUNTS),
    sa.ForeignKeyConstraint(['directive_id'], ['directives.id'], name=op.f('fk_part_tallies_directive_id_directives')),
    sa.ForeignKeyConstraint(['province_id'], ['provinces.id'], name=op.f('fk_part_tallies_province_id_provinces')),
    sa.PrimaryKeyConstraint('province_id', 'directive_id', name=op.f('pk_part_tallies'))
    )
    # The parts overdue on a day, a range of this index with their tasks: no part row read (0018 made it without them).
    op.drop_index('ix_task_parts_state_due', table_name='task_parts')
    op.create_index('ix_task_parts_state_due', 'task_parts', ['state', 'due_on', 'task_id'], unique=False)
    op.execute(_fill(dialect))
    op.execute(_part_fill())
    for statement in _part_triggers(dialect):
        op.execute(statement)
    if dialect == "postgresql":
        op.execute('CREATE TRIGGER dtrack_note_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE '
                   'ON "part_tallies" FOR EACH STATEMENT EXECUTE FUNCTION dtrack_note_change()')  # 0020
        op.execute('CREATE TRIGGER dtrack_note_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE '
                   'ON "task_tallies" FOR EACH STATEMENT EXECUTE FUNCTION dtrack_note_change()')  # 0020
        op.execute(_pg_function())
        op.execute("CREATE TRIGGER dtrack_tally_task AFTER INSERT OR UPDATE OR DELETE ON tasks "
                   "FOR EACH ROW EXECUTE FUNCTION dtrack_tally_task()")
    else:
        for statement in _sqlite_triggers():
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER dtrack_tally_task ON tasks")
        op.execute("DROP FUNCTION dtrack_tally_task()")
        op.execute("DROP TRIGGER dtrack_tally_part ON task_parts")
        op.execute("DROP FUNCTION dtrack_tally_part()")
    else:
        for name in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER dtrack_tally_{name}")
            op.execute(f"DROP TRIGGER dtrack_tally_part_{name}")
    op.drop_table('part_tallies')
    op.drop_index('ix_task_parts_state_due', table_name='task_parts')
    op.create_index('ix_task_parts_state_due', 'task_parts', ['state', 'due_on'], unique=False)
    op.drop_index('ix_tasks_assigned_on', table_name='tasks')
    op.drop_table('task_tallies')
