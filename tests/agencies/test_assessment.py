"""Assessment and award: criteria results, the decision, and the status history."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from typer.testing import CliRunner

from tests.builders import kitemark as build
from tests.builders.people import TEST_ACTOR
from workforce.agencies import criteria as crit
from workforce.agencies import flows, sampling, views
from workforce.agencies import status as kitemark_status
from workforce.agencies.models import (
    CriteriaVersion,
    Criterion,
    CriterionResultValue,
    KitemarkStatus,
    KitemarkStatusChange,
    Outcome,
)
from workforce.auth.models import AuditEvent
from workforce.cli import app
from workforce.config import Settings
from workforce.errors import InputDataError
from workforce.mou import rules

START, END = date(2026, 1, 1), date(2026, 6, 30)
DECIDED = datetime(2026, 7, 15, 10, 0, tzinfo=UTC)
runner = CliRunner()


@pytest.fixture
def s(reference_session: Session) -> Session:
    build.group(reference_session)
    return reference_session


def _results(s: Session, assessment_id: int | None) -> dict[str, CriterionResultValue]:
    assert assessment_id is not None
    return {
        r.criterion_key: CriterionResultValue(r.result)
        for r in flows.results_of(session=s, assessment_id=assessment_id)
    }


def test_criteria_are_seeded_once_with_their_thresholds(s: Session) -> None:
    first = crit.ensure_criteria(session=s)
    again = crit.ensure_criteria(session=s)
    assert first.id == again.id and first.version == 1
    assert len(s.exec(select(CriteriaVersion)).all()) == 1
    rows = {c.key: c for c in s.exec(select(Criterion)).all()}
    assert list(rows) == [
        "worker_files",
        "registration",
        "experience",
        "rates",
        "cooling_off",
        "stability",
        "complaints",
    ]
    rates = rows["rates"]
    assert (rates.pass_at, rates.review_at, rates.suspend_at, rates.min_cases) == (
        0.02,
        0.05,
        0.10,
        10,
    )
    assert rows["registration"].pass_at == 0.98 and rows["registration"].higher_is_better
    assert rows["worker_files"].evidence == "audited" and rows["worker_files"].min_cases == 5


def test_a_clean_agency_passes_and_is_awarded_for_twelve_months(s: Session) -> None:
    agency = build.make_agency(s, "Clean Agency Ltd")
    build.place(s, build.quarter(s, build.CAMDEN, date(2026, 3, 31)), agency, 20)
    assessment = build.assessed(s, agency, START, END)
    assert set(_results(s, assessment.id).values()) == {CriterionResultValue.met}
    version = s.get(CriteriaVersion, assessment.criteria_version_id)
    assert version is not None and version.version == 1  # the version used is recorded

    assert assessment.id is not None and agency.id is not None
    flows.decide(session=s, assessment_id=assessment.id, actor=TEST_ACTOR, on=DECIDED)
    assert assessment.outcome == Outcome.passed
    assert "Criteria version 1: 1. worker_files: met (10 of 10, 100.0%)" in assessment.reasons
    status = kitemark_status.current_status(session=s, agency_id=agency.id, on=DECIDED)
    assert status is not None and status.status == KitemarkStatus.awarded
    assert status.valid_until == date(2027, 7, 15)
    assert status.assessment_id == assessment.id
    assert (
        kitemark_status.current_status(session=s, agency_id=agency.id, on=DECIDED - timedelta(1))
        is None
    )
    actions = build.audit_actions(s)
    for action in (
        "kitemark.apply",
        "kitemark.sample",
        "kitemark.check_file",
        "kitemark.assess",
        "kitemark.decide",
        "kitemark.awarded",
    ):
        assert action in actions
    with pytest.raises(InputDataError, match="already decided"):
        flows.decide(session=s, assessment_id=assessment.id, actor=TEST_ACTOR)


def test_too_few_assignments_cannot_pass(s: Session) -> None:
    agency = build.make_agency(s, "Small Agency Ltd")
    build.place(s, build.quarter(s, build.CAMDEN, date(2026, 3, 31)), agency, 6)
    assessment = build.assessed(s, agency, START, END)
    results = _results(s, assessment.id)
    assert results["registration"] is CriterionResultValue.too_few
    assert results["worker_files"] is CriterionResultValue.met  # 6 files, 5 needed
    assert assessment.id is not None
    with pytest.raises(InputDataError, match="a Pass needs every criterion met"):
        flows.decide(
            session=s, assessment_id=assessment.id, actor=TEST_ACTOR, outcome=Outcome.passed
        )
    with pytest.raises(InputDataError, match="requires improvement needs a deadline"):
        flows.decide(session=s, assessment_id=assessment.id, actor=TEST_ACTOR)
    flows.decide(
        session=s,
        assessment_id=assessment.id,
        actor=TEST_ACTOR,
        deadline=date(2026, 10, 31),
        on=DECIDED,
    )
    assert assessment.outcome == Outcome.requires_improvement
    assert "registration: too few cases to judge; show at least 10" in assessment.actions
    assert assessment.action_deadline == date(2026, 10, 31)
    assert agency.id is not None
    status = kitemark_status.current_status(session=s, agency_id=agency.id, on=DECIDED)
    assert status is not None and status.status == KitemarkStatus.requires_improvement


def test_unchecked_files_leave_the_audit_not_assessed(s: Session) -> None:
    agency = build.make_agency(s, "Unchecked Agency Ltd")
    build.place(s, build.quarter(s, build.CAMDEN, date(2026, 3, 31)), agency, 12)
    assert agency.id is not None
    application = flows.apply(
        session=s, agency_id=agency.id, period_start=START, period_end=END, actor=TEST_ACTOR
    )
    assert application.id is not None
    assessment = flows.start_assessment(session=s, application_id=application.id, actor=TEST_ACTOR)
    assert assessment.id is not None
    flows.assess(session=s, assessment_id=assessment.id, actor=TEST_ACTOR)
    assert _results(s, assessment.id)["worker_files"] is CriterionResultValue.not_assessed


def test_a_failed_reassessment_suspends_and_only_a_passed_one_reinstates(s: Session) -> None:
    agency = build.make_agency(s, "Falling Agency Ltd")
    ret = build.quarter(s, build.CAMDEN, date(2026, 3, 31))
    build.place(s, ret, agency, 20)
    build.awarded(s, agency, START, END, on=DECIDED)
    assert agency.id is not None

    # Files that fail the audit: 0 of 10 pass, past the 70% line: Fail.
    failing = build.assessed(s, agency, START, END, files_pass=False)
    assert failing.id is not None
    later = DECIDED + timedelta(days=30)
    flows.decide(session=s, assessment_id=failing.id, actor=TEST_ACTOR, on=later)
    assert failing.outcome == Outcome.failed
    status = kitemark_status.current_status(session=s, agency_id=agency.id, on=later)
    assert status is not None and status.status == KitemarkStatus.suspended
    assert status.valid_until == date(2027, 7, 15)  # the award's date is kept

    # The earlier passed assessment cannot reinstate it.
    first = s.exec(
        select(KitemarkStatusChange).where(KitemarkStatusChange.status == KitemarkStatus.awarded)
    ).one()
    assert first.assessment_id is not None
    with pytest.raises(InputDataError, match="passed re-assessment"):
        kitemark_status.reinstate(
            session=s,
            agency_id=agency.id,
            assessment_id=first.assessment_id,
            actor=TEST_ACTOR,
            on=later + timedelta(days=1),
        )
    again = build.assessed(s, agency, START, END, seed=99)
    assert again.id is not None
    flows.decide(session=s, assessment_id=again.id, actor=TEST_ACTOR, on=later + timedelta(days=10))
    status = kitemark_status.current_status(
        session=s, agency_id=agency.id, on=later + timedelta(days=10)
    )
    assert status is not None and status.status == KitemarkStatus.reinstated
    assert status.valid_until == date(2027, 8, 24)
    history = [h.status for h in kitemark_status.history(session=s, agency_id=agency.id)]
    assert history == ["awarded", "suspended", "reinstated"]
    # Shown as it was on any date: the history is never rewritten.
    on_day = kitemark_status.current_status(
        session=s, agency_id=agency.id, on=later + timedelta(days=5)
    )
    assert on_day is not None and on_day.status == KitemarkStatus.suspended


def test_a_breaching_agency_fails_for_the_figures_shown(s: Session) -> None:
    agency = build.make_agency(s, "Breaching Agency Ltd")
    rows = build.place(s, build.quarter(s, build.CAMDEN, date(2026, 3, 31)), agency, 20)
    for row in rows[:3]:
        build.finding(s, row, rules.ABOVE_CAP_WITHOUT_SIGN_OFF)
    assessment = build.assessed(s, agency, START, END)
    assert _results(s, assessment.id)["rates"] is CriterionResultValue.not_met
    assert assessment.id is not None and agency.id is not None
    flows.decide(session=s, assessment_id=assessment.id, actor=TEST_ACTOR, on=DECIDED)
    assert assessment.outcome == Outcome.failed
    assert "4. rates: not_met (3 of 20, 15.0%)" in assessment.reasons
    assert (
        kitemark_status.current_status(session=s, agency_id=agency.id, on=DECIDED) is None
    )  # no award
    decided = s.exec(select(AuditEvent).where(AuditEvent.action == "kitemark.decide")).one()
    assert decided.details["outcome"] == "fail"


def test_suspend_and_revoke_need_a_mark_to_act_on(s: Session) -> None:
    agency = build.make_agency(s, "Never Agency Ltd")
    assert agency.id is not None
    with pytest.raises(InputDataError, match="does not hold the kite-mark"):
        kitemark_status.suspend(session=s, agency_id=agency.id, reason="x", actor=TEST_ACTOR)
    with pytest.raises(InputDataError, match="no kite-mark to revoke"):
        kitemark_status.revoke(session=s, agency_id=agency.id, reason="x", actor=TEST_ACTOR)


def test_the_command_line_takes_an_agency_through_to_an_award(
    reference_settings: Settings, reference_engine: Engine
) -> None:
    with Session(reference_engine, expire_on_commit=False) as s:
        build.group(s)
        agency = build.make_agency(s, "Command Line Agency Ltd")
        build.place(s, build.quarter(s, build.CAMDEN, date(2026, 3, 31)), agency, 12)
        s.commit()
    a = str(agency.id)

    def ok(*args: str) -> str:
        result = runner.invoke(app, ["kitemark", *args])
        assert result.exit_code == 0, result.output
        return result.output

    assert "Application 1: agency" in ok("apply", a, "--from", "2026-01-01", "--to", "2026-06-30")
    assert "worker_files: not_assessed - no audit sample drawn" in ok("assess", "1")
    drawn = ok("sample", "1", "--seed", "5")
    assert "Sample 1: 10 of 12 workers, seed 5" in drawn
    assert "sample the same" in ok("sample", "1", "--redraw")
    numbers = re.findall(r"^\s+\d+\. (SW\d+)$", drawn, re.M)
    assert len(numbers) == 10
    every = [x for check in sampling.CHECKS for x in ("--pass", check)]
    for number in numbers:
        assert "passed" in ok("check-file", "1", number, *every)
    refused = runner.invoke(app, ["kitemark", "check-file", "1", numbers[0], "--pass", "shoe"])
    assert refused.exit_code == 1 and "unknown check shoe" in refused.output
    assert "registration: met" in ok("assess", "--assessment", "1")
    decided = ok("decide", "1", "--reason", "All criteria met.")
    assert "Assessment 1: pass. All criteria met. Criteria version 1:" in decided
    assert "awarded until" in decided
    assert f"Agency {a}: awarded until" in ok("status", a)
    assert "no kite-mark status" in ok("status", a, "--on", "2020-01-01")
    assert "1 agencies holding the kite-mark reviewed: no changes" in ok("review")


def test_requires_improvement_does_not_reinstate_a_suspended_agency(s: Session) -> None:
    agency = build.make_agency(s, "Suspended Then Small Ltd")
    build.place(s, build.quarter(s, build.CAMDEN, date(2026, 3, 31)), agency, 20)
    build.awarded(s, agency, START, END, on=DECIDED)
    assert agency.id is not None
    kitemark_status.suspend(
        session=s,
        agency_id=agency.id,
        reason="made up",
        actor=TEST_ACTOR,
        on=DECIDED + timedelta(days=1),
    )
    # The assessor's re-assessment finds improvement still needed.
    again = build.assessed(s, agency, START, END, seed=3)
    assert again.id is not None
    flows.decide(
        session=s,
        assessment_id=again.id,
        actor=TEST_ACTOR,
        outcome=Outcome.requires_improvement,
        actions="references on the standard template",
        deadline=date(2026, 12, 31),
        on=DECIDED + timedelta(days=2),
    )
    assert again.outcome == Outcome.requires_improvement
    status = kitemark_status.current_status(session=s, agency_id=agency.id)
    assert status is not None and status.status == KitemarkStatus.suspended
    assert [h.status for h in kitemark_status.history(session=s, agency_id=agency.id)] == [
        "awarded",
        "suspended",
    ]


def test_readers_see_the_results_the_sample_and_a_history_without_worker_numbers(
    s: Session,
) -> None:
    agency = build.make_agency(s, "Read Agency Ltd")
    rows = build.place(s, build.quarter(s, build.CAMDEN, date(2026, 3, 31)), agency, 12)
    assessment = build.awarded(s, agency, START, END, on=DECIDED)
    assert assessment.id is not None and agency.id is not None
    public = views.assessment_public(session=s, assessment=assessment)
    assert public.criteria_version == 1 and public.outcome == Outcome.passed
    assert [r.criterion_key for r in public.results][:2] == ["worker_files", "registration"]
    sample = views.sample_public(session=s, assessment_id=assessment.id)
    assert sample is not None and len(sample.files) == 10 and sample.seed == 20261130
    assert all(f.identity is True for f in sample.files)
    history = views.history_public(session=s, agency_id=agency.id)
    assert [h.status for h in history] == [KitemarkStatus.awarded]
    shown = history[0].model_dump_json()
    for row in rows:
        assert row.swe_number not in shown
        assert f"SW{int((row.swe_number or 'SW0')[2:])}" not in shown


def test_a_second_start_while_one_assessment_is_undecided_is_refused_and_allowed_once_decided(
    s: Session,
) -> None:
    agency = build.make_agency(s, "Second Look Agency Ltd")
    build.place(s, build.quarter(s, build.CAMDEN, date(2026, 3, 31)), agency, 12)
    first = build.assessed(s, agency, START, END)
    assert first.id is not None
    with pytest.raises(InputDataError, match=f"assessment {first.id} of application") as refused:
        flows.start_assessment(session=s, application_id=first.application_id, actor=TEST_ACTOR)
    assert [p.rule for p in refused.value.problems] == ["assessment.open"]

    flows.decide(session=s, assessment_id=first.id, actor=TEST_ACTOR, on=DECIDED)
    again = flows.start_assessment(session=s, application_id=first.application_id, actor=TEST_ACTOR)
    assert again.id is not None and again.id != first.id
    assert again.decided_at is None
