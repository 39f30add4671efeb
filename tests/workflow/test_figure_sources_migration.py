"""Upgrading a database that already holds figures: each row gets its source unit, same-day rows a revision."""
from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import text

from dtrack.persistence.database import MIGRATIONS_DIR, Database

NOW = "2026-01-05 00:00:00"


def _config(connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


def _before_source_units(config: Config) -> str:
    """The revision before the one that adds source_unit (found by its file, whatever its number)."""
    scripts = ScriptDirectory.from_config(config)
    found = next(s for s in scripts.walk_revisions() if s.path.endswith("_figure_sources.py"))
    return found.down_revision


def test_existing_figures_get_their_source_unit_and_distinct_revisions(empty_url):
    db = Database(empty_url)
    with db.engine.begin() as conn:
        config = _config(conn)
        command.upgrade(config, _before_source_units(config))
        conn.execute(text("INSERT INTO provinces (id, slug, name, name_en, region, kind, ordinal) VALUES "
                          "(1, 'an-giang', 'An Giang', 'An Giang', 'south', 'province', 1)"))
        conn.execute(text("INSERT INTO directives (id, code, title_vi, title_en, issuer_vi, issuer_en, digest, "
                          "loaded_at) VALUES (1, 'X/1', 't', 't', 'i', 'i', 'd', :now)"), {"now": NOW})
        for number, code in ((1, "typical_products_voted"), (2, "trainees")):
            conn.execute(text("INSERT INTO indicators (id, directive_id, ordinal, code, name_vi, name_en, unit_vi, "
                              "unit_en, aggregate) VALUES (:id, 1, :id, :code, 'n', 'n', 'u', 'u', 'sum')"),
                         {"id": number, "code": code})
        rows = [  # scope, province, region, indicator, period, value, actor
            ("province", 1, None, 2, "2025", 10),
            ("province", 1, None, 2, "2025", 12),  # a same-day correction, as rows were before
            ("region", None, "south", 2, "2025", 5),
            ("national", None, None, 2, "2025", 7),
            ("region", None, "north", 1, "2024", 126),  # the seed's misfiled "honoured" figure
        ]
        for number, (scope, province, region, indicator, period, value) in enumerate(rows, start=1):
            conn.execute(text("INSERT INTO indicator_values (id, indicator_id, scope, province_id, region, period, "
                              "as_of, value, created_at) "
                              "VALUES (:id, :i, :s, :p, :r, :period, '2025-09-30', :v, :now)"),
                         {"id": number, "i": indicator, "s": scope, "p": province, "r": region, "period": period,
                          "v": value, "now": NOW})
    db.migrate()
    with db.engine.connect() as conn:
        stored = conn.execute(text("SELECT id, source_unit, revision FROM indicator_values ORDER BY id")).all()
    db.dispose()
    assert [tuple(r) for r in stored] == [(1, "an-giang", 1), (2, "an-giang", 2), (3, "south", 1), (4, "national", 1)]
