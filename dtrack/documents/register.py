"""Taking the next outgoing number of an issuing body, inside the transaction that issues the document.

One statement takes it: `UPDATE document_counters SET last_number = last_number + 1 … RETURNING
last_number`. On PostgreSQL the UPDATE holds the counter row's lock until the issuing transaction
ends, so a second issuer waits and then reads the incremented value; on SQLite the write lock does
the same for the whole database. The first number of a year inserts the row (`ON CONFLICT DO
NOTHING`: two first issuers at once both end at the UPDATE). A rolled-back issue rolls its
increment back too, so the numbers have no gap.
"""
from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from dtrack.persistence.document_models import DocumentCounter


def take_number(session: Session, issuer: str, year: int) -> int:
    """The next number of `issuer` in `year` (1, 2, …); the caller's transaction keeps it or gives it back."""
    bump = (update(DocumentCounter).where(DocumentCounter.issuer == issuer, DocumentCounter.year == year)
            .values(last_number=DocumentCounter.last_number + 1).returning(DocumentCounter.last_number))
    taken = session.execute(bump).scalar_one_or_none()
    if taken is not None:
        return int(taken)
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    first = (dialect.insert(DocumentCounter).values(issuer=issuer, year=year, last_number=0)
             .on_conflict_do_nothing(index_elements=["issuer", "year"]))
    session.execute(first)
    return int(session.execute(bump).scalar_one())


def peek_number(session: Session, issuer: str, year: int) -> int:
    """The last number given (0: none yet), without taking one: what a draft would not show."""
    row = session.get(DocumentCounter, (issuer, year))
    return row.last_number if row else 0
