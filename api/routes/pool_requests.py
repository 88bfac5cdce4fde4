"""The emergency pool: councils' interventions and requests for staff.

Requests: a council's intervention lead sees and makes its own council's only; pool
coordinators and administrators see every council's, and an administrator may make one
for any council. A coordinator (or an administrator) raises a request's tier, with a
reason; its council's intervention lead (or an administrator) withdraws it.
Interventions: an administrator records and ends them; a council's own users read their
council's, coordinators, analysts and administrators every council's.
Anyone else signed in is answered 404, never confirming that anything exists; signed out,
401 (``workforce.pool.access``). Every write is audited (``workforce.pool.service``,
``workforce.pool.interventions``).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request
from sqlmodel import SQLModel

from api.deps import SessionDep
from api.params import RowId
from api.security import OwnAccount, actor_for
from workforce.auth.permissions import Action, Decision, authorize, councils_in_reach
from workforce.councils.service import find_council
from workforce.errors import InputDataError, NotFoundError, Problem
from workforce.pool import access, interventions, service
from workforce.pool.models import (
    Intervention,
    InterventionCreate,
    PoolRequest,
    RequestPublic,
    RequestStatus,
    TierRaise,
)

router = APIRouter(prefix="/api/pool", tags=["pool"])


class InterventionPublic(SQLModel):
    id: int
    council_code: str
    kind: str
    start_date: date
    end_date: date | None
    note: str
    recorded_by: str


class InterventionEnd(SQLModel):
    end_date: date


def _intervention_public(row: Intervention) -> InterventionPublic:
    return InterventionPublic.model_validate(row, from_attributes=True)


def _nothing_here() -> NotFoundError:
    return NotFoundError("Nothing found here that you can see.")


# --- requests --------------------------------------------------------------------------------


@router.get("/requests", response_model=list[RequestPublic])
def list_requests(
    session: SessionDep,
    principal: OwnAccount,
    council: Annotated[str | None, Query(description="a council's DfE or ONS code")] = None,
    status: Annotated[RequestStatus | None, Query(description="open, filled, withdrawn")] = None,
) -> list[RequestPublic]:
    """Requests, newest first, with their tier today: an intervention lead's own
    council's; every council's for coordinators and administrators."""
    reach = access.request_councils(principal)
    if reach is not None and not reach:
        raise _nothing_here()
    code = None
    if council is not None:
        code = find_council(session=session, code=council).code
        if reach is not None and code not in reach:
            raise NotFoundError(f"No requests for council {council!r} that you can see.")
    rows = service.list_requests(session=session, councils=reach, council_code=code, status=status)
    return service.requests_public(session=session, requests=rows)


@router.post("/requests", response_model=RequestPublic, status_code=201)
def create_request(
    request: Request,
    session: SessionDep,
    principal: OwnAccount,
    body: service.CouncilRequestCreate,
) -> RequestPublic:
    """Request pool staff for a council: an intervention lead for their own council
    (``council`` may be left out), an administrator for any. Audited."""
    if authorize(principal, Action.request_pool_staff) is not Decision.allowed:
        raise _nothing_here()
    reach = councils_in_reach(principal, Action.request_pool_staff)
    code = body.council
    if code is None:
        if reach is None or len(reach) != 1:
            raise InputDataError(
                [
                    Problem(
                        "request.council", "say which council the request is for", column="council"
                    )
                ]
            )
        code = next(iter(reach))
    try:
        council = find_council(session=session, code=code)
    except NotFoundError:
        council = None
    if council is None or authorize(principal, Action.request_pool_staff, council.code) is not (
        Decision.allowed
    ):
        raise NotFoundError(f"No council {code!r} that you can request staff for.")
    row = service.create_request(
        session=session, council_code=council.code, new=body, actor=actor_for(request, principal)
    )
    return service.request_public(session=session, request=row)


@router.get("/requests/{request_id}", response_model=RequestPublic)
def get_request(session: SessionDep, principal: OwnAccount, request_id: RowId) -> RequestPublic:
    """One request (404 for another council's)."""
    row = access.request_for(session=session, principal=principal, request_id=request_id)
    return service.request_public(session=session, request=row)


@router.post("/requests/{request_id}/tier", response_model=RequestPublic)
def raise_tier(
    request: Request, session: SessionDep, principal: OwnAccount, request_id: RowId, body: TierRaise
) -> RequestPublic:
    """Raise the request's priority tier with a reason: pool coordinators and
    administrators. Refused unless the tier is better than the one it has. Audited."""
    if not access.manages_pool(principal) or session.get(PoolRequest, request_id) is None:
        raise NotFoundError(f"No pool request with id {request_id} that you can see.")
    session.rollback()  # the check's read ends: the write takes its lock before reading again
    row = service.raise_tier(
        session=session, request_id=request_id, change=body, actor=actor_for(request, principal)
    )
    return service.request_public(session=session, request=row)


@router.post("/requests/{request_id}/withdraw", response_model=RequestPublic)
def withdraw_request(
    request: Request, session: SessionDep, principal: OwnAccount, request_id: RowId
) -> RequestPublic:
    """Withdraw an open request: its council's intervention lead or an administrator."""
    found = access.request_for(session=session, principal=principal, request_id=request_id)
    if authorize(principal, Action.request_pool_staff, found.council_code) is not (
        Decision.allowed
    ):
        raise NotFoundError(f"No pool request with id {request_id} that you can see.")
    session.rollback()  # the check's read ends: the write takes its lock before reading again
    row = service.withdraw_request(
        session=session, request_id=request_id, actor=actor_for(request, principal)
    )
    return service.request_public(session=session, request=row)


# --- interventions ---------------------------------------------------------------------------


@router.get("/interventions", response_model=list[InterventionPublic])
def list_interventions(
    session: SessionDep,
    principal: OwnAccount,
    council: Annotated[str | None, Query(description="a council's DfE or ONS code")] = None,
) -> list[InterventionPublic]:
    """Councils' statutory directions and commissioners, latest start first: a council's
    own users their council's; coordinators, analysts and administrators every council's."""
    reach = access.intervention_councils(principal)
    if reach is not None and not reach:
        raise _nothing_here()
    code = None
    if council is not None:
        code = find_council(session=session, code=council).code
        if reach is not None and code not in reach:
            raise NotFoundError(f"No interventions for council {council!r} that you can see.")
    rows = interventions.list_interventions(session=session, council_code=code, councils=reach)
    return [_intervention_public(r) for r in rows]


@router.post("/interventions", response_model=InterventionPublic, status_code=201)
def record_intervention(
    request: Request, session: SessionDep, principal: OwnAccount, body: InterventionCreate
) -> InterventionPublic:
    """Record a council's statutory direction or commissioner: administrators only."""
    if not access.is_admin(principal):
        raise _nothing_here()
    row = interventions.record_intervention(
        session=session, new=body, actor=actor_for(request, principal)
    )
    return _intervention_public(row)


@router.post("/interventions/{intervention_id}/end", response_model=InterventionPublic)
def end_intervention(
    request: Request,
    session: SessionDep,
    principal: OwnAccount,
    intervention_id: RowId,
    body: InterventionEnd,
) -> InterventionPublic:
    """End an intervention on a day: administrators only."""
    if not access.is_admin(principal):
        raise NotFoundError(f"No intervention with id {intervention_id} that you can see.")
    row = interventions.end_intervention(
        session=session,
        intervention_id=intervention_id,
        end_date=body.end_date,
        actor=actor_for(request, principal),
    )
    return _intervention_public(row)
