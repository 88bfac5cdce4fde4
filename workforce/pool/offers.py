"""Offers: a coordinator offers a worker for a request; who sees offers, and the reads of them.

- :func:`make_offer`: from a stored proposal or directly; the request's dates, the worker's
  day rate; refused if the request is not open, the worker inactive or already holding an
  open offer or a placement over the dates, or every post of the request is already offered
  or placed. It expires after ``days_to_answer`` days
  (:func:`workforce.pool.answers.expire_offers`).
- :func:`councils_seen`, :func:`may_answer_for_council`: who sees and answers which offers.
- :func:`get_offer`, :func:`list_offers`, :func:`council_of_offer`: what readers are shown.

The worker and the council answer an offer, and a coordinator withdraws it, in
:mod:`workforce.pool.answers`; two acceptances make a placement there
(:mod:`workforce.pool.placements` extends and ends placements).

A worker never holds two overlapping placements, even with acceptances at the same moment:
every write to an offer or a placement first takes the pool's write locks of its request and
its worker (:mod:`workforce.pool.locking`: transaction-level advisory locks on PostgreSQL,
always in the same order so two writers never wait on each other; on SQLite the database's
one write lock, :func:`workforce.db.begin_write`), and only then reads and checks. Every
write is audited in its transaction; the caller commits.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlmodel import Session, col, func, select

from workforce.auth import audit
from workforce.auth.audit import Actor
from workforce.auth.permissions import Action, Decision, Principal, authorize, councils_in_reach
from workforce.errors import InputDataError, NotFoundError, Problem
from workforce.pool.models import (
    Offer,
    OfferCreate,
    OfferPublic,
    OfferStatus,
    Placement,
    PoolRequest,
    PoolWorker,
    Proposal,
    RequestStatus,
)
from workforce.pool.placements import lock_worker, overlap_words, overlapping_placement
from workforce.timeutils import as_utc, utcnow

# --- who sees what ---------------------------------------------------------------------------


def councils_seen(principal: Principal) -> frozenset[str] | None:
    """The councils whose offers and placements ``principal`` sees (``None``: every one):
    a coordinator or an administrator all; a council's intervention lead their own; anyone
    else none."""
    if authorize(principal, Action.manage_pool) is Decision.allowed:
        return None
    return councils_in_reach(principal, Action.request_pool_staff)


def may_answer_for_council(principal: Principal, council_code: str) -> bool:
    """Whether ``principal`` may answer for ``council_code``: its intervention lead, or a
    coordinator or an administrator."""
    return authorize(principal, Action.manage_pool) is Decision.allowed or (
        authorize(principal, Action.request_pool_staff, council_code) is Decision.allowed
    )


# --- checks ----------------------------------------------------------------------------------


def _open_offer_overlapping(
    session: Session, worker_id: int, start: date, end: date
) -> Offer | None:
    return session.exec(
        select(Offer).where(
            Offer.worker_id == worker_id,
            Offer.status == OfferStatus.open,
            col(Offer.start_date) <= end,
            col(Offer.end_date) >= start,
        )
    ).first()


def posts_taken(*, session: Session, request_id: int) -> tuple[int, int]:
    """The request's posts offered (open offers) and placed."""
    offered = session.exec(
        select(func.count())
        .select_from(Offer)
        .where(Offer.request_id == request_id, Offer.status == OfferStatus.open)
    ).one()
    placed = session.exec(
        select(func.count()).select_from(Placement).where(Placement.request_id == request_id)
    ).one()
    return int(offered), int(placed)


# --- offers ----------------------------------------------------------------------------------


