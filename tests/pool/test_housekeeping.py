"""The hourly ``pool_housekeeping`` job: offers past their time to answer expire (releasing
their workers), audited as the job; placements ending within 28 days are counted."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from jobs.registry import get_job
from jobs.runner import run_job
from tests.builders import pool_offers as build
from workforce.auth.models import AuditEvent
from workforce.config import Settings
from workforce.pool.models import Offer, OfferStatus
from workforce.runs.models import RunStatus
from workforce.timeutils import utcnow


def test_the_job_is_scheduled_hourly() -> None:
    spec = get_job("pool_housekeeping")
    assert spec.cron == {"minute": 20}


def test_expired_offers_are_closed_and_placements_ending_soon_are_counted(
    reference_settings: Settings, reference_engine: Engine
) -> None:
    now = utcnow()
    today = now.date()
    with Session(reference_engine, expire_on_commit=False) as s:
        req = build.request(
            s, posts=4, start=today - timedelta(days=60), end=today + timedelta(days=60)
        )
        stale = build.offer(s, req, build.worker(s), expires_at=now - timedelta(hours=2))
        fresh = build.offer(s, req, build.worker(s), expires_at=now + timedelta(days=2))
        build.placement(s, req, build.worker(s), end=today + timedelta(days=10))
        build.placement(s, req, build.worker(s), end=today + timedelta(days=40))
        s.commit()
    run = run_job("pool_housekeeping", engine=reference_engine, settings=reference_settings)
    assert RunStatus(run.status) is RunStatus.succeeded, run.error
    assert run.rows == 1
    assert run.summary is not None
    assert run.summary.startswith("1 offer(s) expired; 1 placement(s) ending within 28 days")
    with Session(reference_engine) as s:
        assert s.get(Offer, stale.id).status == OfferStatus.expired  # type: ignore[union-attr]
        assert s.get(Offer, fresh.id).status == OfferStatus.open  # type: ignore[union-attr]
        (event,) = s.exec(select(AuditEvent).where(AuditEvent.action == "pool.expire")).all()
        assert event.source == "job:pool_housekeeping"
        assert event.entity_id == str(stale.id)
    again = run_job("pool_housekeeping", engine=reference_engine, settings=reference_settings)
    assert again.rows == 0
