"""The ``job_run`` table: one row per attempt to run a job."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy import DateTime, String
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    """Return the current time in UTC, timezone-aware."""
    return datetime.now(UTC)


def as_utc(moment: datetime | None) -> datetime | None:
    """Return ``moment`` timezone-aware: SQLite hands back stored UTC times without a zone."""
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment


class RunStatus(StrEnum):
    running = "running"
    succeeded = "succeeded"
    failed = "failed"
    skipped = "skipped"


class JobRunBase(SQLModel):
    job: str = Field(max_length=100, index=True)
    trigger: str = Field(max_length=20, description="scheduler or cli")
    started_at: datetime = Field(
        default_factory=utcnow, index=True, sa_type=DateTime(timezone=True)
    )
    finished_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
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
