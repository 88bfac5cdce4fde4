"""Jobs ``mou_assess`` (every group, every 30 minutes, a transaction each) and
``mou_digest`` (which assesses each group before its digest)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlmodel import Session, func, select

from jobs.registry import get_job
from jobs.runner import run_job
from tests.builders import mou as build
from workforce.auth.models import AuditEvent
from workforce.config import Settings
from workforce.errors import Busy
from workforce.mou import digest, flows
from workforce.mou.models import MouFinding, PayRoute

LONDON, WEST_MIDS = "London", "West Midlands"
CAMDEN, BIRMINGHAM = "202", "330"
LC = PayRoute.limited_company


@pytest.fixture
def s(reference_session: Session, reference_settings: Settings) -> Session:
    """Two groups, each with a member's accepted return of assignments above its cap
    (three in London, two in the West Midlands), never assessed."""
    s = reference_session
    build.make_group(s, LONDON, [CAMDEN])
    build.make_group(s, WEST_MIDS, [BIRMINGHAM])
    build.set_cap(s, LONDON, "social_worker", date(2016, 1, 1), 28.0)
    build.set_cap(s, WEST_MIDS, "social_worker", date(2016, 1, 1), 30.0, is_example=True)
    build.set_on_costs(s, LC, date(2016, 1, 1), 0.0)
    for council, pays in ((CAMDEN, (35.0, 40.0, 45.0)), (BIRMINGHAM, (36.0, 41.0))):
        ret = build.council_return(s, council, date(2025, 12, 31))
        for pay in pays:
            build.assignment(s, ret, hourly_pay_rate=pay, pay_route=LC)
    s.commit()
    return s


def _findings(s: Session, group: str) -> int:
    s.expire_all()
    return s.exec(
        select(func.count()).select_from(MouFinding).where(MouFinding.group_name == group)
    ).one()


def test_the_assessment_job_runs_every_30_minutes() -> None:
    spec = get_job("mou_assess")
    assert spec.cron == {"minute": "*/30"}
    assert "Assess every MoU group" in spec.description


def test_the_job_assesses_every_group_and_a_second_run_finds_nothing_new(
    s: Session, reference_settings: Settings
) -> None:
    first = run_job("mou_assess", settings=reference_settings)
    assert first.status == "succeeded", first.error
    london, west_mids = _findings(s, LONDON), _findings(s, WEST_MIDS)
    assert london >= 3 and west_mids >= 2
    total = london + west_mids
    assert first.summary == (
        f"2 group(s) assessed: {total} finding(s), {total} new, 0 no longer found"
    )
    assert first.rows == total
    second = run_job("mou_assess", settings=reference_settings)
    assert second.summary == f"2 group(s) assessed: {total} finding(s), 0 new, 0 no longer found"
    assert (_findings(s, LONDON), _findings(s, WEST_MIDS)) == (london, west_mids)
    audited = s.exec(
        select(AuditEvent.entity_id, AuditEvent.actor, AuditEvent.source)
        .where(AuditEvent.action == "assess")
        .order_by(AuditEvent.id)  # type: ignore[arg-type]
    ).all()
    assert [tuple(row) for row in audited] == [
        (LONDON, "scheduler", "job:mou_assess"),
        (WEST_MIDS, "scheduler", "job:mou_assess"),
    ] * 2


def test_a_group_another_writer_holds_is_skipped_and_named(
    s: Session, reference_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = flows.assess

    def london_busy(**kwargs: Any) -> flows.AssessmentSummary:
        if kwargs["group_name"] == LONDON:
            raise Busy("another change to London was being stored", retry_after=15)
        return real(**kwargs)

    monkeypatch.setattr(flows, "assess", london_busy)
    run = run_job("mou_assess", settings=reference_settings)
    assert run.status == "succeeded", run.error
    assert run.summary is not None
    assert run.summary.startswith("1 group(s) assessed:")
    assert run.summary.endswith(
        "; skipped, as another change to them was being stored: London (the next run assesses them)"
    )
    assert _findings(s, LONDON) == 0 and _findings(s, WEST_MIDS) >= 2


def test_a_group_that_fails_is_rolled_back_alone_and_the_run_fails_naming_it(
    s: Session, reference_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = flows.assess

    def london_fails(**kwargs: Any) -> flows.AssessmentSummary:
        summary = real(**kwargs)  # its findings are written, then undone
        if kwargs["group_name"] == LONDON:
            raise RuntimeError("the disk is full")
        return summary

    monkeypatch.setattr(flows, "assess", london_fails)
    run = run_job("mou_assess", settings=reference_settings)
    assert run.status == "failed"
    assert run.error is not None
    assert run.error.startswith(
        "RuntimeError: the assessment failed for 1 group(s), left as they were: "
        "London (RuntimeError: the disk is full). 1 group(s) assessed:"
    )
    assert _findings(s, LONDON) == 0 and _findings(s, WEST_MIDS) >= 2


def test_the_digest_job_assesses_each_group_before_its_digest(
    s: Session, reference_settings: Settings
) -> None:
    run = run_job("mou_digest", settings=reference_settings)
    assert run.status == "succeeded", run.error
    london = _findings(s, LONDON)
    assert london >= 3
    latest = digest.last_digest(session=s, group_name=LONDON)
    assert latest is not None
    assert (latest.findings, latest.new_findings) == (london, london)
    assert run.summary == (
        f"2 group(s) assessed and their digests written with "
        f"{london + _findings(s, WEST_MIDS)} new finding(s)"
    )
