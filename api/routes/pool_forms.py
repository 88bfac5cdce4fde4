"""The emergency pool's forms: a council's intervention lead asks for staff and answers
offers; a coordinator runs the matcher, turns a proposal into an offer and records the
worker's answer. Each posts, is checked by the same services as the API
(:mod:`workforce.pool.service`, :mod:`workforce.pool.offers`, :mod:`workforce.pool.answers`),
and on success redirects (post/redirect/get) after its transaction has committed; a refusal
renders the page again with the GOV.UK error summary saying what was wrong.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session

from api.deps import SessionDep
from api.forms import date_from_parts, date_input_errors, date_parts
from api.params import RowId
from api.rendering import render
from api.routes.kitemark_forms import form_errors
from api.routes.pool_pages import Coordinator, Signed, council_in_reach, is_coordinator
from api.security import actor_for
from workforce.auth.permissions import Principal
from workforce.councils.models import Council
from workforce.errors import InputDataError, NotFoundError, Problem
from workforce.pool import answers, flows, offers, service, views
from workforce.pool.models import Answer, OfferCreate, Proposal, RequestCreate
from workforce.pool.terms import ROLE_LABELS, SPECIALISM_LABELS

router = APIRouter(include_in_schema=False)
FormText = Annotated[str, Form()]
FormList = Annotated[list[str], Form()]
REQUEST_FIELDS = (
    "role",
    "posts",
    "start_date",
    "weeks",
    "onsite_days",
    "max_day_rate",
    "reason",
)


# --- a council's request ----------------------------------------------------------------------


def _request_form(
    request: Request,
    council: Council,
    *,
    errors: list[dict[str, str]] | None = None,
    typed: dict[str, object] | None = None,
) -> Response:
    errors = errors or []
    return render(
        request,
        "pool_request_form.html",
        status_code=400 if errors else 200,
        council=council,
        errors=errors,
        field_errors={e["field"]: e["text"] for e in reversed(errors)},
        typed=typed or {},
        role_labels=ROLE_LABELS,
        specialism_labels=SPECIALISM_LABELS,
    )


@router.get("/councils/{code}/pool/new", response_class=HTMLResponse)
def new_request_page(
    request: Request, session: SessionDep, principal: Signed, code: str
) -> Response:
    """The form a council's intervention lead asks for pool staff with."""
    return _request_form(request, council_in_reach(principal, session, code))


@router.post("/councils/{code}/pool", response_class=HTMLResponse)
def make_request_page(
    request: Request,
    session: SessionDep,
    principal: Signed,
    code: str,
    role: FormText = "",
    posts: FormText = "",
    start_date: FormText = "",
    start_day: Annotated[str, Form(alias="start_date-day")] = "",
    start_month: Annotated[str, Form(alias="start_date-month")] = "",
    start_year: Annotated[str, Form(alias="start_date-year")] = "",
    weeks: FormText = "",
    onsite_days: FormText = "",
    max_day_rate: FormText = "",
    reason: FormText = "",
    grade_flex: FormText = "",
    required: FormList | None = None,
    preferred: FormList | None = None,
) -> Response:
    council = council_in_reach(principal, session, code)
    typed: dict[str, object] = {
        "role": role,
        "posts": posts.strip(),
        "start_date": date_from_parts(start_date, start_day, start_month, start_year),
        "weeks": weeks.strip(),
        "onsite_days": onsite_days.strip(),
        "max_day_rate": max_day_rate.strip().lstrip("£"),
        "reason": reason.strip(),
        "grade_flex": grade_flex == "yes",
        "required": required or [],
        "preferred": preferred or [],
    }
    fields = {name: name for name in REQUEST_FIELDS} | {
        "required": "required",
        "preferred": "preferred",
    }
    try:
        new = RequestCreate.checked(**{k: v for k, v in typed.items() if v != ""})
        made = service.create_request(
            session=session,
            council_code=council.code,
            new=new,
            actor=actor_for(request, principal),
        )
    except InputDataError as exc:
        shown = typed | date_parts("start_date", start_date, start_day, start_month, start_year)
        errors = date_input_errors(
            form_errors(exc.problems, fields, "reason"), {"start_date": "The start date"}
        )
        return _request_form(request, council, errors=errors, typed=shown)
    return RedirectResponse(f"/councils/{council.code}/pool#request-{made.id}", status_code=303)


