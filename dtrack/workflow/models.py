"""The name released migrations give the column type of every timestamp: `dtrack.workflow.models.UTCDateTime`.

Migrations 0001-0013 were released while the tables lived in the engine's package, and a released
migration never changes (their sha256 are in `migrations/released.txt`), so this one name stays where
they look for it. Everything else imports the tables from `dtrack.persistence.models`.
"""
from dtrack.persistence.models import UTCDateTime as UTCDateTime

__all__ = ["UTCDateTime"]
