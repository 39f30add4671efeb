"""The OpenAPI document is a promise kept: schemathesis against a live `dtrack serve`, with a province and an
overseer token.

`schemathesis run --checks all` is run as a process against the server of
`web_site` (each back-end), once per token. Every check counts: no 5xx,
status codes, content types, headers and bodies as documented, schema-invalid
requests refused (negative data rejection), schema-valid ones not refused with
a 400/422 (positive data acceptance: the document states every rule a caller
can know in advance), a 405 with its Allow header for an undeclared method,
no answer without a token. The test asserts zero failures, and the counts are
printed (`-s`) so a run can be reported.

The normal suite runs a bounded depth (a few examples per operation, the
coverage phase left out); `make check-faults` runs every phase at full depth.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select

from dtrack.accounts.api_tokens import create_token
from dtrack.config.clock import Clock
from dtrack.persistence.models import User
from dtrack.web import api
from tests.web.browser_support import OFFICER, OVERSEER

SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")
CONFIG = Path(__file__).with_name("schemathesis.toml")  # the one date-dependent rule, explained there
GENERATED = re.compile(r"(\d+) generated, (?:(\d+) passed|(\d+) found (\d+) unique failures?)")
OPERATIONS = re.compile(r"Operations:\s+(\d+) selected / (\d+) total")


@dataclass(frozen=True)
class Run:
    """What one `schemathesis run` found."""

    role: str
    returncode: int
    operations: int
    generated: int
    failures: int
    output: str

    def summary(self) -> str:
        return f"{self.role}: {self.operations} operations, {self.generated} requests, {self.failures} failures"


@pytest.fixture(scope="module")
def tokens(web_site) -> dict[str, str]:
    made = {}
    for account in (OFFICER, OVERSEER):
        with web_site.db.session() as session:
            user_id = session.scalar(select(User.id).where(User.email == account.email))
        made[account.role] = create_token(web_site.db, Clock(), user_id, "schemathesis", 30).token
    return made


def schemathesis_runs(site, tokens: dict[str, str], *extra: str, timeout: float) -> list[Run]:
    """One `schemathesis run` per token, side by side (two processes: half the wall time of one after the other)."""
    started = {}
    for role, token in tokens.items():
        argv = [str(SCHEMATHESIS), "--config-file", str(CONFIG), "run", site.url("/api/v1/openapi.json"),
                "--checks", "all",
                "--header", f"Authorization: Bearer {token}", "--workers", "1", "--no-color",
                "--generation-database", "none", "--continue-on-failure", *extra]
        started[role] = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                         env={**os.environ, "NO_COLOR": "1", "SCHEMATHESIS_TELEMETRY": "false"})
    runs = []
    for role, process in started.items():
        try:
            output, _ = process.communicate(timeout=timeout)
        finally:
            if process.poll() is None:
                process.kill()
                process.communicate()
        counts, operations = GENERATED.search(output), OPERATIONS.search(output)
        assert counts and operations, f"schemathesis did not run ({process.returncode}):\n{output[-4000:]}"
        failures = 0 if counts.group(2) else int(counts.group(4))
        runs.append(Run(role, process.returncode, int(operations.group(1)), int(counts.group(1)), failures, output))
    return runs


def _conforms(site, tokens, *extra: str, timeout: float) -> None:
    runs = schemathesis_runs(site, tokens, *extra, timeout=timeout)
    for run in runs:
        print(f"\n[{site.backend}] {run.summary()}")
    for run in runs:
        assert run.operations == len(_served()), run.output[-4000:]
        assert run.failures == 0 and run.returncode == 0, f"{run.summary()}\n{run.output[-12000:]}"


def _served() -> set[tuple[str, str]]:
    return {(method, route.path.replace(":int", "")) for route in api.routes if route.name != "api_openapi"
            for method in route.methods - {"HEAD"}}


def test_every_route_is_in_the_document(web_site):
    with urllib.request.urlopen(web_site.url("/api/v1/openapi.json"), timeout=10) as answer:
        document = json.load(answer)
    documented = {(method.upper(), path) for path, item in document["paths"].items() for method in item}
    assert documented == _served()


def test_every_answer_matches_the_document(web_site, tokens):
    """A bounded depth for every run: the examples, a few fuzzed requests per operation, the stateful links."""
    _conforms(web_site, tokens, "--phases", "examples,fuzzing,stateful", "--max-examples", "10", "--seed", "20",
              timeout=60)


@pytest.mark.faults
def test_every_answer_matches_the_document_at_full_depth(web_site, tokens):
    """Every phase (the coverage phase's boundary and invalid values too), many examples per operation."""
    _conforms(web_site, tokens, "--max-examples", "300", timeout=1800)
