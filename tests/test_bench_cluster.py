"""`make bench-cluster` in a few seconds (issue 25): servers and the leading scheduler killed -9, nothing lost.

Three `dtrack serve` and two `dtrack scheduler` processes on one fresh
PostgreSQL database; clients write round-robin through them; one server and
the leader are killed in the middle. Marked `faults`: it starts five
processes and takes about 20 s.
"""
from __future__ import annotations

import pytest

from bench.cluster import run

pytestmark = [pytest.mark.faults, pytest.mark.postgres]


def test_a_short_cluster_run_loses_nothing(tmp_path, pg_databases):
    summary = run(seconds=6, clients=2, digest=False, workdir=tmp_path)
    assert summary["transitions confirmed"] > 50  # the load did write, before and after the kill
    assert summary["transitions lost"] == 0
    assert summary["events beyond confirmed"] <= summary["answers cut off"]
    assert summary["reminders"] > 0
    assert summary["reminders written twice"] == summary["reminders missing"] == 0
    assert summary["standby leads after s"] is not None and summary["standby leads after s"] < 5
