"""The style and type gates, inside the suite: ruff with the stated rule set and mypy, both at 0.

The rule set is `[tool.ruff.lint]` in pyproject.toml, mypy's settings are `[tool.mypy]`; the
versions are pinned in setup.cfg's test extra, so a finding here is this tree's, not a new release's.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, timeout=600)


def test_ruff_finds_nothing():
    done = _run("ruff", "check", "--no-cache", "--output-format", "concise", ".")
    assert done.returncode == 0, done.stdout + done.stderr


def test_mypy_finds_nothing():
    done = _run("mypy", "--no-error-summary")
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_browser_fixture_is_defined_once():
    """A second `chromium` fixture (imported into a test module) starts a second sync Playwright in a
    worker that already runs one, and every browser test after it there fails at setup."""
    offenders = [str(path.relative_to(ROOT)) for path in (ROOT / "tests").rglob("*.py")
                 if path.name not in ("browser_support.py", "conftest.py", "test_codestyle.py")
                 and "import chromium" in path.read_text(encoding="utf-8")]
    assert not offenders, offenders
