"""Pages of the emergency pool: the coordinator's board (every open request by priority
tier, the latest match run's proposals with their score breakdown, unfilled posts with
their reason and nearest miss, offers and placements) and a council's own requests.

A council's intervention lead sees their council's page; coordinators and administrators
see every council's. Anyone else is answered 404 for a council's page, 403 for the board;
signed out, sent to sign in. Workers are named to a council only once placed with it
(:mod:`workforce.pool.views`).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session

from api.deps import SessionDep
from api.rendering import render
from api.security import guard, require_council
from workforce.auth.permissions import Action, Decision, Principal, authorize
from workforce.councils.models import Council
from workforce.councils.service import find_council
from workforce.errors import NotFoundError
from workforce.pool import reporting, views
from workforce.pool.terms import ROLE_LABELS, SPECIALISM_LABELS
from workforce.timeutils import utcnow

router = APIRouter(include_in_schema=False)
Coordinator = Annotated[Principal, Depends(guard(Action.manage_pool))]
Signed = Annotated[Principal, Depends(guard(Action.own_account))]
Requester = Annotated[Principal, Depends(guard(Action.request_pool_staff))]


def is_coordinator(principal: Principal) -> bool:
    return authorize(principal, Action.manage_pool) is Decision.allowed


def council_in_reach(principal: Principal, session: Session, code: str) -> Council:
    """The council ``code`` if ``principal`` coordinates the pool or may request pool staff
    for it; otherwise answered as not found."""
    if is_coordinator(principal):
        return find_council(session=session, code=code)
    if authorize(principal, Action.request_pool_staff) is Decision.forbidden:
        raise NotFoundError(f"Nothing found for council {code!r} that you can see.")
    return require_council(principal, Action.request_pool_staff, session, code)


@router.get("/pool", response_class=HTMLResponse)
def board_page(request: Request, session: SessionDep, _: Coordinator) -> Response:
    """The coordinator's board: every open request, worst placed councils first."""
    return render(
        request,
        "pool_board.html",
        board=views.board(session=session, show_workers=True),
        errors=[],
        may_match=True,
        may_offer=True,
    )


@router.get("/pool/requests", response_class=HTMLResponse)
def my_requests_page(principal: Requester) -> Response:
    """Where the navigation's pool link leads: a council's intervention lead to their
    council's requests, a coordinator or an administrator to the board."""
    if is_coordinator(principal) or len(principal.council_codes) != 1:
        return RedirectResponse("/pool", status_code=303)
    (code,) = principal.council_codes
    return RedirectResponse(f"/councils/{code}/pool", status_code=303)


@router.get("/councils/{code}/pool", response_class=HTMLResponse)
def council_pool_page(
    request: Request, session: SessionDep, principal: Signed, code: str
) -> Response:
    """A council's requests for pool staff, with their proposals, offers and placements."""
    council = council_in_reach(principal, session, code)
    return render(
        request,
        "pool_council.html",
        council=council,
        board=views.board(
            session=session,
            council_codes=[council.code],
            show_workers=is_coordinator(principal),
            include_closed=True,
        ),
        errors=[],
        may_match=False,
        may_offer=False,
    )


@router.get("/pool/report", response_class=HTMLResponse)
def report_page(request: Request, session: SessionDep, _: Coordinator) -> Response:
    """The pool's report: fill rate by tier and region, days from request to placement,
    unfilled posts and why, capacity by role and specialism, placements ending soon; each
    section also as CSV (``/api/pool/report?format=csv&section=``)."""
    today = utcnow().date()
    return render(
        request,
        "pool_report.html",
        today=today,
        fill=reporting.fill_rates(session=session, on=today),
        timing=reporting.time_to_placement(session=session, on=today),
        unfilled=reporting.unfilled_posts(session=session),
        capacity=reporting.capacity(session=session, on=today),
        ending=reporting.ending_soon(session=session, on=today),
        role_labels={r.value: label for r, label in ROLE_LABELS.items()},
        specialism_labels={s.value: label for s, label in SPECIALISM_LABELS.items()},
    )
