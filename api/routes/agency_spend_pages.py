"""A council's agency spend by its agencies' kite-mark status, quarter by quarter (its own
users, analysts and administrators)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from api.deps import SessionDep
from api.rendering import render
from api.security import CouncilPrivateReader, require_council
from workforce.agencies import councils
from workforce.auth.permissions import Action

router = APIRouter(include_in_schema=False)


@router.get("/councils/{code}/agency-spend", response_class=HTMLResponse)
def agency_spend_page(
    request: Request, session: SessionDep, principal: CouncilPrivateReader, code: str
) -> Response:
    """The council's agency spend per quarter by kite-mark status, with its assumption."""
    council = require_council(principal, Action.read_council_private, session, code)
    return render(
        request,
        "agency_spend.html",
        council=council,
        spend=councils.agency_spend(session=session, council_code=council.code),
    )
