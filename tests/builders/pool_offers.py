"""Pool workers, requests, offers and placements built straight from the tables, for the
offers, placements, housekeeping and reporting tests (on the bundled reference data)."""

from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta

from sqlmodel import Session

from workforce.councils.models import Council
from workforce.pool.models import (
    Answer,
    MatchRun,
    Offer,
    OfferStatus,
    Placement,
    PoolAvailability,
    PoolRequest,
    PoolWorker,
    PoolWorkerSpecialism,
    Proposal,
    Registration,
    RequestStatus,
    Unfilled,
)
from workforce.pool.terms import PoolRole, Specialism
from workforce.timeutils import utcnow

CAMDEN, GREENWICH = "202", "203"
START, END = date(2027, 1, 4), date(2027, 4, 2)
_swe = itertools.count(900001)


def worker(
    s: Session,
    name: str = "Test Worker",
    *,
    role: PoolRole = PoolRole.social_worker,
    day_rate: float = 400.0,
    active: bool = True,
    specialisms: tuple[Specialism, ...] = (),
    available: tuple[date, date] | None = None,
    home_council: str = CAMDEN,
) -> PoolWorker:
    council = s.get(Council, home_council)
    assert council is not None
    row = PoolWorker(
        name=name,
        role=role,
        swe_number=f"SW{next(_swe)}",
        registration=Registration.registered,
        registration_checked=date(2026, 11, 1),
        qualified_on=date(2015, 7, 1),
        home_region=council.region_code,
        day_rate=day_rate,
        active=active,
    )
    s.add(row)
    s.flush()
    assert row.id is not None
    for specialism in specialisms:
        s.add(PoolWorkerSpecialism(worker_id=row.id, specialism=specialism))
    if available is not None:
        s.add(PoolAvailability(worker_id=row.id, start_date=available[0], end_date=available[1]))
    s.flush()
    return row


def request(
    s: Session,
    council: str = CAMDEN,
    *,
    posts: int = 1,
    role: PoolRole = PoolRole.social_worker,
    start: date = START,
    end: date = END,
    status: RequestStatus = RequestStatus.open,
    created_at: datetime | None = None,
    tier_raised_to: int | None = None,
) -> PoolRequest:
    row = PoolRequest(
        council_code=council,
        role=role,
        posts=posts,
        start_date=start,
        end_date=end,
        onsite_days=3,
        max_day_rate=500.0,
        reason="cover after an inadequate judgement",
        status=status,
        tier_raised_to=tier_raised_to,
        created_by="lead@example.gov.uk",
        created_at=created_at or utcnow(),
    )
    s.add(row)
    s.flush()
    return row


def offer(
    s: Session,
    req: PoolRequest,
    w: PoolWorker,
    *,
    start: date | None = None,
    end: date | None = None,
    council_answer: Answer | None = None,
    worker_answer: Answer | None = None,
    expires_at: datetime | None = None,
    status: OfferStatus = OfferStatus.open,
) -> Offer:
    assert req.id is not None and w.id is not None
    row = Offer(
        request_id=req.id,
        worker_id=w.id,
        start_date=start or req.start_date,
        end_date=end or req.end_date,
        day_rate=w.day_rate,
        status=status,
        council_answer=council_answer,
        worker_answer=worker_answer,
        expires_at=expires_at or utcnow() + timedelta(days=5),
        created_by="coordinator@example.gov.uk",
    )
    s.add(row)
    s.flush()
    return row


def placement(
    s: Session,
    req: PoolRequest,
    w: PoolWorker,
    *,
    start: date | None = None,
    end: date | None = None,
    created_at: datetime | None = None,
) -> Placement:
    o = offer(
        s,
        req,
        w,
        start=start,
        end=end,
        council_answer=Answer.accepted,
        worker_answer=Answer.accepted,
        status=OfferStatus.accepted,
    )
    assert o.id is not None and req.id is not None and w.id is not None
    row = Placement(
        offer_id=o.id,
        request_id=req.id,
        worker_id=w.id,
        council_code=req.council_code,
        start_date=o.start_date,
        end_date=o.end_date,
        planned_end=o.end_date,
        day_rate=o.day_rate,
        created_at=created_at or utcnow(),
    )
    s.add(row)
    s.flush()
    return row


def match_run(
    s: Session,
    *,
    proposals: list[tuple[PoolRequest, PoolWorker]] = (),  # type: ignore[assignment]
    unfilled: list[tuple[PoolRequest, str]] = (),  # type: ignore[assignment]
    run_at: datetime | None = None,
) -> tuple[MatchRun, list[Proposal]]:
    """A stored match run with a proposal per (request, worker) and an unfilled post per
    (request, reason)."""
    run = MatchRun(
        run_at=run_at or utcnow(),
        run_by="coordinator@example.gov.uk",
        workers=len(proposals),
        posts=len(proposals) + len(unfilled),
        filled=len(proposals),
    )
    s.add(run)
    s.flush()
    assert run.id is not None
    made = []
    slots: dict[int, int] = {}
    for req, w in proposals:
        assert req.id is not None and w.id is not None
        slot = slots[req.id] = slots.get(req.id, 0) + 1
        p = Proposal(run_id=run.id, request_id=req.id, slot=slot, worker_id=w.id, tier=2, score=1.0)
        s.add(p)
        made.append(p)
    for req, reason in unfilled:
        assert req.id is not None
        slot = slots[req.id] = slots.get(req.id, 0) + 1
        s.add(Unfilled(run_id=run.id, request_id=req.id, slot=slot, tier=2, reason=reason))
    s.flush()
    return run, made
