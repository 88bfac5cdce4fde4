"""Locks that keep two runs of the same job apart, across processes and hosts."""

from __future__ import annotations

import fcntl
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import Engine


def advisory_lock_key(job: str) -> int:
    """Return the stable signed 64-bit PostgreSQL advisory-lock key for ``job``.

    ``zlib.crc32`` rather than ``hash()``: Python salts string hashes per process, and
    every process must agree on the key.
    """
    # A fixed namespace in the high 32 bits keeps our keys apart from other applications'.
    namespace = zlib.crc32(b"workforce.jobs")
    key = (namespace << 32) | zlib.crc32(job.encode("utf-8"))
    return key - (1 << 64) if key >= (1 << 63) else key


@contextmanager
def job_lock(engine: Engine, job: str, lock_dir: Path) -> Iterator[bool]:
    """Yield True if this process now holds ``job``'s lock, False if another run does.

    On PostgreSQL a session-level advisory lock, held on its own connection for the
    whole run, so it is released even if the process dies. On SQLite (a single-host
    database) an exclusive ``flock`` on a file beside the data.
    """
    if engine.dialect.name == "postgresql":
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
