"""Complaints and incidents councils record about an agency (kite-mark criterion 7).

A council's own users record them for their council (404 for a council or an agency they
cannot reach); the agency's own agency user responds; a kite-mark admin rules whether each
is upheld. The agency's complaints are read by a kite-mark admin, an administrator and the
agency's own user (every council's), and by a council's own users (their council's only).
Anyone else is answered 404, never confirming that anything exists; signed out, 401
(``workforce.agencies.complaints``).
"""

from __future__ import annotations

from fastapi import APIRouter, Request

from api.deps import SessionDep
from api.params import RowId
from api.security import OwnAccount, actor_for
from workforce.agencies import complaints
from workforce.agencies.models import (
    Complaint,
    ComplaintCreate,
    ComplaintPublic,
    ComplaintResponse,
    ComplaintRuling,
)
from workforce.auth.models import Role
from workforce.councils.service import find_council
from workforce.errors import NotFoundError

router = APIRouter(prefix="/api", tags=["kitemark"])


@router.post("/agencies/{agency_id}/complaints", response_model=ComplaintPublic, status_code=201)
def record_complaint(
    request: Request,
    session: SessionDep,
    principal: OwnAccount,
    agency_id: RowId,
    body: ComplaintCreate,
) -> ComplaintPublic:
    """Record a complaint or incident about the agency for the council ``council_code``:
    the council's own users only (404 for another council or an unknown agency). Audited."""
    try:
        council = find_council(session=session, code=body.council_code)
    except NotFoundError:
        council = None
    if council is None or not complaints.council_user_of(principal, council.code):
        raise NotFoundError(
            f"No agency with id {agency_id} and council {body.council_code!r} that you can "
            "record complaints for."
        )
    row = complaints.record_complaint(
        session=session,
        agency_id=agency_id,
        council_code=council.code,
        new=body,
        actor=actor_for(request, principal),
    )
    return complaints.complaint_public(row)


@router.get("/agencies/{agency_id}/complaints", response_model=list[ComplaintPublic])
def list_complaints(
    session: SessionDep, principal: OwnAccount, agency_id: RowId
) -> list[ComplaintPublic]:
    """The agency's complaints and incidents, newest received first: every council's for a
    kite-mark admin, an administrator and the agency's own user; a council's own users see
    their council's only."""
    councils = complaints.visible_councils(
        session=session, principal=principal, agency_id=agency_id
    )
    return complaints.complaints_of(session=session, agency_id=agency_id, councils=councils)


def _complaint_not_found(complaint_id: int) -> NotFoundError:
    return NotFoundError(f"No complaint {complaint_id} that you can see.")


@router.post("/complaints/{complaint_id}/response", response_model=ComplaintPublic)
def respond_to_complaint(
    request: Request,
    session: SessionDep,
    principal: OwnAccount,
    complaint_id: RowId,
    body: ComplaintResponse,
) -> ComplaintPublic:
    """The agency's response to a complaint about it: its own agency user only. Audited."""
    found = session.get(Complaint, complaint_id)
    if found is None or not complaints.own_agency_user(
        session=session, principal=principal, agency_id=found.agency_id
    ):
        raise _complaint_not_found(complaint_id)
    row = complaints.respond(
        session=session,
        complaint_id=complaint_id,
        response=body.response,
        actor=actor_for(request, principal),
    )
    return complaints.complaint_public(row)


@router.post("/complaints/{complaint_id}/ruling", response_model=ComplaintPublic)
def rule_on_complaint(
    request: Request,
    session: SessionDep,
    principal: OwnAccount,
    complaint_id: RowId,
    body: ComplaintRuling,
) -> ComplaintPublic:
    """The kite-mark admin's ruling: whether the complaint is upheld. Audited."""
    if principal.role is not Role.kitemark_admin or session.get(Complaint, complaint_id) is None:
        raise _complaint_not_found(complaint_id)
    row = complaints.rule(
        session=session,
        complaint_id=complaint_id,
        upheld=body.upheld,
        actor=actor_for(request, principal),
    )
    return complaints.complaint_public(row)
