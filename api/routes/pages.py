"""Server-rendered pages (GOV.UK Design System markup)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from api.deps import SessionDep
from workforce.councils import service
from workforce.errors import NotFoundError

router = APIRouter(include_in_schema=False)


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> Response:
    """Return ``template`` rendered with ``context``."""
    templates = request.app.state.templates
    return templates.TemplateResponse(request, template, context, status_code=status_code)


def render_error(request: Request, status_code: int, message: str) -> Response:
    """Return the error page with a message a person can act on."""
    return render(
        request, "error.html", status_code=status_code, status=status_code, message=message
    )


@router.get("/", response_class=HTMLResponse)
def home(
    request: Request,
    session: SessionDep,
    region: Annotated[str | None, Query()] = None,
) -> Response:
    """Home page: every council, filterable by region."""
    regions = [r for r in service.list_regions(session=session) if r.kind != "country"]
    selected = None
    if region:
        try:
            selected = service.resolve_region(session=session, region=region)
        except NotFoundError as exc:
            return render_error(request, 404, str(exc))
    councils = service.list_councils(session=session, region=selected.code if selected else None)
    return render(
        request,
        "home.html",
        councils=councils,
        regions=regions,
        selected_region=selected,
    )


@router.get("/councils/{code}", response_class=HTMLResponse)
def council_page(request: Request, session: SessionDep, code: str) -> Response:
    """A council's page: who it is, how it reports, its statistical neighbours."""
    council = service.get_council(session=session, code=code)
    return render(request, "council.html", council=council)
