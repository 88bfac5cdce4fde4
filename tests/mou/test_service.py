"""MoU groups, members over time, caps and on-cost rates: reads and audited writes."""

from datetime import date

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from tests.builders.people import TEST_ACTOR
from workforce.auth import service as auth_service
from workforce.auth.models import AuditEvent, GroupCreate
from workforce.errors import InputDataError, NotFoundError
from workforce.mou import caps as cap_service
from workforce.mou import service
from workforce.mou.models import MouGroupCouncil, PayRoute, RoleCategory
from workforce.timeutils import utcnow


def _group(s: Session, name: str = "London", councils: tuple[str, ...] = ("202", "203")) -> None:
    service.create_group(
        session=s,
        name=name,
        councils=list(councils),
        cooling_off_months=6,
        rules_from=date(2025, 10, 1),
        actor=TEST_ACTOR,
    )


def test_groups_are_created_listed_and_found(reference_session: Session) -> None:
    s = reference_session
    _group(s)
    group = service.get_group(session=s, group_name="London")
    assert (group.cooling_off_months, group.rules_from) == (6, date(2025, 10, 1))
    assert [g.name for g in service.list_groups(session=s)] == ["London"]
    assert service.member_councils(session=s, group_name="London") == ["202", "203"]
    with pytest.raises(NotFoundError):
        service.get_group(session=s, group_name="Nowhere")
    with pytest.raises(InputDataError) as exc:
        _group(s)
    assert [p.rule for p in exc.value.problems] == ["group.duplicate"]
    # The administrators' older input and the auth service's name still work.
    auth_service.create_group(
        session=s, new=GroupCreate(name="Other", councils=["204"]), actor=TEST_ACTOR
    )
    assert auth_service.list_groups(session=s)[1].cooling_off_months == 3
    actions = s.exec(select(AuditEvent.action).where(AuditEvent.entity == "mou_group")).all()
    assert list(actions) == ["create", "create"]


def test_membership_dates_are_honoured(reference_session: Session) -> None:
    s = reference_session
    _group(s)
    service.add_member(
        session=s, group_name="London", council_code="204", on=date(2025, 1, 1), actor=TEST_ACTOR
    )
    service.remove_member(
        session=s, group_name="London", council_code="203", on=date(2025, 6, 1), actor=TEST_ACTOR
    )
    on = lambda d: service.member_councils(session=s, group_name="London", on=d)  # noqa: E731
    assert on(date(2024, 12, 31)) == ["202", "203"]
    assert on(date(2025, 1, 1)) == ["202", "203", "204"]
    assert on(date(2025, 5, 31)) == ["202", "203", "204"]
    assert on(date(2025, 6, 1)) == ["202", "204"]
    groups = service.groups_of_council
    assert [g.name for g in groups(session=s, council_code="203", on=date(2025, 5, 1))] == [
        "London"
    ]
    assert groups(session=s, council_code="203", on=date(2025, 6, 1)) == []
    assert groups(session=s, council_code="204", on=date(2024, 6, 1)) == []
    # Leaving keeps the row; leaving twice, joining twice, rejoining before the day it left
    # or leaving before joining is refused.
    history = service.memberships(session=s, group_name="London")
    assert [(m.council_code, m.joined_on, m.left_on) for m in history] == [
        ("202", None, None),
        ("203", None, date(2025, 6, 1)),
        ("204", date(2025, 1, 1), None),
    ]
    for call, kwargs, rule in (
        (service.remove_member, {"council_code": "203"}, "member.left"),
        (service.add_member, {"council_code": "202"}, "member.duplicate"),
        (service.add_member, {"council_code": "203", "on": date(2025, 5, 31)}, "member.dates"),
        (service.add_member, {"council_code": "999"}, "member.council"),
        (service.remove_member, {"council_code": "204", "on": date(2024, 1, 1)}, "member.dates"),
        (service.remove_member, {"council_code": "205"}, "member.unknown"),
    ):
        with pytest.raises(InputDataError) as exc:
            call(session=s, group_name="London", actor=TEST_ACTOR, **kwargs)
        assert [p.rule for p in exc.value.problems] == [rule]
    actions = s.exec(
        select(AuditEvent.action, AuditEvent.council_code).where(
            AuditEvent.entity == "mou_group", AuditEvent.action != "create"
        )
    ).all()
    assert [tuple(a) for a in actions] == [("add_member", "204"), ("remove_member", "203")]


def test_the_database_holds_at_most_one_open_stay_per_council_and_group(
    reference_session: Session,
) -> None:
    s = reference_session
    _group(s)
    s.commit()
    s.add(MouGroupCouncil(group_name="London", council_code="202", joined_on=date(2026, 1, 1)))
    with pytest.raises(IntegrityError):
        s.commit()
    s.rollback()
    # A closed stay beside the open one is what a rejoin leaves behind: allowed.
    s.add(
        MouGroupCouncil(
            group_name="London",
            council_code="202",
            joined_on=date(2010, 1, 1),
            left_on=date(2011, 1, 1),
        )
    )
    s.commit()


