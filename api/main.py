"""The FastAPI application factory."""

from __future__ import annotations

import logging
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy.engine import Engine

import workforce
from api.routes import councils, health, inspections, pages, statistics
from api.templating import make_templates
from workforce.config import Settings, get_settings
from workforce.db import get_engine
from workforce.errors import NotFoundError

log = logging.getLogger("workforce.api")

API_DESCRIPTION = """
Workforce stability and agency-market monitor for English children's social care:
councils, their statistical neighbours and (as they arrive) the official DfE workforce
measures, benchmarks, forecasts and warnings. Published reference data is open to all.
"""


def create_app(settings: Settings | None = None, engine: Engine | None = None) -> FastAPI:
    """Return the application, wired to ``settings`` and ``engine`` (default: configured)."""
    settings = settings or get_settings()
    app = FastAPI(
        title="Children's social care workforce monitor",
        version=workforce.__version__,
        description=API_DESCRIPTION,
        docs_url="/docs",
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    app.state.settings = settings
    app.state.engine = engine or get_engine()

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
    app.include_router(pages.router)

    @app.exception_handler(NotFoundError)
    async def not_found(request: Request, exc: NotFoundError) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse(status_code=404, content={"detail": str(exc)})
        return pages.render_error(request, 404, str(exc))

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
