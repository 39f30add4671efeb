"""dtrack: track how provinces carry out a government directive.

The repository keeps one folder per layer at its top (`workflow/`,
`directives/`, `notifications/`, `reports/`, ...); this package gathers
them under the one importable name `dtrack` through relative symlinks, so
the installed wheel, the editable install, ruff, mypy and an editor's
go-to-definition all see the same tree: `dtrack.workflow.service` is
`workflow/service.py`.
"""
__version__ = "0.1.0"
