"""Renders shared across snapshots (web.page_memo): one render for the requests that arrived before it began.

While provinces write, every commit changes the snapshot, so a page is rarely
kept; what saves the server is that the requests waiting for a page take the
bytes of a render that began after they arrived (it sees everything committed
before they asked). Never the bytes of a render that began before a request
arrived under another snapshot: that one may not show a commit the request
has seen. Tested with threads, by hand-moved snapshots and on the real
back-ends (a commit between a request's arrival and the render it gets).
"""
from __future__ import annotations

import re
import threading
import time

from sqlalchemy import text
from starlette.responses import HTMLResponse

from dtrack.persistence.database import Database
from dtrack.persistence.snapshot_memo import current_snapshot
from dtrack.web.page_memo import PageMemo, page_memo
from tests.web.http_support import make_site

TASK = "20/CT-BCT:2:ha-noi"
PROGRESS = re.compile(r"(\d+)%")


class Snapshots:
    def __init__(self) -> None:
        self.now = "10:12:"

    def __call__(self) -> str:
        return self.now


def _wait_until(condition, seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.01)


def _asking(memo: PageMemo, snapshot: str, render, answers: dict[str, bytes], name: str) -> threading.Thread:
    thread = threading.Thread(target=lambda: answers.__setitem__(name, memo.page(snapshot, "k", "t", render).body))
    thread.start()
    return thread


def test_a_render_begun_before_a_request_arrived_is_never_its_answer_the_next_one_is_shared():
    snapshots = Snapshots()
    memo = PageMemo(snapshots)
    began, release = threading.Event(), threading.Event()
    renders: list[str] = []

    def render():
        renders.append(snapshots.now)
        number = len(renders)
        began.set()
        if number == 1:
            release.wait(5)  # the first render is slow: the others arrive meanwhile
        return HTMLResponse(f"<p>render {number}</p>")

    answers: dict[str, bytes] = {}
    first = _asking(memo, "10:12:", render, answers, "first")
    began.wait(5)
    later = []
    for n, snapshot in enumerate(["10:13:", "10:14:", "10:15:"]):  # a commit before each arrival
        snapshots.now = snapshot
        later.append(_asking(memo, snapshot, render, answers, f"later {n}"))
    time.sleep(0.3)  # all three are waiting for the first render
    release.set()
    for thread in [first, *later]:
        thread.join(5)
    assert answers["first"] == b"<p>render 1</p>"
    # Each later request got a render that began after it arrived: the second, shared by all three.
    assert {answers[f"later {n}"] for n in range(3)} == {b"<p>render 2</p>"}
    assert len(renders) == 2 and memo.renders == 2


def test_a_render_under_the_snapshot_a_request_saw_is_its_answer_even_if_it_began_before():
    snapshots = Snapshots()
    memo = PageMemo(snapshots)
    began, release = threading.Event(), threading.Event()
    renders: list[int] = []

    def render():
        renders.append(1)
        began.set()
        release.wait(5)
        return HTMLResponse("<p>once</p>")

    answers: dict[str, bytes] = {}
    first = _asking(memo, "10:12:", render, answers, "first")
    began.wait(5)
    second = _asking(memo, "10:12:", render, answers, "second")  # nothing committed since the first looked
    time.sleep(0.1)
    release.set()
    first.join(5)
    second.join(5)
    assert answers == {"first": b"<p>once</p>", "second": b"<p>once</p>"} and len(renders) == 1


def test_a_failed_render_is_not_handed_on_each_waiting_request_renders_its_own():
    snapshots = Snapshots()
    memo = PageMemo(snapshots)
    began, release = threading.Event(), threading.Event()

    def refused():
        began.set()
        release.wait(5)
        return HTMLResponse("refused", status_code=403)

    answers: dict[str, bytes] = {}
    first = _asking(memo, "10:12:", refused, answers, "first")
    began.wait(5)
    second = _asking(memo, "10:12:", lambda: HTMLResponse("<p>own</p>"), answers, "second")
    time.sleep(0.1)
    release.set()
    first.join(5)
    second.join(5)
    assert answers == {"first": b"refused", "second": b"<p>own</p>"}


def _progress(db: Database, task_id: int) -> int:
    with db.session() as session:
        return int(session.execute(text("SELECT progress FROM tasks WHERE id = :id"), {"id": task_id}).scalar_one())


def _set_progress(url: str, task_id: int, progress: int) -> None:
    """A commit from outside the server's process view (its own engine, as the command line's)."""
    outside = Database(url)
    try:
        with outside.session() as session:
            session.execute(text("UPDATE tasks SET progress = :p WHERE id = :id"), {"p": progress, "id": task_id})
    finally:
        outside.dispose()


def test_a_commit_between_arrival_and_render_is_shown_on_both_back_ends(db):
    """The real database: the first render read before the commit; a request that saw the commit gets a later one."""
    site = make_site(db)
    task_id = site.task_id(TASK)
    memo = page_memo(db, True)
    _set_progress(db.url, task_id, 10)
    began, release = threading.Event(), threading.Event()
    renders: list[int] = []

    def render():
        value = _progress(db, task_id)  # what this render shows: read when it begins
        renders.append(value)
        began.set()
        if len(renders) == 1:
            release.wait(5)
        return HTMLResponse(f"<p>{value}%</p>")

    answers: dict[str, bytes] = {}
    first = threading.Thread(target=lambda: answers.__setitem__(
        "first", memo.page(current_snapshot(db), "k", "t", render).body))
    first.start()
    began.wait(5)
    _set_progress(db.url, task_id, 37)  # committed after the first render read, before the others ask
    seen = current_snapshot(db)
    later = [threading.Thread(target=lambda n=n: answers.__setitem__(n, memo.page(seen, "k", "t", render).body))
             for n in range(4)]
    for thread in later:
        thread.start()
    time.sleep(0.3)
    release.set()
    for thread in [first, *later]:
        thread.join(10)
    assert answers["first"] == b"<p>10%</p>"
    assert {answers[n] for n in range(4)} == {b"<p>37%</p>"}
    assert renders == [10, 37]  # the four shared one render that began after they arrived


def test_pages_read_while_another_connection_commits_never_show_less_than_the_reader_saw_committed(db):
    """Over HTTP: four sessions of one user read a task page while a writer commits in a loop; each answer
    shows at least the progress committed before that request was sent (nothing stale), on both back-ends."""
    site = make_site(db)
    task_id = site.task_id(TASK)
    _set_progress(db.url, task_id, 1)
    committed = [1]  # the progress committed last (the readers read it before they ask)
    stop = threading.Event()
    stale: list[tuple[int, int]] = []
    served = [0]

    def write() -> None:
        progress = 1
        while not stop.is_set() and progress < 99:
            progress += 1
            _set_progress(db.url, task_id, progress)
            committed[0] = progress
            time.sleep(0.005)

    def read(client) -> None:
        while not stop.is_set():
            before = committed[0]
            page = client.get(f"/tasks/{task_id}")
            assert page.status_code == 200
            shown = [int(p) for p in PROGRESS.findall(page.text)]
            served[0] += 1
            if not shown or max(shown) < before:
                stale.append((before, max(shown, default=-1)))

    clients = [site.client("overseer") for _ in range(4)]
    writer = threading.Thread(target=write)
    readers = [threading.Thread(target=read, args=(client,)) for client in clients]
    writer.start()
    for thread in readers:
        thread.start()
    writer.join(30)
    _wait_until(lambda: served[0] > 20)
    stop.set()
    for thread in readers:
        thread.join(10)
    assert served[0] > 20 and not stale
    assert site.app.state.web.pages.renders <= served[0]
