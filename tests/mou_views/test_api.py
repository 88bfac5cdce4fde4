"""The MoU API and pages by role: a member reads their own group only; another group is
answered as if it did not exist."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from tests.builders.mou_views import (
    Reader,
    add_cap,
    add_finding,
    add_return,
    councils_of_region,
    make_group,
    make_reader,
)
from tests.builders.people import TEST_ACTOR
from workforce.auth.models import Role
from workforce.mou import rules, service
from workforce.mou.models import FindingStatus


@dataclass(frozen=True)
class World:
    member_a: Reader
    member_b: Reader
    analyst: Reader
    hr_lead: Reader
    a_councils: list[str]


@pytest.fixture
def world(reference_session: Session) -> World:
    session = reference_session
    a_councils = councils_of_region(session, 3, region_index=0)
    b_councils = councils_of_region(session, 3, region_index=1)
    make_group(session, "A MoU", a_councils, is_example=True)
    make_group(session, "B MoU", b_councils, is_example=True)
    add_cap(session, "A MoU", 40.0)
    add_cap(session, "B MoU", 41.0)
    for code in a_councils + b_councils:
        _, made = add_return(session, code, [{"hourly_pay_rate": 45.0}, {}])
        group = "A MoU" if code in a_councils else "B MoU"
        add_finding(session, group, made[0], excess=5.0, comparable_rate=45.0, cap=40.0)
        add_finding(
            session, group, made[1], rule=rules.SHORT_NOTICE, status=FindingStatus.not_assessable
        )
    world = World(
        member_a=make_reader(session, "a.member", Role.mou_member, group="A MoU"),
        member_b=make_reader(session, "b.member", Role.mou_member, group="B MoU"),
        analyst=make_reader(session, "analyst", Role.analyst),
        hr_lead=make_reader(session, "hr.lead", Role.hr_lead, councils=[a_councils[0]]),
        a_councils=a_councils,
    )
    session.commit()
    return world


def test_a_member_of_one_group_gets_404_for_another_groups_findings(
    client: TestClient, world: World
) -> None:
    for tail in ("findings", "rates", "caps"):
        own = client.get(f"/api/mou/groups/A MoU/{tail}", headers=world.member_a.headers)
        assert own.status_code == 200, (tail, own.text)
        other = client.get(f"/api/mou/groups/B MoU/{tail}", headers=world.member_a.headers)
        missing = client.get(f"/api/mou/groups/No Such MoU/{tail}", headers=world.member_a.headers)
        assert other.status_code == missing.status_code == 404, tail
        assert "B MoU" not in str(other.json()).replace("'B MoU'", "")
    assert client.get("/mou/groups/B MoU", headers=world.member_a.headers).status_code == 404
    page = client.get("/mou/groups/B MoU/findings", headers=world.member_a.headers)
    assert page.status_code == 404


def test_groups_list_shows_a_member_only_their_group_and_an_analyst_every_group(
    client: TestClient, world: World
) -> None:
    mine = client.get("/api/mou/groups", headers=world.member_a.headers).json()
    assert [g["name"] for g in mine] == ["A MoU"]
    every = client.get("/api/mou/groups", headers=world.analyst.headers).json()
    assert {"A MoU", "B MoU"} <= {g["name"] for g in every}
    assert (
        client.get("/api/mou/groups/B MoU/findings", headers=world.analyst.headers).status_code
        == 200
    )
    page = client.get("/mou/groups", headers=world.member_a.headers)
    assert page.status_code == 200 and "A MoU" in page.text and "B MoU" not in page.text
    assert client.get("/api/mou/groups").status_code == 401
    assert client.get("/api/mou/groups", headers=world.hr_lead.headers).status_code == 403


def test_findings_filter_by_council_rule_and_status(client: TestClient, world: World) -> None:
    url = "/api/mou/groups/A MoU/findings"
    headers = world.member_a.headers
    assert len(client.get(url, headers=headers).json()) == 6
    one = client.get(url, params={"council": world.a_councils[0]}, headers=headers).json()
    assert {f["council_code"] for f in one} == {world.a_councils[0]} and len(one) == 2
    assert len(client.get(url, params={"rule": rules.SHORT_NOTICE}, headers=headers).json()) == 3
    breaches = client.get(url, params={"status": "breach"}, headers=headers).json()
    assert len(breaches) == 3 and all(
        f["rule"] == rules.ABOVE_CAP_WITHOUT_SIGN_OFF for f in breaches
    )
    csv = client.get(url, params={"format": "csv"}, headers=headers)
    assert csv.status_code == 200 and csv.text.startswith("id,")


def test_caps_and_rates_label_example_figures(client: TestClient, world: World) -> None:
    caps = client.get("/api/mou/groups/A MoU/caps", headers=world.member_a.headers).json()
    assert caps[0]["label"] == "example figure" and caps[0]["in_force"]
    rates = client.get("/api/mou/groups/A MoU/rates", headers=world.member_a.headers).json()
    cell = rates["cells"][0]
    assert cell["assignments"] == 6 and cell["cap"] == 40.0 and cell["cap_is_example"]
    assert cell["basis"] == "pay"  # no pay route in these returns
    assert "charge rate x" in rates["spend_rule"]
    page = client.get("/mou/groups/A MoU", headers=world.member_a.headers)
    assert page.status_code == 200
    assert "example figure" in page.text and "svg" in page.text
    assert "charge rate x the calendar days" in page.text


def test_the_dfe_return_is_read_with_the_councils_private_data_permission(
    client: TestClient, world: World
) -> None:
    url = f"/api/councils/{world.a_councils[0]}/dfe-agency-return?quarter=2025-Q4"
    assert client.get(url, headers=world.hr_lead.headers).status_code == 200
    assert client.get(url, headers=world.analyst.headers).status_code == 200
    other = f"/api/councils/{world.a_councils[1]}/dfe-agency-return?quarter=2025-Q4"
    assert client.get(other, headers=world.hr_lead.headers).status_code == 404
    assert client.get(url, headers=world.member_a.headers).status_code == 403
    bad = client.get(url.replace("2025-Q4", "2025-Q5"), headers=world.hr_lead.headers)
    assert bad.status_code == 422


def test_the_rate_index_is_kept_until_a_group_or_its_data_changes(
    client: TestClient, world: World, reference_session: Session
) -> None:
    from tests.builders.people import TEST_ACTOR
    from workforce.mou import service

    answers = client.app.state.answers  # type: ignore[attr-defined]
    first = client.get("/api/rate-index").json()
    misses, hits = answers.misses, answers.hits
    assert client.get("/api/rate-index").json() == first
    assert client.get("/rate-index").status_code == 200  # the page shares the answer
    assert (answers.misses, answers.hits) == (misses, hits + 2)
    # A council leaving a group changes what may be shown beside it: worked out again.
    service.remove_member(
        session=reference_session,
        group_name="A MoU",
        council_code=world.a_councils[0],
        actor=TEST_ACTOR,
    )
    reference_session.commit()
    client.get("/api/rate-index")
    assert answers.misses == misses + 1


def test_a_rejoined_council_is_listed_once_with_its_stays_in_order(
    reference_session: Session, world: World, client: TestClient
) -> None:
    code = world.a_councils[1]
    for change, day in (
        (service.remove_member, date(2025, 6, 1)),
        (service.add_member, date(2026, 1, 1)),
    ):
        change(
            session=reference_session,
            group_name="A MoU",
            council_code=code,
            on=day,
            actor=TEST_ACTOR,
        )
    reference_session.commit()
    page = client.get("/mou/groups/A MoU", headers=world.analyst.headers).text
    assert page.count(f'data-council="{code}"') == 1
    line = page.split(f'data-council="{code}"')[1].split("</li>")[0]
    assert line.endswith(", left 1 June 2025, rejoined 1 January 2026")
