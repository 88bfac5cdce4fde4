"""The public kite-mark register, and an agency's assessments and measures.

``GET /api/kitemarks`` is public (JSON or CSV): every registered agency with its status now
or at the end of a given day, its award dates and expiry, the criteria version, the
headline figures of its latest decided assessment and the history of status changes. It
holds no worker's personal data or registration number (``workforce.agencies.register``).

An agency's assessments and measures need a signed-in reader: a kite-mark admin, an
analyst or an administrator reads any agency's; an agency user only their own, and gets
404 for another's, as if it did not exist (``workforce.agencies.service.agency_for``).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query

from api.deps import SessionDep
from api.formats import Format, FormatQuery, csv_response
from api.params import RowId
from api.security import OwnAccount
from workforce.agencies import register, service, views
from workforce.errors import InputDataError, Problem

router = APIRouter(prefix="/api", tags=["kitemark"])


@router.get("/kitemarks", response_model=list[register.KitemarkEntry])
def kitemarks(
    session: SessionDep,
    format: FormatQuery = Format.json,
    on: Annotated[
        date | None, Query(description="the status at the end of this day (YYYY-MM-DD)")
    ] = None,
) -> Any:
    """The public kite-mark register: every agency with its status (now, or at the end of
    ``on``), award dates, expiry, criteria version, headline figures and status history.
    No worker's personal data. ``?format=csv``: one row per agency."""
    entries = register.register_entries(session=session, on=on)
    if format is Format.json:
        return entries
    name = f"kitemark-register-{on.isoformat()}" if on else "kitemark-register"
    return csv_response(register.csv_records(entries), register.CSV_COLUMNS, name)


@router.get("/agencies/{agency_id}/assessments", response_model=list[views.AgencyAssessmentPublic])
def agency_assessments(session: SessionDep, principal: OwnAccount, agency_id: RowId) -> Any:
    """The agency's assessments, newest first, each with its criteria results and its audit
    sample's file checks. An agency user reads only their own agency's (404 for another)."""
    agency = service.agency_for(session=session, principal=principal, agency_id=agency_id)
    assert agency.id is not None
    return [
        views.assessment_with_sample(session=session, assessment=a)
        for a in views.assessments_of(session=session, agency_id=agency.id)
    ]


@router.get("/agencies/{agency_id}/measures", response_model=views.MeasuresPublic)
def agency_measures(
    session: SessionDep,
    principal: OwnAccount,
    agency_id: RowId,
    start: Annotated[
        date | None, Query(alias="from", description="first day (default: 12 months back)")
    ] = None,
    end: Annotated[date | None, Query(alias="to", description="last day (default: today)")] = None,
) -> Any:
    """The agency's measured and recorded criteria over the period, each with its figures,
    thresholds and the assignments behind it. An agency user reads only their own."""
    agency = service.agency_for(session=session, principal=principal, agency_id=agency_id)
    assert agency.id is not None
    if start is not None and end is not None and end < start:
        raise InputDataError([Problem("measures.period", "the period ends before it starts")])
    return views.agency_measures(session=session, agency_id=agency.id, start=start, end=end)
