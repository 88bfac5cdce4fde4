"""The OpenAPI document, completed with the answers the app gives besides success.

FastAPI documents each route's success body, and a 422 shaped like its own validation
error, which this app never sends. Here the generated document gains the bodies the
exception handlers in ``api.main`` really send: ``401``/``403`` on guarded routes,
``404`` where a path names something, the app's ``422`` everywhere, and ``text/csv``
beside JSON on every route that takes ``?format=csv``.
"""

from __future__ import annotations

from copy import deepcopy
from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel, Field

from api.public_routes import route_inventory

REF = "#/components/schemas/"
BEARER = "bearerToken"


class ErrorPublic(BaseModel):
    """An error answer: what went wrong, and what to do, in words."""

    detail: str


class ProblemPublic(BaseModel):
    """One thing wrong with a request (``location``) or with the data it carries (``rule``)."""

    message: str | None = None
    location: str | None = Field(
        default=None, description="Where in the request: 'query.year', 'body.month', ..."
    )
    value: Any = Field(default=None, description="The value that was given, if any.")
    rule: str | None = Field(
        default=None, description="The data rule it breaks, e.g. 'file.too_large'."
    )
    severity: str | None = Field(default=None, description="error or warning")
    file: str | None = None
    sheet: str | None = None
    row: int | None = None
    column: str | None = None


class ProblemsPublic(BaseModel):
    """A refusal with the list of what is wrong."""

    detail: str
    problems: list[ProblemPublic]


def _json(model: type[BaseModel]) -> dict[str, Any]:
    return {"application/json": {"schema": {"$ref": REF + model.__name__}}}


NOT_SIGNED_IN = {
    "description": "Not signed in: no credentials, or credentials that are not (or no "
    "longer) valid.",
    "headers": {
        "WWW-Authenticate": {
            "description": "The scheme to use: Bearer, with an error code when a token failed.",
            "schema": {"type": "string"},
        }
    },
    "content": _json(ErrorPublic),
}
FORBIDDEN = {
    "description": "Signed in, but your role may not do this (or a change made with the "
    "session cookie lacks the form's CSRF token).",
    "content": _json(ErrorPublic),
}
NOT_FOUND = {
    "description": "Nothing with that code or id that you can see.",
    "content": _json(ErrorPublic),
}
INVALID = {
    "description": "The request is not valid, or the data it carries is refused: "
    "problems lists each thing wrong.",
    "content": _json(ProblemsPublic),
}
CSV = {"text/csv": {"schema": {"type": "string", "description": "A CSV file with a header."}}}


def describe_answers(app: FastAPI) -> None:
    """Make ``app``'s OpenAPI document describe its error bodies and its CSV answers."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            guarded = {
                (method.lower(), route.path)
                for route in route_inventory(app)
                if route.actions
                for method in route.methods
            }
            complete(generate(), guarded)
        return app.openapi_schema or {}

    app.openapi = openapi  # type: ignore[method-assign]


def complete(document: dict[str, Any], guarded: set[tuple[str, str]]) -> None:
    """Add the error bodies and CSV answers to ``document``, in place."""
    components = document.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    for model in (ErrorPublic, ProblemsPublic):
        schema = model.model_json_schema(ref_template=REF + "{model}")
        schemas.update(schema.pop("$defs", {}))
        schemas[model.__name__] = schema
    components.setdefault("securitySchemes", {})[BEARER] = {
        "type": "http",
        "scheme": "bearer",
        "description": "An API token: `workforce tokens create --email ...` issues one.",
    }
    for path, item in document.get("paths", {}).items():
        for method, operation in item.items():
            responses = operation.setdefault("responses", {})
            if (method, path) in guarded:
                operation["security"] = [{BEARER: []}]
                responses["401"] = deepcopy(NOT_SIGNED_IN)
                responses["403"] = deepcopy(FORBIDDEN)
            if "{" in path:
                responses.setdefault("404", deepcopy(NOT_FOUND))
            _declared_bodies(responses)
            if any(p.get("name") == "format" for p in operation.get("parameters", [])):
                responses["200"].setdefault("content", {}).update(deepcopy(CSV))
    # FastAPI's own validation-error shapes are no longer referred to.
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)


def _declared_bodies(responses: dict[str, Any]) -> None:
    """Give the app's bodies to the 422s FastAPI added and to routes' own bare declarations."""
    success = next(
        (r["content"] for status, r in sorted(responses.items()) if _ok(status) and "content" in r),
        None,
    )
    for status, response in responses.items():
        if status == "422" and "HTTPValidationError" in str(response.get("content")):
            responses[status] = deepcopy(INVALID)
        elif "content" in response:
            continue
        elif _ok(status) and success:
            response["content"] = success  # e.g. an upload received before: the same body
        elif status == "422" and success:
            # A route's own 422 (a stored, rejected return) has its success body; a
            # malformed request still gets the app's refusal.
            body = success["application/json"]["schema"]
            response["content"] = {
                "application/json": {"schema": {"anyOf": [body, {"$ref": REF + "ProblemsPublic"}]}}
            }
        elif status in ("413", "422"):
            response["content"] = _json(ProblemsPublic)
        elif status.startswith(("4", "5")):
            response["content"] = _json(ErrorPublic)


def _ok(status: str) -> bool:
    return status.startswith("2")
