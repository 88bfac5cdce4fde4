"""The demonstration's groups, caps, on-costs and made-up returns: seeded once, safe to repeat."""

from datetime import date

from sqlmodel import Session, select

from tests.builders.people import TEST_ACTOR
from workforce.mou import caps as cap_service
from workforce.mou import demo, service
from workforce.mou.models import PayRoute, RoleCategory
from workforce.returns.models import CensusWorker, CouncilReturn, ReturnKind


def test_the_demo_seeds_the_regions_london_caps_and_a_group_with_findings(
    reference_session: Session,
) -> None:
    s = reference_session
    first = list(demo.seed(session=s, actor=TEST_ACTOR))
    assert "MoU groups: 9 added, 0 unchanged" in first
    groups = {g.name: g for g in service.list_groups(session=s)}
    assert set(groups) == set(demo.GROUPS)
    assert {
        name: g.cooling_off_months for name, g in groups.items() if g.cooling_off_months != 3
    } == {
        "London": 6,
        "West Midlands": 12,
    }
    assert all(g.rules_from == date(2025, 10, 1) for g in groups.values())
    assert "202" in service.member_councils(session=s, group_name="London")
    assert "330" in service.member_councils(session=s, group_name="West Midlands")

    london = cap_service.caps(session=s, group_name="London")
    assert {(c.role_category, c.effective_from, c.hourly_cap, c.is_example) for c in london} == {
        ("social_worker", date(2016, 1, 1), 28.0, False),
        ("senior_social_worker", date(2016, 1, 1), 35.0, False),
        ("advanced_practitioner", date(2016, 1, 1), 35.0, False),
        ("team_manager", date(2016, 1, 1), 42.0, False),
    }
    assert all("London MoU, 1 January 2016" in c.source for c in london)
    others = cap_service.caps(session=s, group_name="North East")
    assert len(others) == len(RoleCategory)
    assert all(c.is_example and "example figure, not a published cap" in c.source for c in others)
    paye = cap_service.on_cost_in_force(session=s, pay_route=PayRoute.paye, on=date(2025, 4, 5))
    assert paye is not None and (paye.employer_ni, paye.apprenticeship_levy) == (0.138, 0.005)
    paye = cap_service.on_cost_in_force(session=s, pay_route=PayRoute.umbrella, on=date(2025, 4, 6))
    assert paye is not None and paye.employer_ni == 0.15
    company = cap_service.on_cost_in_force(
        session=s, pay_route=PayRoute.limited_company, on=date(2026, 1, 1)
    )
    assert company is not None and company.employer_ni == company.apprenticeship_levy == 0.0

    returns = s.exec(select(CouncilReturn)).all()
    assert len(returns) == len(demo.DEMO_RETURNS) + 1  # and the census
    assert all(r.status == "accepted" and "MADE-UP" in r.file_name for r in returns)
    rules = {f.rule for f in service.findings(session=s, group_name="London")}
    assert {"above_cap_without_sign_off", "above_cap_signed_off", "short_notice"} <= rules
    assert service.findings(session=s, group_name="West Midlands")

    again = list(demo.seed(session=s, actor=TEST_ACTOR))
    assert "MoU groups: 0 added, 9 unchanged" in again
    assert any(line.startswith("MoU caps: 0 added") for line in again)
    assert "Made-up quarterly returns with agency assignments: 0 added" in again
    assert "Made-up census returns: 0 added" in again
    assert not any(line.startswith("Assessed") for line in again)
    assert len(s.exec(select(CouncilReturn)).all()) == len(demo.DEMO_RETURNS) + 1


def test_the_demo_census_shows_a_cooling_off_finding_in_london(
    reference_session: Session,
) -> None:
    s = reference_session
    lines = list(demo.seed(session=s, actor=TEST_ACTOR))
    assert "Made-up census returns: 1 added" in lines

    (census,) = s.exec(select(CouncilReturn).where(CouncilReturn.kind == ReturnKind.census))
    assert (census.council_code, census.period_end) == ("202", date(2025, 9, 30))  # Camden
    assert census.status == "accepted" and "MADE-UP" in census.file_name
    assert (census.error_count, census.warning_count) == (0, 0), census.issues
    leaver = s.exec(
        select(CensusWorker).where(
            CensusWorker.return_id == census.id, CensusWorker.swe_number == "SW0000900601"
        )
    ).one()
    assert not leaver.agency_worker and leaver.role_end_date == date(2025, 8, 15)

    cooling = [
        f for f in service.findings(session=s, group_name="London") if f.rule == "cooling_off"
    ]
    assert len(cooling) == 1
    (finding,) = cooling
    assert finding.council_code == "203"  # Greenwich engaged the worker Camden lost
    assert finding.start_date == date(2025, 11, 24) and finding.status == "breach"
    assert "SW0000900601 left a permanent post at 202 on 2025-08-15" in finding.message
    assert "6-month cooling-off period (to 2026-02-15)" in finding.message
    assert "(203, Made-up Agency A (demo))" in finding.message
    assert not [
        f
        for f in service.findings(session=s, group_name="West Midlands")
        if f.rule == "cooling_off"
    ]


def test_production_gets_the_real_figures_only(reference_session: Session) -> None:
    s = reference_session
    list(demo.seed(session=s, actor=TEST_ACTOR, examples=False))
    assert len(service.list_groups(session=s)) == 9
    assert cap_service.caps(session=s, group_name="North East") == []
    assert len(cap_service.caps(session=s, group_name="London")) == 4
    assert s.exec(select(CouncilReturn)).all() == []
