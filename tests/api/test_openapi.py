"""The OpenAPI document describes the answers the app really gives: errors and CSV."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.main import create_app
from api.public_routes import route_inventory
from workforce.config import Settings

# The document is the same whatever the database.
pytestmark = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)

REF = "#/components/schemas/"


@pytest.fixture
def app(settings: Settings) -> FastAPI:
    return create_app(settings=settings)


def _operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
    ]


def _schema_ref(response: dict[str, Any]) -> str:
    return str(response["content"]["application/json"]["schema"]["$ref"])


def test_a_guarded_route_declares_401_and_403_with_the_error_body(app: FastAPI) -> None:
    document = app.openapi()
    responses = document["paths"]["/api/returns/{return_id}"]["get"]["responses"]
    assert _schema_ref(responses["401"]) == REF + "ErrorPublic"
    assert _schema_ref(responses["403"]) == REF + "ErrorPublic"
    assert "WWW-Authenticate" in responses["401"]["headers"]
    error = document["components"]["schemas"]["ErrorPublic"]
    assert error["required"] == ["detail"]
    assert error["properties"]["detail"]["type"] == "string"


def test_exactly_the_guarded_routes_declare_401_and_403(app: FastAPI) -> None:
    document = app.openapi()
    guarded = {
        (method.lower(), route.path)
        for route in route_inventory(app)
        if route.actions
        for method in route.methods
    }
    for method, path, operation in _operations(document):
        declared = {"401", "403"} & set(operation["responses"])
        assert declared == ({"401", "403"} if (method, path) in guarded else set()), path
        if (method, path) in guarded:
            assert operation["security"] == [{"bearerToken": []}]
    assert document["components"]["securitySchemes"]["bearerToken"]["scheme"] == "bearer"


def test_every_route_with_a_path_parameter_declares_404(app: FastAPI) -> None:
    for _method, path, operation in _operations(app.openapi()):
        if "{" in path:
            assert _schema_ref(operation["responses"]["404"]) == REF + "ErrorPublic", path


def test_the_422_body_is_the_one_the_app_sends(app: FastAPI) -> None:
    document = app.openapi()
    schemas = document["components"]["schemas"]
    assert "HTTPValidationError" not in schemas
    assert "ValidationError" not in schemas
    body = schemas["ProblemsPublic"]
    assert set(body["required"]) == {"detail", "problems"}
    assert body["properties"]["problems"]["items"]["$ref"] == REF + "ProblemPublic"
    problem = schemas["ProblemPublic"]["properties"]
    assert {"location", "message", "value", "rule", "row", "column"} <= set(problem)
    with_422 = [op for _m, _p, op in _operations(document) if "422" in op["responses"]]
    assert len(with_422) > 20
    for operation in with_422:
        assert REF + "ProblemsPublic" in str(operation["responses"]["422"]["content"])


def test_a_real_422_answer_matches_the_documented_body(app: FastAPI) -> None:
    schemas = app.openapi()["components"]["schemas"]
    with TestClient(app) as client:
        answer = client.get("/api/councils/202/benchmarks?year=last")
    assert answer.status_code == 422
    body = answer.json()
    assert set(body) == set(schemas["ProblemsPublic"]["properties"])
    for problem in body["problems"]:
        assert set(problem) <= set(schemas["ProblemPublic"]["properties"])


def test_the_upload_route_describes_each_refusal(app: FastAPI) -> None:
    responses = app.openapi()["paths"]["/api/returns"]["post"]["responses"]
    assert _schema_ref(responses["413"]) == REF + "ProblemsPublic"
    for status in ("409", "503"):
        assert _schema_ref(responses[status]) == REF + "ErrorPublic"
    # Rejected returns are stored and reported like accepted ones; a malformed request is not.
    rejected = responses["422"]["content"]["application/json"]["schema"]["anyOf"]
    assert {"$ref": REF + "UploadOutcome"} in rejected
    assert {"$ref": REF + "ProblemsPublic"} in rejected


def test_every_route_that_answers_csv_lists_text_csv(app: FastAPI) -> None:
    csv_capable = []
    for _method, path, operation in _operations(app.openapi()):
        names = {p["name"] for p in operation.get("parameters", [])}
        if "format" in names:
            csv_capable.append(path)
            content = operation["responses"]["200"]["content"]
            assert set(content) == {"application/json", "text/csv"}, path
            assert content["text/csv"]["schema"]["type"] == "string"
    assert "/api/councils/{code}/measures" in csv_capable
    assert "/api/returns/{return_id}/issues" in csv_capable
