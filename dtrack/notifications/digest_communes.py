"""Commune officers' digests, and the late communes in their province officers' digest (issue 24).

A commune officer's digest lists first their commune's parts the province
sent back for rework (with the province's note), then the parts that are
overdue (how many days late), due today, and due within the due-soon window
province officers get (`Today.due_soon_days`), each named by its task's
title, the province and the part's own instruction (what the commune must
do), linking to /parts/{id}. It is built with everyone else's (`digest_gathering`): the
same batches, preferences (`digest_preferences.SECTIONS`, the overdue parts
required), outbox, HTML and text, in the person's language.

Why the items are read from the parts when the digest is built, and not from
reminder rows as tasks have: a province's overdue, due-today and due-soon
sections are themselves read from the tasks' state and deadline at build
time (`Reader.province_sections`); reminder rows only add the "14, 7, 1 days
before" cadence, the overseers' escalations and their consumed-once
bookkeeping. A part needs only the former. Reminder rows are keyed by task
(`reminders.task_id` and its unique key), so parts there would take a new
column (a migration), a second sweep and a second cancellation path on every
part transition, to say nothing the part's own row does not say. And nothing
needs consuming: the outbox already keeps one digest per person and day.
So one query per batch of communes (window functions rank and count each
commune's sections, as for provinces), and a commune with nothing due sends
no mail (`Digest.has_news`).

The province officers' block "late_communes" is `reading.late_communes`'s
list (the same "late" and the same order as the drill-down page it links to),
read for the batch's provinces in one query. Its rows are communes, not tasks,
so it is a block of its own (`digest_items.LateCommunes`, as the overseers'
urge letters are), chosen or left out on the account page as a section is.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from typing import TYPE_CHECKING

from sqlalchemy import case, func, or_, select

from dtrack.config.settings import Settings
from dtrack.notifications.digest_items import Digest, Item, LateCommuneLine, LateCommunes, Section, section_copies
from dtrack.notifications.digest_preferences import SECTIONS
from dtrack.notifications.digest_reading import Reader
from dtrack.notifications.wording import WORDS
from dtrack.persistence.commune_models import Commune
from dtrack.persistence.models import Task
from dtrack.persistence.part_models import PartEvent, TaskPart
from dtrack.reading.late_communes import late_by_province
from dtrack.workflow.parts import part_key
from dtrack.workflow.vocabulary import OWED_BY_PROVINCE, Role, State, Trigger

if TYPE_CHECKING:  # digest_gathering imports this module
    from dtrack.notifications.digest_gathering import Recipient

COMMUNE_SECTIONS = SECTIONS[Role.COMMUNE.value]  # parts_returned, parts_overdue, parts_due_today, parts_due_soon

__all__ = ["COMMUNE_SECTIONS", "commune_digests", "commune_sections", "late_communes_of", "page_link"]


def page_link(settings: Settings, path: str) -> str:
    """A page of the site under the configured base URL; "" when none is configured."""
    base = settings.base_url.rstrip("/")
    return f"{base}{path}" if base else ""


def commune_sections(reader: Reader, commune_ids: Collection[int]) -> dict[int, dict[str, tuple[list[Item], int]]]:
    """commune id -> section -> (the first `cap` parts by deadline, how many) for the batch's communes.

    A part the province sent back comes first, in a section of its own whatever its deadline, with the
    province's note (its latest send-back's): the rework is what the commune must do before anything
    else. Any other part is listed while its commune owes it (the states a task is owed by its province
    in: a submitted part waits for the province) and its deadline is at most the due-soon window away.
    """
    day = reader.day
    returned = TaskPart.state == State.RETURNED.value
    section = case((returned, "parts_returned"), (TaskPart.due_on < day, "parts_overdue"),
                   (TaskPart.due_on == day, "parts_due_today"), else_="parts_due_soon")
    partition = [TaskPart.commune_id, section]
    number = func.row_number().over(partition_by=partition, order_by=[TaskPart.due_on, TaskPart.id]).label("n")
    count = func.count().over(partition_by=partition).label("total")
    # The province's note: its latest send-back of the part (read for returned parts only).
    sent_back = (select(PartEvent.note).where(PartEvent.part_id == TaskPart.id,
                                              PartEvent.trigger == Trigger.SEND_BACK.value)
                 .order_by(PartEvent.id.desc()).limit(1).scalar_subquery())
    inner = (select(TaskPart.id, TaskPart.commune_id, TaskPart.due_on, TaskPart.state, TaskPart.submitted_at,
                    TaskPart.instruction, Task.province_id, Task.group_id, Task.period, Commune.code,
                    case((returned, sent_back), else_=None).label("province_note"),
                    number, count, section.label("section"))
             .select_from(TaskPart).join(Task, TaskPart.task_id == Task.id)
             .join(Commune, TaskPart.commune_id == Commune.id)
             .where(TaskPart.commune_id.in_(sorted(set(commune_ids))), TaskPart.state.in_(OWED_BY_PROVINCE),
                    or_(returned, TaskPart.due_on <= reader.soon_until()))
             .subquery())
    found: dict[int, dict[str, tuple[list[Item], int]]] = defaultdict(dict)
    for r in reader.execute(select(inner).where(inner.c.n <= reader.cap).order_by(inner.c.n)):
        # The task's title (with its period) and province as the province's digest names them;
        # the row is the part: its id, key, deadline, and what the commune must do (or what the
        # province asked of its rework).
        if r.section == "parts_returned":
            item = reader.facts.item(r, days=reader.days(r), note=r.province_note or r.instruction,
                                     note_label="province_note" if r.province_note else "part_note")
        else:
            item = reader.facts.item(r, days=reader.days(r), note=r.instruction, note_label="part_note")
        item.key = part_key(item.key, r.code)
        items, _ = found[r.commune_id].setdefault(r.section, ([], r.total))
        items.append(item)
    return found


def commune_digests(reader: Reader, settings: Settings, users: Sequence[Recipient]) -> list[Digest]:
    """The digests of a batch's commune officers (each bound to one commune), in the batch's order."""
    ids = {u.commune_id for u in users if u.commune_id is not None}
    names = {cid: name for cid, name in reader.execute(
        select(Commune.id, Commune.name).where(Commune.id.in_(sorted(ids))))}
    found = commune_sections(reader, ids) if ids else {}
    page = page_link(settings, "/commune")
    digests = []
    for user in users:
        if user.commune_id is None:
            continue
        mine = found.get(user.commune_id, {})
        sections = [Section(name, *section_copies(mine.get(name, ([], 0))), page) for name in COMMUNE_SECTIONS]
        sections[-1].n = reader.due_soon_days  # "due within {n} days"
        name = names[user.commune_id]
        digests.append(Digest(user.email, user.name, user.locale, user.role, reader.day, False, None, sections,
                              commune={lang: name for lang in WORDS}))
    return digests


def late_communes_of(reader: Reader, settings: Settings, provinces: Collection[int]) -> dict[int, LateCommunes]:
    """province id -> its communes with overdue parts, worst first, at most `cap` (none: no entry)."""
    found = late_by_province(reader.session, sorted(provinces), reader.day)
    blocks = {}
    for province_id, communes in found.items():
        where = page_link(settings, f"/provinces/{reader.facts.units[province_id].slug}/late-communes")
        blocks[province_id] = LateCommunes([LateCommuneLine(c.code, c.name, c.late_parts, c.days_late)
                                            for c in communes[:reader.cap]], len(communes), where)
    return blocks
