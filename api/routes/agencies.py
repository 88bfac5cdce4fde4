"""Agencies on the kite-mark register and the matching of agency names in councils' returns.

Reading agencies needs a signed-in user: a kite-mark admin, an analyst or an administrator
reads every agency; an agency user reads only their own (the agency their account's
agency name matches, see ``workforce.agencies.service``) and gets 404 for any other, as if
it did not exist; any other signed-in role sees none (an empty list, 404 for each), as the
permission model's own-account guard lets them ask. Registering agencies and deciding matches is
the kite-mark admin's (``manage_kitemark``).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request

from api.deps import SessionDep
from api.params import RowId
from api.security import OwnAccount, actor_for, guard
from workforce.agencies import match_listing, matching, registration, service
from workforce.agencies.models import (
    AgencyCreate,
    AgencyMatchPublic,
    AgencyPublic,
    ContactUpdate,
    MatchMethod,
    MatchSet,
    UnmatchedNamePublic,
)
from workforce.auth.permissions import Action, Principal

router = APIRouter(prefix="/api", tags=["agencies"])
KitemarkAdmin = Annotated[Principal, Depends(guard(Action.manage_kitemark))]


@router.get("/agencies", response_model=list[AgencyPublic])
def list_agencies(session: SessionDep, principal: OwnAccount) -> list[AgencyPublic]:
    """The agencies on the register you may read: every one (kite-mark admin, analyst,
    administrator), an agency user's own, or none."""
    return [
        service.agency_public(session=session, agency=agency)
        for agency in service.visible_agencies(session=session, principal=principal)
    ]


@router.get("/agencies/unmatched", response_model=list[UnmatchedNamePublic])
def unmatched_names(session: SessionDep, _: KitemarkAdmin) -> list[UnmatchedNamePublic]:
    """Agency names in accepted returns that match no registered agency yet, most listed
    first: the kite-mark admin's queue."""
    return [
        UnmatchedNamePublic.model_validate(item, from_attributes=True)
        for item in match_listing.unmatched_names(session=session)
    ]


@router.post("/agencies/matches", response_model=AgencyMatchPublic)
def set_match(
    request: Request, session: SessionDep, principal: KitemarkAdmin, body: MatchSet
) -> AgencyMatchPublic:
    """Decide which agency a name in returns stands for (``agency_id`` blank: no registered
    agency). Every assignment listing any spelling of the name follows at once."""
    match = matching.set_match(
        session=session,
        name=body.name,
        agency_id=body.agency_id,
        actor=actor_for(request, principal),
    )
    return AgencyMatchPublic(
        normalised_name=match.normalised_name,
        agency_id=match.agency_id,
        method=MatchMethod(match.method),
        matched_by=match.matched_by,
        matched_at=match.matched_at,
    )


@router.get("/agencies/{agency_id}", response_model=AgencyPublic)
def get_agency(session: SessionDep, principal: OwnAccount, agency_id: RowId) -> AgencyPublic:
    """One agency: names, contact, pay routes and the returns' names matched to it."""
    agency = service.agency_for(session=session, principal=principal, agency_id=agency_id)
    return service.agency_public(session=session, agency=agency)


@router.post("/agencies", response_model=AgencyPublic, status_code=201)
def register_agency(
    request: Request, session: SessionDep, principal: KitemarkAdmin, body: AgencyCreate
) -> AgencyPublic:
    """Register an agency with its names, Companies House number, contact and pay routes."""
    agency = registration.register_agency(
        session=session, new=body, actor=actor_for(request, principal)
    )
    return service.agency_public(session=session, agency=agency)


@router.patch("/agencies/{agency_id}/contact", response_model=AgencyPublic)
def update_contact(
    request: Request,
    session: SessionDep,
    principal: OwnAccount,
    agency_id: RowId,
    body: ContactUpdate,
) -> AgencyPublic:
    """Change an agency's contact name or email (blank: unchanged): a kite-mark admin or an
    administrator for any agency, an agency user for their own only (404 for another, and
    for any other role)."""
    agency = registration.update_contact(
        session=session,
        agency_id=agency_id,
        change=body,
        actor=actor_for(request, principal),
        principal=principal,
    )
    return service.agency_public(session=session, agency=agency)
