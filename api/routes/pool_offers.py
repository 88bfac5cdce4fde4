"""The emergency pool: offers, placements and the pool's report.

A pool coordinator (or an administrator) makes offers, records the worker's answer,
withdraws offers, extends and ends placements, reads every council's offers and placements
and the report. A council's intervention lead reads its own council's offers and
placements and answers for the council (a coordinator may also answer for it). Anyone else
is answered 404, never confirming that anything exists; a council's lead asking to do a
coordinator's part with an offer or placement of their own council, 403; signed out, 401.
Writes answer after their transaction has committed (``SessionDep``).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from api.deps import SessionDep
from api.formats import Format, FormatQuery, csv_response
from api.params import RowId
from api.security import Forbidden, OwnAccount, actor_for
from workforce.auth.permissions import Action, Decision, Principal, authorize
from workforce.errors import NotFoundError
from workforce.pool import answers, offers, placements, reporting
from workforce.pool.models import (
    Offer,
    OfferCreate,
    OfferPublic,
    OfferStatus,
    Placement,
    PlacementPublic,
)
from workforce.timeutils import utcnow

router = APIRouter(prefix="/api/pool", tags=["pool"])


def _coordinator(principal: Principal) -> bool:
    return authorize(principal, Action.manage_pool) is Decision.allowed


def _seen(principal: Principal) -> frozenset[str] | None:
    """The councils ``principal`` sees (None: all); 404 when they see none."""
    councils = offers.councils_seen(principal)
    if councils is not None and not councils:
        raise NotFoundError("No pool offers or placements that you can see.")
    return councils


def _visible_offer(session: SessionDep, principal: Principal, offer_id: int) -> str:
    """The offer's council, if ``principal`` may see the offer; else 404."""
    council = offers.council_of_offer(session=session, offer_id=offer_id)
    councils = offers.councils_seen(principal)
    if council is None or (councils is not None and council not in councils):
        raise NotFoundError(f"No offer {offer_id} that you can see.")
    return council


def _coordinators_only(principal: Principal, what: str) -> None:
    if not _coordinator(principal):
        raise Forbidden(f"Only a pool coordinator {what}.")


def _visible_placement(session: SessionDep, principal: Principal, placement_id: int) -> None:
    placement = session.get(Placement, placement_id)
    councils = offers.councils_seen(principal)
    if placement is None or (councils is not None and placement.council_code not in councils):
        raise NotFoundError(f"No placement {placement_id} that you can see.")


# --- offers ----------------------------------------------------------------------------------


@router.get("/offers", response_model=list[OfferPublic])
def list_offers(
    session: SessionDep,
    principal: OwnAccount,
    status: OfferStatus | None = None,
    request_id: Annotated[int | None, Query()] = None,
) -> list[OfferPublic]:
    """Offers, newest first: every council's for a coordinator, a lead's own council's."""
    return offers.list_offers(
        session=session, councils=_seen(principal), status=status, request_id=request_id
    )


@router.post("/offers", response_model=OfferPublic, status_code=201)
def make_offer(
    request: Request, session: SessionDep, principal: OwnAccount, body: OfferCreate
) -> OfferPublic:
    """A coordinator's offer of a worker for a request (from a proposal, or directly)."""
    if not _coordinator(principal):
        raise NotFoundError("Nothing here that you can change.")
    row = offers.make_offer(session=session, new=body, actor=actor_for(request, principal))
    return OfferPublic.model_validate(row)


@router.post("/offers/{offer_id}/answer", response_model=OfferPublic)
def answer_offer(
    request: Request,
    session: SessionDep,
    principal: OwnAccount,
    offer_id: RowId,
    body: answers.OfferAnswer,
) -> OfferPublic:
    """The worker's answer (recorded by a coordinator) or the council's (its intervention
    lead's, or a coordinator's); both accepting makes the placement."""
    council = _visible_offer(session, principal, offer_id)
    actor = actor_for(request, principal)
    if body.party is answers.Party.worker:
        _coordinators_only(principal, "records a worker's answer")
        row: Offer = answers.answer_for_worker(
            session=session, offer_id=offer_id, answer=body.answer, actor=actor
        )
    else:
        if not offers.may_answer_for_council(principal, council):
            raise NotFoundError(f"No offer {offer_id} that you can see.")
        row = answers.answer_for_council(
            session=session, offer_id=offer_id, answer=body.answer, actor=actor
        )
    return OfferPublic.model_validate(row)


@router.post("/offers/{offer_id}/withdraw", response_model=OfferPublic)
def withdraw_offer(
    request: Request,
    session: SessionDep,
    principal: OwnAccount,
    offer_id: RowId,
    body: answers.OfferWithdrawal | None = None,
) -> OfferPublic:
    """A coordinator withdraws an open offer, releasing the worker."""
    _visible_offer(session, principal, offer_id)
    _coordinators_only(principal, "withdraws an offer")
    row = answers.withdraw_offer(
        session=session,
        offer_id=offer_id,
        actor=actor_for(request, principal),
        reason=body.reason if body else "",
    )
    return OfferPublic.model_validate(row)


# --- placements ------------------------------------------------------------------------------


@router.get("/placements", response_model=list[PlacementPublic])
def list_placements(
    session: SessionDep, principal: OwnAccount, current: bool = False
) -> list[PlacementPublic]:
    """Placements by start (``?current=true``: not yet ended): every council's for a
    coordinator, a lead's own council's."""
    return placements.list_placements(
        session=session,
        councils=_seen(principal),
        current_on=utcnow().date() if current else None,
    )


@router.post("/placements/{placement_id}/extend", response_model=PlacementPublic)
def extend_placement(
    request: Request,
    session: SessionDep,
    principal: OwnAccount,
    placement_id: RowId,
    body: placements.PlacementExtension,
) -> PlacementPublic:
    """A coordinator extends a placement to a later last day, with the reason."""
    _visible_placement(session, principal, placement_id)
    _coordinators_only(principal, "extends a placement")
    row = placements.extend_placement(
        session=session,
        placement_id=placement_id,
        new_end=body.new_end,
        reason=body.reason,
        actor=actor_for(request, principal),
    )
    return PlacementPublic.model_validate(row)


@router.post("/placements/{placement_id}/end", response_model=PlacementPublic)
def end_placement(
    request: Request,
    session: SessionDep,
    principal: OwnAccount,
    placement_id: RowId,
    body: placements.PlacementEnd,
) -> PlacementPublic:
    """A coordinator ends a placement early on a given last day, with the reason."""
    _visible_placement(session, principal, placement_id)
    _coordinators_only(principal, "ends a placement")
    row = placements.end_placement_early(
        session=session,
        placement_id=placement_id,
        on=body.on,
        reason=body.reason,
        actor=actor_for(request, principal),
    )
    return PlacementPublic.model_validate(row)


# --- the report ------------------------------------------------------------------------------


@router.get("/report")
def pool_report(
    session: SessionDep,
    principal: OwnAccount,
    format: FormatQuery = Format.json,
    section: Annotated[
        str, Query(description="With format=csv: " + ", ".join(reporting.SECTIONS))
    ] = "fill_rate",
    on: date | None = None,
) -> Any:
    """The pool's report, every section (``?format=csv&section=...``: one section as a CSV
    download); coordinators and administrators only."""
    if not _coordinator(principal):
        raise NotFoundError("No pool report that you can see.")
    day = on or utcnow().date()
    if format is Format.csv:
        records = reporting.report_section(session=session, section=section, on=day)
        return csv_response(records, reporting.section_columns(section), f"pool-{section}-{day}")
    return reporting.report(session=session, on=day)
