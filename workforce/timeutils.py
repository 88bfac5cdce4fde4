"""Times in UTC: the clock, and the column type that stores a moment on every backend.

Kept apart from ``db.py`` (the engine and sessions) so that every table module can use
the column type without importing the engine, and at the bottom of the layers, beside
``config`` and ``errors``: it imports nothing from the service.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    """Return the current time in UTC, timezone-aware."""
    return datetime.now(UTC)


def as_utc(moment: datetime | None) -> datetime | None:
    """Return ``moment`` timezone-aware: SQLite hands back stored UTC times without a zone."""
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment


class UTCDateTime(TypeDecorator[datetime]):
    """A moment stored in UTC and always read back timezone-aware, on every backend.

    PostgreSQL keeps the zone (``timestamptz``); SQLite keeps none, so a moment is turned
    into UTC before it is written and read back as UTC, and an API answer or a comparison
    never meets a naive time.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if isinstance(value, datetime):
            if value.tzinfo is None:
                raise ValueError(
                    f"a naive time {value.isoformat()} cannot be stored: give it a zone"
                )
            return value.astimezone(UTC)
        return value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        return as_utc(value)
