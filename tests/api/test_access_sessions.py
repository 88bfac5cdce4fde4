"""Web sign-in sessions are kept on the server: signing out, a new password or disabling
the user ends them at once, whoever holds a copy of the cookie."""

from __future__ import annotations

import base64
import json
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from tests.builders.people import PASSWORD, TEST_ACTOR, Person, make_people
from tests.signing import csrf_token, sign_in
from workforce.auth import service
from workforce.auth.models import AuditEvent, WebSession
from workforce.timeutils import utcnow

COOKIE = "workforce_session"


@pytest.fixture
def people(reference_engine: Engine) -> dict[str, Person]:
    return make_people(reference_engine)


def _sign_in(client: TestClient, person: Person) -> str:
    """Sign ``person`` in through the form, as a new browser would; return its cookie."""
    sign_in(client, person.email)
    cookie = client.cookies.get(COOKIE)
    assert cookie
    return cookie


def _sign_out(client: TestClient) -> None:
    account = client.get("/account")
    assert account.status_code == 200
    answer = client.post(
        "/sign-out", data={"csrf_token": csrf_token(account.text)}, follow_redirects=False
    )
    assert answer.status_code == 303


def _me(client: TestClient, cookie: str) -> int:
    """Status of /api/me for a request carrying only ``cookie``."""
    client.cookies.clear()
    client.cookies.set(COOKIE, cookie)
    return client.get("/api/me").status_code


def test_a_copied_session_cookie_stops_working_after_sign_out(
    client: TestClient, people: dict[str, Person]
) -> None:
    lead = people["hr_lead_a"]
    copied = _sign_in(client, lead)
    assert client.get("/api/me").json()["user"]["email"] == lead.email
    _sign_out(client)
    assert client.get("/api/me").status_code == 401
    # Someone who copied the cookie before the sign-out gets nothing with it.
    assert _me(client, copied) == 401
    account = client.get("/account", follow_redirects=False)
    assert account.status_code == 303 and account.headers["location"].startswith("/sign-in")


def test_the_session_cookie_carries_only_an_opaque_id(
    client: TestClient, people: dict[str, Person]
) -> None:
    lead = people["hr_lead_a"]
    cookie = _sign_in(client, lead)
    payload = json.loads(base64.b64decode(cookie.split(".")[0] + "=="))
    assert set(payload) == {"sid"}
    assert len(payload["sid"]) >= 43  # 256 random bits
    assert lead.email not in json.dumps(payload) and str(lead.user_id) not in payload.values()


def test_a_new_password_or_disabling_the_user_ends_every_session(
    client: TestClient, people: dict[str, Person], reference_engine: Engine
) -> None:
    lead, analyst = people["hr_lead_a"], people["analyst"]
    lead_cookies = [_sign_in(client, lead) for _ in range(2)]
    analyst_cookie = _sign_in(client, analyst)
    assert {_me(client, c) for c in [*lead_cookies, analyst_cookie]} == {200}
    with Session(reference_engine) as session:
        service.set_password(
            session=session, email=lead.email, password=PASSWORD + "!", actor=TEST_ACTOR
        )
        service.set_active(session=session, email=analyst.email, active=False, actor=TEST_ACTOR)
        session.commit()
    assert {_me(client, c) for c in [*lead_cookies, analyst_cookie]} == {401}
    with Session(reference_engine) as session:
        service.set_active(session=session, email=analyst.email, active=True, actor=TEST_ACTOR)
        session.commit()
    # Enabling the user again does not bring an ended session back.
    assert _me(client, analyst_cookie) == 401
    with Session(reference_engine) as session:
        ended = session.exec(select(WebSession).order_by(col(WebSession.id))).all()
        assert [s.revoked_reason for s in ended] == [
            "password changed",
            "password changed",
            "user disabled",
        ]
        revocations = session.exec(
            select(AuditEvent).where(col(AuditEvent.entity) == "web_session")
        ).all()
        assert sorted(e.summary for e in revocations) == [
            f"1 web session of {analyst.email} ended: user disabled",
            f"2 web sessions of {lead.email} ended: password changed",
        ]


def test_a_session_ends_when_its_hours_are_up(
    client: TestClient, people: dict[str, Person], reference_engine: Engine
) -> None:
    cookie = _sign_in(client, people["analyst"])
    with Session(reference_engine) as session:
        row = session.exec(select(WebSession)).one()
        hours = (row.expires_at - row.created_at).total_seconds() / 3600
        assert hours == client.app.state.settings.session_hours  # type: ignore[attr-defined]
        row.expires_at = utcnow() - timedelta(seconds=1)
        session.add(row)
        session.commit()
    assert _me(client, cookie) == 401


def test_sign_out_is_audited_and_the_csrf_token_dies_with_the_session(
    client: TestClient, people: dict[str, Person], reference_engine: Engine
) -> None:
    lead = people["hr_lead_a"]
    _sign_in(client, lead)
    token = csrf_token(client.get("/account").text)
    token_id = client.get("/api/me/tokens").json()[0]["id"]
    # A cookie-authenticated change needs this session's CSRF token ...
    assert client.delete(f"/api/me/tokens/{token_id}").status_code == 403
    assert (
        client.delete(f"/api/me/tokens/{token_id}", headers={"X-CSRF-Token": token}).status_code
        == 200
    )
    _sign_out(client)
    # ... and after signing in again, the old token is no good.
    _sign_in(client, lead)
    assert (
        client.delete(f"/api/me/tokens/{token_id}", headers={"X-CSRF-Token": token}).status_code
        == 403
    )
    with Session(reference_engine) as session:
        signed_out = session.exec(
            select(AuditEvent).where(col(AuditEvent.action) == "sign_out")
        ).one()
        assert signed_out.actor == lead.email
        first = session.exec(select(WebSession).order_by(col(WebSession.id))).first()
        assert first is not None and first.revoked_reason == "signed out"
