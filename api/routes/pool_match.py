"""The emergency pool's matcher over the API: ``POST /api/pool/match`` runs it (or, with
``dry_run``, tries it) and answers with every proposal (its score breakdown) and every
unfilled post (its reason and nearest miss); ``GET /api/pool/match`` is the latest stored
run. Pool coordinators and administrators only."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from sqlmodel import SQLModel

from api.deps import SessionDep
from api.security import actor_for, guard
from workforce.auth.permissions import Action, Principal
from workforce.errors import NotFoundError
from workforce.pool import flows
from workforce.pool.models import ProposalPublic, UnfilledPublic

router = APIRouter(prefix="/api/pool", tags=["pool"])
Coordinator = Annotated[Principal, Depends(guard(Action.manage_pool))]


class MatchRunPublic(SQLModel):
    """A match run: stored (``id``) or a dry run (``id`` blank)."""

    id: int | None
    run_at: datetime | None
    run_by: str
    workers: int
    posts: int
    filled: int
    summary: str
    proposals: list[ProposalPublic]
    unfilled: list[UnfilledPublic]


def _stored(session: Any, run: Any) -> MatchRunPublic:
    return MatchRunPublic(
        id=run.id,
        run_at=run.run_at,
        run_by=run.run_by,
        workers=run.workers,
        posts=run.posts,
        filled=run.filled,
        summary=run.summary,
        proposals=[
            ProposalPublic.model_validate(p, from_attributes=True)
            for p in flows.proposals_of(session=session, run_id=run.id)
        ],
        unfilled=[
            UnfilledPublic.model_validate(u, from_attributes=True)
            for u in flows.unfilled_of(session=session, run_id=run.id)
        ],
    )


@router.post("/match", response_model=MatchRunPublic)
def run_match(
    request: Request,
    session: SessionDep,
    principal: Coordinator,
    dry_run: Annotated[bool, Query(description="try the match; store nothing")] = False,
    on: Annotated[date | None, Query(description="judge tiers as on this day")] = None,
) -> MatchRunPublic:
    outcome = flows.run_match(
        session=session, actor=actor_for(request, principal), on=on, dry_run=dry_run
    )
    if outcome.run is not None:
        return _stored(session, outcome.run)
    return MatchRunPublic(
        id=None,
        run_at=None,
        run_by=principal.email,
        workers=outcome.workers,
        posts=outcome.posts,
        filled=outcome.filled,
        summary=outcome.summary(),
        proposals=[
            ProposalPublic(
                id=None,
                run_id=None,
                request_id=p.request_id,
                slot=p.slot,
                worker_id=p.worker_id,
                tier=int(p.tier),
                score=p.score,
                breakdown={"parts": dict(p.breakdown), "words": dict(p.words)},
            )
            for p in outcome.result.proposals
        ],
        unfilled=[
            UnfilledPublic(
                run_id=None,
                request_id=u.request_id,
                slot=u.slot,
                tier=int(u.tier),
                reason=u.reason,
                nearest_worker_id=u.nearest_miss.worker_id if u.nearest_miss else None,
                nearest_failures=[d.words for d in u.nearest_miss.details]
                if u.nearest_miss
                else [],
            )
            for u in outcome.result.unfilled
        ],
    )


@router.get("/match", response_model=MatchRunPublic)
def latest_match(session: SessionDep, _: Coordinator) -> MatchRunPublic:
    run = flows.latest_run(session=session)
    if run is None:
        raise NotFoundError("The matcher has not been run yet.")
    return _stored(session, run)
