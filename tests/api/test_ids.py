"""Ids too large for the database are answered as not found, never as a server error."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from tests.builders.people import Person, make_people

TOO_LARGE = "99999999999999999999"  # past a signed 64-bit integer
# Ids are INTEGER columns: 32 bits on PostgreSQL, so these overflow there too.
PAST_32_BITS = str(2**31)
LARGEST_64_BIT = str(2**63 - 1)


@pytest.fixture
def people(reference_engine: Engine) -> dict[str, Person]:
    return make_people(reference_engine)


@pytest.mark.parametrize(
    ("method", "path", "who"),
    [
        ("GET", "/api/returns/{id}", "admin"),  # returns
        ("GET", "/api/returns/{id}/issues?format=csv", "admin"),
        ("GET", "/api/returns/{id}/file", "admin"),
        ("DELETE", "/api/me/tokens/{id}", "analyst"),  # account
        ("DELETE", "/api/tokens/{id}", "admin"),  # admin
    ],
)
def test_an_id_past_what_the_database_holds_is_not_found_through_the_api(
    client: TestClient, people: dict[str, Person], method: str, path: str, who: str
) -> None:
    for number in (TOO_LARGE, PAST_32_BITS, LARGEST_64_BIT, "-" + TOO_LARGE):
        response = client.request(method, path.format(id=number), headers=people[who].headers)
        assert response.status_code == 404, (number, response.text)
        assert response.headers["content-type"].startswith("application/json")
        assert set(response.json()) == {"detail"}
        assert "Something went wrong" not in response.json()["detail"]


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/returns/{id}"), ("POST", "/account/tokens/{id}/revoke")],
)
def test_an_id_past_what_the_database_holds_is_not_found_on_a_page(
    client: TestClient, people: dict[str, Person], method: str, path: str
) -> None:
    response = client.request(method, path.format(id=TOO_LARGE), headers=people["admin"].headers)
    assert response.status_code == 404, response.text
    assert "Something went wrong" not in response.text


def test_an_anonymous_caller_with_a_huge_id_still_gets_401(client: TestClient) -> None:
    """The guard answers before the id is looked at: nothing is learnt without signing in."""
    assert client.get(f"/api/returns/{TOO_LARGE}").status_code == 401


def test_a_malformed_id_is_still_a_validation_error(
    client: TestClient, people: dict[str, Person]
) -> None:
    response = client.get("/api/returns/twelve", headers=people["admin"].headers)
    assert response.status_code == 422
    assert response.json()["problems"][0]["location"] == "path.return_id"


@pytest.mark.parametrize(
    "path",
    [
        f"/api/audit?before_id={TOO_LARGE}",
        f"/api/audit?before_id={PAST_32_BITS}",
        f"/admin/audit?before_id={TOO_LARGE}",
        f"/api/forecasts?target={TOO_LARGE}",
    ],
)
def test_a_query_number_past_what_the_database_holds_is_refused_as_invalid(
    client: TestClient, people: dict[str, Person], path: str
) -> None:
    response = client.get(path, headers=people["admin"].headers)
    assert response.status_code == 422, response.text
    assert "less than or equal" in response.json()["problems"][0]["message"]
