"""Use cases that coordinate several packages: the floor above the features.

- `bootstrap`: `dtrack init` — schema, provinces, Directive 20/CT-BCT and its
  tasks, the seed figures (workflow + directives + reports).
- `demo`: `dtrack demo` — a simulated season, then that day's digests and the
  national report (workflow + notifications + reports).
- `scheduler`: `dtrack scheduler` — the leader-locked process that runs the
  reminder sweep and the daily digest run (workflow + notifications).

Nothing below this folder imports it; the CLI and the web call into it.
"""
