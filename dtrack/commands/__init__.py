"""dtrack's commands, one module per command group (or top-level command).

Each module declares its commands with click alone and takes what commands
share (the `App`, the common options, the one-line errors) from
`commands.shared`; `dtrack.cli` imports the modules and adds their commands
to the root group. No command module imports `dtrack.cli`.
"""
