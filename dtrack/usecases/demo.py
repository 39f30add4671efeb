"""`dtrack demo`: a deterministic, realistic season of work on Directive 20/CT-BCT.

34 province officers and one Department overseer act from the assignment
date to the end of the season. Provinces differ the way the articles say
they do: some move fast, most steadily, some late, a few are blocked by
budget or staffing after the 2025 reorganisation. Overseers send some
submissions back and accept the resubmissions. Every action goes through
the same engine (`service.apply`) as a user's command, one transaction per
simulated day, so the demo is also a realistic end-to-end check.
"""
from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import select

from dtrack.config.clock import Clock
from dtrack.config.settings import Settings
from dtrack.errors import InvalidInput
from dtrack.persistence.database import Database
from dtrack.persistence.models import Task, TaskGroup, User
from dtrack.usecases.bootstrap import initialise
from dtrack.usecases.demo_parts import PROVINCES as PART_PROVINCES
from dtrack.usecases.demo_parts import delegate_in_season
from dtrack.workflow.assignments import open_periods
from dtrack.workflow.provinces import all_provinces
from dtrack.workflow.reminders import SweepResult, sweep
from dtrack.workflow.service import apply
from dtrack.workflow.users import add_user, find_user
from dtrack.workflow.vocabulary import Owner, Role, Trigger

DEMO_URL = "sqlite:///dtrack-demo.db"
SEASON_START = date(2025, 11, 3)
SEASON_END = date(2026, 6, 30)
OVERSEER = "giam.sat@khuyencong.moit.example.vn"
SEED = 20

PROFILES = ("fast", "steady", "steady", "steady", "late", "stuck")

BLOCK_REASONS = (
    "Chưa được bố trí kinh phí khuyến công địa phương năm 2026",
    "Thiếu cán bộ khuyến công cấp xã sau sắp xếp bộ máy",
    "Chờ hướng dẫn thực hiện Nghị định 235/2025/NĐ-CP",
    "Trung tâm Khuyến công đang kiện toàn tổ chức sau hợp nhất tỉnh",
)
SEND_BACK_NOTES = (
    "Thiếu phụ lục kinh phí chi tiết",
    "Chưa có số liệu của các xã, phường",
    "Báo cáo chưa đúng mẫu quy định",
)
PROGRESS_NOTES = (
    "Đã xây dựng dự thảo, đang lấy ý kiến các sở, ngành",
    "Đã làm việc với UBND các xã về kế hoạch triển khai",
    "Đang tổng hợp số liệu từ cơ sở công nghiệp nông thôn",
    "Đã tổ chức hội nghị triển khai Chỉ thị",
)


def province_email(slug: str) -> str:
    return f"khuyencong.{slug}@soct.example.vn"


@dataclass(frozen=True)
class Action:
    day: date
    order: int
    task_id: int
    trigger: Trigger
    actor: str
    note: str | None = None
    evidence: str | None = None
    progress: int | None = None


@dataclass
class DemoReport:
    reused: bool
    counts: Counter
    parts: Counter = field(default_factory=Counter)  # the communes' parts: delegated, and their actions

    @property
    def summary(self) -> str:
        if self.reused:
            return "reusing the simulated season already in this database (use --fresh to simulate again)"
        c = self.counts
        return (
            f"simulated season {SEASON_START:%d/%m/%Y} -> {SEASON_END:%d/%m/%Y}: {sum(c.values())} actions "
            f"by 34 province officers and 1 overseer ({c['start']} started, {c['submit']} submitted, "
            f"{c['send_back']} sent back, {c['accept']} accepted, {c['block']} blocked); "
            f"{self.parts['delegate']} parts delegated to communes ({self.parts['submit']} submitted, "
            f"{self.parts['accept']} accepted)"
        )


