"""The kite-mark's complaint forms on an agency's page: a council's own user records a
complaint or incident, the agency's own user responds, the kite-mark admin rules.

The same checks as the API's routes (``api.routes.kitemark_complaints``): anyone else 404,
signed out sent to sign in, a post without the CSRF token refused (403) by the guard. A
refused input re-renders the agency's page with the GOV.UK error summary built from the
service's problems; success redirects (303) after the request's transaction has committed.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session

from api.deps import SessionDep
from api.forms import date_from_parts, date_input_errors, date_parts
from api.params import RowId
from api.routes.kitemark_forms import FormText, form_errors, refused_on_agency_page
from api.security import OwnAccount, actor_for
from workforce.agencies import complaints
from workforce.agencies.models import Complaint, ComplaintCreate, ComplaintRuling
from workforce.auth.models import Role
from workforce.councils.service import find_council
from workforce.errors import InputDataError, NotFoundError, Problem

router = APIRouter(include_in_schema=False)
RULING_MESSAGES = {"upheld": "Select upheld or not upheld"}


@router.post("/kitemarks/{agency_id}/complaints", response_class=HTMLResponse)
def record_complaint_page(
    request: Request,
    session: SessionDep,
    principal: OwnAccount,
    agency_id: RowId,
    council_code: FormText = "",
    kind: FormText = "",
    received_on: FormText = "",
    received_day: Annotated[str, Form(alias="received_on-day")] = "",
    received_month: Annotated[str, Form(alias="received_on-month")] = "",
    received_year: Annotated[str, Form(alias="received_on-year")] = "",
    summary: FormText = "",
) -> Response:
    """Record a complaint or incident for one of the user's councils, as the API does."""
    try:
        council = find_council(session=session, code=council_code) if council_code else None
    except NotFoundError:
        council = None
    if council is None or not complaints.council_user_of(principal, council.code):
        raise NotFoundError(
            f"No agency with id {agency_id} and council {council_code!r} that you can "
            "record complaints for."
        )
    typed = {
        "council_code": council.code,
        "kind": kind,
        "received_on": date_from_parts(received_on, received_day, received_month, received_year),
        "summary": summary,
    }
    fields = {name: name for name in typed}
    try:
        new = ComplaintCreate.checked(**{k: v for k, v in typed.items() if v != ""})
        complaints.record_complaint(
            session=session,
            agency_id=agency_id,
            council_code=council.code,
            new=new,
            actor=actor_for(request, principal),
        )
    except InputDataError as exc:
        errors = date_input_errors(
            form_errors(exc.problems, fields, "summary"), {"received_on": "The date received"}
        )
        shown = typed | date_parts(
            "received_on", received_on, received_day, received_month, received_year
        )
        return refused_on_agency_page(request, session, principal, agency_id, errors, shown)
    return RedirectResponse(f"/kitemarks/{agency_id}#complaints", status_code=303)


def _complaint_of(session: Session, agency_id: int, complaint_id: int) -> Complaint | None:
    found = session.get(Complaint, complaint_id)
    return found if found is not None and found.agency_id == agency_id else None


@router.post(
    "/kitemarks/{agency_id}/complaints/{complaint_id}/response", response_class=HTMLResponse
)
def respond_page(
    request: Request,
    session: SessionDep,
    principal: OwnAccount,
    agency_id: RowId,
    complaint_id: RowId,
    response: FormText = "",
) -> Response:
    """The agency's response to a complaint about it: its own agency user only."""
    found = _complaint_of(session, agency_id, complaint_id)
    if found is None or not complaints.own_agency_user(
        session=session, principal=principal, agency_id=found.agency_id
    ):
        raise NotFoundError(f"No complaint {complaint_id} that you can see.")
    field = f"response-{complaint_id}"
    try:
        # The service says what is wrong with a blank or over-long response.
        complaints.respond(
            session=session,
            complaint_id=complaint_id,
            response=response,
            actor=actor_for(request, principal),
        )
    except InputDataError as exc:
        errors = form_errors(exc.problems, {"response": field}, field)
        return refused_on_agency_page(
            request, session, principal, agency_id, errors, {field: response}
        )
    return RedirectResponse(f"/kitemarks/{agency_id}#complaint-{complaint_id}", status_code=303)


@router.post("/kitemarks/{agency_id}/complaints/{complaint_id}/ruling", response_class=HTMLResponse)
def rule_page(
    request: Request,
    session: SessionDep,
    principal: OwnAccount,
    agency_id: RowId,
    complaint_id: RowId,
    upheld: FormText = "",
) -> Response:
    """The kite-mark admin's ruling on a complaint: upheld or not upheld."""
    if (
        principal.role is not Role.kitemark_admin
        or _complaint_of(session, agency_id, complaint_id) is None
    ):
        raise NotFoundError(f"No complaint {complaint_id} that you can see.")
    field = f"upheld-{complaint_id}"
    try:
        if upheld not in ("yes", "no"):
            raise InputDataError(
                [Problem("ruling.upheld", RULING_MESSAGES["upheld"], column="upheld")]
            )
        body = ComplaintRuling.checked(upheld=upheld == "yes")
        complaints.rule(
            session=session,
            complaint_id=complaint_id,
            upheld=body.upheld,
            actor=actor_for(request, principal),
        )
    except InputDataError as exc:
        errors = form_errors(exc.problems, {"upheld": field}, field)
        return refused_on_agency_page(
            request, session, principal, agency_id, errors, {field: upheld}
        )
    return RedirectResponse(f"/kitemarks/{agency_id}#complaint-{complaint_id}", status_code=303)
