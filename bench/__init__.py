"""dtrack's benchmark suite: `make bench` (full) or `make bench-quick` (CI smoke run).

Each suite is a module `bench/suite_<name>.py` with `run(ctx) -> list[Result]`;
`SUITES` lists them in the order they run. See bench/context.py.
"""
SUITES: list[str] = ["suite_engine", "suite_peer", "suite_deadlines", "suite_digests", "suite_reports",
                     "suite_collaboration", "suite_communes", "suite_web"]
# Not part of the full `make bench` (its 15-minute budget): `make bench-web` or `--only web`.
# The quick run keeps it.
SEPARATE_IN_FULL: set[str] = {"suite_web"}
