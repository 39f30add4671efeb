"""`dtrack init`: create or upgrade the schema and load the shipped seeds.

Safe to run again at any time: migrations apply only what is missing,
provinces are upserted, the directive is loaded idempotently, and assigning
creates only the tasks that do not exist yet; the seed figures (2024-2025)
are added once, and so is the official list of communes (3,321 rows in one
bulk insert into an empty table; a later list is `dtrack communes update`'s).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from dtrack.config.clock import Clock
from dtrack.directives.format import parse_file
from dtrack.directives.loader import LoadResult, load
from dtrack.migrations.schema_check import check as check_schema
from dtrack.persistence.database import Database
from dtrack.reports.indicators import import_file
from dtrack.seeds import DIRECTIVE_20_FILE, INDICATORS_FILE, PROVINCES_FILE
from dtrack.workflow.assignments import AssignResult, assign
from dtrack.workflow.commune_list import commune_count, load_communes
from dtrack.workflow.deadlines import WorkCalendar
from dtrack.workflow.provinces import all_provinces, load_provinces

# The last day the seed figures stand at (the southern conference of 20/10/2025).
SEED_FIGURES_UNTIL = date(2025, 10, 20)


@dataclass
class InitResult:
    provinces: int
    directive: LoadResult
    assignment: AssignResult
    figures: int = 0  # seed indicator figures added (0 when already there)
    communes_added: int = 0  # communes loaded from the official list (0 when already there)
    communes: int = 0  # communes in force after init


def initialise(db: Database, clock: Clock, calendar: WorkCalendar | None = None) -> InitResult:
    """Migrate, then load the seeds; deadlines count working days on `calendar` (WorkCalendar.of(settings)).

    Raises SchemaDrift (before any seed is loaded) when the upgraded schema
    still differs from the models: init never reports such a schema up to date.
    """
    db.migrate()
    with db.engine.connect() as connection:
        check_schema(connection, db.display_url)
    spec = parse_file(DIRECTIVE_20_FILE)
    with db.session() as session:
        provinces = load_provinces(session, PROVINCES_FILE)
        # After the provinces: the communes are mapped onto them by the official code the seed file gives.
        communes_added = load_communes(session, clock.now())
        communes = commune_count(session)
        loaded = load(session, spec, clock.now(), str(DIRECTIVE_20_FILE))
        # Deadlines count from the directive's date when it is known, so every
        # installation computes the same defaults.
        assigned_on = spec.issued_on or clock.today()
        assignment = assign(session, spec.code, all_provinces(session), assigned_on, clock.now(), calendar)
        # The seed figures stand at dates in 2024-2025, whatever today is.
        # Loading them again changes nothing: a figure already standing is "unchanged".
        figures = import_file(session, INDICATORS_FILE, None, clock.now(), max(clock.today(), SEED_FIGURES_UNTIL))
    return InitResult(provinces, loaded, assignment, figures.imported, communes_added, communes)
