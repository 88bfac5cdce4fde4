"""Complaints and incidents councils record about an agency: a council's own user records
one for their council (404 for another council), the agency's own user responds, the
kite-mark admin rules, the kite-mark measures count it; everyone else gets 404, signed out
401; every write audited."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from api.main import create_app
from tests.builders.agencies import register
from tests.builders.people import COUNCIL_A, COUNCIL_B, Person, make_people
from workforce.agencies import criteria as crit
from workforce.agencies import criterion_figures
from workforce.agencies.models import Complaint
from workforce.auth.models import AuditEvent
from workforce.config import Settings
from workforce.timeutils import utcnow

COMPLAINT = {
    "council_code": COUNCIL_A,
    "kind": "complaint",
    "received_on": "2026-01-15",
    "summary": "The locum did not attend two booked home visits and no cover was sent.",
}


@pytest.fixture
def client(reference_settings: Settings, reference_engine: Engine) -> Iterator[TestClient]:
    with TestClient(create_app(settings=reference_settings, engine=reference_engine)) as c:
        yield c


@pytest.fixture
def people(reference_engine: Engine) -> dict[str, Person]:
    return make_people(reference_engine)


@pytest.fixture
def agencies(reference_engine: Engine, people: dict[str, Person]) -> dict[str, int]:
    """The agency user's own agency ("Acme Social Work Ltd") and another."""
    with Session(reference_engine, expire_on_commit=False) as s:
        own = register(s, "ACME SOCIAL WORK LIMITED")
        other = register(s, "Other Staffing Ltd")
        assert own.id is not None and other.id is not None
        s.commit()
        return {"own": own.id, "other": other.id}


def test_a_complaint_is_recorded_answered_ruled_and_counted(
    client: TestClient,
    people: dict[str, Person],
    agencies: dict[str, int],
    reference_engine: Engine,
) -> None:
    hr_a, hr_b = people["hr_lead_a"], people["hr_lead_b"]
    agency_user, kitemark_admin = people["agency_user"], people["kitemark_admin"]
    own, other = agencies["own"], agencies["other"]

    # An HR lead records a complaint for their own council ...
    made = client.post(f"/api/agencies/{own}/complaints", json=COMPLAINT, headers=hr_a.headers)
    assert made.status_code == 201, made.text
    body = made.json()
    assert (body["agency_id"], body["council_code"], body["kind"]) == (own, COUNCIL_A, "complaint")
    assert body["recorded_by"] == hr_a.email and body["upheld"] is None
    complaint_id = body["id"]

    # ... and is answered 404 for another council, and for an agency that does not exist.
    for answer in (
        client.post(
            f"/api/agencies/{own}/complaints",
            json={**COMPLAINT, "council_code": COUNCIL_B},
            headers=hr_a.headers,
        ),
        client.post("/api/agencies/999999/complaints", json=COMPLAINT, headers=hr_a.headers),
    ):
        assert answer.status_code == 404, answer.text

    # Refused: a date in the future, a blank summary, an unknown kind.
    tomorrow = (utcnow().date() + timedelta(days=1)).isoformat()
    for wrong in ({"received_on": tomorrow}, {"summary": ""}, {"kind": "grumble"}):
        answer = client.post(
            f"/api/agencies/{own}/complaints", json={**COMPLAINT, **wrong}, headers=hr_a.headers
        )
        assert answer.status_code in (400, 422), answer.text

    # Who sees it: the admin, the agency's own user, the recording council; not the other
    # council's HR lead (an empty list), another role or an agency's user of another (404).
    for person in (kitemark_admin, people["admin"], agency_user, hr_a):
        seen = client.get(f"/api/agencies/{own}/complaints", headers=person.headers)
        assert seen.status_code == 200, (person.email, seen.text)
        assert [c["id"] for c in seen.json()] == [complaint_id]
    seen_b = client.get(f"/api/agencies/{own}/complaints", headers=hr_b.headers)
    assert seen_b.status_code == 200 and seen_b.json() == []
    for person in (people["pool_coordinator"], people["mou_member"], people["analyst"]):
        answer = client.get(f"/api/agencies/{own}/complaints", headers=person.headers)
        assert answer.status_code == 404, (person.email, answer.text)
    assert (
        client.get(f"/api/agencies/{other}/complaints", headers=agency_user.headers).status_code
        == 404
    )

    # Only the agency's own user responds; only the kite-mark admin rules.
    for person in (hr_a, kitemark_admin, people["admin"]):
        answer = client.post(
            f"/api/complaints/{complaint_id}/response",
            json={"response": "not ours"},
            headers=person.headers,
        )
        assert answer.status_code == 404, answer.text
    for person in (hr_a, agency_user, people["admin"]):
        answer = client.post(
            f"/api/complaints/{complaint_id}/ruling", json={"upheld": False}, headers=person.headers
        )
        assert answer.status_code == 404, answer.text
    assert (
        client.post(
            "/api/complaints/999999/ruling", json={"upheld": True}, headers=kitemark_admin.headers
        ).status_code
        == 404
    )

    responded = client.post(
        f"/api/complaints/{complaint_id}/response",
        json={"response": "The worker was ill; we failed to send cover and have changed our rota."},
        headers=agency_user.headers,
    )
    assert responded.status_code == 200, responded.text
    assert responded.json()["responded_on"] == utcnow().date().isoformat()
    ruled = client.post(
        f"/api/complaints/{complaint_id}/ruling",
        json={"upheld": True},
        headers=kitemark_admin.headers,
    )
    assert ruled.status_code == 200, ruled.text
    assert ruled.json()["upheld"] is True

    # Signed out: 401 everywhere.
    assert client.get(f"/api/agencies/{own}/complaints").status_code == 401
    assert client.post(f"/api/agencies/{own}/complaints", json=COMPLAINT).status_code == 401
    assert (
        client.post(f"/api/complaints/{complaint_id}/ruling", json={"upheld": True}).status_code
        == 401
    )

    with Session(reference_engine) as s:
        row = s.get(Complaint, complaint_id)
        assert row is not None and row.upheld is True and row.agency_response
        figure = criterion_figures.complaints(
            session=s, agency_id=own, start=date(2025, 4, 1), end=date(2026, 3, 31), assignments=[]
        )
        assert figure.key == crit.COMPLAINTS
        assert figure.numerator == 1
        assert "1 recorded by councils (1 complaint), 1 upheld" in figure.detail
        assert "1 with the agency's response" in figure.detail
        actions = s.exec(
            select(AuditEvent.action)
            .where(
                AuditEvent.entity == "kitemark_complaint", AuditEvent.entity_id == str(complaint_id)
            )
            .order_by(col(AuditEvent.id))
        ).all()
        assert list(actions) == [
            "kitemark.complaint",
            "kitemark.complaint_response",
            "kitemark.complaint_ruling",
        ]
        assert s.exec(select(Complaint).where(Complaint.agency_id == other)).all() == []
