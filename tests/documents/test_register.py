"""The register of outgoing numbers: per issuer and year, no duplicate and no gap, even under concurrency."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import text

from dtrack.documents.register import peek_number, take_number


def test_numbers_count_from_one_per_issuer_and_year(db):
    with db.session() as session:
        assert [take_number(session, "CỤC KC", 2026) for _ in range(3)] == [1, 2, 3]
        assert take_number(session, "CỤC KC", 2027) == 1
        assert take_number(session, "SỞ CÔNG THƯƠNG CÀ MAU", 2026) == 1
    with db.session() as session:
        assert peek_number(session, "CỤC KC", 2026) == 3
        assert peek_number(session, "nobody", 2026) == 0


class Cancelled(Exception):
    """An issue that fails after taking its number: the session block rolls back."""


def test_a_cancelled_issue_gives_its_number_back(db):
    with db.session() as session:
        assert take_number(session, "CỤC KC", 2026) == 1
    with pytest.raises(Cancelled), db.session() as session:
        assert take_number(session, "CỤC KC", 2026) == 2
        raise Cancelled
    with db.session() as session:
        assert take_number(session, "CỤC KC", 2026) == 2


@pytest.mark.parametrize("issuers", [1, 3])
def test_many_issuers_at_once_get_distinct_numbers_without_gaps(db, backend, issuers):
    """Threads, each its own connection and transaction; some cancel. PostgreSQL is the real test (row locks)."""
    threads_n, each = (12, 5) if backend == "postgresql" else (4, 3)
    taken: list[tuple[str, int]] = []
    lock = threading.Lock()
    barrier = threading.Barrier(threads_n)
    errors: list[BaseException] = []

    def work(index: int) -> None:
        try:
            barrier.wait()
            for round_ in range(each):
                issuer = f"CƠ QUAN {index % issuers}"
                try:
                    with db.session() as session:
                        number = take_number(session, issuer, 2026)
                        session.execute(text("SELECT 1"))  # the rest of the issuing transaction
                        if (index + round_) % 4 == 3:
                            raise Cancelled
                except Cancelled:
                    continue
                with lock:
                    taken.append((issuer, number))
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(threads_n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    assert len(taken) == len(set(taken))  # no duplicate
    for issuer in {i for i, _ in taken}:
        numbers = sorted(n for i, n in taken if i == issuer)
        assert numbers == list(range(1, len(numbers) + 1))  # no gap: cancelled ones were given back
