"""dtrack's commands, one module per command group (or top-level command).

Each module registers its commands on the root group of `dtrack.cli` when it
is imported, and `dtrack.cli` imports them all once the group and the shared
options exist. Importing `dtrack.cli` first here keeps the order right when a
command module is the first thing imported (the evidence commands join the
`task` group, which must be complete by then).
"""
import dtrack.cli  # noqa: F401 - the root group and the shared options, then every command
