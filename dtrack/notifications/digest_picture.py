"""The national picture the overseers' digest opens with (issue 26): the dashboard's own figures.

The same counts as the dashboard (`reading.dashboard`: the Government Office's
on-time rate over the tasks due by the day, open overdue tasks, blocked tasks),
for the country first and then one line per region, so the mail and the
dashboard never disagree. Only the day's counts are read, not the trend, and nothing is written.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from dtrack.config.today import Today
from dtrack.persistence.models import Province
from dtrack.reading.dashboard import Counts, day_counts
from dtrack.reading.scope import EVERYWHERE
from dtrack.workflow.applicability import province_units
from dtrack.workflow.vocabulary import Region


@dataclass(frozen=True, slots=True)
class PictureLine:
    """The country ("" as region) or one region, as the dashboard counts it on the digest's day."""

    region: str
    provinces: int
    on_time: int
    due: int
    overdue: int
    blocked: int

    @property
    def rate(self) -> float | None:
        return None if not self.due else self.on_time / self.due


def national_picture(session: Session, today: Today) -> list[PictureLine]:
    """The country, then each region (north to south), with the dashboard's counts for `today`."""
    # The checkpoints judged here, read only: the dashboard's kept months (`checkpoints_by`) write, and a
    # digest build must not take the write lock other builders and senders wait on.
    counts = day_counts(session, today, EVERYWHERE)
    units = session.execute(select(Province.slug, Province.region).where(province_units())).all()
    grouped: dict[str, list[Counts]] = {}
    for slug, region in units:
        for name in ("", region):
            grouped.setdefault(name, []).append(counts.get(slug, Counts()))
    totals = {name: Counts.sum(many) for name, many in grouped.items()}
    provinces = {name: len(many) for name, many in grouped.items()}
    order = [""] + [r.value for r in Region if r.value in totals]
    return [PictureLine(name, provinces[name], totals[name].on_time, totals[name].due, totals[name].overdue,
                        totals[name].blocked) for name in order if name in totals]


__all__ = ["PictureLine", "national_picture"]
