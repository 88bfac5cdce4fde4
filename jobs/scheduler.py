"""The scheduler process: APScheduler's BlockingScheduler, one per deployment."""

from __future__ import annotations

import logging
import signal
from types import FrameType

from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger

from jobs.registry import all_jobs
from jobs.runner import abandon_runs_left_running, run_job
from workforce.config import Settings

log = logging.getLogger("workforce.scheduler")


def build_scheduler(settings: Settings) -> BlockingScheduler:
    """Return a scheduler with every registered job that has a schedule."""
    scheduler = BlockingScheduler(
        timezone=settings.timezone,
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600},
    )
    for spec in all_jobs():
        if not spec.cron:
            continue
        scheduler.add_job(
            run_job,
            CronTrigger(timezone=settings.timezone, **spec.cron),
            args=[spec.name],
            kwargs={"trigger": "scheduler"},
            id=spec.name,
            name=spec.description,
            replace_existing=True,
            # Said again per job (not only in job_defaults) so they hold before start().
            coalesce=True,
            max_instances=1,
            misfire_grace_time=3600,
        )
    return scheduler


def run_scheduler(settings: Settings) -> None:
    """Run the scheduler until SIGINT or SIGTERM, first closing runs left by a dead process."""
    abandon_runs_left_running(found_when="the scheduler started", settings=settings)
    scheduler = build_scheduler(settings)

    def stop(signum: int, _frame: FrameType | None) -> None:
        log.info("scheduler stopping on signal %s", signum)
        scheduler.shutdown(wait=False)

    signal.signal(signal.SIGTERM, stop)
    for scheduled in scheduler.get_jobs():
        log.info("scheduled %s: %s", scheduled.id, scheduled.trigger)
    log.info("scheduler started (timezone %s)", settings.timezone)
    scheduler.start()
