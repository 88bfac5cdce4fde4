"""Pages of the kite-mark registry: the public register and an agency's entry, and for the
kite-mark admin an assessment (its criteria, sample and each file's checks) and the queue
of agency names in councils' returns that match no registered agency."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from api.deps import SessionDep
from api.params import RowId
from api.rendering import render
from api.routes.kitemark_forms import Viewer, render_agency_page
from api.security import guard
from workforce.agencies import criteria as crit
from workforce.agencies import match_listing, register, service, views
from workforce.agencies import status as kitemark_status
from workforce.auth.permissions import Action, Principal

router = APIRouter(include_in_schema=False)
KitemarkAdmin = Annotated[Principal, Depends(guard(Action.manage_kitemark))]
OnQuery = Annotated[date | None, Query(description="the register at the end of this day")]
CHECK_LABELS = {
    "identity": "Identity",
    "right_to_work": "Right to work",
    "registration": "Registration",
    "qualifications": "Qualifications",
    "employment_history": "Employment history, gaps explained",
    "references": "Two practice-based references",
    "criminal_record_check": "Criminal record check",
}


def _share(value: float | None) -> str:
    return "" if value is None else f"{value:.1%}"


@router.get("/kitemarks", response_class=HTMLResponse)
def register_page(
    request: Request,
    session: SessionDep,
    on: Annotated[str, Query(max_length=40)] = "",
) -> Response:
    """The public kite-mark register, now or as it stood at the end of ``on``; a date that
    is not one is said so on the page, which then shows today's register."""
    day, error = None, None
    if on.strip():
        try:
            day = date.fromisoformat(on.strip())
        except ValueError:
            error = {"field": "on", "text": "Enter a real date in the form YYYY-MM-DD"}
    return render(
        request,
        "kitemark_register.html",
        status_code=400 if error else 200,
        entries=register.register_entries(session=session, on=day),
        on=day,
        typed=on,
        errors=[error] if error else [],
        share=_share,
    )


@router.get("/kitemarks/{agency_id}", response_class=HTMLResponse)
def agency_page(
    request: Request, session: SessionDep, viewer: Viewer, agency_id: RowId, on: OnQuery = None
) -> Response:
    """An agency's register entry: status, history and its latest assessment's figures; and
    the kite-mark forms the signed-in viewer may use (``api.routes.kitemark_forms``)."""
    return render_agency_page(request, session, agency_id=agency_id, principal=viewer, on=on)


@router.get("/kitemark/assessments/{assessment_id}", response_class=HTMLResponse)
def assessment_page(
    request: Request, session: SessionDep, _: KitemarkAdmin, assessment_id: RowId
) -> Response:
    """An assessment: each criterion's result with its figures, the audit sample and each
    sampled file's checks (the kite-mark admin's)."""
    assessment = kitemark_status.get_assessment(session=session, assessment_id=assessment_id)
    agency = service.get_agency(session=session, agency_id=assessment.agency_id)
    shown = views.assessment_with_sample(session=session, assessment=assessment)
    criteria = {
        c.key: c
        for c in crit.criteria_of(session=session, version_id=assessment.criteria_version_id)
    }
    return render(
        request,
        "kitemark_assessment.html",
        a=shown,
        agency=agency,
        criteria=criteria,
        threshold_words=crit.threshold_words,
        outcome_labels=register.OUTCOME_LABELS,
        result_labels=register.RESULT_LABELS,
        check_labels=CHECK_LABELS,
        share=_share,
    )


@router.get("/kitemark/unmatched", response_class=HTMLResponse)
def unmatched_page(request: Request, session: SessionDep, _: KitemarkAdmin) -> Response:
    """Agency names in accepted returns that match no registered agency yet."""
    return render(
        request,
        "kitemark_unmatched.html",
        names=match_listing.unmatched_names(session=session),
        agencies={a.id: a.legal_name for a in service.list_agencies(session=session)},
    )
