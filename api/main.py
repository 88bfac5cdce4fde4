"""The FastAPI application factory."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import asdict
from pathlib import Path
from typing import Any
from urllib.parse import quote

import anyio.to_thread
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy.engine import Engine
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.middleware.sessions import SessionMiddleware

import workforce
from api.headers import DOCS_PATH, HeaderedFastAPI
from api.openapi import describe_answers
from api.rendering import render_error
from api.routes import (
    account,
    admin,
    admin_pages,
    agencies,
    agency_spend_pages,
    auth_pages,
    councils,
    forecast_pages,
    forecasts,
    health,
    inspections,
    kitemark,
    kitemark_applications,
    kitemark_complaint_forms,
    kitemark_complaints,
    kitemark_forms,
    kitemark_pages,
    mou,
    mou_pages,
    pages,
    pool_forms,
    pool_match,
    pool_offers,
    pool_pages,
    pool_requests,
    pool_workers,
    return_pages,
    returns,
    returns_outlook,
    statistics,
)
from api.security import CsrfFailed, Forbidden, NotAuthenticated, WebSessions
from api.templating import make_templates
from api.uploads import RULE_TOO_LARGE, BodySizeLimit, BodyTooLarge
from workforce.cache import VersionedCache
from workforce.config import Settings, get_settings
from workforce.db import get_engine
from workforce.errors import Busy, InputDataError, NotFoundError, Problem

log = logging.getLogger("workforce.api")

API_DESCRIPTION = """
Workforce stability and agency-market monitor for English children's social care:
councils, their statistical neighbours and (as they arrive) the official DfE workforce
measures, benchmarks, forecasts and warnings. Published reference data is open to all.
"""


def create_app(settings: Settings | None = None, engine: Engine | None = None) -> FastAPI:
    """Return the application, wired to ``settings`` and ``engine`` (default: configured)."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # Blocking work (database, parsing) runs in this many threads; the connection pool
        # is sized to match (workforce.db.get_engine), so no thread waits for a connection.
        anyio.to_thread.current_default_thread_limiter().total_tokens = settings.threads
        yield

    app = HeaderedFastAPI(
        lifespan=lifespan,
        title="Children's social care workforce monitor",
        version=workforce.__version__,
        description=API_DESCRIPTION,
        docs_url=None,  # served below from the service's own copy of Swagger UI
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    app.state.settings = settings
    app.state.engine = engine or get_engine()
    app.state.answers = VersionedCache()  # answers that change only with the data

    static_dir = Path(settings.static_dir)
    govuk_dir = static_dir / "govuk"
    app.state.govuk_available = (govuk_dir / "govuk-frontend.min.css").is_file()
    if not app.state.govuk_available:
        log.warning(
            "GOV.UK Frontend assets not found in %s: pages are served unstyled. "
            "Install Node.js and run `make assets` to build them.",
            govuk_dir,
        )
    app.state.templates = make_templates(app)
    app.mount("/static", StaticFiles(directory=static_dir, check_dir=False), name="static")
    # govuk-frontend's stylesheet asks for its fonts and images under /assets.
    app.mount(
        "/assets", StaticFiles(directory=govuk_dir / "assets", check_dir=False), name="assets"
    )

    app.include_router(health.router)
    app.include_router(councils.router)
    app.include_router(statistics.router)
    app.include_router(inspections.router)
    app.include_router(forecasts.router)
    app.include_router(returns_outlook.router)
    app.include_router(account.router)
    app.include_router(admin.router)
    app.include_router(returns.router)
    app.include_router(pages.router)
    app.include_router(forecast_pages.router)
    app.include_router(auth_pages.router)
    app.include_router(return_pages.router)
    app.include_router(admin_pages.router)
    app.include_router(mou.router)
    app.include_router(mou_pages.router)
    app.include_router(agencies.router)
    app.include_router(kitemark.router)
    app.include_router(kitemark_pages.router)
    app.include_router(kitemark_forms.router)
    app.include_router(kitemark_complaint_forms.router)
    app.include_router(kitemark_applications.router)
    app.include_router(kitemark_complaints.router)
    app.include_router(agency_spend_pages.router)
    app.include_router(pool_workers.router)
    app.include_router(pool_requests.router)
    app.include_router(pool_match.router)
    app.include_router(pool_offers.router)
    app.include_router(pool_pages.router)
    app.include_router(pool_forms.router)

    @app.get(DOCS_PATH, include_in_schema=False)
    def api_docs() -> HTMLResponse:
        """Swagger UI for the API, from /static: nothing is loaded from elsewhere."""
        page = get_swagger_ui_html(
            openapi_url="/api/openapi.json",
            title=f"{app.title}: API",
            swagger_js_url="/static/swagger/swagger-ui-bundle.js",
            swagger_css_url="/static/swagger/swagger-ui.css",
            swagger_favicon_url="/static/swagger/favicon-32x32.png",
        )
        # The page's language, for screen readers (FastAPI's template leaves it out).
        html = bytes(page.body).decode("utf-8").replace("<html>", '<html lang="en">', 1)
        return HTMLResponse(html)

    describe_answers(app)

    # The web session the cookie names is looked up in the database once per request; added
    # before SessionMiddleware so that it runs inside it, on the decoded cookie.
    app.add_middleware(WebSessions)
    # The signed session cookie of the pages: HttpOnly (Starlette's default), SameSite=Lax,
    # Secure in production; signed with the secret key (itsdangerous) and time-limited.
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.secret_key,
        session_cookie="workforce_session",
        max_age=settings.session_hours * 3600,
        same_site="lax",
        https_only=bool(settings.secure_cookies),
    )

    # Every body is counted as it is read, chunked or not, and refused past the limit (two
    # files plus the form); upload routes read theirs only after their guard has passed.
    body_limit = int(settings.max_upload_mb * 1024 * 1024) * 2 + 1024 * 1024
    app.add_middleware(BodySizeLimit, limit_bytes=body_limit)

    def is_api(request: Request) -> bool:
        return request.url.path.startswith("/api/")

    @app.exception_handler(NotAuthenticated)
    async def not_authenticated(request: Request, exc: NotAuthenticated) -> Response:
        if is_api(request):
            return JSONResponse(
                status_code=401,
                content={"detail": str(exc)},
                headers={"WWW-Authenticate": exc.www_authenticate},
            )
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/sign-in?next={quote(target)}", status_code=303)

    @app.exception_handler(Forbidden)
    async def forbidden(request: Request, exc: Forbidden) -> Response:
        if is_api(request):
            return JSONResponse(status_code=403, content={"detail": str(exc)})
        return render_error(request, 403, str(exc))

    @app.exception_handler(CsrfFailed)
    async def csrf_failed(request: Request, exc: CsrfFailed) -> Response:
        if is_api(request):
            return JSONResponse(status_code=403, content={"detail": str(exc)})
        return render_error(request, 403, str(exc))

    @app.exception_handler(BodyTooLarge)
    async def body_too_large(request: Request, exc: BodyTooLarge) -> Response:
        if is_api(request):
            return JSONResponse(
                status_code=413,
                content={
                    "detail": exc.detail,
                    "problems": [{"rule": RULE_TOO_LARGE, "severity": "error"}],
                },
                headers={"Connection": "close"},
            )
        return render_error(request, 413, str(exc.detail))

    def try_again_later(request: Request, status: int, message: str, seconds: int) -> Response:
        headers = {"Retry-After": str(seconds)}
        if is_api(request):
            return JSONResponse(status_code=status, content={"detail": message}, headers=headers)
        response = render_error(request, status, message)
        response.headers.update(headers)
        return response

    @app.exception_handler(Busy)
    async def busy(request: Request, exc: Busy) -> Response:
        return try_again_later(request, 409 if exc.conflict else 503, str(exc), exc.retry_after)

    @app.exception_handler(PoolTimeout)
    async def no_connection(request: Request, exc: PoolTimeout) -> Response:
        # Every database connection stayed in use for the whole wait: a surge, not a fault.
        log.warning("no database connection free for %s %s", request.method, request.url.path)
        message = (
            "The service is busy and could not answer in time; nothing was changed. "
            "Try again in a few seconds."
        )
        return try_again_later(request, 503, message, 5)

    @app.exception_handler(InputDataError)
    async def input_refused(request: Request, exc: InputDataError) -> Response:
        return JSONResponse(
            status_code=422,
            content={
                "detail": f"Refused: {len(exc.problems)} problem(s); see problems.",
                "problems": [problem_json(p) for p in exc.problems],
            },
        )

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        # Logged in full for the operators; the caller sees no trace, only what to do.
        log.exception("Unhandled error on %s %s", request.method, request.url.path)
        message = (
            "Something went wrong on our side and nothing was changed. "
            "Try again later; if it keeps happening, tell the service's administrators."
        )
        if is_api(request):
            return JSONResponse(status_code=500, content={"detail": message})
        return render_error(request, 500, message)

    @app.exception_handler(NotFoundError)
    async def not_found(request: Request, exc: NotFoundError) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse(status_code=404, content={"detail": str(exc)})
        return render_error(request, 404, str(exc))

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        problems = [
            {
                "location": ".".join(str(part) for part in err["loc"]),
                "message": err["msg"],
                "value": err.get("input"),
            }
            for err in exc.errors()
        ]
        return JSONResponse(
            status_code=422,
            content={"detail": "The request is not valid; see problems.", "problems": problems},
        )

    return app


def problem_json(problem: Problem) -> dict[str, Any]:
    """Return a problem as JSON, leaving out the parts it does not have."""
    return {key: value for key, value in asdict(problem).items() if value is not None}
