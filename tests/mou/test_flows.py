"""The assessment: each accepted assignment of a group's members judged against the rules."""

from datetime import date

import pytest
from sqlmodel import Session, select

from tests.builders import mou as build
from tests.builders.people import TEST_ACTOR
from workforce.auth.models import AuditEvent
from workforce.mou import drafts, flows, rules, service
from workforce.mou.models import FindingStatus, MouFinding, PayRoute
from workforce.returns.models import ReturnStatus

LONDON, WEST_MIDS = "London", "West Midlands"
CAMDEN, GREENWICH, HACKNEY, HAMMERSMITH = "202", "203", "204", "205"
BIRMINGHAM, COVENTRY = "330", "331"
LC = PayRoute.limited_company


@pytest.fixture
def s(reference_session: Session) -> Session:
    s = reference_session
    build.make_group(s, LONDON, [CAMDEN, GREENWICH, HAMMERSMITH], cooling_off_months=6)
    build.make_group(s, WEST_MIDS, [BIRMINGHAM, COVENTRY], cooling_off_months=12)
    build.set_cap(s, LONDON, "social_worker", date(2016, 1, 1), 28.0)
    build.set_cap(s, LONDON, "social_worker", date(2026, 1, 1), 30.0)
    build.set_cap(s, WEST_MIDS, "social_worker", date(2025, 10, 1), 32.0, is_example=True)
    build.set_on_costs(s, PayRoute.paye, date(2022, 11, 6), 0.138, 0.005)
    build.set_on_costs(s, PayRoute.paye, date(2025, 4, 6), 0.15, 0.005)
    build.set_on_costs(s, LC, date(2016, 1, 1), 0.0)
    return s


def _findings(s: Session, group: str = LONDON) -> dict[int, dict[str, MouFinding]]:
    out: dict[int, dict[str, MouFinding]] = {}
    for f in service.findings(session=s, group_name=group):
        out.setdefault(f.assignment_id, {})[f.rule] = f
    return out


def test_rates_at_just_above_and_far_above_the_cap_are_classified(s: Session) -> None:
    ret = build.council_return(s, CAMDEN, date(2026, 3, 31))
    nov, feb, sep = date(2025, 11, 3), date(2026, 2, 2), date(2025, 9, 1)

    def a(pay: float, start: date = nov, route: PayRoute | None = LC, **kw: object) -> int:
        row = build.assignment(s, ret, hourly_pay_rate=pay, start_date=start, pay_route=route, **kw)
        assert row.id is not None
        return row.id

    at_cap = a(28.00)
    just_above = a(28.01)
    far_above_signed = a(40.00, above_cap_signoff_ref="DCS/CEX 2025-17")
    far_above = a(40.00)
    paye_at = a(24.24, route=PayRoute.paye)  # 24.24 x 1.155 = 27.997 -> 28.00
    paye_above = a(24.25, route=PayRoute.paye)  # 24.25 x 1.155 = 28.009 -> 28.01
    within_new_cap = a(29.00, start=feb)  # above the old 28, within the 30 from January
    above_new_cap = a(30.01, start=feb)
    before_rules = a(40.00, start=sep)
    before_rules_at_cap = a(28.00, start=sep)
    v1_within = a(27.00, route=None, template_version=1, date_qualified=None)
    v1_above = a(29.00, route=None, template_version=1, date_qualified=None)
    manager = a(100.0, role_group="senior_middle_manager")
    iro = a(35.0, role_group="iro_cp_chair")

    summary = flows.assess(session=s, group_name=LONDON, actor=TEST_ACTOR)
    found = _findings(s)
    for clean in (at_cap, paye_at, within_new_cap, before_rules_at_cap, manager):
        assert clean not in found

    def one(assignment_id: int) -> MouFinding:
        cap_rules = {r: f for r, f in found[assignment_id].items() if r.startswith("above_cap")}
        assert len(cap_rules) == 1
        return next(iter(cap_rules.values()))

    f = one(just_above)
    assert (f.rule, f.status, f.comparable_rate, f.cap, f.excess, f.excess_share) == (
        "above_cap_without_sign_off",
        FindingStatus.breach,
        28.01,
        28.0,
        0.01,
        0.0004,
    )
    assert f.cap_effective_from == date(2016, 1, 1)
    f = one(far_above_signed)
    assert (f.rule, f.status, f.excess, f.excess_share) == (
        "above_cap_signed_off",
        FindingStatus.breach,
        12.0,
        0.4286,
    )
    assert "DCS/CEX 2025-17" in f.message and f"return {ret.id} row" in f.message
    assert one(far_above).rule == "above_cap_without_sign_off"
    f = one(paye_above)
    assert (f.comparable_rate, f.excess) == (28.01, 0.01)
    f = one(above_new_cap)
    assert (f.cap, f.cap_effective_from, f.excess) == (30.0, date(2026, 1, 1), 0.01)
    f = one(before_rules)
    assert (f.rule, f.status, f.excess) == (
        "above_cap_without_sign_off",
        FindingStatus.transitional,
        12.0,
    )
    assert "Transitional" in f.message
    f = one(v1_within)
    assert (f.rule, f.status, f.comparable_rate) == ("above_cap", "not_assessable", None)
    assert "no pay route" in f.message
    f = one(v1_above)
    assert (f.rule, f.status, f.comparable_rate, f.excess) == (
        "above_cap_without_sign_off",
        FindingStatus.breach,
        29.0,
        1.0,
    )
    assert "alone" in f.derivation and "lower bound" in f.derivation
    f = one(iro)
    assert (f.rule, f.status) == ("above_cap", "not_assessable")
    assert summary.by_status["breach"] >= 6 and summary.by_status["transitional"] == 1


