"""An offer's answers, its withdrawal and its expiry; two acceptances make the placement.

- :func:`answer_for_worker`, :func:`answer_for_council`: a decline closes the offer; the
  second acceptance makes the placement (start and end from the request, the day rate from
  the offer), and a request whose posts are all placed is filled. An acceptance is refused
  for a request withdrawn or a worker no longer active since the offer.
- :func:`withdraw_offer`; :func:`expire_offer` (job ``pool_housekeeping``),
  :func:`expire_offers`.

Offers are made in :mod:`workforce.pool.offers`. Every write first takes the write locks of
the offer's request and worker (:mod:`workforce.pool.locking`), and only then reads and
checks, so a worker never holds two overlapping placements even with acceptances at the
same moment. Every write is audited in its transaction; the caller commits.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import ClassVar

from sqlmodel import Field, Session, col, select

from workforce.auth import audit
from workforce.auth.audit import Actor
from workforce.auth.models import AdminInput
from workforce.errors import InputDataError, NotFoundError, Problem
from workforce.pool.models import (
    Answer,
    Offer,
    OfferStatus,
    Placement,
    PoolRequest,
    PoolWorker,
    RequestStatus,
)
from workforce.pool.offers import posts_taken
from workforce.pool.placements import lock_worker, overlap_words, overlapping_placement
from workforce.timeutils import as_utc, utcnow


class Party(StrEnum):
    """Who an answer is for."""

    worker = "worker"
    council = "council"


class OfferAnswer(AdminInput):
    """An answer to an offer, for the worker (recorded by a coordinator) or the council."""

    ENTITY: ClassVar[str] = "answer"
    FIELD_MESSAGES: ClassVar[dict[str, str]] = {
        "answer": "the answer is accepted or declined",
        "party": "the answer is the worker's or the council's",
    }
    party: Party = Party.council
    answer: Answer


class OfferWithdrawal(AdminInput):
    ENTITY: ClassVar[str] = "withdrawal"
    reason: str = Field(default="", max_length=1000)


def _refuse(rule: str, message: str) -> InputDataError:
    return InputDataError([Problem(rule, message)])


def _locked_offer(session: Session, offer_id: int, what: str) -> Offer:
    # The worker and request of an offer never change: read them, lock, then read the offer
    # afresh (populate_existing: not a copy the session held from before the lock).
    ids = session.exec(
        select(Offer.worker_id, Offer.request_id).where(Offer.id == offer_id)
    ).first()
    if ids is None:
        raise NotFoundError(f"no offer {offer_id}")
    lock_worker(session=session, worker_id=ids[0], request_id=ids[1], what=what)
    offer = session.get(Offer, offer_id, populate_existing=True)
    assert offer is not None
    return offer


def _answer(
    *,
    session: Session,
    offer_id: int,
    party: str,
    answer: Answer,
    actor: Actor,
    on: datetime | None,
) -> Offer:
    moment = as_utc(on) or utcnow()
    offer = _locked_offer(session, offer_id, f"the {party}'s answer")
    if offer.status != OfferStatus.open:
        raise _refuse("offer.closed", f"offer {offer_id} is {offer.status}, not open")
    if as_utc(offer.expires_at) <= moment:  # type: ignore[operator]
        raise _refuse(
            "offer.expired", f"offer {offer_id} expired at {offer.expires_at:%Y-%m-%d %H:%M}"
        )
    if getattr(offer, f"{party}_answer") is not None:
        raise _refuse("offer.answered", f"the {party} has already answered offer {offer_id}")
    request = session.get(PoolRequest, offer.request_id, populate_existing=True)
    assert request is not None
    if answer is Answer.accepted:
        _check_still_possible(session, offer, request)
    setattr(offer, f"{party}_answer", answer)
    placement = None
    if answer is Answer.declined:
        offer.status = OfferStatus.declined
        offer.closed_at = moment
    elif offer.worker_answer == Answer.accepted and offer.council_answer == Answer.accepted:
        placement = _place(session=session, offer=offer, request=request, actor=actor, on=moment)
    session.add(offer)
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        action=f"pool.answer_{party}",
        entity="pool_offer",
        entity_id=offer.id,
        council_code=request.council_code,
        summary=f"offer {offer.id}: the {party} {answer.value}"
        + (f"; placement {placement.id} made" if placement is not None else ""),
        details={"answer": answer.value, "status": str(offer.status)},
    )
    return offer


def _check_still_possible(session: Session, offer: Offer, request: PoolRequest) -> None:
    problems = []
    if request.status == RequestStatus.withdrawn:
        problems.append(Problem("offer.request", f"request {request.id} has been withdrawn"))
    worker = session.get(PoolWorker, offer.worker_id, populate_existing=True)
    if worker is None or not worker.active:
        problems.append(
            Problem("offer.worker", f"worker {offer.worker_id} is no longer active in the pool")
        )
    if problems:
        raise InputDataError(problems)


def _place(
    *, session: Session, offer: Offer, request: PoolRequest, actor: Actor, on: datetime
) -> Placement:
    """The placement both acceptances make; the caller holds the worker's lock."""
    held = overlapping_placement(
        session=session, worker_id=offer.worker_id, start=offer.start_date, end=offer.end_date
    )
    if held is not None:
        raise _refuse(
            "placement.overlap",
            f"{overlap_words(held)}, which overlaps this offer's "
            f"{offer.start_date}..{offer.end_date}: a worker never holds two placements at once",
        )
    placement = Placement(
        offer_id=offer.id,  # type: ignore[arg-type]
        request_id=offer.request_id,
        worker_id=offer.worker_id,
        council_code=request.council_code,
        start_date=offer.start_date,
        end_date=offer.end_date,
        planned_end=offer.end_date,
        day_rate=offer.day_rate,
        created_at=on,
    )
    session.add(placement)
    offer.status = OfferStatus.accepted
    offer.closed_at = on
    session.flush()
    _, placed = posts_taken(session=session, request_id=offer.request_id)
    if placed >= request.posts and request.status == RequestStatus.open:
        request.status = RequestStatus.filled
        session.add(request)
    audit.record(
        session=session,
        actor=actor,
        action="pool.place",
        entity="pool_placement",
        entity_id=placement.id,
        council_code=request.council_code,
        summary=f"worker {offer.worker_id} placed with council {request.council_code} "
        f"{placement.start_date}..{placement.end_date} (request {request.id}"
        + (", now filled)" if request.status == RequestStatus.filled else ")"),
        details={"offer_id": offer.id, "request_id": request.id, "day_rate": offer.day_rate},
    )
    return placement


