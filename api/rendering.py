"""Rendering pages: a template with its context, or the error page."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import Response
from sqlmodel import Session

from workforce.councils import service
from workforce.councils.models import RegionPublic


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> Response:
    """Return ``template`` rendered with ``context``."""
    templates = request.app.state.templates
    return templates.TemplateResponse(request, template, context, status_code=status_code)


def region_choices(*, session: Session) -> list[RegionPublic]:
    """The regions and London sub-regions a page lets a reader choose (not England)."""
    return [r for r in service.list_regions(session=session) if r.kind != "country"]


def render_error(request: Request, status_code: int, message: str) -> Response:
    """Return the error page with a message a person can act on."""
    return render(
        request, "error.html", status_code=status_code, status=status_code, message=message
    )
