"""The demo season's second tier: six provinces hand a part of one task to some of their communes.

Early in the season Hà Nội, Huế, Đà Nẵng, Lào Cai, Cần Thơ and Cà Mau
delegate group 3 ("khuyến công có trọng tâm, trọng điểm") to their first
eight communes, due about ten weeks later. Five communes of each have an
officer who starts, reports and submits (some late, some blocked); the
province accepts most submissions and returns a few. The other three
communes never start: by the end of the season their parts are overdue, so
the roll-up and the late communes show something real. Every step goes
through the same engine as a user's (`workflow.parts.delegate`,
`workflow.part_service.PartTracker`), each in its own transaction, seeded.
"""
from __future__ import annotations

import random
from collections import Counter
from datetime import date, timedelta

from sqlalchemy import select

from dtrack.config.clock import Clock
from dtrack.persistence.commune_models import Commune
from dtrack.persistence.database import Database
from dtrack.persistence.models import Province, Task, TaskGroup
from dtrack.workflow.part_service import PartTracker
from dtrack.workflow.parts import delegate
from dtrack.workflow.users import add_user
from dtrack.workflow.vocabulary import Role, Trigger

PROVINCES = ("ha-noi", "hue", "da-nang", "lao-cai", "can-tho", "ca-mau")
GROUP = 3
COMMUNES_PER_PROVINCE = 8
WITH_OFFICER = 5
SEED = 24
INSTRUCTION = ("Rà soát, đề xuất danh sách cơ sở công nghiệp nông thôn tiêu biểu của xã, phường để hỗ trợ "
               "khuyến công năm 2026; gửi báo cáo về Sở Công Thương")


# What the demo's commune officers and province judges write (the season's own words, as in usecases.demo).
BLOCKED = "Chưa có cán bộ phụ trách khuyến công sau sáp nhập"
REVIEWED = "Đã rà soát các cơ sở trên địa bàn"
SENT = "Gửi danh sách đề xuất"
RETURNED = "Thiếu số liệu lao động của cơ sở"


def commune_email(code: str) -> str:
    return f"khuyencong.xa{code}@ubnd.example.vn"


def delegate_in_season(db: Database, start: date, end: date, province_email: dict[str, str]) -> Counter:
    """Delegate, then act on the parts day by day until `end`; the actions done, counted by trigger."""
    rng = random.Random(SEED)
    counts: Counter = Counter()
    day = start + timedelta(days=14)
    clock = Clock(pinned=day)
    steps: list[tuple[date, int, str, str, dict[str, object]]] = []  # (day, order, part key, actor, action)
    with db.session() as session:
        rows = session.execute(select(Province.slug, Task.id).join(Task, Task.province_id == Province.id)
                               .join(TaskGroup, Task.group_id == TaskGroup.id)
                               .where(Province.slug.in_(PROVINCES), TaskGroup.ordinal == GROUP, Task.period == "")
                               .order_by(Province.ordinal)).all()
        communes = {slug: list(session.scalars(
            select(Commune.code).join(Province, Commune.province_id == Province.id)
            .where(Province.slug == slug, Commune.retired_at.is_(None)).order_by(Commune.code)
            .limit(COMMUNES_PER_PROVINCE))) for slug in PROVINCES}
        for slug in PROVINCES:
            for code in communes[slug][:WITH_OFFICER]:
                add_user(session, email=commune_email(code), name=f"Cán bộ khuyến công xã {code}",
                         role=Role.COMMUNE, province=None, now=clock.now(), commune=code)
    order = 0
    for slug, task_id in rows:
        done = delegate(db, clock, province_email[slug], str(task_id), communes[slug], day + timedelta(days=70),
                        INSTRUCTION)
        counts["delegate"] += len(done.added)
        for key in done.added[:WITH_OFFICER]:
            officer, judge = commune_email(key.rsplit("/", 1)[1]), province_email[slug]
            when = day + timedelta(days=rng.randint(3, 25))
            plan: list[tuple[str, str, dict[str, object]]] = [(Trigger.START, officer, {})]
            fate = rng.random()
            if fate < 0.15:
                plan.append((Trigger.BLOCK, officer, {"note": BLOCKED}))
            else:
                plan.append((Trigger.UPDATE, officer, {"progress": rng.randint(20, 70),
                                                       "note": REVIEWED}))
                if fate < 0.85:
                    plan.append((Trigger.SUBMIT, officer, {"progress": 100, "note": SENT,
                                                           "evidence": f"Báo cáo số {rng.randint(10, 99)}/BC-UBND"}))
                    plan.append((Trigger.SEND_BACK, judge, {"note": RETURNED})
                                if fate < 0.25 else (Trigger.ACCEPT, judge, {}))
            for trigger, actor, inputs in plan:
                # Late communes (a third) take up to twice as long as the deadline allows.
                when += timedelta(days=rng.randint(5, 60 if fate > 0.66 else 25))
                order += 1
                steps.append((when, order, key, actor, {"trigger": trigger, **inputs}))
    for when, _, key, actor, inputs in sorted(steps, key=lambda s: (s[0], s[1])):
        if when > end:
            continue
        trigger = str(inputs.pop("trigger"))
        PartTracker(db, Clock(pinned=when)).fire(key, trigger, actor, **inputs)  # type: ignore[arg-type]
        counts[trigger] += 1
    return counts


__all__ = ["PROVINCES", "commune_email", "delegate_in_season"]
