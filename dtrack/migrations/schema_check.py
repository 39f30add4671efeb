"""Does the live schema match the models? Checked by `dtrack init` after upgrading.

Alembic's autogenerate comparison (`compare_metadata`) lists what would have
to change in the database for it to match `schema_metadata()`. An upgrade that
"succeeds" yet leaves the schema short (as an edited released migration once
did) is then caught before init says the schema is up to date.

Some differences are only how a back-end reports a schema, not a difference
in it; `_harmless` drops those (see there).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.engine import Connection

from dtrack.errors import DtrackError, because
from dtrack.persistence.models import schema_metadata


@dataclass(frozen=True)
class Difference:
    """One way the live schema differs: `change` is a code (`missing_table`, ...), `name` the object."""

    change: str
    name: str


class SchemaDrift(DtrackError):
    """The upgraded schema differs from the models: the differences as data, worded by the front end.

    `first` is the first difference (a `Reason` coded by its change) and
    `more` how many others there are; `differences` keeps them all.
    """

    error_code = "schema_drift"

    def __init__(self, url: str, differences: list[Difference]) -> None:
        self.url = url
        self.differences = differences
        self.more = len(differences) - 1
        first = because(f"schema_{differences[0].change}", name=differences[0].name)
        super().__init__(code="schema_drift_more" if self.more else None, url=url, first=first, more=self.more)


_SIDES = {"add": "missing", "remove": "extra"}


def _describe(diff: Any) -> Difference:
    """One alembic difference tuple (or list of column modifications) as a Difference."""
    if isinstance(diff, list):  # modify_type / modify_nullable / modify_default of one column
        _, _schema, table, column, *_ = diff[0]
        return Difference("changed_column", f"{table}.{column}")
    verb, _, what = diff[0].partition("_")
    side = _SIDES.get(verb, "extra")
    if what == "table":
        return Difference(f"{side}_table", diff[1].name)
    if what == "column":
        return Difference(f"{side}_column", f"{diff[2]}.{diff[3].name}")
    if what == "index":
        return Difference(f"{side}_index", f"{diff[1].name} ({diff[1].table.name})")
    constraint = diff[1]  # add_fk / remove_fk / add_constraint / remove_constraint
    name = constraint.name or ", ".join(c.name for c in constraint.columns)
    return Difference(f"{side}_constraint", f"{name} ({constraint.table.name})")


def _harmless(diff: Any, dialect: str) -> bool:
    """Differences in how a back-end reports the schema, not in the schema.

    - alembic's own version table is not a model;
    - SQLite keeps no names for unnamed UNIQUE constraints it reflects as indexes
      and cannot compare server defaults reliably, so neither is a difference there.
    """
    if isinstance(diff, list):
        return dialect == "sqlite" and all(d[0] == "modify_default" for d in diff)
    return diff[0] == "remove_table" and diff[1].name == "alembic_version"


def differences(connection: Connection) -> list[Difference]:
    """How the schema behind `connection` differs from the models; empty when it matches."""
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    dialect = connection.dialect.name
    return [_describe(d) for d in compare_metadata(context, schema_metadata()) if not _harmless(d, dialect)]


def check(connection: Connection, url: str) -> None:
    """Raise SchemaDrift naming the first difference, if there is any."""
    found = differences(connection)
    if found:
        raise SchemaDrift(url, found)
