"""What mail each person chose: how often their digest comes and which sections it holds.

A user chooses on the account page (accounts.preferences saves it): a daily
digest, a weekly one (on `digest_weekday`), or none beyond what their role
requires; and which of their role's sections it holds. What the role requires
is the work that waits on them - a province's overdue and returned tasks, an
overseer's submissions to review and extension requests, a commune's returned
and overdue parts - and comes every day whatever they chose, so no one can switch off the
mail their job depends on.

The builder gathers as before and then `honour`s each person's choice: the
sections they did not choose are dropped (their reminders are still marked
sent: the person chose not to hear of them), and on a day their digest is not
due only the required sections are kept (and the overseers' weekly summary is
left out); a digest left with nothing in it is not sent (`Digest.quiet`).
"""
from __future__ import annotations

from dataclasses import replace

from dtrack.notifications.digest_items import Digest
from dtrack.workflow.vocabulary import Role

DAILY, WEEKLY, NONE = "daily", "weekly", "none"
FREQUENCIES = (DAILY, WEEKLY, NONE)

# Each role's sections, in the order the digest lists them (digest_gathering builds them).
SECTIONS: dict[str, tuple[str, ...]] = {
    Role.PROVINCE.value: ("overdue", "due_today", "due_soon", "returned", "blocked", "late_communes", "reminders",
                          "changes"),
    Role.OVERSEER.value: ("newly_overdue", "long_overdue", "awaiting_review", "blocked", "extension_requests",
                          "escalations", "comments"),
    # A commune officer's parts (issue 24, digest_communes): named apart from the province's tasks.
    Role.COMMUNE.value: ("parts_returned", "parts_overdue", "parts_due_today", "parts_due_soon"),
}
REQUIRED: dict[str, frozenset[str]] = {
    Role.PROVINCE.value: frozenset({"overdue", "returned"}),
    Role.OVERSEER.value: frozenset({"awaiting_review", "extension_requests"}),
    Role.COMMUNE.value: frozenset({"parts_returned", "parts_overdue"}),
}


def chosen_sections(role: str, stored: str | None) -> set[str]:
    """The sections a user's stored choice names (every section of the role when none is stored)."""
    every = SECTIONS.get(role, ())
    if stored is None:
        return set(every)
    return {name for name in stored.split(",") if name in every} | REQUIRED.get(role, frozenset())


def is_due(frequency: str, weekly_day: bool) -> bool:
    """Whether the chosen digest comes today (beyond the required sections, which come every day)."""
    return frequency == DAILY or (frequency == WEEKLY and weekly_day)


def honour(digest: Digest, frequency: str, stored: str | None, weekly_day: bool) -> Digest:
    """The digest as the person chose it (see the module's docstring)."""
    due = is_due(frequency, weekly_day)
    keep = chosen_sections(digest.role, stored) if due else set(REQUIRED.get(digest.role, frozenset()))
    sections = [s for s in digest.sections if s.name in keep or s.name not in SECTIONS.get(digest.role, ())]
    if due and stored is None and frequency == DAILY:
        return digest  # the default: nothing to change
    weekly = digest.weekly and due
    # The province's late communes are a block of their own (digest_items.LateCommunes), chosen as a section is.
    late = digest.late_communes if "late_communes" in keep else None
    return replace(digest, sections=sections, weekly=weekly, week=digest.week if weekly else {},
                   quiet=not due and not any(s.total for s in sections), late_communes=late)
