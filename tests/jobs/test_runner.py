"""Jobs: the registry, the run log, failures, and the per-job lock."""

import threading
from collections.abc import Iterator

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from jobs import registry
from jobs.registry import JobOutcome, all_jobs, get_job
from jobs.runner import run_job
from jobs.scheduler import build_scheduler
from workforce.config import Settings
from workforce.locks import advisory_lock_key
from workforce.runs.models import JobRun


def test_the_registry_lists_reference_refresh() -> None:
    names = [spec.name for spec in all_jobs()]
    assert "reference_refresh" in names
    with pytest.raises(KeyError, match=r"known jobs: .*reference_refresh"):
        get_job("no_such_job")


def test_the_scheduler_registers_every_scheduled_job_coalesced_one_at_a_time(
    settings: Settings,
) -> None:
    scheduler = build_scheduler(settings)
    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert set(jobs) == {spec.name for spec in all_jobs() if spec.cron}
    for job in jobs.values():
        assert job.coalesce is True
        assert job.max_instances == 1
        assert job.args == (job.id,)
        assert job.kwargs == {"trigger": "scheduler"}


def test_advisory_lock_keys_are_stable_signed_64_bit() -> None:
    key = advisory_lock_key("reference_refresh")
    assert key == advisory_lock_key("reference_refresh")
    assert key != advisory_lock_key("returns_inbox")
    assert -(2**63) <= key < 2**63
    # Fixed so that every process, every release, agrees on it.
    assert key == 7496565645374457171


def test_a_run_is_logged_with_its_outcome(settings: Settings, engine: Engine) -> None:
    first = run_job("reference_refresh", engine=engine, settings=settings)
    second = run_job("reference_refresh", engine=engine, settings=settings)
    assert (first.status, second.status) == ("succeeded", "succeeded")
    assert first.rows == 1740
    assert second.rows == 0
    with Session(engine) as session:
        rows = session.exec(select(JobRun).order_by(JobRun.id)).all()  # type: ignore[arg-type]
    assert [(r.job, r.trigger, r.status) for r in rows] == [
        ("reference_refresh", "cli", "succeeded")
    ] * 2
    assert all(r.finished_at and r.finished_at >= r.started_at for r in rows)
    assert "council: 0 added, 0 updated, 158 unchanged" in (rows[1].summary or "")


@pytest.fixture
def exploding_job() -> Iterator[str]:
    def explode(*, session: Session) -> JobOutcome:
        raise RuntimeError("the inbox folder is not readable")

    registry._REGISTRY["test_exploding"] = registry.JobSpec("test_exploding", explode, "fails")
    yield "test_exploding"
    registry._REGISTRY.pop("test_exploding")


def test_a_failed_run_is_logged_with_its_error(
    settings: Settings, engine: Engine, exploding_job: str
) -> None:
    run = run_job(exploding_job, engine=engine, settings=settings)
    assert run.status == "failed"
    assert run.error == "RuntimeError: the inbox folder is not readable"
    assert run.finished_at is not None


@pytest.fixture
def blocking_job() -> Iterator[tuple[str, threading.Event, threading.Event]]:
    entered, release = threading.Event(), threading.Event()

    def wait(*, session: Session) -> JobOutcome:
        entered.set()
        assert release.wait(30)
        return JobOutcome(rows=0, summary="waited")

    registry._REGISTRY["test_blocking"] = registry.JobSpec("test_blocking", wait, "blocks")
    yield "test_blocking", entered, release
    registry._REGISTRY.pop("test_blocking")


def test_a_second_run_while_the_first_holds_the_lock_is_skipped(
    settings: Settings, engine: Engine, blocking_job: tuple[str, threading.Event, threading.Event]
) -> None:
    name, entered, release = blocking_job
    results: list[JobRun] = []
    first = threading.Thread(
        target=lambda: results.append(run_job(name, engine=engine, settings=settings))
    )
    first.start()
    assert entered.wait(30)
    second = run_job(name, engine=engine, settings=settings)
    release.set()
    first.join(30)
    assert second.status == "skipped"
    assert second.summary is not None and "holds its lock" in second.summary
    assert [r.status for r in results] == ["succeeded"]
    # Once the first run is over, the lock is free again.
    assert run_job(name, engine=engine, settings=settings).status == "succeeded"
