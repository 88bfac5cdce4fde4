"""Ofsted judgements (published, open to all)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from api.deps import SessionDep
from api.formats import Format, FormatQuery, respond
from workforce.inspections import service
from workforce.inspections.models import JudgementPublic

router = APIRouter(prefix="/api", tags=["judgements"])


@router.get("/councils/{code}/judgements", response_model=list[JudgementPublic])
def council_judgements(session: SessionDep, code: str, format: FormatQuery = Format.json) -> Any:
    """A council's Ofsted judgements in date order, with grades, frameworks and dates."""
    rows = service.judgement_timeline(session=session, council_code=code)
    return respond(rows, format, f"council-{code}-judgements")
