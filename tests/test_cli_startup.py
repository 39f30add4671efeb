"""What a command loads to start: a read command stays light (issue 12).

Speed itself is the benchmark's (bench/suite_engine.py, start-up); these
tests pin the behaviour the speed rests on, so a later import at the top of
a module cannot silently undo it: which libraries and mapped classes a read
command imports, and that the garbage collector held off during start-up
is on again (with start-up's objects frozen) once the command has its
database, whatever the command.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

# Libraries a read command does not need; each costs milliseconds to import.
HEAVY = ("transitions", "jinja2", "babel", "holidays", "openpyxl", "icalendar", "argon2", "alembic",
         "starlette", "uvicorn", "apscheduler", "multipart")
# The feature tables' classes are mapped when a module first names them (models.__getattr__).
FEATURE_MODELS = ("dtrack.persistence.feature_models", "dtrack.persistence.account_models",
                  "dtrack.persistence.evidence_models")

# Runs `dtrack ARGS...` through the entry point in this process, then reports what it loaded.
PROBE = """
import gc, json, sys
from sqlalchemy.orm import class_mapper
from dtrack.cli import main
sys.argv = ["dtrack", *sys.argv[1:]]
code = None
try:
    main()
except SystemExit as exit:
    code = exit.code
from dtrack.persistence import models
print(json.dumps({"code": code, "modules": sorted(sys.modules), "gc_enabled": gc.isenabled(),
                  "frozen": gc.get_freeze_count(),
                  "mapped": sorted(m.class_.__name__ for m in models.Base.registry.mappers)}))
"""


def probe(db_url: str, *args: str, succeeds: bool = True) -> dict:
    env = {**os.environ, "DTRACK_DATABASE_URL": db_url, "DTRACK_TODAY": "2026-01-05"}
    done = subprocess.run([sys.executable, "-c", PROBE, *args], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.splitlines()[-1])
    assert (report["code"] in (0, None)) == succeeds, done.stdout + done.stderr
    return report


def test_tasks_list_imports_no_heavy_library_and_maps_only_the_engine_tables(db_url):
    report = probe(db_url, "tasks", "list", "--province", "ha-noi")
    loaded = set(report["modules"])
    assert "dtrack.workflow.tasks" in loaded  # the probe did run the command
    assert [name for name in HEAVY if name in loaded] == []
    assert [name for name in FEATURE_MODELS if name in loaded] == []
    # Commune too: users.commune_id refers to it, and a flush of users resolves that key (persistence/models.py).
    assert report["mapped"] == ["Commune", "Directive", "Event", "Province", "ProvinceAlias", "Task", "TaskGroup",
                                "User"]


def test_a_read_command_collects_again_once_it_has_its_database(db_url):
    report = probe(db_url, "tasks", "list", "--province", "ha-noi")
    assert report["gc_enabled"]
    assert report["frozen"] > 10_000  # start-up's objects, out of the collector's reach


@pytest.mark.parametrize(("args", "succeeds"), [(("--help",), True), (("lifecycle",), True),
                                              (("tasks", "list", "--region", "nowhere"), False)],
                         ids=["help", "no-database", "refused"])
def test_the_collector_is_on_again_after_any_command(db_url, args, succeeds):
    assert probe(db_url, *args, succeeds=succeeds)["gc_enabled"]


def test_feature_models_load_when_named():
    code = ("import sys\nfrom dtrack.persistence.models import Reminder, WebSession\n"
            "from dtrack.persistence import models\n"
            "print(Reminder.__tablename__, WebSession.__tablename__,"
            " 'dtrack.persistence.evidence_models' in sys.modules,"
            " len(models.schema_metadata().tables))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["reminders", "web_sessions", "False", "29"]  # 0021: +2 tables, 0022: +1, 0026: +2