def run_demo(db: Database, fresh: bool = False) -> DemoReport:
    if fresh:
        if not db.is_sqlite:
            raise InvalidInput("fresh", "fresh_sqlite_only")
        db.delete_sqlite_file()
    clock = Clock(pinned=SEASON_START)
    initialise(db, clock)
    with db.session() as session:
        if session.scalar(select(User.id).where(User.email == OVERSEER)) is not None:
            return DemoReport(True, Counter())
        _add_users(session, clock)
        # The report periods that open during the season (group 9) get their
        # tasks up front; the plan starts work on each no earlier than it opens.
        open_periods(session, SEASON_END, clock.now())
        actions = _plan(session)
    # Six provinces hand a part of one task to their communes (issue 24): some late, some returned.
    parts = delegate_in_season(db, SEASON_START, SEASON_END, {slug: province_email(slug) for slug in PART_PROVINCES})
    counts: Counter = Counter()
    by_day: dict[date, list[Action]] = {}
    for action in actions:
        if action.day <= SEASON_END:
            by_day.setdefault(action.day, []).append(action)
    for day in sorted(by_day):
        now = clock.on(day).now()
        with db.session() as session:
            # Hold each row for the whole day: the session keeps unchanged objects
            # only weakly, so looking a task up again would read it again.
            users: dict[str, User] = {}
            tasks: dict[int, Task] = {}
            for action in sorted(by_day[day], key=lambda a: a.order):
                actor = users.get(action.actor) or users.setdefault(action.actor, find_user(session, action.actor))
                task = tasks.get(action.task_id) or tasks.setdefault(
                    action.task_id, session.get_one(Task, action.task_id))
                apply(session, task, action.trigger, actor, now, note=action.note,
                      evidence=action.evidence, progress=action.progress)
                counts[action.trigger.value] += 1
    return DemoReport(False, counts, parts)


def _add_users(session, clock: Clock) -> None:
    add_user(session, email=OVERSEER, name="Nguyễn Văn Giám Sát", role=Role.OVERSEER, province=None, now=clock.now())
    for province in all_provinces(session):
        add_user(session, email=province_email(province.slug), name=f"Cán bộ khuyến công {province.name}",
                 role=Role.PROVINCE, province=province.slug, now=clock.now())


