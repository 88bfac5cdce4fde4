"""A council's outlook updated with its own accepted returns: unpublished, for those who
may read the council's returns."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field
from sqlmodel import Session

from api.deps import SessionDep
from api.security import (
    CouncilPrivateReader,
    NotAuthenticated,
    optional_principal,
    require_council,
    signed_in,
)
from workforce.auth.permissions import Action, Decision, authorize
from workforce.errors import NotFoundError
from workforce.forecasting import service
from workforce.forecasting.models import ForecastRun
from workforce.forecasting.returns_outlook import ReturnsOutlook, returns_outlook

router = APIRouter(prefix="/api", tags=["forecasts"])


class QuarterOut(BaseModel):
    period_end: date
    status: str = Field(description="accepted; rejected (only rejected versions); missing")
    return_id: int | None
    version: int | None
    inpost_fte: float | None
    agency_fte: float | None
    vacancy_fte: float | None
    leavers_fte: float | None


class MeasureOutlookOut(BaseModel):
    measure: str
    label: str
    target: int
    public: float = Field(description="the public forecast's point")
    public_lo80: float
    public_hi80: float
    returns_rate: float | None = Field(description="what the returns show, on the annual scale")
    quarters: int
    weight: float = Field(
        description="how far the outlook moves toward the returns: 0-0.75 for quarterly "
        "returns, 1 when a census return settles the year"
    )
    updated: float
    moved_by: float
    sentence: str
    source: str = Field(description="what the outlook rests on: public, quarterly or census")


class ReturnsOutlookOut(BaseModel):
    council_code: str
    unpublished: bool = Field(
        True, description="always true: built on the council's own returns, not published"
    )
    run_id: int
    census_year: int
    target: int | None
    accepted: int
    quarters: list[QuarterOut]
    notes: list[str]
    measures: list[MeasureOutlookOut]
    rule: str
    census_return_id: int | None = Field(
        description="the accepted census return that settles the target year, if any"
    )
    census_day: date | None


@router.get("/forecasts/{code}/returns-outlook", response_model=ReturnsOutlookOut)
def council_returns_outlook(
    session: SessionDep, principal: CouncilPrivateReader, code: str
) -> ReturnsOutlookOut:
    """The public forecast moved toward the council's accepted returns since the census."""
    council = require_council(principal, Action.read_council_private, session, code)
    run = service.require_run(session=session)
    found = returns_outlook(session=session, run=run, code=council.code)
    if found is None:
        raise NotFoundError(f"No forecasts for council {council.code!r} in the latest run.")
    assert run.id is not None
    body = asdict(found)
    body["measures"] = [{**asdict(m), "moved_by": m.moved_by} for m in found.measures]
    return ReturnsOutlookOut(run_id=run.id, **body)


def page_section(
    request: Request, session: Session, code: str, run: ForecastRun | None
) -> ReturnsOutlook | None:
    """The council page's "Your returns since the last census", or None.

    Only for someone signed in on the page (never an anonymous reader, whose page is cached
    and shared) who may read the council's returns; worked out per request, never cached.
    """
    if run is None or signed_in(request) is None:
        return None
    try:
        principal = optional_principal(request, session)
    except NotAuthenticated:
        return None
    if principal is None or (
        authorize(principal, Action.read_council_private, code) is not Decision.allowed
    ):
        return None
    return returns_outlook(session=session, run=run, code=code)
