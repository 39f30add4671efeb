"""The house's floors, read from the import statements so they stay true.

From the bottom:
  ground       `errors.py` (the error codes), `unseen.py`, `config/` (typed settings, the clock);
  persistence  `persistence/` (the `Database` gateway, locks, the tables) and `migrations/`;
  engine       `workflow/` (vocabulary, lifecycle, transitions, access, deadlines, assignments,
               extensions, reminders);
  read side    `reading/` (listings, the overdue review, status, the pages' view models) and
               `i18n/` (the catalogs that word codes and labels);
  features     `directives/`, `notifications/`, `reports/`, `accounts/`, `evidence/`, `templates/`, `seeds/`,
               `documents/`;
  use cases    `usecases/`;
  front ends   `cli.py` and the commands it assembles (`commands/`), `terminal.py`, `web/`.
A module may import its own floor and the floors below, never above.
Every import of the project goes through the one name `dtrack`.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2] / "dtrack"

GROUND = {"errors", "unseen", "config"}
PERSISTENCE = {"persistence", "migrations"}
ENGINE = {"workflow"}
READING = {"reading", "i18n"}
FEATURES = {"directives", "notifications", "reports", "accounts", "templates", "seeds", "evidence", "documents"}
USECASES = {"usecases"}
FRONT_ENDS = {"cli", "commands", "terminal", "terminal_wording", "web"}
ALL = GROUND | PERSISTENCE | ENGINE | READING | FEATURES | USECASES | FRONT_ENDS

BELOW_ENGINE = GROUND | PERSISTENCE
CORE = BELOW_ENGINE | ENGINE | READING
# What each floor may import from the project (besides itself).
ALLOWED = {
    "errors": set(),
    "unseen": set(),
    "config": {"errors"},
    "persistence": GROUND,
    # Released migrations name `dtrack.workflow.models.UTCDateTime` and never change (see that module).
    "migrations": GROUND | {"persistence", "workflow"},
    "workflow": BELOW_ENGINE,
    "reading": BELOW_ENGINE | ENGINE,
    "i18n": BELOW_ENGINE | ENGINE,
    # templates/ holds the shared Jinja environment, which registers engine filters.
    "templates": CORE,
    "seeds": set(),
    "directives": CORE,
    "notifications": CORE | {"templates"},
    "reports": CORE | {"templates", "directives", "notifications", "seeds"},
    "accounts": CORE | {"notifications", "templates"},
    "evidence": CORE,
    # Official documents (DOCX, PDF) are made from the reports' data and the directive's words.
    "documents": CORE | {"templates", "reports", "directives", "notifications"},
    "usecases": CORE | FEATURES,
    "terminal": CORE | FEATURES | {"terminal_wording"},
    "terminal_wording": CORE,
    # cli.py and commands/ are one front end in two parts: cli.py (the group, the error mapping, main)
    # imports the commands and adds them; the commands never import cli.py (no circle).
    "cli": CORE | FEATURES | USECASES | {"commands", "terminal", "terminal_wording", "web"},
    "commands": CORE | FEATURES | USECASES | {"terminal", "terminal_wording", "web"},
    "web": CORE | FEATURES | USECASES,
}


def _modules() -> list[tuple[str, Path]]:
    found = []
    for name in sorted(ALL):
        folder, module = ROOT / name, ROOT / f"{name}.py"
        if folder.is_dir():
            found += [(name, path) for path in sorted(folder.rglob("*.py"))]
        elif module.is_file():
            found.append((name, module))
    return found


def _imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "dtrack":  # from dtrack import terminal
                names += [(node.lineno, f"dtrack.{alias.name}") for alias in node.names]
            else:
                names.append((node.lineno, node.module))
    return names


MODULES = _modules()


def test_the_house_has_its_floors():
    floors = {floor for floor, _ in MODULES}
    assert {"config", "persistence", "workflow", "reading", "directives", "notifications", "reports", "usecases", "cli",
            "commands", "terminal"} <= floors
    assert len(MODULES) > 50


def violations(floor: str, path: Path) -> list[str]:
    wrong = []
    for line, name in _imports(path):
        top = name.split(".")[0]
        if top in ALL:
            wrong.append(f"line {line}: `{name}` bypasses the package name; import `dtrack.{name}`")
            continue
        if top != "dtrack" or name == "dtrack":
            continue
        target = name.split(".")[1]
        if target != floor and target not in ALLOWED[floor]:
            wrong.append(f"line {line}: {floor} imports {name}, a floor above it")
    return wrong


@pytest.mark.parametrize(("floor", "path"), MODULES, ids=[str(p.relative_to(ROOT)) for _, p in MODULES])
def test_imports_go_down_and_through_dtrack(floor, path):
    wrong = violations(floor, path)
    assert not wrong, f"{path.relative_to(ROOT)}:\n" + "\n".join(wrong)


def test_the_check_sees_an_import_up_the_house_and_a_bare_name(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("import persistence.models\nfrom dtrack.reports.render import render_file\n"
                      "from dtrack import cli\nfrom dtrack.persistence.models import Task\n")
    assert [v.split(":")[0] for v in violations("workflow", module)] == ["line 1", "line 2", "line 3"]
    assert [v.split(":")[0] for v in violations("cli", module)] == ["line 1"]


def test_the_package_is_plain_and_holds_every_floor():
    """No symlinks anywhere in the tree: a checkout without symlink support builds the same wheel."""
    repo = ROOT.parent
    links = [p for p in repo.rglob("*") if p.is_symlink() and ".venv" not in p.parts and ".git" not in p.parts]
    assert not links, links
    for name in ALL:
        assert (ROOT / name).is_dir() or (ROOT / f"{name}.py").is_file(), name
        assert not (repo / name).exists() and not (repo / f"{name}.py").exists(), f"{name} outside dtrack/"