def test_the_derivation_says_how_the_comparable_rate_was_found(s: Session) -> None:
    ret = build.council_return(s, CAMDEN, date(2026, 3, 31))
    row = build.assignment(s, ret, hourly_pay_rate=30.0, pay_route=PayRoute.paye)
    early = build.assignment(
        s, ret, hourly_pay_rate=30.0, pay_route=PayRoute.umbrella, start_date=date(2025, 10, 6)
    )
    flows.assess(session=s, group_name=LONDON, actor=TEST_ACTOR)
    found = _findings(s)
    assert row.id is not None and early.id is not None
    f = found[row.id]["above_cap_without_sign_off"]
    assert f.derivation == (
        "comparable rate = hourly pay 30.00 x (1 + employer NI 0.15 + apprenticeship levy "
        "0.005 + other 0) = 30.00 x 1.155 = 34.65 pounds an hour, with the PAYE through the "
        "agency on-cost rates in force from 2025-04-06"
    )
    assert (f.comparable_rate, f.excess, f.excess_share) == (34.65, 6.65, 0.2375)
    # No umbrella rates set: on pay alone (30.00 is above 28.00 anyway).
    f = found[early.id]["above_cap_without_sign_off"]
    assert "no umbrella company on-cost rates are in force on 2025-10-06" in f.derivation
    assert (f.comparable_rate, f.excess) == (30.0, 2.0)
    # The older rates for an earlier start: 13.8% NI.
    assert drafts.derivation_text(
        20.0, PayRoute.paye, rules.OnCostPoint(date(2022, 11, 6), 0.138, 0.005, 0.0)
    ).startswith("comparable rate = hourly pay 20.00 x (1 + employer NI 0.138 + ")


def test_cooling_off_is_flagged_inside_the_period_and_the_group_only(s: Session) -> None:
    inside, outside, other_group, agency_before, rejected, same_council = (
        "SW900001",
        "SW900002",
        "SW900003",
        "SW900004",
        "SW900005",
        "SW900006",
    )
    build.census_leaver(s, GREENWICH, inside, date(2025, 11, 15))
    build.census_leaver(s, GREENWICH, outside, date(2025, 10, 1), census_date=date(2025, 10, 31))
    build.census_leaver(s, BIRMINGHAM, other_group, date(2025, 12, 1))
    build.census_leaver(
        s,
        GREENWICH,
        agency_before,
        date(2025, 12, 1),
        agency_worker=True,
        census_date=date(2025, 12, 31),
    )
    build.census_leaver(s, GREENWICH, rejected, date(2025, 12, 1), status=ReturnStatus.rejected)
    build.census_leaver(s, CAMDEN, same_council, date(2026, 1, 31))
    ret = build.council_return(s, CAMDEN, date(2026, 6, 30))
    ids = {}
    for swe, start in (
        (inside, date(2026, 5, 14)),  # the period ends on 2026-05-15
        (outside, date(2026, 4, 1)),  # 2025-10-01 + 6 months: the first day allowed
        (other_group, date(2026, 1, 5)),
        (agency_before, date(2026, 1, 5)),
        (rejected, date(2026, 1, 5)),
        (same_council, date(2026, 2, 1)),
    ):
        row = build.assignment(s, ret, swe_number=swe, start_date=start)
        ids[swe] = row.id
    wm_ret = build.council_return(s, COVENTRY, date(2026, 6, 30))
    wm = build.assignment(s, wm_ret, swe_number=other_group, start_date=date(2026, 11, 30))

    flows.assess(session=s, group_name=LONDON, actor=TEST_ACTOR)
    flows.assess(session=s, group_name=WEST_MIDS, actor=TEST_ACTOR)
    london = _findings(s)
    flagged = {swe for swe, i in ids.items() if "cooling_off" in london.get(i, {})}
    assert flagged == {inside, same_council}
    f = london[ids[inside]]["cooling_off"]
    assert f.status == FindingStatus.breach
    assert "left a permanent post at 203 on 2025-11-15" in f.message
    assert "6-month" in f.message and "2026-05-15" in f.message
    # In the West Midlands (12 months) the Birmingham leaver is flagged in Coventry.
    assert wm.id is not None
    assert "cooling_off" in _findings(s, WEST_MIDS)[wm.id]


