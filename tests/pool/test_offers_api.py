"""``/api/pool/offers``, ``/api/pool/placements`` and ``/api/pool/report``: a coordinator
(or an administrator) sees and does everything; a council's intervention lead sees its own
council's offers and placements and answers for its council; anyone else 404; signed out
401. Writes answer after their commit, and are audited."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from api.main import create_app
from tests.builders import pool_offers as build
from tests.builders.people import COUNCIL_A, COUNCIL_B, Person, make_people
from workforce.auth.models import AuditEvent
from workforce.config import Settings
from workforce.pool.models import Placement


@pytest.fixture
def client(reference_settings: Settings, reference_engine: Engine) -> Iterator[TestClient]:
    with TestClient(create_app(settings=reference_settings, engine=reference_engine)) as c:
        yield c


@pytest.fixture
def people(reference_engine: Engine) -> dict[str, Person]:
    return make_people(reference_engine)


@pytest.fixture
def pool(reference_engine: Engine) -> dict[str, int]:
    """An open request of each council, a free worker, an offer to each council, and a
    placement with the other council."""
    with Session(reference_engine, expire_on_commit=False) as s:
        own = build.request(s, COUNCIL_A, posts=3)
        other = build.request(s, COUNCIL_B, posts=3)
        free = build.worker(s, "Free Worker")
        own_offer = build.offer(s, own, build.worker(s))
        other_offer = build.offer(s, other, build.worker(s))
        placed = build.placement(s, other, build.worker(s))
        s.commit()
        ids = {
            "own": own.id,
            "other": other.id,
            "free": free.id,
            "own_offer": own_offer.id,
            "other_offer": other_offer.id,
            "placement": placed.id,
        }
    return {k: v for k, v in ids.items() if v is not None}


def test_a_coordinator_sees_every_offer_a_lead_their_own_others_404_signed_out_401(
    client: TestClient, people: dict[str, Person], pool: dict[str, int]
) -> None:
    for key in ("pool_coordinator", "admin"):
        seen = client.get("/api/pool/offers", headers=people[key].headers)
        assert seen.status_code == 200
        assert len(seen.json()) == 3
        assert len(client.get("/api/pool/placements", headers=people[key].headers).json()) == 1
    lead = people["intervention_lead_a"].headers
    assert [o["id"] for o in client.get("/api/pool/offers", headers=lead).json()] == [
        pool["own_offer"]
    ]
    assert client.get("/api/pool/placements", headers=lead).json() == []
    for key in ("hr_lead_a", "analyst", "kitemark_admin"):
        assert client.get("/api/pool/offers", headers=people[key].headers).status_code == 404
        assert client.get("/api/pool/placements", headers=people[key].headers).status_code == 404
        assert client.get("/api/pool/report", headers=people[key].headers).status_code == 404
    assert client.get("/api/pool/offers").status_code == 401
    assert client.get("/api/pool/placements").status_code == 401


def test_offer_then_both_answers_make_a_placement_through_the_api(
    client: TestClient,
    people: dict[str, Person],
    pool: dict[str, int],
    reference_engine: Engine,
) -> None:
    coordinator = people["pool_coordinator"].headers
    lead = people["intervention_lead_a"].headers
    body = {"request_id": pool["own"], "worker_id": pool["free"], "days_to_answer": 3}
    assert client.post("/api/pool/offers", json=body, headers=lead).status_code == 404
    made = client.post("/api/pool/offers", json=body, headers=coordinator)
    assert made.status_code == 201, made.text
    offer_id = made.json()["id"]
    again = client.post("/api/pool/offers", json=body, headers=coordinator)
    assert again.status_code == 422
    assert [p["rule"] for p in again.json()["problems"]] == ["offer.worker_busy"]
    as_worker = {"party": "worker", "answer": "accepted"}
    assert (
        client.post(f"/api/pool/offers/{offer_id}/answer", json=as_worker, headers=lead).status_code
        == 403
    )
    council = client.post(
        f"/api/pool/offers/{offer_id}/answer",
        json={"party": "council", "answer": "accepted"},
        headers=lead,
    )
    assert council.status_code == 200 and council.json()["status"] == "open"
    worker = client.post(f"/api/pool/offers/{offer_id}/answer", json=as_worker, headers=coordinator)
    assert worker.status_code == 200 and worker.json()["status"] == "accepted"
    placements = client.get("/api/pool/placements", headers=lead).json()
    assert [p["offer_id"] for p in placements] == [offer_id]
    with Session(reference_engine) as s:
        assert len(s.exec(select(Placement)).all()) == 2
        actions = s.exec(
            select(AuditEvent.action).where(
                AuditEvent.entity == "pool_offer", AuditEvent.entity_id == str(offer_id)
            )
        )
        assert set(actions.all()) == {"pool.offer", "pool.answer_council", "pool.answer_worker"}


def test_a_lead_cannot_reach_another_councils_offer_or_placement(
    client: TestClient, people: dict[str, Person], pool: dict[str, int]
) -> None:
    lead = people["intervention_lead_a"].headers
    answer = {"party": "council", "answer": "declined"}
    other = client.post(f"/api/pool/offers/{pool['other_offer']}/answer", json=answer, headers=lead)
    assert other.status_code == 404
    assert (
        client.post("/api/pool/offers/999999/answer", json=answer, headers=lead).status_code == 404
    )
    extend = {"new_end": "2027-06-30", "reason": "more time"}
    placement = f"/api/pool/placements/{pool['placement']}"
    assert client.post(f"{placement}/extend", json=extend, headers=lead).status_code == 404
    hr = people["hr_lead_a"].headers
    assert (
        client.post(f"/api/pool/offers/{pool['own_offer']}/withdraw", headers=hr).status_code == 404
    )
    assert (
        client.post(f"/api/pool/offers/{pool['own_offer']}/withdraw", headers=lead).status_code
        == 403
    )


def test_a_coordinator_withdraws_extends_and_ends_with_refusals_in_words(
    client: TestClient, people: dict[str, Person], pool: dict[str, int]
) -> None:
    coordinator = people["pool_coordinator"].headers
    withdrawn = client.post(
        f"/api/pool/offers/{pool['own_offer']}/withdraw",
        json={"reason": "filled locally"},
        headers=coordinator,
    )
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn"
    placement = f"/api/pool/placements/{pool['placement']}"
    no_reason = client.post(
        f"{placement}/extend", json={"new_end": "2027-06-30", "reason": ""}, headers=coordinator
    )
    assert no_reason.status_code == 422
    extended = client.post(
        f"{placement}/extend",
        json={"new_end": "2027-06-30", "reason": "cover until the new team starts"},
        headers=coordinator,
    )
    assert extended.status_code == 200 and extended.json()["end_date"] == "2027-06-30"
    ended = client.post(
        f"{placement}/end", json={"on": "2027-02-12", "reason": "illness"}, headers=coordinator
    )
    assert ended.status_code == 200
    assert ended.json()["ended_early_reason"] == "illness"
    assert ended.json()["planned_end"] == build.END.isoformat()


def test_the_report_as_json_and_each_section_as_csv(
    client: TestClient, people: dict[str, Person], pool: dict[str, int]
) -> None:
    coordinator = people["pool_coordinator"].headers
    whole = client.get("/api/pool/report", params={"on": "2027-02-01"}, headers=coordinator)
    assert whole.status_code == 200
    assert set(whole.json()) == {
        "fill_rate",
        "time_to_placement",
        "unfilled",
        "capacity",
        "ending_soon",
    }
    csv = client.get(
        "/api/pool/report", params={"format": "csv", "section": "capacity"}, headers=coordinator
    )
    assert csv.status_code == 200
    assert csv.headers["content-type"].startswith("text/csv")
    assert csv.text.startswith("role,specialism,active_workers,available_now")
    bad = client.get(
        "/api/pool/report", params={"format": "csv", "section": "nope"}, headers=coordinator
    )
    assert bad.status_code == 422
