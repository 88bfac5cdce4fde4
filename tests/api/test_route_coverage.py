"""Every route is declared public or guarded; a route without a guard fails here."""

from typing import Annotated

import pytest
from fastapi import APIRouter, Depends, FastAPI

from api.main import create_app
from api.public_routes import (
    PUBLIC_MOUNTS,
    route_inventory,
    stale_public_routes,
    unguarded_routes,
)
from api.security import CouncilPrivateReader, guard
from workforce.auth.permissions import Action, Principal
from workforce.config import Settings

# The routes are the same whatever the database.
pytestmark = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)


def _app(settings: Settings) -> FastAPI:
    return create_app(settings=settings)


def test_every_route_is_public_or_guarded(settings: Settings) -> None:
    app = _app(settings)
    assert unguarded_routes(app) == []
    assert stale_public_routes(app) == []
    mounts = {getattr(r, "path", None) for r in app.routes if not getattr(r, "methods", None)}
    assert {m for m in mounts if m} <= PUBLIC_MOUNTS | {None}


def test_the_protected_route_families_are_guarded_by_the_right_action(settings: Settings) -> None:
    actions = {(m, r.path): r.actions for r in route_inventory(_app(settings)) for m in r.methods}
    assert actions[("GET", "/api/councils/{code}/returns")] == {Action.read_council_private}
    assert actions[("GET", "/api/audit")] == {Action.read_audit}
    assert actions[("GET", "/admin/audit")] == {Action.read_audit}
    assert actions[("GET", "/api/users")] == {Action.manage_users}
    assert actions[("POST", "/api/users")] == {Action.manage_users}
    assert actions[("GET", "/api/me")] == {Action.own_account}
    assert actions[("GET", "/account")] == {Action.own_account}


def test_a_new_route_without_a_guard_is_caught(settings: Settings) -> None:
    app = _app(settings)
    router = APIRouter()

    @router.get("/api/councils/{code}/secrets")
    def leak(code: str) -> dict[str, str]:
        return {"code": code}

    app.include_router(router)
    assert unguarded_routes(app) == [
        "GET /api/councils/{code}/secrets (leak) has no permission guard"
    ]


def test_removing_a_guard_from_a_protected_route_is_caught(settings: Settings) -> None:
    """The same route with and without its guard: only the unguarded one is reported."""
    guarded, bare = _app(settings), _app(settings)

    @guarded.get("/api/councils/{code}/workers")
    def with_guard(code: str, principal: CouncilPrivateReader) -> str:
        return code

    @bare.get("/api/councils/{code}/workers")
    def without_guard(code: str) -> str:
        return code

    assert unguarded_routes(guarded) == []
    assert unguarded_routes(bare) == [
        "GET /api/councils/{code}/workers (without_guard) has no permission guard"
    ]


def test_a_guard_nested_in_another_dependency_counts(settings: Settings) -> None:
    app = _app(settings)

    def council_scope(principal: Annotated[Principal, Depends(guard(Action.read_audit))]) -> int:
        return principal.user_id

    @app.get("/api/nested")
    def nested(user_id: Annotated[int, Depends(council_scope)]) -> int:
        return user_id

    assert unguarded_routes(app) == []


def test_a_public_route_that_grows_a_guard_is_reported(settings: Settings) -> None:
    app = _app(settings)
    router = APIRouter()

    @router.get("/api/health/private")
    def shadow(principal: CouncilPrivateReader) -> str:
        return "x"

    app.include_router(router)
    assert unguarded_routes(app) == []
    # A listed public path whose route no longer exists is stale.
    from api import public_routes

    public_routes.PUBLIC_ROUTES["/api/gone"] = {"GET"}
    try:
        assert stale_public_routes(app) == ["GET /api/gone"]
    finally:
        del public_routes.PUBLIC_ROUTES["/api/gone"]
