"""Digests built batch by batch: the same messages as in one go, each sent once, a stopped build
losing nothing, and reads that do not grow with the batch (no query per recipient)."""
from __future__ import annotations

import pytest
from sqlalchemy import delete, select, update

import dtrack.notifications.digest_sending as sending
from dtrack.config.clock import Clock
from dtrack.config.values import parse_smtp_url
from dtrack.notifications.digest_gathering import batches, gather, gather_batch, plan_day, recipients
from dtrack.notifications.digest_rendering import render
from dtrack.notifications.digest_sending import build_digests, deliver
from dtrack.notifications.transport import SmtpTransport
from dtrack.persistence.database import Database
from dtrack.persistence.models import Outbox, Reminder
from dtrack.usecases.demo import SEASON_END, run_demo
from dtrack.workflow.reminders import sweep
from tests.conftest import TODAY, recorded_statements
from tests.notifications.conftest import mail_settings

CLOCK = Clock(pinned=TODAY)
PROVINCES = ("ha-noi", "hai-phong", "hue", "tay-ninh", "ca-mau")


def five_officers(world, remind) -> dict[str, list[int]]:
    """An officer in each of five provinces, each province with two reminders due: email -> reminder ids."""
    found = {}
    for slug in PROVINCES:
        email = world.user("province", slug, email=f"officer@{slug}.example.vn")
        found[email] = [remind(f"20/CT-BCT:2:{slug}", "before_deadline", days=7),
                        remind(f"20/CT-BCT:3:{slug}", "overdue", days=-1)]
    return found


def messages(db: Database) -> list[tuple[str, str, str, str | None]]:
    with db.session() as s:
        return [tuple(r) for r in s.execute(
            select(Outbox.recipient, Outbox.subject, Outbox.body_text, Outbox.body_html).order_by(Outbox.id))]


def consumed(db: Database) -> dict[int, bool]:
    with db.session() as s:
        return {r.id: r.consumed_at is not None for r in s.scalars(select(Reminder))}


def undo_day(db: Database) -> None:
    with db.session() as s:
        s.execute(delete(Outbox))
        s.execute(update(Reminder).values(consumed_at=None))


def test_batches_hold_whole_provinces_and_the_overseers_together(world, db):
    officers = [world.user("province", slug) for slug in ("ha-noi", "hue", "ha-noi", "ca-mau", "hue")]
    world.user("overseer", None)
    world.user("overseer", None)
    with db.session() as s:
        people = recipients(s)
    made = batches(people, 2)
    province_of = {p.email: p.province_id for p in people}
    # A province's users are never split: each shares its province's reminders.
    assert [sorted({province_of[p.email] for p in b}) for b in made[:-1]] == [
        [province_of[officers[0]]], [province_of[officers[1]]], [province_of[officers[3]]]]
    assert [len(b) for b in made] == [2, 2, 1, 2]
    assert {p.role for p in made[-1]} == {"overseer"}
    assert sorted(p.email for b in made for p in b) == sorted(p.email for p in people)


def test_small_batches_queue_every_digest_once_and_consume_each_reminder_once(world, db, remind, smtp, tmp_path):
    reminders = five_officers(world, remind)
    overseer = world.user("overseer", None)
    escalation = remind("20/CT-BCT:8:hai-phong", "escalation", audience="overseer", days=-21)
    settings = mail_settings(tmp_path)
    report = build_digests(db, CLOCK, settings, batch=2)
    assert (report.queued, report.already, report.reminders_consumed) == (6, 0, 11)
    assert all(consumed(db).values())
    assert sorted(m[0] for m in messages(db)) == sorted([*reminders, overseer])
    # Built again: nothing new.
    again = build_digests(db, CLOCK, settings, batch=2)
    assert (again.queued, again.already, again.reminders_consumed) == (0, 6, 0)
    sent = deliver(db, SmtpTransport(parse_smtp_url(smtp.url)), settings)
    assert sent.sent == 6 and smtp.handler.recipients() == sorted([*reminders, overseer])
    assert escalation in consumed(db)


def test_a_failure_in_the_second_batch_keeps_the_first_and_leaves_the_rest_pending(world, db, remind, tmp_path,
                                                                                  monkeypatch):
    reminders = five_officers(world, remind)
    settings = mail_settings(tmp_path)
    order = [p.email for b in batches(_recipients(db), 2) for p in b]
    first, second = order[:2], order[2:4]
    real_render = sending.render

    def failing(digest, *args):
        if digest.recipient == second[1]:
            raise RuntimeError("the disk is full")
        return real_render(digest, *args)

    monkeypatch.setattr(sending, "render", failing)
    with pytest.raises(RuntimeError):
        build_digests(db, CLOCK, settings, batch=2)
    # Batch 1 is whole (its messages and consumed reminders); batch 2 left nothing, not even its first message.
    assert sorted(m[0] for m in messages(db)) == sorted(first)
    state = consumed(db)
    assert all(state[r] for email in first for r in reminders[email])
    assert not any(state[r] for email in order[2:] for r in reminders[email])
    monkeypatch.setattr(sending, "render", real_render)
    report = build_digests(db, CLOCK, settings, batch=2)
    assert (report.queued, report.already, report.reminders_consumed) == (3, 2, 6)
    assert sorted(m[0] for m in messages(db)) == sorted(order)
    assert all(consumed(db).values())


def _recipients(db: Database):
    with db.session() as s:
        return recipients(s)


def test_batched_messages_are_those_of_one_build_in_one_go(demo_db, tmp_path):
    """The demo season after its last day's sweep: every message, byte for byte, and the same reminders."""
    db = demo_db
    run_demo(db)
    last_day = Clock(pinned=SEASON_END)
    sweep(db, last_day)
    settings = mail_settings(tmp_path, digest_weekday="sunday")
    with db.session() as s:
        digests, _ = gather(s, last_day, settings)  # everyone at once: the path before batches
        whole = [render(d, settings, last_day) for d in digests if d.has_news]
        reported = {i for d in digests if d.has_news for i in d.reminder_ids}
    assert reported, "the sweep made reminders"
    for size in (3, 1000):
        report = build_digests(db, last_day, settings, batch=size)
        assert report.queued == len(whole)
        assert [m[1:] for m in messages(db)] == [(r.subject, r.text, r.html) for r in whole]
        assert {i for i, done in consumed(db).items() if done} == reported
        undo_day(db)


def test_a_batch_reads_with_the_same_statements_whatever_its_size(world, db, remind, tmp_path):
    five_officers(world, remind)
    settings = mail_settings(tmp_path)
    people = _recipients(db)
    counts = []
    for size in (1, 5):
        with db.session() as s:
            plan = plan_day(s, CLOCK, settings)
            with recorded_statements(db) as statements:
                digests = gather_batch(s, plan, people[:size])
        assert len(digests) == size and all(d.reminder_ids for d in digests)
        counts.append(len(statements))
    assert counts[0] == counts[1]
