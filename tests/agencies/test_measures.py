"""An agency's measured figures: what each counts, the assignments behind it, too few."""

from datetime import date

import pytest
from sqlmodel import Session

from tests.builders import kitemark as build
from workforce.agencies import criteria as crit
from workforce.agencies import criterion_figures, measures
from workforce.agencies.models import Complaint, CriterionResultValue
from workforce.mou import rules
from workforce.mou.models import FindingStatus

START, END = date(2026, 1, 1), date(2026, 6, 30)
Q1, Q2 = date(2026, 3, 31), date(2026, 6, 30)


@pytest.fixture
def s(reference_session: Session) -> Session:
    build.group(reference_session)
    return reference_session


def _figures(s: Session, agency_id: int | None) -> dict[str, criterion_figures.Figure]:
    assert agency_id is not None
    return measures.figures(session=s, agency_id=agency_id, start=START, end=END)


def _judged(s: Session, agency_id: int | None) -> dict[str, measures.Measure]:
    assert agency_id is not None
    version = crit.ensure_criteria(session=s)
    assert version.id is not None
    criteria = crit.criteria_of(session=s, version_id=version.id)
    found = measures.measure(
        session=s, agency_id=agency_id, start=START, end=END, criteria=criteria
    )
    return {m.key: m for m in found}


def test_swe_numbers_compare_without_leading_zeros_and_must_be_sw_and_digits() -> None:
    assert (
        criterion_figures.swe_key("SW012345") == criterion_figures.swe_key("sw 12345") == "SW12345"
    )
    assert criterion_figures.swe_key("SW000") is None
    assert criterion_figures.swe_key("12345") is None
    assert criterion_figures.swe_key("SW12A45") is None
    assert criterion_figures.swe_key(None) is None


def test_registration_counts_distinct_workers_and_names_the_rows_without_a_number(
    s: Session,
) -> None:
    agency = build.make_agency(s, "Acme Social Work Ltd")
    ret = build.quarter(s, build.CAMDEN, Q1)
    good = build.place(s, ret, agency, 9, start_date=date(2026, 1, 5))
    # The same worker twice, typed two ways: one worker.
    again = build.place(
        s,
        ret,
        "ACME SOCIAL WORK LIMITED",
        swe_number="SW0" + good[0].swe_number[2:],
        start_date=date(2026, 2, 2),
    )  # type: ignore[index]
    bad = build.place(s, ret, agency, swe_number="12345", start_date=date(2026, 1, 5))
    unnamed = build.place(s, ret, agency, swe_number=None, project_team=True)
    # Another agency's and an ended-before-the-period assignment are not counted.
    build.place(s, ret, "Other Agency Ltd", 3)
    build.place(s, ret, agency, start_date=date(2025, 1, 6), end_date=date(2025, 12, 19))

    f = _figures(s, agency.id)[crit.REGISTRATION]
    assert (f.numerator, f.denominator) == (9, 11)
    assert f.share == round(9 / 11, 4)
    assert f.flagged_ids == sorted([bad[0].id, unnamed[0].id])  # type: ignore[type-var]
    assert again[0].id in f.assignment_ids
    assert "11 distinct workers placed; 2 without a valid" in f.detail


def test_too_few_assignments_say_so_and_never_pass(s: Session) -> None:
    agency = build.make_agency(s, "Tiny Agency Ltd")
    ret = build.quarter(s, build.CAMDEN, Q1)
    build.place(s, ret, agency, 4)  # every one registered, none above the cap

    judged = _judged(s, agency.id)
    for key in (crit.REGISTRATION, crit.RATES, crit.COOLING_OFF, crit.STABILITY):
        m = judged[key]
        assert m.result is CriterionResultValue.too_few, key
        assert "too few to judge (fewer than 10)" in m.words()
        assert not m.review and not m.suspend
    assert judged[crit.REGISTRATION].figure.share == 1.0  # perfect, and still not met


def test_rates_count_above_cap_without_sign_off_of_the_assignments_judged(s: Session) -> None:
    agency = build.make_agency(s, "Rates Agency Ltd")
    ret = build.quarter(s, build.CAMDEN, Q1)
    rows = build.place(s, ret, agency, 20)
    build.finding(s, rows[0], rules.ABOVE_CAP_WITHOUT_SIGN_OFF)
    build.finding(s, rows[1], rules.ABOVE_CAP_SIGNED_OFF)
    build.finding(s, rows[2], rules.ABOVE_CAP_WITHOUT_SIGN_OFF, FindingStatus.transitional)
    build.finding(s, rows[3], rules.ABOVE_CAP, FindingStatus.not_assessable)
    build.finding(s, rows[4], rules.PROJECT_NOT_ITEMISED)
    # Senior managers are not capped; a council in no group is not covered.
    build.place(s, ret, agency, role_group="senior_middle_manager")
    hackney = build.quarter(s, build.HACKNEY, Q1)
    build.place(s, hackney, agency, 2)

    m = _judged(s, agency.id)[crit.RATES]
    f = m.figure
    assert (f.numerator, f.denominator) == (1, 19)
    assert f.flagged_ids == [rows[0].id]
    assert "2 of 19 assignments judged against a cap were above it (10.5%)" in f.detail
    assert "of those 1 without sign-off (50.0%)" in f.detail
    assert "1 above before the rules applied (transitional, not counted)" in f.detail
    assert f"1 project-team rows with costs not itemised (assignments {rows[4].id})" in f.detail
    assert "2 assignments in councils no MoU group assesses are not covered" in f.detail
    assert m.result is CriterionResultValue.not_met  # 5.3% > 2%
    assert m.review and not m.suspend  # > 5%, not > 10%


