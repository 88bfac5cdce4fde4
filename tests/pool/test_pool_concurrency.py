"""The pool's other write paths under concurrent callers: offers of one worker for
overlapping requests, offers for a request's last post, a request withdrawn while its
offer is accepted, and two match runs. Real threads, each with its own session, start
together at a barrier; a pause is patched in after each writer's check, so without the
locks every thread would check before any wrote, every time."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, select

from tests.builders import pool_offers as build
from tests.builders.people import TEST_ACTOR
from tests.racing import at_once, refusals, slowed
from workforce.pool import answers, flows, offers, service
from workforce.pool.models import (
    Answer,
    MatchRun,
    Offer,
    OfferCreate,
    OfferStatus,
    Placement,
    PoolRequest,
    Proposal,
    RequestStatus,
    Unfilled,
)


def test_two_offers_of_one_worker_for_overlapping_requests_at_once_one_is_made(
    reference_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Session(reference_engine, expire_on_commit=False) as s:
        w = build.worker(s)
        camden = build.request(s, build.CAMDEN, start=date(2027, 1, 4), end=date(2027, 4, 2))
        greenwich = build.request(s, build.GREENWICH, start=date(2027, 3, 1), end=date(2027, 6, 30))
        s.commit()
        worker_id, ids = w.id, [camden.id, greenwich.id]
    assert worker_id is not None
    slowed(monkeypatch, offers, "_open_offer_overlapping", 0.2)

    def offer(session: Session, n: int) -> Offer:
        request_id = ids[n]
        assert request_id is not None
        return offers.make_offer(
            session=session,
            new=OfferCreate(request_id=request_id, worker_id=worker_id),
            actor=TEST_ACTOR,
        )

    results = at_once(reference_engine, 2, offer)
    assert sum(isinstance(r, Offer) for r in results) == 1, results
    assert len(refusals(results)) == 1
    with Session(reference_engine) as s:
        assert s.exec(select(func.count()).select_from(Offer)).one() == 1


def test_offers_for_a_requests_last_post_at_once_one_is_made(
    reference_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Session(reference_engine, expire_on_commit=False) as s:
        workers = [build.worker(s, name=f"Worker {n}") for n in range(4)]
        req = build.request(s, build.CAMDEN, posts=1)
        s.commit()
        request_id, worker_ids = req.id, [w.id for w in workers]
    assert request_id is not None
    slowed(monkeypatch, offers, "posts_taken", 0.2)

    def offer(session: Session, n: int) -> Offer:
        worker_id = worker_ids[n]
        assert worker_id is not None
        return offers.make_offer(
            session=session,
            new=OfferCreate(request_id=request_id, worker_id=worker_id),
            actor=TEST_ACTOR,
        )

    results = at_once(reference_engine, 4, offer)
    assert sum(isinstance(r, Offer) for r in results) == 1, results
    assert len(refusals(results)) == 3
    with Session(reference_engine) as s:
        assert s.exec(select(func.count()).select_from(Offer)).one() == 1


def test_a_request_withdrawn_while_its_offer_is_accepted_never_ends_withdrawn_and_placed(
    reference_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Session(reference_engine, expire_on_commit=False) as s:
        w = build.worker(s)
        req = build.request(s, build.CAMDEN, posts=1)
        made = build.offer(s, req, w, worker_answer=Answer.accepted)
        s.commit()
        request_id, offer_id = req.id, made.id
    assert request_id is not None and offer_id is not None
    slowed(monkeypatch, answers, "overlapping_placement", 0.2)  # the acceptance's check

    def act(session: Session, n: int) -> object:
        if n == 0:
            return service.withdraw_request(
                session=session, request_id=request_id, actor=TEST_ACTOR
            )
        return answers.answer_for_council(
            session=session, offer_id=offer_id, answer=Answer.accepted, actor=TEST_ACTOR
        )

    results = at_once(reference_engine, 2, act)
    assert len(refusals(results)) == 1, results  # exactly one of the two was refused
    with Session(reference_engine) as s:
        request = s.get(PoolRequest, request_id)
        offer = s.get(Offer, offer_id)
        placed = s.exec(select(func.count()).select_from(Placement)).one()
    assert request is not None and offer is not None
    if placed:
        assert request.status == RequestStatus.filled and offer.status == OfferStatus.accepted
    else:
        assert request.status == RequestStatus.withdrawn and offer.status == OfferStatus.withdrawn


def test_two_match_runs_at_once_are_stored_one_after_the_other(
    reference_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Session(reference_engine, expire_on_commit=False) as s:
        for n in range(3):
            build.worker(s, name=f"Worker {n}")
        build.request(s, build.CAMDEN, posts=2)
        build.request(s, build.GREENWICH, posts=2)
        s.commit()
    slowed(monkeypatch, flows, "match", 0.2)

    def run(session: Session, _: int) -> flows.MatchOutcome:
        return flows.run_match(session=session, actor=TEST_ACTOR, on=date(2026, 12, 1))

    results = at_once(reference_engine, 2, run)
    assert all(isinstance(r, flows.MatchOutcome) for r in results), results
    with Session(reference_engine) as s:
        runs = s.exec(select(MatchRun).order_by(col(MatchRun.id))).all()
        assert len(runs) == 2
        for r in runs:
            rows = (
                s.exec(
                    select(func.count()).select_from(Proposal).where(Proposal.run_id == r.id)
                ).one()
                + s.exec(
                    select(func.count()).select_from(Unfilled).where(Unfilled.run_id == r.id)
                ).one()
            )
            assert rows == r.posts == 4
