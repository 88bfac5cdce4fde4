"""The daily ``kitemark_review`` job: holders past a threshold are put under review or
suspended with the reason, the figures and the audit trail; awards expire; reminders."""

from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from jobs.runner import run_job
from tests.builders import kitemark as build
from tests.builders import mou as build_mou
from tests.builders.people import TEST_ACTOR
from workforce.agencies import flows
from workforce.agencies import status as kitemark_status
from workforce.agencies.models import Agency, KitemarkStatus, KitemarkStatusChange, Outcome
from workforce.auth.models import AuditEvent
from workforce.config import Settings
from workforce.mou import rules
from workforce.mou.drafts import add_months
from workforce.mou.models import PayRoute
from workforce.runs.models import RunStatus
from workforce.timeutils import utcnow

TODAY = utcnow().date()
START, END = add_months(TODAY, -12), TODAY


@pytest.fixture
def s(reference_engine: Engine) -> Iterator[Session]:
    with Session(reference_engine, expire_on_commit=False) as session:
        build.group(session)
        yield session


def _awarded_agency(
    s: Session, name: str, *, awarded_days_ago: int = 20, council: str = build.CAMDEN
) -> Agency:
    agency = build.make_agency(s, name)
    ret = build.quarter(s, council, add_months(TODAY, -3))
    build.place(s, ret, agency, 20, start_date=TODAY - timedelta(days=150))
    build.awarded(
        s,
        agency,
        add_months(TODAY, -12),
        TODAY,
        on=utcnow() - timedelta(days=awarded_days_ago),
    )
    s.commit()
    return agency


def _new_return_with_breaches(s: Session, agency: Agency, breaches: int) -> list[int]:
    """A council's new quarterly return: ``breaches`` assignments above the cap with no
    sign-off (as the MoU assessment finds them)."""
    ret = build.quarter(s, build.GREENWICH, TODAY)
    rows = build.place(s, ret, agency, breaches, start_date=TODAY - timedelta(days=40))
    for row in rows:
        build.finding(s, row, rules.ABOVE_CAP_WITHOUT_SIGN_OFF)
    s.commit()
    return [row.id for row in rows if row.id is not None]


def _run(settings: Settings, engine: Engine) -> tuple[RunStatus, str]:
    run = run_job("kitemark_review", engine=engine, settings=settings)
    return RunStatus(run.status), run.summary or run.error or ""


def test_new_returns_past_the_suspension_line_suspend_with_the_figures_and_audit(
    s: Session, reference_settings: Settings, reference_engine: Engine
) -> None:
    agency = _awarded_agency(s, "Suspended Agency Ltd")
    assert agency.id is not None
    status, summary = _run(reference_settings, reference_engine)
    assert status is RunStatus.succeeded and "no changes" in summary  # clean: nothing to do

    breaching = _new_return_with_breaches(s, agency, 3)  # 3 of 23: 13.0% > 10%
    status, summary = _run(reference_settings, reference_engine)
    assert status is RunStatus.succeeded, summary
    assert "1 agencies holding the kite-mark reviewed: 1 suspended" in summary
    s.expire_all()
    held = kitemark_status.current_status(session=s, agency_id=agency.id)
    assert held is not None and held.status == KitemarkStatus.suspended
    assert "past the suspension threshold on rates" in held.reason
    assert "rates: not_met, 3 of 23 (13.0%)" in held.figures
    assert "suspend > 10.0%" in held.figures
    assert f"Assignments counted: {', '.join(map(str, sorted(breaching)))}." in held.figures
    assert held.decided_by == "scheduler"
    event = s.exec(
        select(AuditEvent).where(
            AuditEvent.action == "kitemark.suspended", AuditEvent.entity_id == str(held.id)
        )
    ).one()
    assert event.source == "job:kitemark_review"
    assert event.details["figures"] == held.figures
    assert [h.status for h in kitemark_status.history(session=s, agency_id=agency.id)] == [
        "awarded",
        "suspended",
    ]
    # A suspended agency no longer holds the mark: the next run leaves it be.
    status, summary = _run(reference_settings, reference_engine)
    assert "0 agencies holding the kite-mark reviewed" in summary


def test_past_the_review_line_puts_under_review_once(
    s: Session, reference_settings: Settings, reference_engine: Engine
) -> None:
    agency = _awarded_agency(s, "Reviewed Agency Ltd")
    assert agency.id is not None
    _new_return_with_breaches(s, agency, 2)  # 2 of 22: 9.1%: past 5%, not past 10%
    status, summary = _run(reference_settings, reference_engine)
    assert status is RunStatus.succeeded and "1 under_review" in summary
    s.expire_all()
    held = kitemark_status.current_status(session=s, agency_id=agency.id)
    assert held is not None and held.status == KitemarkStatus.under_review
    assert "rates: not_met, 2 of 22 (9.1%)" in held.figures
    assert held.valid_until is not None  # the award's expiry is carried
    status, summary = _run(reference_settings, reference_engine)
    assert "1 agencies holding the kite-mark reviewed: no changes" in summary
    assert len(kitemark_status.history(session=s, agency_id=agency.id)) == 2