def test_membership_dates_decide_which_assignments_and_leavers_count(s: Session) -> None:
    service.add_member(
        session=s, group_name=LONDON, council_code=HACKNEY, on=date(2026, 1, 1), actor=TEST_ACTOR
    )
    service.remove_member(
        session=s,
        group_name=LONDON,
        council_code=HAMMERSMITH,
        on=date(2026, 1, 1),
        actor=TEST_ACTOR,
    )
    hackney = build.council_return(s, HACKNEY, date(2026, 3, 31))
    before_joining = build.assignment(
        s, hackney, hourly_pay_rate=40.0, start_date=date(2025, 12, 1)
    )
    after_joining = build.assignment(s, hackney, hourly_pay_rate=40.0, start_date=date(2026, 1, 1))
    hammersmith = build.council_return(s, HAMMERSMITH, date(2026, 3, 31))
    before_leaving = build.assignment(
        s, hammersmith, hourly_pay_rate=40.0, start_date=date(2025, 12, 31)
    )
    after_leaving = build.assignment(
        s, hammersmith, hourly_pay_rate=40.0, start_date=date(2026, 1, 1)
    )
    # A leaver from Hammersmith after it left the group does not count.
    build.census_leaver(s, HAMMERSMITH, "SW910001", date(2026, 2, 1))
    camden = build.council_return(s, CAMDEN, date(2026, 3, 31))
    rehired = build.assignment(s, camden, swe_number="SW910001", start_date=date(2026, 3, 1))

    summary = flows.assess(session=s, group_name=LONDON, actor=TEST_ACTOR)
    found = _findings(s)
    assert after_joining.id in found and before_leaving.id in found
    assert before_joining.id not in found and after_leaving.id not in found
    assert rehired.id not in found
    assert summary.assignments == 3


def test_the_other_rules_and_what_a_version_1_file_cannot_say(s: Session) -> None:
    ret = build.council_return(s, CAMDEN, date(2026, 6, 30))

    def a(**kw: object) -> int:
        row = build.assignment(s, ret, **kw)
        assert row.id is not None
        return row.id

    under_three = a(date_qualified=date(2023, 6, 1), start_date=date(2026, 5, 31))
    three_years = a(date_qualified=date(2023, 6, 1), start_date=date(2026, 6, 1))
    unnamed = a(project_team=True, swe_number=None, project_costs_itemised=False)
    named_itemised = a(project_team=True, project_costs_itemised=True)
    short = a(end_date=date(2026, 3, 31), notice_given_on=date(2026, 3, 10))
    four_weeks = a(end_date=date(2026, 3, 31), notice_given_on=date(2026, 3, 3))
    early_no_notice = a(end_date=date(2026, 3, 31), early_end_reason="agency_withdrew")
    ran_to_end = a(end_date=date(2026, 3, 31))
    old = a(**build.v1(end_date=date(2026, 3, 31), project_team=True))
    rejected = build.council_return(s, CAMDEN, date(2026, 3, 31), status=ReturnStatus.rejected)
    not_counted = build.assignment(s, rejected, project_team=True, swe_number=None)

    flows.assess(session=s, group_name=LONDON, actor=TEST_ACTOR)
    found = _findings(s)
    rules = {
        i: {r: str(f.status) for r, f in found.get(i, {}).items()}
        for i in (
            under_three,
            three_years,
            unnamed,
            named_itemised,
            short,
            four_weeks,
            early_no_notice,
            ran_to_end,
            old,
            not_counted.id,
        )
    }
    assert rules[under_three] == {"under_three_years_qualified": "breach"}
    assert rules[three_years] == {}
    assert rules[unnamed] == {
        "project_team_not_named": "breach",
        "project_team_costs_not_itemised": "breach",
    }
    assert rules[named_itemised] == {}
    assert rules[short] == {"short_notice": "breach"}
    assert "21 days" in found[short]["short_notice"].message
    assert rules[four_weeks] == {}
    assert rules[early_no_notice] == {"short_notice": "breach"}
    assert rules[ran_to_end] == {}
    assert rules[old] == {
        "above_cap": "not_assessable",
        "under_three_years_qualified": "not_assessable",
        "short_notice": "not_assessable",
        "project_team_costs_not_itemised": "not_assessable",
    }
    assert rules[not_counted.id] == {}


