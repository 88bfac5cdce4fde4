"""Recording and reading job runs."""

from __future__ import annotations

import os
import socket
from collections.abc import Sequence

from sqlmodel import Session, col, select

from workforce.runs.models import JobRun, RunStatus
from workforce.timeutils import utcnow


def start_run(*, session: Session, job: str, trigger: str) -> JobRun:
    """Return a new ``running`` run row, committed so others can see it."""
    run = JobRun(job=job, trigger=trigger, host=socket.gethostname(), pid=os.getpid())
    session.add(run)
    session.commit()
    session.refresh(run)
    return run


def record_skipped_run(*, session: Session, job: str, trigger: str, reason: str) -> JobRun:
    """Return a new ``skipped`` run row, committed: it is never ``running``, even briefly."""
    now = utcnow()
    run = JobRun(
        job=job,
        trigger=trigger,
        host=socket.gethostname(),
        pid=os.getpid(),
        started_at=now,
        finished_at=now,
        status=RunStatus.skipped,
        summary=reason[:2000],
    )
    session.add(run)
    session.commit()
    session.refresh(run)
    return run


def abandon_dead_runs(*, session: Session, job: str, found_when: str) -> list[JobRun]:
    """Return the runs of ``job`` left ``running``, now marked ``abandoned``, committed.

    Call only while holding ``job``'s lock: a live run holds it for as long as it runs, so
    any run still marked ``running`` then belongs to a process that ended without finishing.
    """
    runs = list(
        session.exec(select(JobRun).where(JobRun.job == job, JobRun.status == RunStatus.running))
    )
    for run in runs:
        run.status = RunStatus.abandoned
        run.finished_at = utcnow()
        run.error = (
            f"the process ({run.host}, pid {run.pid}) ended without finishing; "
            f"found when {found_when}"
        )
        session.add(run)
    session.commit()
    return runs


def jobs_left_running(*, session: Session) -> list[str]:
    """Return the names of jobs with a run marked ``running``, by name."""
    query = select(JobRun.job).where(JobRun.status == RunStatus.running).distinct()
    return sorted(session.exec(query))


def finish_run(
    *,
    session: Session,
    run: JobRun,
    status: RunStatus,
    rows: int | None = None,
    summary: str | None = None,
    error: str | None = None,
) -> JobRun:
    """Return ``run`` closed with its outcome, committed."""
    run.status = status
    run.finished_at = utcnow()
    run.rows = rows
    run.summary = summary[:2000] if summary else summary
    run.error = error
    session.add(run)
    session.commit()
    session.refresh(run)
    return run


def recent_runs(*, session: Session, job: str | None = None, limit: int = 50) -> Sequence[JobRun]:
    """Return the latest runs, newest first, optionally for one job."""
    query = select(JobRun).order_by(col(JobRun.started_at).desc(), col(JobRun.id).desc())
    if job:
        query = query.where(JobRun.job == job)
    return session.exec(query.limit(limit)).all()


def last_run(*, session: Session, job: str) -> JobRun | None:
    """Return the most recent run of ``job``, if any."""
    runs = recent_runs(session=session, job=job, limit=1)
    return runs[0] if runs else None
