"""Races for the concurrency tests: writers in real threads started together, and a pause
patched in between a writer's check and its write.

Each thread has its own session on the test database (SQLite or PostgreSQL) and is
connected before the start, since a new PostgreSQL connection takes long enough for
another thread to have finished and there would be no race to test. With the pause, every
thread would check before any wrote, every time, unless a lock makes them queue.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from workforce.errors import InputDataError

T = TypeVar("T")


def at_once(engine: Engine, workers: int, work: Callable[[Session, int], T]) -> list[T | Exception]:
    """Run ``work(session, number)`` in ``workers`` threads started together, each in its
    own session that commits on success; return each one's result or the exception it
    raised (rolled back)."""
    barrier = threading.Barrier(workers)

    def run(number: int) -> T | Exception:
        with Session(engine, expire_on_commit=False) as session:
            session.connection()
            barrier.wait(timeout=60)
            try:
                result = work(session, number)
                session.commit()
                return result
            except Exception as exc:
                session.rollback()
                return exc

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(run, range(workers)))


def slowed(monkeypatch: pytest.MonkeyPatch, owner: object, name: str, seconds: float = 0.1) -> None:
    """Make ``owner.name`` pause ``seconds`` after it runs. Patch it where the code under
    test looks it up, between a writer's check and its write."""
    real = getattr(owner, name)

    def slow(*args: object, **kwargs: object) -> object:
        result = real(*args, **kwargs)
        time.sleep(seconds)
        return result

    monkeypatch.setattr(owner, name, slow)


def refusals(results: list[T | Exception]) -> list[str]:
    """The rules of the InputDataErrors among ``results``; anything else raised fails."""
    unexpected = [
        r for r in results if isinstance(r, Exception) and not isinstance(r, InputDataError)
    ]
    assert not unexpected, unexpected
    return [p.rule for r in results if isinstance(r, InputDataError) for p in r.problems]
