"""A run whose process died stays `running` only until its job's lock is next taken."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from jobs import registry, scheduler
from jobs.registry import JobOutcome
from jobs.runner import run_job
from workforce.config import Settings
from workforce.runs.models import JobRun

JOB = "test_interrupted"

# A process that starts the job, says so, and then never finishes it on its own.
CHILD = f"""
import sys, time
from jobs import registry
from jobs.registry import JobOutcome
from jobs.runner import run_job

def forever(*, session):
    print("inside", flush=True)
    time.sleep(600)
    return JobOutcome(rows=0, summary="never")

registry._REGISTRY[{JOB!r}] = registry.JobSpec({JOB!r}, forever, "never ends")
run_job({JOB!r}, trigger="cli")
"""


@pytest.fixture
def quick_job() -> Iterator[str]:
    def quick(*, session: Session) -> JobOutcome:
        return JobOutcome(rows=0, summary="done")

    registry._REGISTRY[JOB] = registry.JobSpec(JOB, quick, "finishes at once")
    yield JOB
    registry._REGISTRY.pop(JOB)


def _runs(engine: Engine) -> list[JobRun]:
    with Session(engine) as session:
        return list(session.exec(select(JobRun).order_by(JobRun.id)))  # type: ignore[arg-type]


def _kill_mid_run(engine: Engine) -> JobRun:
    """Start the job in a real process, kill it (SIGKILL) inside the job; return its run."""
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD], env=dict(os.environ), stdout=subprocess.PIPE, text=True
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "inside"
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(30)
    [run] = _runs(engine)
    assert run.status == "running"
    assert run.pid == child.pid
    return run


def _until_lock_is_free(engine: Engine, settings: Settings, name: str) -> JobRun:
    """Run the job until it is not skipped: a dead client's lock can take a moment to go."""
    deadline = time.monotonic() + 30
    while True:
        run = run_job(name, engine=engine, settings=settings)
        if run.status != "skipped" or time.monotonic() > deadline:
            return run
        time.sleep(0.2)


def test_a_run_killed_mid_run_is_abandoned_when_the_lock_is_next_taken(
    settings: Settings, engine: Engine, quick_job: str
) -> None:
    dead = _kill_mid_run(engine)
    again = _until_lock_is_free(engine, settings, quick_job)
    assert again.status == "succeeded"
    by_id = {run.id: run for run in _runs(engine)}
    abandoned = by_id[dead.id]
    assert abandoned.status == "abandoned"
    assert abandoned.finished_at is not None
    assert abandoned.error == (
        f"the process ({dead.host}, pid {dead.pid}) ended without finishing; "
        "found when the lock was next taken"
    )
    # Only runs left running are touched: the new one and any skipped ones keep theirs.
    assert {r.status for r in by_id.values() if r.id != dead.id} <= {"succeeded", "skipped"}


def test_a_run_left_running_is_abandoned_when_the_scheduler_starts(
    settings: Settings, engine: Engine, quick_job: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    dead = _kill_mid_run(engine)
    started: list[bool] = []
    monkeypatch.setattr(scheduler.signal, "signal", lambda *args: None)
    monkeypatch.setattr(scheduler.BlockingScheduler, "start", lambda self: started.append(True))
    deadline = time.monotonic() + 30
    while _runs(engine)[0].status == "running" and time.monotonic() < deadline:
        scheduler.run_scheduler(settings)
    assert started
    [run] = _runs(engine)
    assert run.status == "abandoned"
    assert run.error == (
        f"the process ({dead.host}, pid {dead.pid}) ended without finishing; "
        "found when the scheduler started"
    )


@pytest.fixture
def blocking_job() -> Iterator[tuple[str, threading.Event, threading.Event]]:
    entered, release = threading.Event(), threading.Event()

    def wait(*, session: Session) -> JobOutcome:
        entered.set()
        assert release.wait(30)
        return JobOutcome(rows=0, summary="waited")

    registry._REGISTRY[JOB] = registry.JobSpec(JOB, wait, "blocks")
    yield JOB, entered, release
    registry._REGISTRY.pop(JOB)


def test_a_run_whose_lock_is_still_held_is_never_abandoned(
    settings: Settings,
    engine: Engine,
    blocking_job: tuple[str, threading.Event, threading.Event],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    name, entered, release = blocking_job
    results: list[JobRun] = []
    first = threading.Thread(
        target=lambda: results.append(run_job(name, engine=engine, settings=settings))
    )
    first.start()
    try:
        assert entered.wait(30)
        skipped = run_job(name, engine=engine, settings=settings)
        monkeypatch.setattr(scheduler.signal, "signal", lambda *args: None)
        monkeypatch.setattr(scheduler.BlockingScheduler, "start", lambda self: None)
        scheduler.run_scheduler(settings)
        statuses = {run.id: run.status for run in _runs(engine)}
    finally:
        release.set()
        first.join(30)
    assert skipped.status == "skipped"
    assert sorted(statuses.values()) == ["running", "skipped"]
    assert [r.status for r in results] == ["succeeded"]
