"""Kept pages (web.page_memo): the same bytes as a render, never stale, never another session's token.

A page is kept under what the session lookup saw of the database (PostgreSQL's
snapshot, SQLite's commit count) and answered from memory until anything is
committed. The HTTP tests run on both back-ends.
"""
from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import text
from starlette.responses import HTMLResponse

from dtrack.persistence.database import Database
from dtrack.web.page_memo import PLACEHOLDER, PageMemo
from tests.conftest import recorded_statements
from tests.web.http_support import CSRF, VERSION, csrf_of, form_of, make_site

TASK = "20/CT-BCT:2:ha-noi"


def _lookup_only(site) -> list[str]:
    """The statements of a request answered from memory: the session lookup, and what it saw."""
    return ["SELECT"] if not site.db.is_sqlite else ["SELECT", "PRAGMA"]  # PRAGMA data_version


def _statements_of_a_repeat(site, client, path: str, tries: int = 40) -> list[str]:
    """The statements of asking `path` again, on a quiet database.

    Any commit anywhere in the PostgreSQL cluster (another test run, autovacuum's
    analyze) rightly makes the next request render: tries spread over a few seconds
    find a quiet moment (the first one does, on a quiet machine).
    """
    for attempt in range(tries):
        if attempt:
            time.sleep(0.1)
        client.get(path)
        with recorded_statements(site.db) as sent:
            assert client.get(path).status_code == 200
        seen = [statement.kind for statement in sent]
        if seen == _lookup_only(site):
            break
    return seen


def _without_token(html: str) -> str:
    return CSRF.sub('name="csrf_token" value=""', html)


@pytest.mark.parametrize("path", ["/review", "/overdue", "/matrix", "/status", "/province?province=ha-noi",
                                  "/status?format=json"])
def test_a_page_asked_twice_is_the_same_page_and_the_second_comes_from_memory(site, path):
    overseer = site.client("overseer")
    first, second = overseer.get(path), overseer.get(path)
    assert first.status_code == second.status_code == 200
    assert second.content == first.content
    assert second.headers["content-type"] == first.headers["content-type"]
    assert second.headers["cache-control"] == "no-store"
    # The session lookup, which read what the database shows too: nothing rendered.
    assert _statements_of_a_repeat(site, overseer, path) == _lookup_only(site)


def test_every_commit_shows_at_once_whoever_made_it(site):
    overseer, own = site.client("overseer"), site.client("own")
    task_id = site.task_id(TASK)
    assert "Chưa bắt đầu" in overseer.get(f"/tasks/{task_id}").text
    token, version = form_of(own, task_id)
    started = own.post(f"/tasks/{task_id}/actions/start", data={"csrf_token": token, "version": version})
    assert started.status_code == 303
    page = overseer.get(f"/tasks/{task_id}").text
    assert "Đang thực hiện" in page
    # A write from outside the server (the command line, psql): its own connection, which the
    # server's commit count does not see being made (SQLite learns of it from PRAGMA data_version).
    outside = Database(site.db.url)
    try:
        with outside.session() as session:
            session.execute(text("UPDATE tasks SET progress = 37 WHERE id = :id"), {"id": task_id})
    finally:
        outside.dispose()
    assert "37%" in overseer.get(f"/tasks/{task_id}").text
    site.scalar("UPDATE tasks SET progress = 38 WHERE id = :id RETURNING id", id=task_id)  # the server's own
    assert "38%" in overseer.get(f"/tasks/{task_id}").text


def test_each_session_gets_its_own_token_in_a_kept_page_and_can_post_with_it(site):
    task_id = site.task_id(TASK)
    first, second = site.client("own"), site.client("own")  # one user, two browsers
    page_one, page_two = first.get(f"/tasks/{task_id}").text, second.get(f"/tasks/{task_id}").text
    token_one, token_two = CSRF.search(page_one).group(1), CSRF.search(page_two).group(1)
    assert token_one != token_two
    assert token_one == csrf_of(first) and token_two == csrf_of(second)
    assert _without_token(page_one) == _without_token(page_two)
    assert PLACEHOLDER.decode() not in page_two
    version = VERSION.search(page_two).group(1)
    answer = second.post(f"/tasks/{task_id}/actions/start", data={"csrf_token": token_two, "version": version})
    assert answer.status_code == 303


def test_a_kept_page_is_never_anyone_elses(site):
    task_id = site.task_id(TASK)
    own = site.client("own")
    assert own.get(f"/tasks/{task_id}").status_code == 200
    other = site.client("other")  # Huế's officer asks for Hà Nội's task: refused, not the kept page
    assert other.get(f"/tasks/{task_id}").status_code in (403, 404)
    assert site.client("overseer").get("/province?province=ha-noi").text != own.get("/province").text
    own.post("/logout", data={"csrf_token": csrf_of(own)})
    gone = own.get(f"/tasks/{task_id}")
    assert gone.status_code == 303 and gone.headers["location"].startswith("/login")


