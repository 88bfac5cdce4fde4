"""Which routes are public, and the check that every other route is guarded.

``tests/api/test_route_coverage`` walks the application's routes with
:func:`route_inventory` and fails on any route that is neither listed here nor guarded by
``api.security.guard``, and on any listed route that no longer exists.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI

from workforce.auth.permissions import Action

# Routes anyone may call without signing in: published statistics, reference data, the
# public pages, documentation and the sign-in form itself. (path, methods)
PUBLIC_ROUTES: dict[str, set[str]] = {
    "/api/health": {"GET"},
    "/api/regions": {"GET"},
    "/api/regions/{code}/measures": {"GET"},
    "/api/councils": {"GET"},
    "/api/councils/{code}": {"GET"},
    "/api/councils/{code}/measures": {"GET"},
    "/api/councils/{code}/benchmarks": {"GET"},
    "/api/councils/{code}/judgements": {"GET"},
    "/api/measures": {"GET"},
    "/api/england/measures": {"GET"},
    "/api/england/councils": {"GET"},
    "/api/revisions": {"GET"},
    "/api/openapi.json": {"GET", "HEAD"},
    "/docs": {"GET"},
    "/": {"GET"},
    "/england": {"GET"},
    "/councils/{code}": {"GET"},
    "/sign-in": {"GET", "POST"},
    "/api/forecasts": {"GET"},
    "/api/forecasts/{code}": {"GET"},
    "/api/forecasts/{code}/scenario": {"POST"},  # computes, stores nothing
    "/api/judgement-effects": {"GET"},
    "/api/early-warnings": {"GET"},
    "/api/backtest": {"GET"},
    "/early-warnings": {"GET"},
    "/methods": {"GET"},
    "/api/returns/template.xlsx": {"GET"},
    "/api/returns/template.csv": {"GET"},
    "/api/rate-index": {"GET"},  # suppressed below 5 assignments or 3 councils a cell
    "/rate-index": {"GET"},
    "/api/kitemarks": {"GET"},  # the public register: no worker's data
    "/kitemarks": {"GET"},
    "/kitemarks/{agency_id}": {"GET"},
}
# Static files: mounted apps, not routes.
PUBLIC_MOUNTS = {"/static", "/assets"}


def guarded_action(dependency: Any) -> Action | None:
    """Return the action a guard dependency checks (None if it is not a guard)."""
    action = getattr(dependency, "__guard_action__", None)
    return action if isinstance(action, Action) else None


@dataclass(frozen=True)
class RouteInfo:
    path: str
    methods: frozenset[str]
    actions: frozenset[Action]
    name: str


def _dependency_calls(dependant: Any) -> Iterator[Any]:
    for child in getattr(dependant, "dependencies", []) or []:
        yield child.call
        yield from _dependency_calls(child)


def route_inventory(app: FastAPI) -> list[RouteInfo]:
    """Every HTTP route of ``app`` with the actions its guards check (empty: unguarded)."""
    try:
        from fastapi.routing import iter_route_contexts

        routes: Iterable[Any] = iter_route_contexts(app.routes)
    except ImportError:  # FastAPI before lazily included routers
        routes = app.routes
    inventory = []
    for route in routes:
        methods = getattr(route, "methods", None)
        path = getattr(route, "path", None)
        if not methods or path is None:
            continue  # a mount (static files): see PUBLIC_MOUNTS
        dependant = getattr(route, "dependant", None)
        actions = frozenset(
            action
            for call in _dependency_calls(dependant)
            if (action := guarded_action(call)) is not None
        )
        inventory.append(
            RouteInfo(
                path=path,
                methods=frozenset(methods),
                actions=actions,
                name=str(getattr(route, "name", "")),
            )
        )
    return inventory


def unguarded_routes(app: FastAPI) -> list[str]:
    """Return each route that is neither guarded nor declared public (should be empty)."""
    problems = []
    for route in route_inventory(app):
        public = PUBLIC_ROUTES.get(route.path, set())
        for method in sorted(route.methods):
            if not route.actions and method not in public:
                problems.append(f"{method} {route.path} ({route.name}) has no permission guard")
            if route.actions and method in public:
                problems.append(f"{method} {route.path} is guarded but also listed as public")
    return problems


def stale_public_routes(app: FastAPI) -> list[str]:
    """Return PUBLIC_ROUTES entries that match no route (a renamed route left behind)."""
    present = {(m, r.path) for r in route_inventory(app) for m in r.methods}
    return [
        f"{method} {path}"
        for path, methods in PUBLIC_ROUTES.items()
        for method in sorted(methods)
        if (method, path) not in present
    ]
