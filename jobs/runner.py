"""Running a job once: the lock, the run log, the outcome. Scheduler and CLI both use it."""

from __future__ import annotations

import logging
import traceback

from sqlalchemy.engine import Engine
from sqlmodel import Session

from jobs.registry import get_job
from workforce.config import Settings, get_settings
from workforce.db import get_engine, is_postgresql, session_scope
from workforce.locks import advisory_lock_key, job_lock
from workforce.runs.models import JobRun, RunStatus
from workforce.runs.service import (
    abandon_dead_runs,
    finish_run,
    jobs_left_running,
    record_skipped_run,
    start_run,
)

log = logging.getLogger("workforce.jobs")


def run_job(
    name: str,
    *,
    trigger: str = "cli",
    engine: Engine | None = None,
    settings: Settings | None = None,
) -> JobRun:
    """Return the recorded run of job ``name``: succeeded, failed, or skipped if locked.

    Taking the lock also marks abandoned any earlier run of the job left ``running``: its
    process ended without finishing, or it would still hold the lock.
    """
    spec = get_job(name)
    settings = settings or get_settings()
    engine = engine or get_engine()
    with (
        job_lock(engine, name, settings.data_dir / "locks") as acquired,
        Session(engine, expire_on_commit=False) as log_session,
    ):
        if not acquired:
            reason = f"another run of {name} holds its lock" + (
                f" (PostgreSQL advisory lock {advisory_lock_key(name)})"
                if is_postgresql(engine)
                else ""
            )
            run = record_skipped_run(session=log_session, job=name, trigger=trigger, reason=reason)
            log.warning("job %s run %s skipped: %s", name, run.id, reason)
            return run
        _log_abandoned(
            abandon_dead_runs(session=log_session, job=name, found_when="the lock was next taken")
        )
        run = start_run(session=log_session, job=name, trigger=trigger)
        log.info("job %s run %s started (%s)", name, run.id, trigger)
        try:
            with session_scope(engine) as session:
                outcome = spec(session=session)
        except Exception as exc:
            log.exception("job %s run %s failed", name, run.id)
            detail = "".join(traceback.format_exception_only(type(exc), exc)).strip()
            return finish_run(session=log_session, run=run, status=RunStatus.failed, error=detail)
        log.info(
            "job %s run %s succeeded: %s rows; %s", name, run.id, outcome.rows, outcome.summary
        )
        return finish_run(
            session=log_session,
            run=run,
            status=RunStatus.succeeded,
            rows=outcome.rows,
            summary=outcome.summary,
        )


def abandon_runs_left_running(
    *, found_when: str, engine: Engine | None = None, settings: Settings | None = None
) -> list[JobRun]:
    """Return the runs whose process ended mid-run, now marked abandoned with the reason.

    Each job's lock is tried without waiting: a job whose lock is held is running now, in
    this process or another, and its runs are left alone.
    """
    settings = settings or get_settings()
    engine = engine or get_engine()
    with Session(engine) as session:
        names = jobs_left_running(session=session)
    abandoned: list[JobRun] = []
    for name in names:
        with (
            job_lock(engine, name, settings.data_dir / "locks") as acquired,
            Session(engine, expire_on_commit=False) as session,
        ):
            if acquired:
                abandoned += abandon_dead_runs(session=session, job=name, found_when=found_when)
    _log_abandoned(abandoned)
    return abandoned


def _log_abandoned(runs: list[JobRun]) -> None:
    for run in runs:
        log.warning("job %s run %s abandoned: %s", run.job, run.id, run.error)
