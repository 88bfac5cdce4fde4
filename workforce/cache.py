"""Answers that change only when the data does, kept in memory and keyed by a data version.

A council's benchmarks and the charts of its page are worked out from published
releases, revisions, judgements, reference data, forecast runs and returns. None of
those changes between one reader and the next, so the answer is kept, under a key that
includes :func:`data_version`: a handful of index look-ups that change whenever any of
those tables gains or changes a row, or any import or other change to data is audited.
Another process (the scheduler, the CLI) changing the data therefore changes the version
every process sees on its next read, and nothing stale is served. Entries are bounded
(least recently used go).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from sqlalchemy import text
from sqlmodel import Session

T = TypeVar("T")

# Each sub-query reads one end of an index (or a small table): cheap on both backends. The
# last is the newest audited change to data (imports of every kind, returns, forecast runs,
# MoU groups' members, caps and assessments): sign-ins, sessions and tokens change no
# answer kept here.
_VERSION_SQL = text(
    """
    SELECT
        (SELECT max(id) FROM publication),
        (SELECT max(id) FROM published_figure),
        (SELECT max(id) FROM figure_revision),
        (SELECT max(id) FROM judgement),
        (SELECT max(updated_at) FROM judgement),
        (SELECT count(*) FROM council),
        (SELECT count(*) FROM statistical_neighbour),
        (SELECT max(id) FROM forecast_run),
        (SELECT max(id) FROM council_return),
        (
            SELECT id FROM audit_event
            WHERE entity NOT IN ('user', 'api_token', 'web_session')
            ORDER BY id DESC LIMIT 1
        )
    """
)


def data_version(*, session: Session) -> tuple[Any, ...]:
    """Return a value that differs whenever the data behind cached answers has changed."""
    row = session.execute(_VERSION_SQL).one()
    return tuple(str(value) if value is not None else None for value in row)


class VersionedCache:
    """A bounded, thread-safe map from (key, data version) to a computed answer.

    Cached values are shared between requests: callers must treat them as read-only.
    """

    def __init__(self, max_entries: int = 512) -> None:
        self.max_entries = max_entries
        self._entries: OrderedDict[tuple[Hashable, tuple[Any, ...]], Any] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, session: Session, key: Hashable, compute: Callable[[], T]) -> T:
        """Return the answer for ``key`` at the data's current version, computing it once."""
        full_key = (key, data_version(session=session))
        with self._lock:
            if full_key in self._entries:
                self._entries.move_to_end(full_key)
                self.hits += 1
                return self._entries[full_key]
            self.misses += 1
        value = compute()
        with self._lock:
            self._entries[full_key] = value
            self._entries.move_to_end(full_key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
        return value