def test_a_council_that_left_can_rejoin_and_each_stay_counts_for_its_own_days(
    reference_session: Session,
) -> None:
    s = reference_session
    _group(s)
    leave = service.remove_member
    leave(session=s, group_name="London", council_code="203", on=date(2025, 6, 1), actor=TEST_ACTOR)
    again = service.add_member(
        session=s, group_name="London", council_code="203", on=date(2026, 1, 1), actor=TEST_ACTOR
    )
    assert (again.joined_on, again.left_on) == (date(2026, 1, 1), None)
    on = lambda d: service.member_councils(session=s, group_name="London", on=d)  # noqa: E731
    assert on(date(2025, 5, 31)) == ["202", "203"]
    assert on(date(2025, 9, 30)) == ["202"]  # between the stays
    assert on(date(2026, 1, 1)) == ["202", "203"]
    groups = service.groups_of_council
    assert [g.name for g in groups(session=s, council_code="203", on=date(2026, 2, 1))] == [
        "London"
    ]
    assert groups(session=s, council_code="203", on=date(2025, 7, 1)) == []
    history = service.memberships(session=s, group_name="London")
    assert [(m.council_code, m.joined_on, m.left_on) for m in history] == [
        ("202", None, None),
        ("203", None, date(2025, 6, 1)),
        ("203", date(2026, 1, 1), None),
    ]
    # The second stay can end too; a third may begin the day it ends.
    leave(session=s, group_name="London", council_code="203", on=date(2026, 3, 1), actor=TEST_ACTOR)
    with pytest.raises(InputDataError) as exc:
        leave(session=s, group_name="London", council_code="203", actor=TEST_ACTOR)
    assert [p.message for p in exc.value.problems] == [
        "the council left this group on 2026-03-01 already"
    ]
    third = service.add_member(
        session=s, group_name="London", council_code="203", on=date(2026, 3, 1), actor=TEST_ACTOR
    )
    assert third.joined_on == date(2026, 3, 1)
    # Rejoining without a day starts today: a rejoin is never "from the start".
    leave(session=s, group_name="London", council_code="203", on=date(2026, 4, 1), actor=TEST_ACTOR)
    today = service.add_member(session=s, group_name="London", council_code="203", actor=TEST_ACTOR)
    assert today.joined_on == utcnow().date()
    summaries = s.exec(
        select(AuditEvent.summary).where(
            AuditEvent.entity == "mou_group", AuditEvent.action == "add_member"
        )
    ).all()
    assert list(summaries)[:2] == [
        "203 rejoined MoU group London on 2026-01-01",
        "203 rejoined MoU group London on 2026-03-01",
    ]


def test_caps_are_never_overwritten_and_the_one_in_force_is_found(
    reference_session: Session,
) -> None:
    s = reference_session
    _group(s)
    sw = RoleCategory.social_worker
    for day, cap in ((date(2016, 1, 1), 28.0), (date(2026, 1, 1), 30.0)):
        cap_service.set_cap(
            session=s,
            group_name="London",
            role_category=sw,
            effective_from=day,
            hourly_cap=cap,
            source="test",
            actor=TEST_ACTOR,
        )
    with pytest.raises(InputDataError) as exc:
        cap_service.set_cap(
            session=s,
            group_name="London",
            role_category="social_worker",
            effective_from=date(2026, 1, 1),
            hourly_cap=99.0,
            source="test",
            actor=TEST_ACTOR,
        )
    assert [p.rule for p in exc.value.problems] == ["cap.duplicate"]
    assert [
        (c.effective_from, c.hourly_cap) for c in cap_service.caps(session=s, group_name="London")
    ] == [
        (date(2016, 1, 1), 28.0),
        (date(2026, 1, 1), 30.0),
    ]

    def in_force(day: date) -> float | None:
        cap = cap_service.cap_in_force(session=s, group_name="London", role_category=sw, on=day)
        return cap.hourly_cap if cap else None

    assert in_force(date(2015, 12, 31)) is None
    assert in_force(date(2016, 1, 1)) == 28.0
    assert in_force(date(2025, 12, 31)) == 28.0
    assert in_force(date(2026, 1, 1)) == 30.0
    with pytest.raises(InputDataError) as exc:
        cap_service.set_cap(
            session=s,
            group_name="Nowhere",
            role_category="cook",
            effective_from=date(2026, 1, 1),
            hourly_cap=-1,
            actor=TEST_ACTOR,
        )
    assert {p.rule for p in exc.value.problems} == {"cap.role_category", "cap.hourly_cap"}
    events = s.exec(select(AuditEvent).where(AuditEvent.action == "set_cap")).all()
    assert len(events) == 2 and events[0].details["hourly_cap"] == 28.0


def test_on_cost_rates_are_dated_and_never_overwritten(reference_session: Session) -> None:
    s = reference_session
    for day, ni in ((date(2022, 11, 6), 0.138), (date(2025, 4, 6), 0.15)):
        cap_service.set_on_cost_rate(
            session=s,
            pay_route="paye",
            effective_from=day,
            employer_ni=ni,
            apprenticeship_levy=0.005,
            source="HMRC",
            actor=TEST_ACTOR,
        )
    with pytest.raises(InputDataError) as exc:
        cap_service.set_on_cost_rate(
            session=s,
            pay_route="paye",
            effective_from=date(2025, 4, 6),
            employer_ni=0.2,
            source="HMRC",
            actor=TEST_ACTOR,
        )
    assert [p.rule for p in exc.value.problems] == ["on_cost.duplicate"]
    rate = cap_service.on_cost_in_force(session=s, pay_route=PayRoute.paye, on=date(2025, 4, 5))
    assert rate is not None and rate.employer_ni == 0.138
    rate = cap_service.on_cost_in_force(session=s, pay_route=PayRoute.paye, on=date(2025, 4, 6))
    assert rate is not None and rate.employer_ni == 0.15
    assert (
        cap_service.on_cost_in_force(session=s, pay_route=PayRoute.umbrella, on=date(2026, 1, 1))
        is None
    )
    assert len(cap_service.on_cost_rates(session=s)) == 2