def test_awards_expire_and_renewals_are_reminded(
    s: Session, reference_settings: Settings, reference_engine: Engine
) -> None:
    old = _awarded_agency(s, "Old Agency Ltd", awarded_days_ago=370)
    due = _awarded_agency(s, "Due Agency Ltd", awarded_days_ago=350, council=build.GREENWICH)
    status, summary = _run(reference_settings, reference_engine)
    assert status is RunStatus.succeeded, summary
    assert "1 expired" in summary
    assert f"renewal due within 30 days: agency {due.id} (until" in summary
    assert old.id is not None
    s.expire_all()
    held = kitemark_status.current_status(session=s, agency_id=old.id)
    assert held is not None and held.status == KitemarkStatus.expired
    assert "was not renewed" in held.reason
    assert (
        s.exec(select(AuditEvent).where(AuditEvent.action == "kitemark.expired")).first()
        is not None
    )
    assert len(s.exec(select(KitemarkStatusChange)).all()) == 3


def test_the_mou_assessment_of_new_returns_feeds_the_review(
    s: Session, reference_settings: Settings, reference_engine: Engine
) -> None:
    """End to end: caps, a council's new return with rates above the cap and no sign-off,
    the MoU assessment job, then the kite-mark review job."""
    build_mou.set_cap(s, build.GROUP, "social_worker", date(2016, 1, 1), 30.0)
    build_mou.set_on_costs(s, PayRoute.paye, date(2016, 1, 1), 0.15, 0.005)
    agency = _awarded_agency(s, "End To End Agency Ltd")  # 20 at 20.00 an hour: within
    assert agency.id is not None
    ret = build.quarter(s, build.GREENWICH, TODAY)
    above = build.place(
        s, ret, agency, 3, start_date=TODAY - timedelta(days=40), hourly_pay_rate=40.0
    )
    build.place(
        s,
        ret,
        agency,
        start_date=TODAY - timedelta(days=40),
        hourly_pay_rate=40.0,
        above_cap_signoff_ref="DCS/CEX 1",
    )
    s.commit()
    assessed = run_job("mou_assess", engine=reference_engine, settings=reference_settings)
    assert assessed.status == RunStatus.succeeded, assessed.error
    status, summary = _run(reference_settings, reference_engine)
    assert status is RunStatus.succeeded and "1 suspended" in summary, summary
    s.expire_all()
    held = kitemark_status.current_status(session=s, agency_id=agency.id)
    assert held is not None and held.status == KitemarkStatus.suspended
    assert "rates: not_met, 3 of 24 (12.5%)" in held.figures
    assert "4 of 24 assignments judged against a cap were above it" in held.figures
    assert f"Assignments counted: {', '.join(str(r.id) for r in above)}." in held.figures


def _improvement_agency(s: Session, name: str, *, deadline: date, council: str) -> Agency:
    """An agency that passed with "requires improvement" 100 days ago, actions due by
    ``deadline``."""
    agency = build.make_agency(s, name)
    ret = build.quarter(s, council, add_months(TODAY, -3))
    build.place(s, ret, agency, 20, start_date=TODAY - timedelta(days=150))
    assessment = build.assessed(s, agency, add_months(TODAY, -12), TODAY)
    assert assessment.id is not None
    flows.decide(
        session=s,
        assessment_id=assessment.id,
        actor=TEST_ACTOR,
        outcome=Outcome.requires_improvement,
        actions="two practice-based references on the standard template in every file",
        deadline=deadline,
        on=utcnow() - timedelta(days=100),
    )
    s.commit()
    return agency


def test_requires_improvement_past_its_deadline_goes_under_review_and_a_pass_clears_it(
    s: Session, reference_settings: Settings, reference_engine: Engine
) -> None:
    late = _improvement_agency(
        s, "Late Agency Ltd", deadline=TODAY - timedelta(days=10), council=build.CAMDEN
    )
    soon = _improvement_agency(
        s, "Soon Agency Ltd", deadline=TODAY + timedelta(days=20), council=build.GREENWICH
    )
    status, summary = _run(reference_settings, reference_engine)
    assert status is RunStatus.succeeded, summary
    assert "2 agencies holding the kite-mark reviewed: 1 under_review" in summary
    due = TODAY + timedelta(days=20)
    assert f"improvement actions due within 30 days: agency {soon.id} (by {due:%Y-%m-%d})" in (
        summary
    )
    assert late.id is not None and soon.id is not None
    s.expire_all()
    held = kitemark_status.current_status(session=s, agency_id=late.id)
    assert held is not None and held.status == KitemarkStatus.under_review
    assert f"due by {TODAY - timedelta(days=10):%Y-%m-%d}" in held.reason
    assert "no passed re-assessment" in held.reason
    assert "practice-based references" in held.figures
    assert held.valid_until is not None  # the award's expiry is carried
    event = s.exec(select(AuditEvent).where(AuditEvent.action == "kitemark.under_review")).one()
    assert event.details["agency_id"] == late.id
    still = kitemark_status.current_status(session=s, agency_id=soon.id)
    assert still is not None and still.status == KitemarkStatus.requires_improvement

    # Under review it stays so: the next run changes nothing for it.
    status, summary = _run(reference_settings, reference_engine)
    assert "2 agencies holding the kite-mark reviewed: no changes" in summary

    # A passed re-assessment before the deadline clears the actions: nothing is due.
    build.awarded(s, soon, add_months(TODAY, -12), TODAY, on=utcnow() - timedelta(days=1))
    s.commit()
    status, summary = _run(reference_settings, reference_engine)
    assert "no changes" in summary and "improvement actions due" not in summary
    s.expire_all()
    cleared = kitemark_status.current_status(session=s, agency_id=soon.id)
    assert cleared is not None and cleared.status == KitemarkStatus.awarded
