"""Every role against every protected route family; 401, 403 and 404 as the rules say."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from api.main import create_app
from api.public_routes import route_inventory
from tests.builders.people import COUNCIL_A, COUNCIL_B, PASSWORD, Person, make_people
from tests.signing import csrf_token
from workforce.auth.models import ApiToken
from workforce.auth.permissions import WRITES, Decision, Principal, authorize
from workforce.config import Settings
from workforce.db import make_engine
from workforce.timeutils import utcnow

ALL = (
    "hr_lead_a",
    "hr_lead_b",
    "intervention_lead_a",
    "pool_coordinator",
    "mou_member",
    "kitemark_admin",
    "agency_user",
    "analyst",
    "admin",
)


@pytest.fixture
def people(reference_engine: Engine) -> dict[str, Person]:
    return make_people(reference_engine)


def _status(client: TestClient, method: str, path: str, person: Person | None, **kw) -> int:
    headers = person.headers if person else {}
    return client.request(method, path, headers=headers, **kw).status_code


# --- the families ------------------------------------------------------------------------


def test_anyone_reads_published_data_without_signing_in(client: TestClient) -> None:
    for path in ("/api/councils", f"/api/councils/{COUNCIL_A}", "/api/health", "/", "/sign-in"):
        assert client.get(path).status_code == 200, path


def test_own_account_for_every_role(client: TestClient, people: dict[str, Person]) -> None:
    for key in ALL:
        response = client.get("/api/me", headers=people[key].headers)
        assert response.status_code == 200, key
        assert response.json()["user"]["email"] == people[key].email
    response = client.get("/api/me")
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == 'Bearer realm="workforce"'
    assert "Authorization: Bearer" in response.json()["detail"]


def test_council_private_data_by_role(client: TestClient, people: dict[str, Person]) -> None:
    expected_a = {
        "hr_lead_a": 200,
        "hr_lead_b": 404,  # another council's unpublished data: do not reveal it exists
        "intervention_lead_a": 200,
        "pool_coordinator": 403,
        "mou_member": 403,
        "kitemark_admin": 403,
        "agency_user": 403,
        "analyst": 200,
        "admin": 200,
    }
    got = {k: _status(client, "GET", f"/api/councils/{COUNCIL_A}/returns", people[k]) for k in ALL}
    assert got == expected_a
    assert _status(client, "GET", f"/api/councils/{COUNCIL_A}/returns", None) == 401

    own = client.get(f"/api/councils/{COUNCIL_A}/returns", headers=people["hr_lead_a"].headers)
    assert [r["council_code"] for r in own.json()] == [COUNCIL_A]
    other = client.get(f"/api/councils/{COUNCIL_B}/returns", headers=people["hr_lead_a"].headers)
    missing = client.get("/api/councils/201/returns", headers=people["hr_lead_a"].headers)
    assert other.status_code == missing.status_code == 404
    # The answer for a council with returns is word for word the one for a council without.
    assert other.json()["detail"].replace(COUNCIL_B, "X") == missing.json()["detail"].replace(
        "201", "X"
    )
    # By ONS code too.
    assert _status(client, "GET", "/api/councils/E09000011/returns", people["hr_lead_a"]) == 404
    assert _status(client, "GET", "/api/councils/E09000011/returns", people["hr_lead_b"]) == 200


def test_admin_routes_by_role(client: TestClient, people: dict[str, Person]) -> None:
    token_id = _first_token_id(client, people["analyst"])
    for key in ALL:
        expected = 200 if key == "admin" else 403
        person = people[key]
        assert _status(client, "GET", "/api/users", person) == expected, key
        assert _status(client, "GET", "/api/tokens", person) == expected, key
        assert _status(client, "GET", "/api/audit", person) == expected, key
        body = {"email": f"new.{key}@example.org", "role": "analyst"}
        assert _status(client, "POST", "/api/users", person, json=body) == (
            201 if key == "admin" else 403
        ), key
        if key != "admin":
            assert _status(client, "DELETE", f"/api/tokens/{token_id}", person) == 403, key
    assert _status(client, "DELETE", f"/api/tokens/{token_id}", people["admin"]) == 200
    forbidden = client.get("/api/audit", headers=people["hr_lead_a"].headers)
    assert "hr_lead" in forbidden.json()["detail"]


def _first_token_id(client: TestClient, person: Person) -> int:
    return int(client.get("/api/me/tokens", headers=person.headers).json()[0]["id"])


def test_every_guarded_route_answers_as_the_permission_model_says(
    client: TestClient, people: dict[str, Person]
) -> None:
    """Anonymous: 401 (API) or sign-in (pages); a role without the action: 403."""
    routes = [r for r in route_inventory(client.app) if r.actions]  # type: ignore[arg-type]
    assert len(routes) >= 10
    for route in routes:
        path = route.path.replace("{code}", COUNCIL_A).replace("{token_id}", "999999")
        for method in route.methods:
            response = client.request(method, path, follow_redirects=False)
            if path.startswith("/api/"):
                assert response.status_code == 401, (method, path)
                assert response.headers["www-authenticate"].startswith("Bearer")
            else:
                assert response.status_code == 303, (method, path)
                assert response.headers["location"].startswith("/sign-in?next=")
            for key in ALL:
                person = people[key]
                principal = Principal(person.user_id, person.email, person.role)
                forbidden = any(
                    authorize(principal, action) is Decision.forbidden for action in route.actions
                )
                status = client.request(method, path, headers=person.headers).status_code
                assert (status == 403) == forbidden, (method, path, key, status)


def test_an_analyst_writes_nothing(client: TestClient, people: dict[str, Person]) -> None:
    analyst = people["analyst"]
    writes = [
        r
        for r in route_inventory(client.app)  # type: ignore[arg-type]
        if r.actions & WRITES
    ]
    for route in writes:
        path = route.path.replace("{code}", COUNCIL_A).replace("{token_id}", "1")
        for method in route.methods:
            assert _status(client, method, path, analyst) == 403, (method, path)
    assert _status(client, "POST", "/api/users", analyst, json={}) == 403


# --- tokens ------------------------------------------------------------------------------


def test_a_revoked_token_gets_401_at_once(client: TestClient, people: dict[str, Person]) -> None:
    lead = people["hr_lead_a"]
    assert _status(client, "GET", "/api/me", lead) == 200
    token_id = _first_token_id(client, lead)
    assert client.delete(f"/api/me/tokens/{token_id}", headers=lead.headers).status_code == 200
    response = client.get("/api/me", headers=lead.headers)
    assert response.status_code == 401
    assert 'error="invalid_token"' in response.headers["www-authenticate"]
    assert "revoked" in response.json()["detail"]


def test_an_admin_revocation_takes_effect_at_once(
    client: TestClient, people: dict[str, Person]
) -> None:
    analyst = people["analyst"]
    token_id = _first_token_id(client, analyst)
    assert _status(client, "DELETE", f"/api/tokens/{token_id}", people["admin"]) == 200
    assert _status(client, "GET", f"/api/councils/{COUNCIL_A}/returns", analyst) == 401


def test_an_expired_token_gets_401(
    client: TestClient, people: dict[str, Person], reference_engine: Engine
) -> None:
    analyst = people["analyst"]
    assert _status(client, "GET", "/api/me", analyst) == 200
    with Session(reference_engine) as session:
        token = session.get(ApiToken, _first_token_id(client, analyst))
        assert token is not None
        token.expires_at = utcnow() - timedelta(seconds=1)
        session.add(token)
        session.commit()
    assert _status(client, "GET", "/api/me", analyst) == 401


def test_a_user_cannot_revoke_someone_else_s_token(
    client: TestClient, people: dict[str, Person]
) -> None:
    other = _first_token_id(client, people["analyst"])
    assert _status(client, "DELETE", f"/api/me/tokens/{other}", people["hr_lead_a"]) == 404
    assert _status(client, "GET", "/api/me", people["analyst"]) == 200


def test_malformed_credentials_get_401_with_advice(client: TestClient) -> None:
    for header in ("Basic dXNlcjpwYXNz", "Bearer", "Bearer wf_nonsense", "Token abc"):
        response = client.get("/api/me", headers={"Authorization": header})
        assert response.status_code == 401, header
        assert response.headers["www-authenticate"].startswith('Bearer realm="workforce"')
        assert response.json()["detail"]


# --- the audit log through the API ---------------------------------------------------------


def test_admin_reads_and_filters_the_audit_log(
    client: TestClient, people: dict[str, Person]
) -> None:
    admin = people["admin"]
    client.delete(
        f"/api/me/tokens/{_first_token_id(client, people['analyst'])}",
        headers=people["analyst"].headers,
    )
    issued = client.get("/api/audit?action=issue&limit=500", headers=admin.headers).json()
    assert len(issued) == len(ALL)
    assert all(e["entity"] == "api_token" for e in issued)
    revoked = client.get("/api/audit?action=revoke", headers=admin.headers).json()
    assert [e["actor"] for e in revoked] == [people["analyst"].email]
    assert revoked[0]["source"] == "testclient"
    page = client.get("/api/audit?limit=3", headers=admin.headers).json()
    older = client.get(f"/api/audit?limit=3&before_id={page[-1]['id']}", headers=admin.headers)
    assert [e["id"] for e in older.json()] == [page[-1]["id"] - i for i in (1, 2, 3)]
    csv = client.get("/api/audit?format=csv&entity=user", headers=admin.headers)
    assert csv.status_code == 200 and csv.text.startswith("id,at,actor")
    # A moment without a zone is UTC; with one, it is converted.
    newest = page[0]
    at = datetime.fromisoformat(newest["at"])
    naive = at.astimezone(UTC).replace(tzinfo=None).isoformat()
    found = client.get("/api/audit", params={"since": naive}, headers=admin.headers)
    assert found.status_code == 200 and newest["id"] in [e["id"] for e in found.json()]
    later = (at + timedelta(seconds=1)).astimezone(timezone(timedelta(hours=-5))).isoformat()
    none = client.get("/api/audit", params={"since": later}, headers=admin.headers)
    assert none.status_code == 200 and none.json() == []
    day = client.get("/api/audit", params={"until": "2000-01-01"}, headers=admin.headers)
    assert day.status_code == 200 and day.json() == []
    bad = client.get("/api/audit?since=yesterday", headers=admin.headers)
    assert bad.status_code == 422 and bad.json()["problems"][0]["location"] == "query.since"


def test_creating_a_user_through_the_api_is_validated_and_audited(
    client: TestClient, people: dict[str, Person]
) -> None:
    admin = people["admin"]
    refused = client.post(
        "/api/users",
        headers=admin.headers,
        json={"email": "lead@example.org", "role": "hr_lead", "councils": ["999"]},
    )
    assert refused.status_code == 422
    assert {p["rule"] for p in refused.json()["problems"]} == {"user.council"}
    made = client.post(
        "/api/users",
        headers=admin.headers,
        json={"email": "lead@example.org", "role": "hr_lead", "councils": [COUNCIL_B]},
    )
    assert made.status_code == 201 and made.json()["councils"] == [COUNCIL_B]
    events = client.get("/api/audit?entity=user&action=create&limit=1", headers=admin.headers)
    assert events.json()[0]["actor"] == admin.email
    assert events.json()[0]["entity_id"] == str(made.json()["id"])


# --- secrets -------------------------------------------------------------------------------


def _all_database_text(engine: Engine) -> str:
    chunks = []
    with engine.connect() as connection:
        for table in inspect(connection).get_table_names():
            for row in connection.execute(text(f'SELECT * FROM "{table}"')):
                chunks.append(" ".join(str(v) for v in row))
    return "\n".join(chunks)


def test_passwords_and_tokens_never_appear_in_clear(
    reference_settings: Settings,
    reference_engine: Engine,
    people: dict[str, Person],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    engine = make_engine(reference_settings.database_url)
    with TestClient(create_app(settings=reference_settings, engine=engine)) as client:
        lead = people["hr_lead_a"]
        form = client.get("/sign-in").text
        # A failed and a successful sign-in, API calls with every token, a new token listed.
        client.post(
            "/sign-in",
            data={
                "email": lead.email,
                "password": "wrong " + PASSWORD,
                "csrf_token": csrf_token(form),
            },
        )
        signed_in = client.post(
            "/sign-in",
            data={"email": lead.email, "password": PASSWORD, "csrf_token": csrf_token(form)},
        )
        assert signed_in.status_code == 200 and lead.email in signed_in.text
        responses = [signed_in.text]
        for person in people.values():
            for path in ("/api/me", "/api/me/tokens", "/api/users", "/api/tokens", "/api/audit"):
                responses.append(client.get(path, headers=person.headers).text)
    engine.dispose()

    secrets = [PASSWORD, "wrong " + PASSWORD] + [p.token for p in people.values()]
    stored = _all_database_text(reference_engine)
    assert "argon2id" in stored  # the hashes are there ...
    logs = "\n".join(r.getMessage() for r in caplog.records) + caplog.text
    for secret in secrets:
        assert secret not in stored  # ... the secrets are not
        assert secret not in logs
        for body in responses:
            assert secret not in body
    assert "password_hash" not in "".join(responses)
    assert "token_hash" not in "".join(responses)


@pytest.fixture
def traced_client(reference_settings: Settings) -> Iterator[TestClient]:
    engine = make_engine(reference_settings.database_url)
    app = create_app(settings=reference_settings, engine=engine)

    @app.get("/api/boom", include_in_schema=False)
    def boom() -> None:
        raise RuntimeError("secret internals: /etc/passwd line 42")

    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client
    engine.dispose()


def test_an_unexpected_error_is_json_without_a_trace(traced_client: TestClient) -> None:
    response = traced_client.get("/api/boom")
    assert response.status_code == 500
    assert "nothing was changed" in response.json()["detail"]
    assert "Traceback" not in response.text and "internals" not in response.text
