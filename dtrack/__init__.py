"""dtrack: track how provinces carry out a government directive.

One plain package: each layer is a subpackage (`dtrack.workflow`,
`dtrack.directives`, `dtrack.notifications`, `dtrack.reports`, ...), and
templates, seeds and migrations travel with it as package data.
"""
__version__ = "0.1.0"