# --- the coordinator's board --------------------------------------------------------------------


def _board_again(
    request: Request, session: Session, principal: Principal, problems: list[Problem]
) -> Response:
    return render(
        request,
        "pool_board.html",
        status_code=400,
        board=views.board(session=session, show_workers=True),
        errors=[{"field": "latest-run", "text": p.message} for p in problems],
        may_match=True,
        may_offer=True,
    )


@router.post("/pool/match", response_class=HTMLResponse)
def match_page(request: Request, session: SessionDep, principal: Coordinator) -> Response:
    """Run the matcher and show the board with its proposals."""
    flows.run_match(session=session, actor=actor_for(request, principal))
    return RedirectResponse("/pool#latest-run", status_code=303)


@router.post("/pool/proposals/{proposal_id}/offer", response_class=HTMLResponse)
def offer_page(
    request: Request, session: SessionDep, principal: Coordinator, proposal_id: RowId
) -> Response:
    """Offer a proposed worker the post; the worker and the council then answer."""
    proposal = session.get(Proposal, proposal_id)
    if proposal is None:
        raise NotFoundError(f"No proposal {proposal_id}.")
    try:
        offer = offers.make_offer(
            session=session,
            new=OfferCreate(
                request_id=proposal.request_id,
                worker_id=proposal.worker_id,
                proposal_id=proposal.id,
            ),
            actor=actor_for(request, principal),
        )
    except InputDataError as exc:
        session.rollback()
        return _board_again(request, session, principal, exc.problems)
    return RedirectResponse(f"/pool#request-{offer.request_id}", status_code=303)


# --- answers to an offer ----------------------------------------------------------------------


@router.post("/pool/offers/{offer_id}/answer", response_class=HTMLResponse)
def answer_page(
    request: Request,
    session: SessionDep,
    principal: Signed,
    offer_id: RowId,
    party: FormText = "",
    answer: FormText = "",
) -> Response:
    """The council's answer (its intervention lead, a coordinator) or the worker's answer
    (recorded by a coordinator)."""
    found = offers.get_offer(session=session, offer_id=offer_id)
    request_row = service.get_request(session=session, request_id=found.request_id)
    seen = offers.councils_seen(principal)
    if seen is not None and request_row.council_code not in seen:
        raise NotFoundError(f"No offer {offer_id} that you can see.")
    coordinator = is_coordinator(principal)
    if party not in ("worker", "council") or (party == "worker" and not coordinator):
        raise NotFoundError(f"No offer {offer_id} that you can answer for {party or 'anyone'}.")
    back = "/pool" if coordinator else f"/councils/{request_row.council_code}/pool"
    try:
        chosen = Answer(answer)
    except ValueError:
        chosen = None
    try:
        if chosen is None:
            raise InputDataError([Problem("offer.answer", "Choose accept or decline")])
        answer_as = answers.answer_for_worker if party == "worker" else answers.answer_for_council
        answer_as(
            session=session, offer_id=offer_id, answer=chosen, actor=actor_for(request, principal)
        )
    except InputDataError as exc:
        session.rollback()
        council = council_in_reach(principal, session, request_row.council_code)
        return render(
            request,
            "pool_council.html" if not coordinator else "pool_board.html",
            status_code=400,
            council=council,
            board=views.board(
                session=session,
                council_codes=None if coordinator else [council.code],
                show_workers=coordinator,
                include_closed=not coordinator,
            ),
            errors=[
                {"field": f"request-{found.request_id}", "text": p.message} for p in exc.problems
            ],
            may_match=coordinator,
            may_offer=coordinator,
        )
    return RedirectResponse(f"{back}#request-{found.request_id}", status_code=303)
