"""The wheel, installed as a user installs it, outside the repository.

Built once per run with pip (build isolation, as `pip install .` does),
installed into a fresh virtual environment in a temporary folder, and run
from there: nothing is imported from the work tree, so a template, seed or
migration the wheel forgot fails here. The environment borrows the test
venv's third-party packages through a .pth file (no download); `dtrack`
itself comes only from the wheel.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow

# What setuptools says when the package layout drops data or guesses.
PACKAGING_WARNINGS = ("Package would be ignored", "SetuptoolsDeprecationWarning", "is not a package",
                      "Installing '", "as data is deprecated")


def _run(args: list[str | Path], cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """The `bin/` folder of a fresh venv with the wheel installed."""
    base = tmp_path_factory.mktemp("wheel")
    # Built from a copy of the sources: pip builds in the tree, and a build/ folder left by an earlier
    # build would carry files the checkout no longer has into the wheel.
    source = base / "source"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(
        ".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", ".*_cache", ".hypothesis"))
    built = _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-v", source, "-w", base / "dist"], cwd=base)
    assert built.returncode == 0, built.stdout + built.stderr
    log = built.stdout + built.stderr
    assert not [w for w in PACKAGING_WARNINGS if w in log], log
    [wheel] = (base / "dist").glob("dtrack-*.whl")
    venv = base / "venv"
    made = _run([sys.executable, "-m", "venv", venv], cwd=base)
    assert made.returncode == 0, made.stderr
    site = next((venv / "lib").glob("python3*/site-packages"))
    (site / "borrowed-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    install = _run([venv / "bin" / "python", "-m", "pip", "install", "--no-deps", "--no-index", wheel], cwd=base)
    assert install.returncode == 0, install.stdout + install.stderr
    return venv / "bin"


def test_the_wheel_holds_one_package_with_its_data(installed):
    [wheel] = (installed.parent.parent / "dist").glob("dtrack-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert {n.split("/")[0] for n in names} == {"dtrack", wheel.name.split("-py3")[0] + ".dist-info"}
    for needed in ("dtrack/migrations/versions/0001_initial_schema.py", "dtrack/migrations/script.py.mako",
                   "dtrack/templates/reports/national.html.j2", "dtrack/templates/email/digest.txt.j2",
                   "dtrack/seeds/examples/example-directive.toml", "dtrack/seeds/provinces.toml",
                   "dtrack/cli.py", "dtrack/workflow/service.py", "dtrack/locale/vi/LC_MESSAGES/dtrack.mo",
                   "dtrack/locale/en/LC_MESSAGES/dtrack.mo", "dtrack/locale/vi/LC_MESSAGES/dtrack.po",
                   "dtrack/templates/web/task.html.j2", "dtrack/web/static/dtrack.css"):
        assert needed in names
    # Data folders are package data, not packages.
    for folder in ("templates/web", "templates/email", "templates/reports", "web/static", "seeds/examples"):
        assert f"dtrack/{folder}/__init__.py" not in names
    found = _run([installed / "python", "-c", "import dtrack.cli; print(dtrack.cli.__file__)"], cwd=installed)
    assert found.stdout.startswith(str(installed.parent)), found.stdout + found.stderr


def test_the_installed_command_inits_reports_and_previews_a_digest(installed, empty_url, tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env.update(DTRACK_DATABASE_URL=empty_url, DTRACK_TODAY="2026-01-05", DTRACK_MAIL_DIR=str(tmp_path / "mail"))
    dtrack = installed / "dtrack"

    def run(*args: str) -> str:
        done = _run([dtrack, *args], cwd=tmp_path, env=env)
        assert done.returncode == 0, f"dtrack {' '.join(args)}:\n{done.stdout}{done.stderr}"
        assert "Traceback" not in done.stderr
        return done.stdout

    assert "nhiệm vụ: tạo mới 307" in run("init")
    run("users", "add", "--email", "a@soct.hanoi.gov.vn", "--name", "Nguyễn Văn A", "--role", "province",
        "--province", "ha-noi")
    report = run("report", "national")
    assert "<html" in report and "Hà Nội" in report
    preview = run("digest", "preview", "--to", "a@soct.hanoi.gov.vn")
    assert preview.startswith("Tiêu đề: [dtrack] Hà Nội") and "Kính gửi Nguyễn Văn A" in preview
    assert "EX-01/2026" in run("directive", "load", _example(installed))


def _example(installed: Path) -> str:
    """The example directive as the wheel ships it."""
    found = _run([installed / "python", "-c", "from dtrack.seeds import EXAMPLE_DIRECTIVE_FILE as f; print(f)"],
                 cwd=installed)
    return found.stdout.strip()