def make_offer(
    *, session: Session, new: OfferCreate, actor: Actor, on: datetime | None = None
) -> Offer:
    """A coordinator's offer of the worker for the request (from the proposal, if named)."""
    moment = as_utc(on) or utcnow()
    lock_worker(
        session=session, worker_id=new.worker_id, request_id=new.request_id, what="the offer"
    )
    request = session.get(PoolRequest, new.request_id, populate_existing=True)
    if request is None:
        raise NotFoundError(f"no request {new.request_id}")
    worker = session.get(PoolWorker, new.worker_id, populate_existing=True)
    if worker is None:
        raise NotFoundError(f"no pool worker {new.worker_id}")
    problems: list[Problem] = []
    if new.proposal_id is not None:
        proposal = session.get(Proposal, new.proposal_id)
        if proposal is None:
            raise NotFoundError(f"no proposal {new.proposal_id}")
        if proposal.request_id != request.id or proposal.worker_id != worker.id:
            problems.append(
                Problem(
                    "offer.proposal",
                    f"proposal {proposal.id} is of worker {proposal.worker_id} for request "
                    f"{proposal.request_id}, not worker {worker.id} for request {request.id}",
                )
            )
    if request.status != RequestStatus.open:
        problems.append(Problem("offer.request", f"request {request.id} is {request.status}"))
    if not worker.active:
        problems.append(Problem("offer.worker", f"worker {worker.id} is not active in the pool"))
    start, end = request.start_date, request.end_date
    held = overlapping_placement(session=session, worker_id=new.worker_id, start=start, end=end)
    if held is not None:
        problems.append(
            Problem("offer.worker_busy", f"{overlap_words(held)}, overlapping {start}..{end}")
        )
    pending = _open_offer_overlapping(session, new.worker_id, start, end)
    if pending is not None:
        problems.append(
            Problem(
                "offer.worker_busy",
                f"worker {worker.id} already holds open offer {pending.id} for "
                f"{pending.start_date}..{pending.end_date}, overlapping {start}..{end}",
            )
        )
    offered, placed = posts_taken(session=session, request_id=new.request_id)
    if offered + placed >= request.posts:
        problems.append(
            Problem(
                "offer.posts",
                f"every post of request {request.id} is already offered or placed "
                f"({request.posts} posts: {offered} offered, {placed} placed)",
            )
        )
    if problems:
        raise InputDataError(problems)
    offer = Offer(
        request_id=new.request_id,
        worker_id=new.worker_id,
        proposal_id=new.proposal_id,
        start_date=start,
        end_date=end,
        day_rate=worker.day_rate,
        expires_at=moment + timedelta(days=new.days_to_answer),
        created_by=actor.name,
        created_at=moment,
    )
    session.add(offer)
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        action="pool.offer",
        entity="pool_offer",
        entity_id=offer.id,
        council_code=request.council_code,
        summary=f"worker {worker.id} offered for request {request.id} ({start}..{end}, "
        f"{worker.day_rate:g} a day), to answer by {offer.expires_at:%Y-%m-%d %H:%M}",
        details={"request_id": request.id, "worker_id": worker.id, "proposal_id": new.proposal_id},
    )
    return offer


def get_offer(*, session: Session, offer_id: int) -> Offer:
    offer = session.get(Offer, offer_id)
    if offer is None:
        raise NotFoundError(f"no offer {offer_id}")
    return offer


# --- what readers are shown ------------------------------------------------------------------


def list_offers(
    *,
    session: Session,
    councils: frozenset[str] | None = None,
    status: OfferStatus | None = None,
    request_id: int | None = None,
) -> list[OfferPublic]:
    """Offers, newest first, of the councils given (``None``: every council's)."""
    query = select(Offer).join(PoolRequest, PoolRequest.id == Offer.request_id)  # type: ignore[arg-type]
    if councils is not None:
        query = query.where(col(PoolRequest.council_code).in_(sorted(councils)))
    if status is not None:
        query = query.where(Offer.status == status)
    if request_id is not None:
        query = query.where(Offer.request_id == request_id)
    rows = session.exec(query.order_by(col(Offer.id).desc())).all()
    return [OfferPublic.model_validate(r) for r in rows]


def council_of_offer(*, session: Session, offer_id: int) -> str | None:
    """The council an offer is for (None: no such offer)."""
    return session.exec(
        select(PoolRequest.council_code)
        .join(Offer, Offer.request_id == PoolRequest.id)  # type: ignore[arg-type]
        .where(Offer.id == offer_id)
    ).first()
