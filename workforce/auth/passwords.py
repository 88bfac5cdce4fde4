"""Password hashing: argon2id with OWASP's parameters, checks that take turns, and a
check that costs the same whoever asks.

Each hash or check takes 19 MiB for as long as it runs, so a burst of sign-ins would
otherwise take that much per request at once. :class:`PasswordCheckGate` runs them in a
few threads of their own, a bounded number at once in this process; the rest wait a
bounded time for a turn and are then told to try again (:class:`PasswordChecksBusy`),
never queued for ever. (Their own threads matter as much as the bound: the C allocator
keeps each thread's freed 19 MiB for that thread, so checks spread over every request
thread would keep that much per thread however few ran at once.)
"""

from __future__ import annotations

import math
import secrets
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import TypeVar

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError

from workforce.config import get_settings

# OWASP Password Storage Cheat Sheet: argon2id with at least 19 MiB of memory, an iteration
# count of 2 and 1 degree of parallelism. (argon2-cffi's own default, RFC 9106's "low
# memory" choice, takes 64 MiB and 4 lanes.) Hashes made with other parameters still verify,
# and are rehashed with these at the next successful sign-in.
MEMORY_KIB = 19 * 1024
TIME_COST = 2
PARALLELISM = 1

_hasher = PasswordHasher(
    time_cost=TIME_COST,
    memory_cost=MEMORY_KIB,
    parallelism=PARALLELISM,
    hash_len=32,
    salt_len=16,
    type=Type.ID,
)
# A hash of nothing in particular, checked when there is no password to check (an unknown
# email, a disabled or locked account), so that every refusal takes as long as a wrong
# password.
DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


class PasswordChecksBusy(Exception):
    """Every password check stayed busy for the whole wait; try again in ``retry_after`` s."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(
            "The service is busy checking other sign-ins. "
            f"Wait {retry_after} seconds and try again."
        )
        self.retry_after = retry_after


T = TypeVar("T")


class PasswordCheckGate:
    """Run password hashes and checks in ``checks_at_once`` threads of their own; a caller
    waits up to ``wait_seconds`` for a turn, then gets :class:`PasswordChecksBusy`."""

    def __init__(self, *, checks_at_once: int, wait_seconds: float) -> None:
        self.checks_at_once = checks_at_once
        self.wait_seconds = wait_seconds
        self._slots = threading.BoundedSemaphore(checks_at_once)
        self._threads = ThreadPoolExecutor(checks_at_once, thread_name_prefix="password-check")

    @contextmanager
    def slot(self, wait_seconds: float | None = None) -> Iterator[None]:
        """Hold one turn for the block; wait ``wait_seconds`` (default: the gate's) for it."""
        wait = self.wait_seconds if wait_seconds is None else wait_seconds
        if not self._slots.acquire(timeout=wait):
            raise PasswordChecksBusy(retry_after=max(1, math.ceil(self.wait_seconds)))
        try:
            yield
        finally:
            self._slots.release()

    def run(self, work: Callable[[], T], wait_seconds: float | None = None) -> T:
        """Return ``work()``, run in one of the gate's threads once a turn is free."""
        with self.slot(wait_seconds):
            # As many threads as turns: a turn held means a thread is free for it.
            return self._threads.submit(work).result()


_gate: PasswordCheckGate | None = None
_gate_lock = threading.Lock()


def gate() -> PasswordCheckGate:
    """Return this process's gate, sized by the settings when it is first asked for
    (``WORKFORCE_PASSWORD_CHECKS_AT_ONCE``, ``WORKFORCE_PASSWORD_CHECK_WAIT_SECONDS``)."""
    global _gate
    with _gate_lock:
        if _gate is None:
            settings = get_settings()
            _gate = PasswordCheckGate(
                checks_at_once=settings.password_checks_at_once,
                wait_seconds=settings.password_check_wait_seconds,
            )
        return _gate


def hash_password(password: str, *, wait_seconds: float | None = None) -> str:
    """Return the argon2id hash of ``password``, with today's parameters, in turn."""
    return gate().run(lambda: _hasher.hash(password), wait_seconds)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Return whether ``password`` matches ``password_hash`` (None: check a dummy, refuse).

    Raises :class:`PasswordChecksBusy` if no turn came within the gate's wait.
    """

    def check() -> bool:
        try:
            return _hasher.verify(password_hash or DUMMY_HASH, password)
        except (VerificationError, InvalidHashError):
            return False

    return gate().run(check) and password_hash is not None


def needs_rehash(password_hash: str) -> bool:
    """Return whether ``password_hash`` was made with other parameters than today's."""
    return _hasher.check_needs_rehash(password_hash)
