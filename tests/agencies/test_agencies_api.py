"""``/api/agencies``: who reads which agencies, registering them and deciding matches."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from api.main import create_app
from tests.builders.agencies import listed, quarter, register
from tests.builders.people import COUNCIL_A, Person, make_people
from workforce.agencies.models import AgencyMatch
from workforce.auth.models import AuditEvent
from workforce.config import Settings


@pytest.fixture
def client(reference_settings: Settings, reference_engine: Engine) -> Iterator[TestClient]:
    """A client on an app whose database holds the bundled reference data."""
    with TestClient(create_app(settings=reference_settings, engine=reference_engine)) as c:
        yield c


@pytest.fixture
def people(reference_engine: Engine) -> dict[str, Person]:
    return make_people(reference_engine)


@pytest.fixture
def agencies(reference_engine: Engine, people: dict[str, Person]) -> dict[str, int]:
    """The agency user's own agency (registered under a spelling of their account's agency
    name) and another, with a return naming both."""
    with Session(reference_engine, expire_on_commit=False) as s:
        own = register(s, "ACME SOCIAL WORK LIMITED", company_number="01234567")
        other = register(s, "Other Staffing Ltd", trading_names=["Other Locums"])
        ret = quarter(s, COUNCIL_A, date(2026, 3, 31))
        listed(s, ret, "Acme Social Work")
        listed(s, ret, "Mystery Agency")
        listed(s, ret, "mystery agency ltd")
        s.commit()
        assert own.id is not None and other.id is not None
        return {"own": own.id, "other": other.id}


def test_readers_see_every_agency_and_an_agency_user_only_their_own(
    client: TestClient, people: dict[str, Person], agencies: dict[str, int]
) -> None:
    for key in ("kitemark_admin", "analyst", "admin"):
        answer = client.get("/api/agencies", headers=people[key].headers)
        assert answer.status_code == 200, key
        assert {a["id"] for a in answer.json()} == set(agencies.values())
    mine = client.get("/api/agencies", headers=people["agency_user"].headers)
    assert [a["id"] for a in mine.json()] == [agencies["own"]]
    assert client.get("/api/agencies").status_code == 401
    for key in ("hr_lead_a", "mou_member", "pool_coordinator"):  # no agency of their own
        headers = people[key].headers
        assert client.get("/api/agencies", headers=headers).json() == []
        assert client.get(f"/api/agencies/{agencies['own']}", headers=headers).status_code == 404


def test_an_agency_user_gets_404_for_another_agency(
    client: TestClient, people: dict[str, Person], agencies: dict[str, int]
) -> None:
    user = people["agency_user"].headers
    own = client.get(f"/api/agencies/{agencies['own']}", headers=user)
    assert own.status_code == 200
    assert own.json()["company_number"] == "01234567"
    assert client.get(f"/api/agencies/{agencies['other']}", headers=user).status_code == 404
    assert client.get("/api/agencies/999999", headers=user).status_code == 404
    admin = people["kitemark_admin"].headers
    other = client.get(f"/api/agencies/{agencies['other']}", headers=admin)
    assert other.json()["trading_names"] == ["Other Locums"]
    assert client.get("/api/agencies/999999", headers=admin).status_code == 404


def test_the_kitemark_admin_registers_agencies_refused_in_words(
    client: TestClient, people: dict[str, Person], agencies: dict[str, int]
) -> None:
    body = {
        "legal_name": "Bright Futures Staffing Ltd",
        "trading_names": ["Bright Locums"],
        "company_number": "SC123456",
        "contact_name": "Pat Doe",
        "contact_email": "pat@bright.example",
        "pay_routes": ["umbrella"],
    }
    admin = people["kitemark_admin"].headers
    made = client.post("/api/agencies", json=body, headers=admin)
    assert made.status_code == 201, made.text
    assert made.json()["names"][1] == {
        "name": "Bright Locums",
        "normalised": "bright locums",
        "kind": "trading",
    }
    again = client.post(
        "/api/agencies",
        json={**body, "company_number": "12345", "trading_names": ["Other Locums Ltd"]},
        headers=admin,
    )
    assert again.status_code == 422
    assert "8 digits, or two letters and 6 digits" in again.text
    for key in ("agency_user", "analyst", "hr_lead_a"):
        assert (
            client.post("/api/agencies", json=body, headers=people[key].headers).status_code == 403
        )


def test_the_unmatched_queue_and_an_admins_match(
    client: TestClient,
    people: dict[str, Person],
    agencies: dict[str, int],
    reference_engine: Engine,
) -> None:
    admin = people["kitemark_admin"].headers
    queue = client.get("/api/agencies/unmatched", headers=admin)
    assert queue.status_code == 200
    names = {item["normalised_name"]: item for item in queue.json()}
    assert set(names) == {"acme social work", "mystery agency"}  # not yet matched
    assert names["mystery agency"]["assignments"] == 2
    assert names["mystery agency"]["councils"] == [COUNCIL_A]
    assert names["mystery agency"]["first_seen"] == "2026-03-31"

    decided = client.post(
        "/api/agencies/matches",
        json={"name": "MYSTERY AGENCY", "agency_id": agencies["other"]},
        headers=admin,
    )
    assert decided.status_code == 200, decided.text
    assert decided.json()["method"] == "manual"
    assert decided.json()["matched_by"] == people["kitemark_admin"].email
    left = client.get("/api/agencies/unmatched", headers=admin).json()
    assert [item["normalised_name"] for item in left] == ["acme social work"]
    unknown = client.post(
        "/api/agencies/matches", json={"name": "x", "agency_id": 999999}, headers=admin
    )
    assert unknown.status_code == 404
    for key in ("agency_user", "analyst"):
        headers = people[key].headers
        assert client.get("/api/agencies/unmatched", headers=headers).status_code == 403
        assert (
            client.post(
                "/api/agencies/matches", json={"name": "x", "agency_id": None}, headers=headers
            ).status_code
            == 403
        )
    with Session(reference_engine) as s:
        match = s.get(AgencyMatch, "mystery agency")
        assert match is not None and match.agency_id == agencies["other"]
        event = s.exec(select(AuditEvent).where(AuditEvent.entity == "agency_match")).one()
        assert event.actor == people["kitemark_admin"].email


def test_an_agency_user_changes_their_own_contact_only(
    client: TestClient, people: dict[str, Person], agencies: dict[str, int]
) -> None:
    user = people["agency_user"].headers
    body = {"contact_email": "office@acme.example"}
    own = client.patch(f"/api/agencies/{agencies['own']}/contact", json=body, headers=user)
    assert own.status_code == 200, own.text
    assert own.json()["contact_email"] == "office@acme.example"
    other = f"/api/agencies/{agencies['other']}/contact"
    assert client.patch(other, json=body, headers=user).status_code == 404
    for key in ("analyst", "hr_lead_a"):
        assert client.patch(other, json=body, headers=people[key].headers).status_code == 404
    admin = people["kitemark_admin"].headers
    changed = client.patch(other, json={"contact_name": "Sam Roe"}, headers=admin)
    assert changed.json()["contact_name"] == "Sam Roe"
    empty = client.patch(other, json={}, headers=admin)
    assert empty.status_code == 422 and "give a contact name or email" in empty.text
    assert client.patch(other, json=body).status_code == 401
