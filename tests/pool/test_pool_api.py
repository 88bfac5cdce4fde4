"""The pool's workers, requests and interventions over the API: who sees and changes what.

Coordinators and administrators see every worker and request; a council's intervention
lead makes and sees its own council's requests, and sees a worker only once placed with
its council; anyone else signed in is answered 404, signed out 401. Imports are multipart,
all or nothing (422 with every problem)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from api.main import create_app
from tests.builders import pool as build
from tests.builders.people import COUNCIL_A, COUNCIL_B, TEST_ACTOR, Person, make_people
from workforce.auth import service as auth_service
from workforce.auth import tokens
from workforce.auth.models import AuditEvent, Role
from workforce.config import Settings
from workforce.pool.models import Offer, Placement, PoolWorker

NOBODY_ELSE = ("hr_lead_a", "mou_member", "kitemark_admin", "agency_user", "analyst")


@pytest.fixture
def client(reference_settings: Settings, reference_engine: Engine) -> Iterator[TestClient]:
    with TestClient(create_app(settings=reference_settings, engine=reference_engine)) as c:
        yield c


@pytest.fixture
def people(reference_engine: Engine) -> dict[str, Person]:
    found = make_people(reference_engine)
    with Session(reference_engine, expire_on_commit=False) as s:
        email = "intervention.lead.b@example.gov.uk"
        user = auth_service.create_user(
            session=s,
            email=email,
            role=Role.intervention_lead,
            councils=[COUNCIL_B],
            password="correct horse battery staple",
            actor=TEST_ACTOR,
        )
        issued = tokens.create_token(session=s, email=email, actor=TEST_ACTOR, days=30)
        s.commit()
        assert user.id is not None
        found["intervention_lead_b"] = Person(
            "intervention_lead_b", email, Role.intervention_lead, issued.secret, user.id
        )
    return found


def _upload(client: TestClient, person: Person, data: bytes, name: str = "workers.csv") -> object:
    return client.post(
        "/api/pool/workers/import",
        files={"file": (name, data, "text/csv")},
        headers=person.headers,
    )


def test_a_coordinator_imports_workers_and_lists_them_others_get_404_signed_out_401(
    client: TestClient, people: dict[str, Person], reference_engine: Engine
) -> None:
    coordinator = people["pool_coordinator"]
    rows = [build.worker_row(name="Jo Example"), build.worker_row(name="Sam Example")]
    answer = _upload(client, coordinator, build.workers_csv(rows))
    assert answer.status_code == 200, answer.text
    assert (answer.json()["created"], answer.json()["updated"]) == (2, 0)
    again = _upload(client, people["admin"], build.workers_xlsx(rows), "workers.xlsx")
    assert again.status_code == 200, again.text
    assert (again.json()["created"], again.json()["unchanged"]) == (0, 2)

    listed = client.get("/api/pool/workers", headers=coordinator.headers)
    assert listed.status_code == 200
    assert [w["name"] for w in listed.json()] == ["Jo Example", "Sam Example"]
    assert listed.json()[0]["specialisms"] == ["child_protection", "court_work"]
    for key in (*NOBODY_ELSE, "intervention_lead_a"):
        person = people[key]
        assert client.get("/api/pool/workers", headers=person.headers).status_code == 404, key
        assert _upload(client, person, build.workers_csv(rows)).status_code == 404, key
    assert client.get("/api/pool/workers").status_code == 401
    assert (
        client.post("/api/pool/workers/import", files={"file": ("w.csv", b"x")}).status_code == 401
    )


def test_a_bad_file_is_refused_with_every_problem_and_nothing_stored(
    client: TestClient, people: dict[str, Person], reference_engine: Engine
) -> None:
    bad = build.workers_csv([build.worker_row(role="x"), build.worker_row(swe_number="12")])
    answer = _upload(client, people["pool_coordinator"], bad)
    assert answer.status_code == 422, answer.text
    problems = answer.json()["problems"]
    assert [(p["rule"], p["row"], p["column"]) for p in problems] == [
        ("worker.role", 2, "role"),
        ("worker.swe_number", 3, "swe_number"),
    ]
    assert all(p["sheet"] == "workers.csv" for p in problems)
    missing = client.post(
        "/api/pool/workers/import", data={"x": "y"}, headers=people["admin"].headers
    )
    assert missing.status_code == 400
    with Session(reference_engine) as s:
        assert s.exec(select(PoolWorker)).all() == []


def test_a_council_sees_a_worker_only_once_placed_with_it(
    client: TestClient, people: dict[str, Person], reference_engine: Engine
) -> None:
    with Session(reference_engine, expire_on_commit=False) as s:
        placed = build.worker(s, name="Placed With Camden")
        waiting = build.worker(s, name="Not Placed")
        req = build.request(s, COUNCIL_A)
        assert placed.id and req.id
        offer = Offer(
            request_id=req.id,
            worker_id=placed.id,
            start_date=req.start_date,
            end_date=req.end_date,
            day_rate=450.0,
            expires_at=req.created_at + timedelta(days=5),
            created_by="test",
        )
        s.add(offer)
        s.flush()
        assert offer.id is not None
        s.add(
            Placement(
                offer_id=offer.id,
                request_id=req.id,
                worker_id=placed.id,
                council_code=COUNCIL_A,
                start_date=req.start_date,
                end_date=req.end_date,
                planned_end=req.end_date,
                day_rate=450.0,
            )
        )
        s.commit()
    lead_a, lead_b = people["intervention_lead_a"], people["intervention_lead_b"]
    seen = client.get(f"/api/pool/workers/{placed.id}", headers=lead_a.headers)
    assert seen.status_code == 200 and seen.json()["name"] == "Placed With Camden"
    for person in (lead_b, people["hr_lead_a"], people["analyst"]):
        assert (
            client.get(f"/api/pool/workers/{placed.id}", headers=person.headers).status_code == 404
        )
    assert client.get(f"/api/pool/workers/{waiting.id}", headers=lead_a.headers).status_code == 404
    for person in (people["pool_coordinator"], people["admin"]):
        answer = client.get(f"/api/pool/workers/{waiting.id}", headers=person.headers)
        assert answer.status_code == 200
    assert client.get("/api/pool/workers/999999", headers=lead_a.headers).status_code == 404
    assert client.get(f"/api/pool/workers/{placed.id}").status_code == 401
    # The placement counts toward the request's filled posts.
    mine = client.get("/api/pool/requests", headers=lead_a.headers).json()
    assert [(r["id"], r["filled"]) for r in mine] == [(req.id, 1)]


def test_an_intervention_lead_makes_and_sees_only_their_own_councils_requests(
    client: TestClient, people: dict[str, Person], reference_engine: Engine
) -> None:
    lead_a, lead_b = people["intervention_lead_a"], people["intervention_lead_b"]
    made = client.post("/api/pool/requests", json=build.request_body(), headers=lead_a.headers)
    assert made.status_code == 201, made.text
    body = made.json()
    start = date.fromisoformat(body["start_date"])
    assert body["council_code"] == COUNCIL_A
    assert date.fromisoformat(body["end_date"]) == start + timedelta(days=12 * 7 - 1)
    assert (body["required"], body["preferred"], body["status"]) == (
        ["court_work"],
        ["child_protection"],
        "open",
    )
    # Another council's request: 404, as if that council did not exist.
    other = client.post(
        "/api/pool/requests",
        json=build.request_body(council=COUNCIL_B),
        headers=lead_a.headers,
    )
    assert other.status_code == 404
    made_b = client.post("/api/pool/requests", json=build.request_body(), headers=lead_b.headers)
    assert made_b.status_code == 201
    # An administrator says which council; a coordinator makes none.
    no_council = client.post(
        "/api/pool/requests", json=build.request_body(), headers=people["admin"].headers
    )
    assert no_council.status_code == 422
    assert [p["rule"] for p in no_council.json()["problems"]] == ["request.council"]
    by_admin = client.post(
        "/api/pool/requests",
        json=build.request_body(council="E09000007"),
        headers=people["admin"].headers,
    )
    assert by_admin.status_code == 201 and by_admin.json()["council_code"] == COUNCIL_A
    for key in ("pool_coordinator", *NOBODY_ELSE):
        answer = client.post(
            "/api/pool/requests", json=build.request_body(), headers=people[key].headers
        )
        assert answer.status_code == 404, key
    bad = client.post(
        "/api/pool/requests", json=build.request_body(posts=0, role="chief"), headers=lead_a.headers
    )
    assert bad.status_code == 422

    def ids(person: Person, query: str = "") -> list[int]:
        answer = client.get(f"/api/pool/requests{query}", headers=person.headers)
        assert answer.status_code == 200, answer.text
        return sorted(r["id"] for r in answer.json())

    a_ids = sorted([body["id"], by_admin.json()["id"]])
    assert ids(lead_a) == a_ids
    assert ids(lead_b) == [made_b.json()["id"]]
    assert ids(people["pool_coordinator"]) == sorted([*a_ids, made_b.json()["id"]])
    assert ids(people["admin"], f"?council={COUNCIL_B}") == [made_b.json()["id"]]
    assert ids(people["pool_coordinator"], "?status=withdrawn") == []
    assert (
        client.get(f"/api/pool/requests?council={COUNCIL_B}", headers=lead_a.headers).status_code
        == 404
    )
    for key in NOBODY_ELSE:
        assert client.get("/api/pool/requests", headers=people[key].headers).status_code == 404
    assert client.get("/api/pool/requests").status_code == 401
    assert client.post("/api/pool/requests", json=build.request_body()).status_code == 401
    request_id = body["id"]
    assert client.get(f"/api/pool/requests/{request_id}", headers=lead_b.headers).status_code == 404
    assert client.get(f"/api/pool/requests/{request_id}", headers=lead_a.headers).status_code == 200


def test_a_coordinator_raises_a_tier_and_a_lead_withdraws_their_request(
    client: TestClient, people: dict[str, Person], reference_engine: Engine
) -> None:
    lead_a, lead_b = people["intervention_lead_a"], people["intervention_lead_b"]
    coordinator = people["pool_coordinator"]
    request_id = client.post(
        "/api/pool/requests", json=build.request_body(), headers=lead_a.headers
    ).json()["id"]
    tier_url = f"/api/pool/requests/{request_id}/tier"
    for person in (lead_a, lead_b, people["hr_lead_a"], people["analyst"]):
        answer = client.post(tier_url, json={"tier": 1, "reason": "x"}, headers=person.headers)
        assert answer.status_code == 404, person.key
    raised = client.post(
        tier_url, json={"tier": 1, "reason": "Ofsted monitoring visit"}, headers=coordinator.headers
    )
    assert raised.status_code == 200, raised.text
    assert (raised.json()["tier"], raised.json()["tier_reason"]) == (1, "Ofsted monitoring visit")
    again = client.post(tier_url, json={"tier": 2, "reason": "lower"}, headers=coordinator.headers)
    assert again.status_code == 422 and again.json()["problems"][0]["rule"] == "tier.tier"
    assert client.post(tier_url, json={"tier": 1, "reason": "x"}).status_code == 401
    assert (
        client.post(
            "/api/pool/requests/999999/tier",
            json={"tier": 1, "reason": "x"},
            headers=coordinator.headers,
        ).status_code
        == 404
    )

    withdraw_url = f"/api/pool/requests/{request_id}/withdraw"
    for person in (lead_b, coordinator, people["hr_lead_a"]):
        assert client.post(withdraw_url, headers=person.headers).status_code == 404, person.key
    withdrawn = client.post(withdraw_url, headers=lead_a.headers)
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn"
    twice = client.post(withdraw_url, headers=lead_a.headers)
    assert twice.status_code == 422
    with Session(reference_engine) as s:
        actions = s.exec(
            select(AuditEvent.action, AuditEvent.actor)
            .where(AuditEvent.entity == "pool_request")
            .order_by(col(AuditEvent.id))
        ).all()
    assert [tuple(a) for a in actions] == [
        ("create", lead_a.email),
        ("raise_tier", coordinator.email),
        ("withdraw", lead_a.email),
    ]


def test_an_admin_records_interventions_council_users_read_their_own(
    client: TestClient, people: dict[str, Person]
) -> None:
    admin = people["admin"]
    body = {"council": COUNCIL_A, "kind": "statutory_direction", "start_date": "2026-06-01"}
    for key in ("pool_coordinator", "intervention_lead_a", "hr_lead_a", "analyst"):
        answer = client.post("/api/pool/interventions", json=body, headers=people[key].headers)
        assert answer.status_code == 404, key
    made = client.post("/api/pool/interventions", json=body, headers=admin.headers)
    assert made.status_code == 201, made.text
    client.post(
        "/api/pool/interventions",
        json={**body, "council": COUNCIL_B, "kind": "commissioner"},
        headers=admin.headers,
    )
    bad = client.post(
        "/api/pool/interventions",
        json={**body, "end_date": "2026-01-01"},
        headers=admin.headers,
    )
    assert bad.status_code == 422

    def councils(person: Person, query: str = "") -> list[str]:
        answer = client.get(f"/api/pool/interventions{query}", headers=person.headers)
        assert answer.status_code == 200, answer.text
        return sorted(i["council_code"] for i in answer.json())

    assert councils(people["intervention_lead_a"]) == [COUNCIL_A]
    assert councils(people["hr_lead_a"]) == [COUNCIL_A]
    assert councils(people["pool_coordinator"]) == [COUNCIL_A, COUNCIL_B]
    assert councils(people["analyst"], f"?council={COUNCIL_B}") == [COUNCIL_B]
    hidden = client.get(
        f"/api/pool/interventions?council={COUNCIL_B}", headers=people["hr_lead_a"].headers
    )
    assert hidden.status_code == 404
    for key in ("mou_member", "kitemark_admin", "agency_user"):
        answer = client.get("/api/pool/interventions", headers=people[key].headers)
        assert answer.status_code == 404, key
    assert client.get("/api/pool/interventions").status_code == 401
    # A request of the council in intervention is in tier 1.
    request_id = client.post(
        "/api/pool/requests",
        json=build.request_body(),
        headers=people["intervention_lead_a"].headers,
    ).json()["id"]
    seen = client.get(f"/api/pool/requests/{request_id}", headers=admin.headers)
    assert seen.json()["tier"] == 1
    end_url = f"/api/pool/interventions/{made.json()['id']}/end"
    assert (
        client.post(
            end_url, json={"end_date": "2026-12-31"}, headers=people["pool_coordinator"].headers
        ).status_code
        == 404
    )
    ended = client.post(end_url, json={"end_date": "2026-12-31"}, headers=admin.headers)
    assert ended.status_code == 200 and ended.json()["end_date"] == "2026-12-31"