def test_user_text_cannot_pass_for_the_token(site):
    task_id = site.task_id(TASK)
    own = site.client("own")
    token, version = form_of(own, task_id)
    forged = PLACEHOLDER.decode()
    own.post(f"/tasks/{task_id}/actions/start", data={"csrf_token": token, "version": version, "note": forged})
    viewer = site.client("overseer")
    viewer.get(f"/tasks/{task_id}")
    page = viewer.get(f"/tasks/{task_id}").text
    viewer_token = CSRF.search(page).group(1)
    assert "&lt;dtrack-csrf-token&gt;" in page  # the note, escaped, as written
    assert page.count(viewer_token) == len(CSRF.findall(page))  # the token stands in the forms only


def test_the_setting_turns_it_off(db):
    site = make_site(db, page_memo="no")
    assert len(_statements_of_a_repeat(site, site.client("overseer"), "/review", tries=1)) > 2


# The memo itself, with a snapshot the test moves by hand.


class Snapshots:
    def __init__(self) -> None:
        self.now = "10:12:"

    def __call__(self) -> str:
        return self.now


def _page(text: str, token: str = "tok-" + "x" * 40) -> HTMLResponse:
    return HTMLResponse(f'<form><input name="csrf_token" value="{token}"></form><p>{text}</p>')


def test_a_page_is_kept_only_if_nothing_was_committed_while_it_rendered():
    snapshots = Snapshots()
    memo = PageMemo(snapshots)

    def render_during_a_commit():
        snapshots.now = "10:13:"
        return _page("old")

    memo.page("10:12:", "k", "tok-" + "x" * 40, render_during_a_commit)
    assert len(memo) == 0
    memo.page("10:13:", "k", "t", lambda: _page("new"))
    assert len(memo) == 1 and b"new" in memo.page("10:13:", "k", "t", lambda: _page("again")).body


def test_only_the_newest_snapshot_is_kept():
    snapshots = Snapshots()
    memo = PageMemo(snapshots)
    snapshots.now = "11:15:"
    memo.page("11:15:", "a", "t", lambda: _page("newer"))
    snapshots.now = "10:12:"  # a request that began before the newest commit seen
    memo.page("10:12:", "b", "t", lambda: _page("older"))
    assert len(memo) == 1
    assert b"newer" in memo.page("11:15:", "a", "t", lambda: _page("rendered")).body
    snapshots.now = "15:16:"
    memo.page("15:16:", "c", "t", lambda: _page("newest"))
    assert len(memo) == 1  # the older snapshot's pages are gone


def test_the_token_is_put_back_per_request_and_errors_are_not_kept():
    snapshots = Snapshots()
    memo = PageMemo(snapshots)
    mine, yours = "mine-" + "a" * 40, "yours-" + "b" * 40
    memo.page("10:12:", "k", mine, lambda: _page("x", mine))
    assert memo.page("10:12:", "k", yours, lambda: _page("rendered", yours)).body == _page("x", yours).body
    memo.page("10:12:", "e", mine, lambda: HTMLResponse("refused", status_code=403))
    assert memo.page("10:12:", "e", mine, lambda: HTMLResponse("second", status_code=403)).body == b"second"


def test_the_memo_holds_at_most_its_bytes():
    snapshots = Snapshots()
    memo = PageMemo(snapshots, max_bytes=1000)
    for key in range(20):
        memo.page("10:12:", key, "t", lambda: _page("y" * 200))
    assert 1 <= len(memo) <= 4


def test_threads_that_want_the_same_page_wait_for_one_render():
    snapshots = Snapshots()
    memo = PageMemo(snapshots)
    started, release = threading.Event(), threading.Event()
    renders: list[int] = []

    def slow_render():
        renders.append(1)
        started.set()
        release.wait(5)
        return _page("once")

    answers: list[bytes] = []
    first = threading.Thread(target=lambda: answers.append(memo.page("10:12:", "k", "t", slow_render).body))
    first.start()
    started.wait(5)
    others = [threading.Thread(target=lambda: answers.append(memo.page("10:12:", "k", "t", slow_render).body))
              for _ in range(4)]
    for thread in others:
        thread.start()
    release.set()
    for thread in [first, *others]:
        thread.join(5)
    assert len(renders) == 1 and len(answers) == 5 and len(set(answers)) == 1
