"""The ``job_run`` table: one row per attempt to run a job."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import String
from sqlmodel import Field, SQLModel

from workforce.timeutils import UTCDateTime, utcnow


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
