"""The pool's pages and forms: a council's intervention lead asks for staff on its own
council's page; the coordinator runs the matcher and offers a proposed worker on the board;
the council and the worker accept; the placement names the worker to the council, which saw
only a profile before. Refusals come back with the error summary; another council's page is
404, the board 403 to a council's user; a post without the CSRF token stores nothing."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from api.main import create_app
from tests.builders import pool as build
from tests.builders.people import COUNCIL_A, COUNCIL_B, Person, make_people
from tests.signing import signed_in_token
from workforce.auth.models import AuditEvent
from workforce.config import Settings
from workforce.pool.models import Offer, Placement, PoolRequest
from workforce.pool.terms import PoolRole, Specialism
from workforce.timeutils import utcnow

TODAY = utcnow().date()
START = TODAY + timedelta(days=21)


@pytest.fixture
def client(reference_settings: Settings, reference_engine: Engine) -> Iterator[TestClient]:
    with TestClient(create_app(settings=reference_settings, engine=reference_engine)) as c:
        yield c


@pytest.fixture
def people(reference_engine: Engine) -> dict[str, Person]:
    return make_people(reference_engine)


def _count(engine: Engine, model: type) -> int:
    with Session(engine) as s:
        return s.exec(select(func.count()).select_from(model)).one()


def _worker(engine: Engine) -> int:
    with Session(engine) as s:
        row = build.worker(
            s,
            name="Jo Placed",
            role=PoolRole.team_manager,
            specialisms=(Specialism.child_protection, Specialism.court_work),
            work_councils=(COUNCIL_A,),
            availability=((TODAY, TODAY + timedelta(days=365)),),
            registration_checked=TODAY,
            day_rate=500.0,
        )
        s.commit()
        assert row.id is not None
        return row.id


FORM = {
    "role": "team_manager",
    "posts": "1",
    "required": ["court_work"],
    "start_date": START.isoformat(),
    "weeks": "12",
    "onsite_days": "3",
    "max_day_rate": "£600",
    "reason": "Two assessment teams without a manager since the inspection.",
}


def test_a_request_from_the_form_to_a_placement(
    client: TestClient, people: dict[str, Person], reference_engine: Engine
) -> None:
    lead = people["intervention_lead_a"].email
    token = signed_in_token(client, lead)
    landed = client.get("/pool/requests", follow_redirects=False)
    assert landed.headers["location"] == f"/councils/{COUNCIL_A}/pool"
    page = client.get(f"/councils/{COUNCIL_A}/pool")
    assert (
        page.status_code == 200
        and "Pool requests" in page.text
        and "Ask for pool staff" in page.text
    )
    assert client.get(f"/councils/{COUNCIL_B}/pool").status_code == 404
    assert client.get("/pool").status_code == 403
    # The form's labels keep their capitals: "Front door/MASH", "IRO/CP chair".
    form = client.get(f"/councils/{COUNCIL_A}/pool/new").text
    assert "Front door/MASH" in form and "IRO/CP chair" in form and "Front door/mash" not in form

    # A refused request says what, linked to the field, and stores nothing.
    bad = client.post(
        f"/councils/{COUNCIL_A}/pool",
        data={**FORM, "posts": "0", "reason": "", "csrf_token": token},
    )
    assert bad.status_code == 400
    assert 'href="#posts"' in bad.text and 'href="#reason"' in bad.text
    assert "govuk-error-summary" in bad.text
    assert _count(reference_engine, PoolRequest) == 0
    # Without the CSRF token nothing is stored either.
    assert client.post(f"/councils/{COUNCIL_A}/pool", data=FORM).status_code == 403
    assert _count(reference_engine, PoolRequest) == 0

    made = client.post(
        f"/councils/{COUNCIL_A}/pool", data={**FORM, "csrf_token": token}, follow_redirects=False
    )
    assert made.status_code == 303, made.text
    with Session(reference_engine) as s:
        stored = s.exec(select(PoolRequest)).one()
        assert stored.council_code == COUNCIL_A and stored.max_day_rate == 600.0
        assert stored.end_date == START + timedelta(days=12 * 7 - 1)
    worker_id = _worker(reference_engine)

    # The coordinator runs the matcher and offers the proposed worker.
    token = signed_in_token(client, people["pool_coordinator"].email)
    assert (
        client.post("/pool/match", data={"csrf_token": token}, follow_redirects=False).status_code
        == 303
    )
    board = client.get("/pool")
    assert "Jo Placed" in board.text, board.text
    proposal = re.search(r'data-proposal="(\d+)"', board.text)
    assert proposal
    offered = client.post(
        f"/pool/proposals/{proposal.group(1)}/offer",
        data={"csrf_token": token},
        follow_redirects=False,
    )
    assert offered.status_code == 303, offered.text
    with Session(reference_engine) as s:
        offer = s.exec(select(Offer)).one()
    assert offer.worker_id == worker_id
    # Offering the same proposal again is refused in words on the board.
    again = client.post(f"/pool/proposals/{proposal.group(1)}/offer", data={"csrf_token": token})
    assert again.status_code == 400 and "govuk-error-summary" in again.text
    assert _count(reference_engine, Offer) == 1
    worker_says = client.post(
        f"/pool/offers/{offer.id}/answer",
        data={"party": "worker", "answer": "accepted", "csrf_token": token},
        follow_redirects=False,
    )
    assert worker_says.status_code == 303, worker_says.text

    # The council sees a profile, not the name, until it accepts and the placement is made.
    token = signed_in_token(client, lead)
    page = client.get(f"/councils/{COUNCIL_A}/pool")
    assert "Jo Placed" not in page.text and "team manager" in page.text
    # A council's user cannot answer for the worker.
    assert (
        client.post(
            f"/pool/offers/{offer.id}/answer",
            data={"party": "worker", "answer": "accepted", "csrf_token": token},
        ).status_code
        == 404
    )
    accepted = client.post(
        f"/pool/offers/{offer.id}/answer",
        data={"party": "council", "answer": "accepted", "csrf_token": token},
        follow_redirects=False,
    )
    assert accepted.status_code == 303, accepted.text
    assert _count(reference_engine, Placement) == 1
    page = client.get(f"/councils/{COUNCIL_A}/pool")
    assert "Jo Placed" in page.text
    with Session(reference_engine) as s:
        actions = {e.action for e in s.exec(select(AuditEvent))}
    assert "pool.match" in actions
    assert client.get("/pool/report").status_code == 403

    signed_in_token(client, people["pool_coordinator"].email)
    report = client.get("/pool/report")
    assert report.status_code == 200
    fill = re.search(r'<table class="govuk-table" id="fill_rate">.*?</table>', report.text, re.S)
    assert fill and "London" in fill.group(0) and "100%" in fill.group(0)
    assert "section=capacity" in report.text


def test_signed_out_is_sent_to_sign_in_and_others_are_refused(
    client: TestClient, people: dict[str, Person]
) -> None:
    client.cookies.clear()
    assert client.get("/pool", follow_redirects=False).status_code in (303, 401)
    assert client.get(f"/councils/{COUNCIL_A}/pool", follow_redirects=False).status_code in (
        303,
        401,
    )
    signed_in_token(client, people["hr_lead_a"].email)
    assert client.get(f"/councils/{COUNCIL_A}/pool").status_code == 404
    assert client.get("/pool").status_code == 403
