"""Sign-in rate limits: so many attempts per client address and per email address in a
sliding window, counted in this process's memory.

The counts are per process: with ``--workers N`` each worker keeps its own, so the limits
hold N times over for the service as a whole. They bound the work a burst can cause
(every attempt costs a password check); the lock-out after repeated wrong passwords is
counted in the database and holds across processes.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass

# The most keys remembered per kind; past this the longest-unused are forgotten, so a
# flood of made-up email addresses cannot exhaust memory.
MAX_KEYS = 20_000


@dataclass(frozen=True)
class TooManyAttempts:
    """An attempt refused: ``by`` says which limit ("address" or "account")."""

    by: str
    retry_after: int

    @property
    def message(self) -> str:
        if self.retry_after >= 120:
            wait = f"{math.ceil(self.retry_after / 60)} minutes"
        else:
            wait = f"{self.retry_after} seconds"
        where = "from your network" if self.by == "address" else "for this email address"
        return f"Too many sign-in attempts {where}. Try again in {wait}."


class SlidingWindow:
    """At most ``limit`` events per key in any ``window`` seconds (not thread-safe alone)."""

    def __init__(self, limit: int, window: float) -> None:
        self.limit = limit
        self.window = window
        self._events: OrderedDict[str, deque[float]] = OrderedDict()

    def wait(self, key: str, now: float) -> float:
        """Return the seconds until ``key`` may have another event (0: now)."""
        events = self._events.get(key)
        if events is None:
            return 0.0
        while events and events[0] <= now - self.window:
            events.popleft()
        if len(events) < self.limit:
            return 0.0
        return events[0] + self.window - now

    def record(self, key: str, now: float) -> None:
        events = self._events.setdefault(key, deque(maxlen=self.limit))
        events.append(now)
        self._events.move_to_end(key)
        while len(self._events) > MAX_KEYS:
            self._events.popitem(last=False)


class SignInLimits:
    """Admit a sign-in attempt if neither its client address nor its email is over limit."""

    def __init__(
        self,
        *,
        per_address: int,
        per_account: int,
        window_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._by_address = SlidingWindow(per_address, window_seconds)
        self._by_account = SlidingWindow(per_account, window_seconds)
        self._clock = clock
        self._lock = threading.Lock()

    def admit(self, *, address: str, email: str) -> TooManyAttempts | None:
        """Count the attempt and return None, or refuse it (uncounted) with when to retry.

        ``email`` is counted as given (normalised), whether or not an account has it, so a
        refusal says nothing about which accounts exist.
        """
        now = self._clock()
        with self._lock:
            for by, window, key in (
                ("address", self._by_address, address),
                ("account", self._by_account, email),
            ):
                wait = window.wait(key, now)
                if wait > 0:
                    return TooManyAttempts(by=by, retry_after=max(1, math.ceil(wait)))
            self._by_address.record(address, now)
            self._by_account.record(email, now)
        return None
