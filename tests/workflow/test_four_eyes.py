"""Four eyes (issue 22): whoever submitted a task may not accept it, unless the directive says otherwise.

The overseers' own task is started, submitted and judged by overseers: one of
them submits, another accepts. An admin, who may do everything, may not accept
their own submission either. A directive with `four_eyes = false` (in
`[directive.overseer]`) lets one person do both. Through the engine and the
CLI (and the task page), on both back-ends.
"""
from __future__ import annotations

import pytest
from sqlalchemy import select

from dtrack.errors import PermissionDenied
from dtrack.i18n.error_messages import say
from dtrack.persistence.models import Event
from dtrack.workflow.tasks import find_task
from dtrack.workflow.vocabulary import State
from tests.directives.ministry import CODE, OWN_KEY, load_and_assign, with_overseer
from tests.web.http_support import cheap_hashing, form_of, site  # noqa: F401 - fixtures


def _submitted(world, key: str, by: str) -> None:
    world.fire(key, "start", by)
    world.fire(key, "submit", by, progress=100, evidence="Báo cáo số 12/BC-BCT")


def _events(db, key: str) -> list[str]:
    with db.session() as session:
        task = find_task(session, key)[0]
        return list(session.scalars(select(Event.trigger).where(Event.task_id == task.id).order_by(Event.id)))


def test_the_overseer_who_submitted_the_ministrys_task_may_not_accept_it(world, db):
    load_and_assign(db, world.clock)
    first, second = world.user("overseer", None), world.user("overseer", None)
    _submitted(world, f"{CODE}:3", first)  # the key without a unit names the Ministry's own task
    with pytest.raises(PermissionDenied) as refused:
        world.fire(OWN_KEY, "accept", first)
    assert (refused.value.action, refused.value.target, refused.value.reason.code) == ("accept", OWN_KEY, "four_eyes")
    assert "four eyes" in say(refused.value, "en") and "không được tự chấp nhận" in say(refused.value, "vi")
    assert _events(db, OWN_KEY) == ["start", "submit"]  # nothing written
    assert world.fire(OWN_KEY, "accept", second).to_state == State.COMPLETED


def test_the_last_submission_counts_and_sending_back_is_not_judging(world, db):
    load_and_assign(db, world.clock)
    first, second = world.user("overseer", None), world.user("overseer", None)
    _submitted(world, OWN_KEY, first)
    world.fire(OWN_KEY, "send_back", first, note="Bổ sung số liệu quý I")  # withdrawing one's own: allowed
    world.fire(OWN_KEY, "submit", second, progress=100)
    assert world.fire(OWN_KEY, "accept", first).to_state == State.COMPLETED  # second submitted this time


def test_an_admin_may_not_accept_a_submission_of_their_own(world, db):
    admin, overseer = world.user("admin", None), world.user("overseer", None)
    key = "20/CT-BCT:2:ha-noi"
    _submitted(world, key, admin)
    with pytest.raises(PermissionDenied) as refused:
        world.fire(key, "accept", admin)
    assert refused.value.reason.code == "four_eyes"
    assert world.fire(key, "accept", overseer).to_state == State.COMPLETED


def test_a_directive_may_let_one_person_submit_and_accept(world, db):
    load_and_assign(db, world.clock, with_overseer(four_eyes=False))
    overseer = world.user("overseer", None)
    _submitted(world, OWN_KEY, overseer)
    assert world.fire(OWN_KEY, "accept", overseer).to_state == State.COMPLETED


def test_the_command_line_says_it_in_one_line_in_each_language(cli_runner, world, db):
    load_and_assign(db, world.clock)
    first, second = world.user("overseer", None), world.user("overseer", None)
    _submitted(world, OWN_KEY, first)
    for lang, words in (("vi", "người đã nộp kết quả không được tự chấp nhận"),
                        ("en", "whoever submitted the task may not accept it too")):
        refused = cli_runner("--lang", lang, "task", "accept", f"{CODE}:3", "--as", first)
        lines = refused.output.strip().splitlines()
        assert refused.exit_code == 1 and len(lines) == 1 and words in lines[0] and OWN_KEY in lines[0], lines
    accepted = cli_runner("task", "accept", f"{CODE}:3", "--as", second)
    assert accepted.exit_code == 0, accepted.output
    assert _events(db, OWN_KEY) == ["start", "submit", "accept"]


def test_the_task_page_refuses_it_beside_the_form_and_changes_nothing(site):  # noqa: F811 - the fixture
    from dtrack.workflow.service import Tracker

    load_and_assign(site.db, site.clock)
    overseer = site.emails["overseer"]
    for trigger, extra in (("start", {}), ("submit", {"progress": 100})):
        Tracker(site.db, site.clock).fire(OWN_KEY, trigger, overseer, **extra)
    client = site.client("overseer")
    task_id = site.task_id(OWN_KEY)
    accept_form = f'action="/tasks/{task_id}/actions/accept"'
    assert accept_form not in client.get(f"/tasks/{task_id}").text  # not offered to the submitter...
    assert accept_form in site.client("admin").get(f"/tasks/{task_id}").text  # ...but to another judge
    token, version = form_of(client, task_id)
    answer = client.post(f"/tasks/{task_id}/actions/accept", data={"csrf_token": token, "version": version})
    assert answer.status_code == 403 and "không được tự chấp nhận" in answer.text
    assert _events(site.db, OWN_KEY) == ["start", "submit"]