def test_findings_are_kept_updated_and_removed_when_no_longer_found(s: Session) -> None:
    ret = build.council_return(s, CAMDEN, date(2026, 3, 31))
    stays = build.assignment(s, ret, hourly_pay_rate=40.0, pay_route=LC)
    goes = build.assignment(s, ret, hourly_pay_rate=40.0, pay_route=LC)
    first = flows.assess(session=s, group_name=LONDON, actor=TEST_ACTOR)
    s.commit()
    assert (first.new, first.found_again, first.removed) == (2, 0, 0)
    kept = _findings(s)[stays.id]["above_cap_without_sign_off"]
    first_found, last_found = kept.first_found_at, kept.last_found_at
    goes.hourly_pay_rate = 20.0
    s.add(goes)
    s.commit()
    again = flows.assess(session=s, group_name=LONDON, actor=TEST_ACTOR)
    s.commit()
    assert (again.new, again.found_again, again.removed) == (0, 1, 1)
    found = _findings(s)
    assert goes.id not in found
    kept = found[stays.id]["above_cap_without_sign_off"]
    assert kept.first_found_at == first_found and kept.last_found_at >= last_found
    assert len(s.exec(select(MouFinding)).all()) == 1
    events = s.exec(select(AuditEvent).where(AuditEvent.action == "assess")).all()
    assert len(events) == 2 and events[1].details["removed"] == 1


def test_an_assignment_listed_again_next_quarter_is_one_assignment(s: Session) -> None:
    december = build.council_return(s, CAMDEN, date(2025, 12, 31))
    listed = {
        "swe_number": "SW900001",
        "agency_name": "Test Agency Ltd",
        "start_date": date(2025, 11, 3),
        "hourly_pay_rate": 40.0,
        "pay_route": LC,
    }
    first_listing = build.assignment(s, december, **listed)
    first = flows.assess(session=s, group_name=LONDON, actor=TEST_ACTOR)
    s.commit()
    assert first.assignments == 1 and first.new == 1
    found = _findings(s)[first_listing.id]["above_cap_without_sign_off"]
    first_found = found.first_found_at
    # The March return lists it again (the agency's name typed differently), now with the
    # sign-off the council has since recorded: the latest listing is the one judged.
    march = build.council_return(s, CAMDEN, date(2026, 3, 31))
    again_listed = build.assignment(
        s, march, **{**listed, "agency_name": "test agency  LTD", "above_cap_signoff_ref": "DCS-7"}
    )
    again = flows.assess(session=s, group_name=LONDON, actor=TEST_ACTOR)
    s.commit()
    assert again.assignments == 1
    assert (again.new, again.found_again, again.removed) == (1, 0, 1)
    found = _findings(s)
    assert list(found) == [again_listed.id]
    assert set(found[again_listed.id]) == {"above_cap_signed_off"}
    # Listed a third time unchanged: the same finding, first found when it first was.
    june = build.council_return(s, CAMDEN, date(2026, 6, 30))
    third_listing = build.assignment(s, june, **{**listed, "above_cap_signoff_ref": "DCS-7"})
    third = flows.assess(session=s, group_name=LONDON, actor=TEST_ACTOR)
    s.commit()
    assert (third.new, third.found_again, third.removed) == (0, 1, 0)
    kept = _findings(s)[third_listing.id]["above_cap_signed_off"]
    assert kept.return_id == june.id
    assert kept.first_found_at == found[again_listed.id]["above_cap_signed_off"].first_found_at
    assert kept.first_found_at >= first_found
    assert len(s.exec(select(MouFinding)).all()) == 1