def answer_for_worker(
    *, session: Session, offer_id: int, answer: Answer, actor: Actor, on: datetime | None = None
) -> Offer:
    """The worker's answer, recorded by a coordinator; the offer as it now stands."""
    return _answer(
        session=session, offer_id=offer_id, party="worker", answer=answer, actor=actor, on=on
    )


def answer_for_council(
    *, session: Session, offer_id: int, answer: Answer, actor: Actor, on: datetime | None = None
) -> Offer:
    """The council's answer (its intervention lead, a coordinator or an administrator)."""
    return _answer(
        session=session, offer_id=offer_id, party="council", answer=answer, actor=actor, on=on
    )


def withdraw_offer(
    *,
    session: Session,
    offer_id: int,
    actor: Actor,
    reason: str = "",
    on: datetime | None = None,
) -> Offer:
    """Withdraw an open offer (the coordinator's), releasing the worker."""
    moment = as_utc(on) or utcnow()
    offer = _locked_offer(session, offer_id, "the withdrawal")
    if offer.status != OfferStatus.open:
        raise _refuse("offer.closed", f"offer {offer_id} is {offer.status}, not open")
    offer.status = OfferStatus.withdrawn
    offer.closed_at = moment
    session.add(offer)
    session.flush()
    request = session.get(PoolRequest, offer.request_id)
    audit.record(
        session=session,
        actor=actor,
        action="pool.withdraw",
        entity="pool_offer",
        entity_id=offer.id,
        council_code=request.council_code if request else None,
        summary=f"offer {offer.id} withdrawn" + (f": {reason}" if reason else ""),
        details={"reason": reason},
    )
    return offer


def offers_due_to_expire(*, session: Session, on: datetime) -> list[int]:
    """The ids of open offers whose ``expires_at`` is at or before ``on``."""
    return [
        offer_id
        for offer_id in session.exec(
            select(Offer.id)
            .where(Offer.status == OfferStatus.open, col(Offer.expires_at) <= as_utc(on))
            .order_by(col(Offer.id))
        ).all()
        if offer_id is not None
    ]


def expire_offer(*, session: Session, offer_id: int, on: datetime, actor: Actor) -> Offer | None:
    """Mark the offer expired if it is still open and past its ``expires_at`` at ``on``
    (releasing its worker); None if an answer or a withdrawal closed it first."""
    moment = as_utc(on)
    assert moment is not None
    offer = _locked_offer(session, offer_id, "the offer's expiry")
    if offer.status != OfferStatus.open or as_utc(offer.expires_at) > moment:  # type: ignore[operator]
        return None
    offer.status = OfferStatus.expired
    offer.closed_at = moment
    session.add(offer)
    session.flush()
    request = session.get(PoolRequest, offer.request_id)
    audit.record(
        session=session,
        actor=actor,
        action="pool.expire",
        entity="pool_offer",
        entity_id=offer.id,
        council_code=request.council_code if request else None,
        summary=f"offer {offer.id} of worker {offer.worker_id} expired unanswered at "
        f"{offer.expires_at:%Y-%m-%d %H:%M}",
    )
    return offer


def expire_offers(*, session: Session, on: datetime, actor: Actor) -> list[Offer]:
    """Mark every open offer past its ``expires_at`` expired, in the caller's one
    transaction (the job ``pool_housekeeping`` gives each offer a transaction of its own)."""
    expired = []
    for offer_id in offers_due_to_expire(session=session, on=on):
        done = expire_offer(session=session, offer_id=offer_id, on=on, actor=actor)
        if done is not None:
            expired.append(done)
    return expired
