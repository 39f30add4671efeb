"""The persistence floor: the one `Database` gateway, locks, the tables (models) and what SQL names them.

Migrations (`dtrack/migrations/`) stand on this floor too. Nothing here knows the lifecycle: a state is a
column of text; the engine (`dtrack.workflow`) gives it meaning.
"""
