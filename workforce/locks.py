"""PostgreSQL advisory locks: the one place their keys are derived and their calls made.

Five uses: a job's run holds a session-level lock for its whole run, tried once and never
waited for (a second scheduler skips the run); a return's transaction waits a bounded
time for a transaction-level lock per council and period, so concurrent uploads queue;
a write to a regional MoU group (its members, caps, assessment or digest) waits a
bounded time for a transaction-level lock per group, or one lock for the on-cost rates;
a kite-mark write waits for its agency's lock, or one registry-wide lock for agency
names and matches; and an emergency pool write waits for the lock of what it changes
(the workers, a match run, a request, a worker's offers and placements).
Keys come from ``zlib.crc32``, not ``hash()``: Python salts string hashes per process,
and every process must agree on the key. On SQLite, a single-host database, a job takes
an exclusive ``flock`` on a file beside the data, and a return needs no lock: its
transaction already holds the database's one write lock (``db.begin_write``).
"""

from __future__ import annotations

import fcntl
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from workforce.db import is_postgresql

# The high half of a job's key: keeps our keys apart from other applications'.
_JOBS_NAMESPACE = zlib.crc32(b"workforce.jobs")
# The first int of a return's two-int key: "RETU".
_RETURNS_CLASS = 0x52455455
# The first int of an MoU write's two-int key: "MOUW".
_MOU_CLASS = 0x4D4F5557
# The first int of a kite-mark registry write's two-int key: "AGCY".
_AGENCY_CLASS = 0x41474359
# The first int of an emergency pool write's two-int key: "POOL".
_POOL_CLASS = 0x504F4F4C
# PostgreSQL's lock_not_available, raised when lock_timeout runs out.
_LOCK_NOT_AVAILABLE = "55P03"


def _signed(value: int, bits: int) -> int:
    return value - (1 << bits) if value >= (1 << (bits - 1)) else value


def advisory_lock_key(job: str) -> int:
    """Return the stable signed 64-bit PostgreSQL advisory-lock key for ``job``."""
    return _signed((_JOBS_NAMESPACE << 32) | zlib.crc32(job.encode("utf-8")), 64)


def return_lock_key(council_code: str, kind: str, period_end: date | None) -> tuple[int, int]:
    """Return the two-int advisory-lock key for one council's returns of one kind and period."""
    # The two-int form takes int4s.
    return _RETURNS_CLASS, _signed(
        zlib.crc32(f"return:{council_code}:{kind}:{period_end}".encode()), 32
    )


def mou_lock_key(group_name: str | None) -> tuple[int, int]:
    """Return the two-int advisory-lock key for writes to the MoU group ``group_name``.

    ``None`` gives the one key for the on-cost rates, which belong to no group.
    """
    name = "on_cost_rates" if group_name is None else f"group:{group_name}"
    return _MOU_CLASS, _signed(zlib.crc32(f"mou:{name}".encode()), 32)


def agency_lock_key(agency_id_or_name: int | str | None) -> tuple[int, int]:
    """Return the two-int advisory-lock key for writes to one agency on the kite-mark
    register (its id, or a name), or, for ``None``, the one registry-wide key (registering
    agencies, their names and name matches)."""
    name = "registry" if agency_id_or_name is None else f"agency:{agency_id_or_name}"
    return _AGENCY_CLASS, _signed(zlib.crc32(f"agencies:{name}".encode()), 32)


def pool_lock_key(subject: str) -> tuple[int, int]:
    """Return the two-int advisory-lock key for writes to one subject of the emergency pool:
    ``"workers"`` (the pool's workers and their imports), ``"match"`` (a match run),
    ``"request:<id>"`` (a request, its tier, its offers), ``"worker:<id>"`` (a worker's
    offers and placements)."""
    return _POOL_CLASS, _signed(zlib.crc32(f"pool:{subject}".encode()), 32)


@contextmanager
def job_lock(engine: Engine, job: str, lock_dir: Path) -> Iterator[bool]:
    """Yield True if this process now holds ``job``'s lock, False if another run does.

    On PostgreSQL a session-level advisory lock, held on its own connection for the
    whole run, so it is released even if the process dies. On SQLite an exclusive
    ``flock`` on a file in ``lock_dir``.
    """
    if is_postgresql(engine):
        key = advisory_lock_key(job)
        with engine.connect() as connection:
            acquired = bool(
                connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": key}).scalar()
            )
            try:
                yield acquired
            finally:
                if acquired:
                    connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
                connection.commit()
        return
    lock_dir.mkdir(parents=True, exist_ok=True)
    with open(lock_dir / f"{job}.lock", "a+b") as handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def wait_for_transaction_lock(
    *, session: Session, key: tuple[int, int], wait_seconds: float
) -> bool:
    """Return True once the transaction holds ``key``, False if not within ``wait_seconds``.

    The lock is released when the transaction ends. On a timeout the transaction is rolled
    back. On SQLite it returns True at once (see the module's docstring).
    """
    if not is_postgresql(session.get_bind()):
        return True
    session.execute(
        text("SELECT set_config('lock_timeout', :wait, true)"),
        {"wait": f"{max(1, int(wait_seconds * 1000))}ms"},
    )
    try:
        session.execute(text("SELECT pg_advisory_xact_lock(:a, :b)"), {"a": key[0], "b": key[1]})
    except OperationalError as exc:
        if getattr(exc.orig, "sqlstate", None) != _LOCK_NOT_AVAILABLE:
            raise
        session.rollback()
        return False
    session.execute(text("SET LOCAL lock_timeout TO DEFAULT"))
    return True