def _plan(session) -> list[Action]:
    """Every action of the season, decided up front from a fixed seed."""
    rng = random.Random(SEED)
    actions: list[Action] = []
    profiles = {p.id: rng.choice(PROFILES) for p in all_provinces(session)}
    tasks = session.execute(
        select(Task.id, Task.province_id, Task.due_on, TaskGroup.owner, Task.assigned_on)
        .join(TaskGroup).order_by(Task.id)
    ).all()
    slugs = {p.id: p.slug for p in all_provinces(session)}
    order = 0

    def add(day: date, task_id: int, trigger: Trigger, actor: str, **extra) -> None:
        nonlocal order
        order += 1
        actions.append(Action(day, order, task_id, trigger, actor, **extra))

    for task_id, province_id, _due_on, owner, assigned_on in tasks:
        start = max(SEASON_START, assigned_on)
        if owner == Owner.DEPARTMENT:
            # The Department's own task: started at once, progress every two months.
            add(SEASON_START + timedelta(days=1), task_id, Trigger.START, OVERSEER,
                note="Ban hành kế hoạch theo dõi, đôn đốc thực hiện Chỉ thị")
            for month in (2, 4, 6):
                add(SEASON_START + timedelta(days=30 * month), task_id, Trigger.UPDATE, OVERSEER,
                    progress=15 * month, note="Tổng hợp tình hình thực hiện của các địa phương")
            continue
        profile = profiles[province_id]
        actor = province_email(slugs[province_id])
        day = start + timedelta(days={"fast": rng.randint(3, 20), "steady": rng.randint(10, 45),
                                             "late": rng.randint(60, 150), "stuck": rng.randint(20, 60)}[profile])
        if profile == "late" and rng.random() < 0.4:
            continue  # not started at all this season
        add(day, task_id, Trigger.START, actor, note="Giao Trung tâm Khuyến công chủ trì triển khai")
        if profile == "stuck" and rng.random() < 0.35:
            day += timedelta(days=rng.randint(10, 40))
            add(day, task_id, Trigger.BLOCK, actor, note=rng.choice(BLOCK_REASONS))
            if rng.random() < 0.3:
                day += timedelta(days=rng.randint(30, 60))
                add(day, task_id, Trigger.UNBLOCK, actor, note="Đã được bố trí, tiếp tục triển khai")
            else:
                continue
        for step in range(rng.randint(1, 3)):
            day += timedelta(days=rng.randint(10, 35))
            add(day, task_id, Trigger.UPDATE, actor, progress=min(90, 25 * (step + 1) + rng.randint(0, 10)),
                note=rng.choice(PROGRESS_NOTES))
        speed = {"fast": 0.85, "steady": 0.55, "late": 0.2, "stuck": 0.3}[profile]
        if rng.random() > speed:
            continue
        day += timedelta(days=rng.randint(5, 40))
        evidence = f"Công văn {rng.randint(100, 999)}/SCT-KC"
        add(day, task_id, Trigger.SUBMIT, actor, note="Gửi báo cáo kết quả thực hiện", evidence=evidence, progress=100)
        day += timedelta(days=rng.randint(2, 20))
        if rng.random() < 0.2:
            add(day, task_id, Trigger.SEND_BACK, OVERSEER, note=rng.choice(SEND_BACK_NOTES))
            # Some rework takes a season; those tasks end the demo as returned.
            day += timedelta(days=rng.randint(5, 20) if rng.random() < 0.7 else rng.randint(90, 200))
            add(day, task_id, Trigger.SUBMIT, actor, note="Đã bổ sung theo yêu cầu của Cục",
                evidence=f"Công văn {rng.randint(100, 999)}/SCT-KC")
            day += timedelta(days=rng.randint(3, 15))
        if rng.random() < 0.85:
            add(day, task_id, Trigger.ACCEPT, OVERSEER, note="Đạt yêu cầu")
    return actions


@dataclass
class DemoOutputs:
    swept: SweepResult  # the last day's reminder sweep
    mail_dir: Path
    messages: int
    report: Path


def last_day_outputs(db: Database, folder: Path, settings: Settings, lang: str = "vi") -> DemoOutputs:
    """What the last day of the season produces: reminders, digests as .eml files, the national report.

    Idempotent like the real jobs: a second run writes no second digest.
    """
    from dataclasses import replace

    from dtrack.config.today import Today
    from dtrack.notifications.digest_sending import daily_run
    from dtrack.reports.document import ReportOptions
    from dtrack.reports.national import national_report
    from dtrack.reports.render import render_file

    clock = Clock(pinned=SEASON_END)
    mail_dir = folder / "dtrack-demo-mail"
    # The demo never talks to a real mail server, whatever the settings say.
    settings = replace(settings, today=SEASON_END, mail_dir=str(mail_dir), smtp_url=None)
    swept = sweep(db, clock)
    daily_run(db, clock, settings)
    with db.session() as session:
        # Figures: 2025, the latest year the seeds have reported figures for.
        report = national_report(session, ReportOptions(Today(SEASON_END), lang, 2025))
        _, _, html = render_file(report, "html")
    target = folder / "dtrack-demo-report.html"
    target.write_bytes(html)
    return DemoOutputs(swept, mail_dir, len(list(mail_dir.glob("*.eml"))), target)


def web_accounts(db: Database) -> dict[str, str]:
    """Give the demo's Hà Nội officer and overseer a password; returns email -> password to print.

    The password is public (it is printed), so only the demo database gets it.
    """
    from dtrack.accounts.admin import give_demo_passwords

    return give_demo_passwords(db, Clock(pinned=SEASON_END), [province_email("ha-noi"), OVERSEER])
