"""The ``job_run`` table: one row per attempt to run a job."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import DateTime, String
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel


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


class RunStatus(StrEnum):
    running = "running"
    succeeded = "succeeded"
    failed = "failed"
    skipped = "skipped"
    # Its process ended (killed, or the host went down) without recording an outcome.
    abandoned = "abandoned"


class JobRunBase(SQLModel):
    job: str = Field(max_length=100, index=True)
    trigger: str = Field(max_length=20, description="scheduler or cli")
    started_at: datetime = Field(default_factory=utcnow, index=True, sa_type=UTCDateTime())
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime())
    status: RunStatus = Field(default=RunStatus.running, sa_type=String(20), index=True)
    rows: int | None = Field(default=None, description="rows added or changed by the run")
    summary: str | None = Field(default=None, max_length=2000)
    error: str | None = None
    host: str = Field(default="", max_length=255)
    pid: int | None = None


class JobRun(JobRunBase, table=True):
    __tablename__ = "job_run"

    id: int | None = Field(default=None, primary_key=True)


class JobRunPublic(JobRunBase):
    id: int