def test_experience_leaves_not_assessable_workers_out(s: Session) -> None:
    agency = build.make_agency(s, "Experience Agency Ltd")
    ret = build.quarter(s, build.GREENWICH, Q2)
    rows = build.place(s, ret, agency, 12)
    build.finding(s, rows[0], rules.UNDER_THREE_YEARS)
    build.finding(s, rows[1], rules.UNDER_THREE_YEARS, FindingStatus.not_assessable)
    build.finding(s, rows[2], rules.UNDER_THREE_YEARS, FindingStatus.not_assessable)

    f = _figures(s, agency.id)[crit.EXPERIENCE]
    assert (f.numerator, f.denominator) == (1, 10)
    assert f.flagged_ids == [rows[0].id]
    assert "2 not assessable (no date qualified) left out" in f.detail


def test_stability_counts_early_endings_short_notice_and_moves_for_more_pay(s: Session) -> None:
    agency = build.make_agency(s, "Stable Agency Ltd")
    other = build.make_agency(s, "Poacher Agency Ltd")
    q1 = build.quarter(s, build.CAMDEN, Q1)
    q2 = build.quarter(s, build.GREENWICH, Q2)
    rows = build.place(s, q1, agency, 10, start_date=date(2025, 11, 3))
    early = build.place(
        s,
        q1,
        agency,
        start_date=date(2026, 1, 5),
        end_date=date(2026, 2, 27),
        early_end_reason="agency_withdrew",
    )
    council_ended = build.place(
        s,
        q1,
        agency,
        start_date=date(2026, 1, 5),
        end_date=date(2026, 2, 27),
        early_end_reason="council_ended_budget",
    )
    build.finding(s, rows[0], rules.SHORT_NOTICE)
    moved = build.place(
        s, q1, agency, start_date=date(2026, 1, 5), end_date=date(2026, 3, 13), hourly_pay_rate=25.0
    )
    build.place(
        s,
        q2,
        other,
        swe_number=moved[0].swe_number,
        start_date=date(2026, 4, 6),
        hourly_pay_rate=27.5,
    )
    cheaper = build.place(
        s, q1, agency, start_date=date(2026, 1, 5), end_date=date(2026, 3, 13), hourly_pay_rate=25.0
    )
    build.place(
        s,
        q2,
        other,
        swe_number=cheaper[0].swe_number,
        start_date=date(2026, 4, 6),
        hourly_pay_rate=24.0,
    )
    too_late = build.place(
        s, q1, agency, start_date=date(2026, 1, 5), end_date=date(2026, 1, 9), hourly_pay_rate=25.0
    )
    build.place(
        s,
        q2,
        other,
        swe_number=too_late[0].swe_number,
        start_date=date(2026, 4, 10),
        hourly_pay_rate=30.0,
    )
    # Back with the same agency at more pay is not a move to another agency.
    same = build.place(
        s, q1, agency, start_date=date(2026, 1, 5), end_date=date(2026, 2, 6), hourly_pay_rate=25.0
    )
    build.place(
        s,
        q2,
        agency,
        swe_number=same[0].swe_number,
        start_date=date(2026, 4, 6),
        hourly_pay_rate=29.0,
    )

    f = _figures(s, agency.id)[crit.STABILITY]
    assert f.flagged_ids == sorted([rows[0].id, early[0].id, moved[0].id])  # type: ignore[type-var]
    assert council_ended[0].id not in f.flagged_ids
    assert f.numerator == 3 and f.denominator == 17
    assert (
        "1 ended early by the worker or the agency, 1 ended on short notice, 1 followed" in f.detail
    )


def test_complaints_count_the_upheld_with_responses_in_the_detail(s: Session) -> None:
    agency = build.make_agency(s, "Complained Agency Ltd")
    ret = build.quarter(s, build.CAMDEN, Q1)
    build.place(s, ret, agency, 10)
    assert agency.id is not None
    for upheld, responded in [(True, date(2026, 3, 1)), (False, None), (None, None)]:
        s.add(
            Complaint(
                agency_id=agency.id,
                council_code=build.CAMDEN,
                kind="complaint",
                received_on=date(2026, 2, 1),
                summary="made up",
                upheld=upheld,
                responded_on=responded,
                recorded_by="tests",
            )
        )
    s.add(
        Complaint(
            agency_id=agency.id,
            council_code=build.CAMDEN,
            kind="incident",
            received_on=date(2025, 2, 1),  # before the period
            summary="made up",
            upheld=True,
            recorded_by="tests",
        )
    )
    s.flush()
    m = _judged(s, agency.id)[crit.COMPLAINTS]
    assert (m.figure.numerator, m.figure.denominator) == (1, 10)
    assert (
        "3 recorded by councils (3 complaint), 1 upheld, 1 not yet decided, 1 with"
        in m.figure.detail
    )
    assert m.result is CriterionResultValue.not_met and m.review and not m.suspend
