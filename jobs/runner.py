"""Running a job once: the lock, the run log, the outcome. Scheduler and CLI both use it."""

from __future__ import annotations

import logging
import traceback

from sqlalchemy.engine import Engine
from sqlmodel import Session

from jobs.registry import get_job
from workforce.config import Settings, get_settings
from workforce.db import get_engine, session_scope
from workforce.runs.locks import advisory_lock_key, job_lock
from workforce.runs.models import JobRun, RunStatus
from workforce.runs.service import finish_run, start_run

log = logging.getLogger("workforce.jobs")


def run_job(
    name: str,
    *,
    trigger: str = "cli",
    engine: Engine | None = None,
    settings: Settings | None = None,
) -> JobRun:
    """Return the recorded run of job ``name``: succeeded, failed, or skipped if locked."""
    spec = get_job(name)
    settings = settings or get_settings()
    engine = engine or get_engine()
    with (
        job_lock(engine, name, settings.data_dir / "locks") as acquired,
        Session(engine, expire_on_commit=False) as log_session,
    ):
        run = start_run(session=log_session, job=name, trigger=trigger)
        if not acquired:
            reason = f"another run of {name} holds its lock" + (
                f" (PostgreSQL advisory lock {advisory_lock_key(name)})"
                if engine.dialect.name == "postgresql"
                else ""
            )
            log.warning("job %s run %s skipped: %s", name, run.id, reason)
            return finish_run(
                session=log_session, run=run, status=RunStatus.skipped, summary=reason
            )
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
