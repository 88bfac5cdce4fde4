"""The emergency pool's write locks: concurrent writers queue, so each one's checks see
what the one before it stored.

Subjects (:func:`workforce.locks.pool_lock_key`): ``"workers"`` for importing and
changing the pool's workers, ``"match"`` for a match run, ``"request:<id>"`` for a
request (its tier, withdrawal, the offers made against its posts) and ``"worker:<id>"`` for
one worker's offers and placements, so two acceptances for the same worker never both see
the worker free. Take several in a fixed order (:func:`lock_for_writing` sorts them) so two
writers never wait for each other.

On SQLite the transaction takes the database's one write lock
(:func:`workforce.db.begin_write`); on PostgreSQL transaction-level advisory locks, held
until the transaction ends. The same pattern as the kite-mark register's
(:mod:`workforce.agencies.locking`).
"""

from __future__ import annotations

from sqlmodel import Session

from workforce.config import get_settings
from workforce.db import begin_write
from workforce.errors import Busy
from workforce.locks import pool_lock_key, wait_for_transaction_lock


def worker_subject(worker_id: int) -> str:
    return f"worker:{worker_id}"


def request_subject(request_id: int) -> str:
    return f"request:{request_id}"


def lock_for_writing(
    *, session: Session, subjects: list[str], what: str, wait_seconds: float | None = None
) -> None:
    """Queue this transaction behind any other writing to ``subjects``, waiting at most
    ``wait_seconds`` for each (blank: the ``write_wait_seconds`` setting).

    Call it before the write's first read. If a lock is not free in time the transaction is
    rolled back and :class:`~workforce.errors.Busy` says what was not stored (``what``).
    """
    wait = get_settings().write_wait_seconds if wait_seconds is None else wait_seconds
    begin_write(session=session, what=what)
    for subject in sorted(set(subjects)):
        if wait_for_transaction_lock(
            session=session, key=pool_lock_key(subject), wait_seconds=wait
        ):
            continue
        raise Busy(
            f"Another change to the pool's {subject.replace(':', ' ')} was being stored, and "
            f"it was still going after {wait:g} seconds, so {what} was not stored. Nothing "
            "was lost: try again shortly.",
            retry_after=max(1, round(wait)),
            conflict=True,
        )
