"""Two sessions post to the same task at the same moment: one wins, the other is told to reload."""
from __future__ import annotations

import threading

from tests.web.http_support import count, form_of

KEY = "20/CT-BCT:2:ha-noi"
ROUNDS = 8


def test_simultaneous_posts_one_wins_the_other_gets_the_reload_message(site):
    first, second = site.client("own"), site.client("own")
    task_id = site.task_id(KEY)
    token, version = form_of(first, task_id)
    started = first.post(f"/tasks/{task_id}/actions/start", data={"csrf_token": token, "version": version})
    assert started.status_code == 303
    events_before = count(site, "events", "task_id = :t", t=task_id)
    version_before = site.version(task_id)
    successes = 0
    for round_ in range(ROUNDS):
        forms = [form_of(client, task_id) for client in (first, second)]
        assert forms[0][1] == forms[1][1]  # both saw the same version
        barrier = threading.Barrier(2)
        answers: list = [None, None]

        # Bound now: a thread that outlives its join timeout must not see the next round's values.
        def post(index: int, client, token: str, version: str,
                 barrier=barrier, answers=answers, round_=round_) -> None:
            barrier.wait()
            answers[index] = client.post(f"/tasks/{task_id}/actions/update", data={
                "csrf_token": token, "version": version, "progress": str(10 + round_ * 10 + index),
                "note": f"lần {round_} phiên {index}"})

        threads = [threading.Thread(target=post, args=(i, c, *forms[i])) for i, c in enumerate((first, second))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        statuses = sorted(a.status_code for a in answers)
        assert statuses == [303, 409], [a.text[:300] for a in answers]
        loser = next(a for a in answers if a.status_code == 409)
        assert '<p class="conflict">' in loser.text and "Nguyễn Thị Hà" in loser.text
        successes += 1
    assert count(site, "events", "task_id = :t", t=task_id) - events_before == successes
    assert site.version(task_id) == version_before + successes
