"""What the pool's pages show: the coordinator's board and a council's requests, each
request with its tier, its posts (placed, offered, open), the latest match run's proposals
with their score breakdown and its unfilled posts with their reason and nearest miss.

Workers' personal data stays with the coordinators: a council is shown a proposed or
offered worker as a profile (role, years qualified, specialisms, intervention experience,
day rate), and by name and Social Work England number only once placed with it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlmodel import Session, col, select

from workforce.councils.models import Council
from workforce.pool import facts
from workforce.pool.flows import latest_run, proposals_of, unfilled_of
from workforce.pool.models import (
    MatchRun,
    Offer,
    OfferStatus,
    Placement,
    PoolRequest,
    PoolRequestSpecialism,
    PoolWorker,
    PoolWorkerSpecialism,
    RequestStatus,
)
from workforce.pool.terms import (
    ROLE_LABELS,
    SPECIALISM_LABELS,
    TIER_LABELS,
    PoolRole,
    Specialism,
    Tier,
)
from workforce.pool.tiers import tiers_of
from workforce.timeutils import utcnow


def years_between(start: date, end: date) -> float:
    return (end - start).days / 365.25


@dataclass
class WorkerView:
    """A worker as the viewer may see them: ``name`` and ``swe_number`` are blank unless
    the viewer is a coordinator or the worker is placed with the viewer's council."""

    id: int
    profile: str
    name: str = ""
    swe_number: str = ""


@dataclass
class ProposalView:
    id: int
    slot: int
    worker: WorkerView
    score: float
    breakdown: dict[str, object]


@dataclass
class UnfilledView:
    slot: int
    reason: str
    nearest: WorkerView | None
    nearest_failures: list[str]


@dataclass
class OfferView:
    id: int
    worker: WorkerView
    status: str
    worker_answer: str | None
    council_answer: str | None
    start_date: date
    end_date: date
    day_rate: float
    expires_on: date


@dataclass
class PlacementView:
    id: int
    worker: WorkerView
    start_date: date
    end_date: date
    planned_end: date
    day_rate: float
    ended_early_reason: str


@dataclass
class RequestView:
    id: int
    council_code: str
    council_name: str
    role_label: str
    grade_flex: bool
    posts: int
    required: list[str]
    preferred: list[str]
    start_date: date
    end_date: date
    onsite_days: int
    max_day_rate: float
    reason: str
    status: str
    tier: int
    tier_label: str
    tier_reason: str
    is_example: bool
    placed: int = 0
    offered: int = 0
    proposals: list[ProposalView] = field(default_factory=list)
    unfilled: list[UnfilledView] = field(default_factory=list)
    offers: list[OfferView] = field(default_factory=list)
    placements: list[PlacementView] = field(default_factory=list)

    @property
    def open_posts(self) -> int:
        return max(self.posts - self.placed - self.offered, 0)


@dataclass
class Board:
    run: MatchRun | None
    requests: list[RequestView]

    def by_tier(self) -> list[tuple[int, str, list[RequestView]]]:
        tiers: dict[int, list[RequestView]] = defaultdict(list)
        for r in self.requests:
            tiers[r.tier].append(r)
        return [(t, TIER_LABELS[Tier(t)], tiers[t]) for t in sorted(tiers)]


def _profiles(session: Session, worker_ids: set[int], on: date) -> dict[int, PoolWorker]:
    if not worker_ids:
        return {}
    return {
        w.id: w
        for w in session.exec(select(PoolWorker).where(col(PoolWorker.id).in_(worker_ids)))
        if w.id is not None
    }


def _specialisms(session: Session, worker_ids: set[int]) -> dict[int, list[str]]:
    found: dict[int, list[str]] = defaultdict(list)
    if worker_ids:
        for worker_id, s in session.exec(
            select(PoolWorkerSpecialism.worker_id, PoolWorkerSpecialism.specialism)
            .where(col(PoolWorkerSpecialism.worker_id).in_(worker_ids))
            .order_by(col(PoolWorkerSpecialism.specialism))
        ):
            found[worker_id].append(SPECIALISM_LABELS[Specialism(s)])
    return found


def board(
    *,
    session: Session,
    council_codes: list[str] | None = None,
    show_workers: bool,
    include_closed: bool = False,
    on: date | None = None,
) -> Board:
    """The requests of ``council_codes`` (None: every council), newest run's proposals and
    unfilled posts, offers and placements; workers named only where ``show_workers`` or
    placed with the request's council."""
    today = on or utcnow().date()
    query = select(PoolRequest)
    if council_codes is not None:
        query = query.where(col(PoolRequest.council_code).in_(council_codes))
    if not include_closed:
        query = query.where(PoolRequest.status == RequestStatus.open)
    requests = list(session.exec(query.order_by(col(PoolRequest.start_date), col(PoolRequest.id))))
    ids = [r.id for r in requests if r.id is not None]
    run = latest_run(session=session)
    proposals = (
        proposals_of(session=session, run_id=run.id, request_ids=ids)
        if run is not None and run.id is not None
        else []
    )
    unfilled = (
        unfilled_of(session=session, run_id=run.id, request_ids=ids)
        if run is not None and run.id is not None
        else []
    )
    offers = list(
        session.exec(select(Offer).where(col(Offer.request_id).in_(ids)).order_by(col(Offer.id)))
    )
    placements = list(
        session.exec(
            select(Placement).where(col(Placement.request_id).in_(ids)).order_by(col(Placement.id))
        )
    )
    worker_ids = (
        {p.worker_id for p in proposals}
        | {u.nearest_worker_id for u in unfilled if u.nearest_worker_id is not None}
        | {o.worker_id for o in offers}
        | {p.worker_id for p in placements}
    )
    workers = _profiles(session, worker_ids, today)
    specialisms = _specialisms(session, worker_ids)
    placed_with = {(p.worker_id, p.council_code) for p in placements}

    def view(worker_id: int, council_code: str) -> WorkerView:
        w = workers[worker_id]
        years = years_between(w.qualified_on, today)
        profile = (
            f"{ROLE_LABELS[PoolRole(w.role)]}, {years:.0f} years qualified"
            + (f"; {', '.join(specialisms[worker_id])}" if specialisms[worker_id] else "")
            + ("; intervention experience" if w.intervention_experience else "")
            + f"; £{w.day_rate:,.0f} a day"
        )
        named = show_workers or (worker_id, council_code) in placed_with
        return WorkerView(
            id=worker_id,
            profile=profile,
            name=w.name if named else "",
            swe_number=w.swe_number if named else "",
        )

    councils = {c.code: c.name for c in session.exec(select(Council))}
    wanted: dict[int, tuple[list[str], list[str]]] = defaultdict(lambda: ([], []))
    for request_id, s, required in session.exec(
        select(
            PoolRequestSpecialism.request_id,
            PoolRequestSpecialism.specialism,
            PoolRequestSpecialism.required,
        )
        .where(col(PoolRequestSpecialism.request_id).in_(ids))
        .order_by(col(PoolRequestSpecialism.specialism))
    ):
        wanted[request_id][0 if required else 1].append(SPECIALISM_LABELS[Specialism(s)])
    views: dict[int, RequestView] = {}
    tiers = tiers_of(session=session, council_codes=[r.council_code for r in requests], on=today)
    for r in requests:
        assert r.id is not None
        tier = facts.raised(tiers[r.council_code], r)
        views[r.id] = RequestView(
            id=r.id,
            council_code=r.council_code,
            council_name=councils.get(r.council_code, r.council_code),
            role_label=ROLE_LABELS[PoolRole(r.role)],
            grade_flex=r.grade_flex,
            posts=r.posts,
            required=wanted[r.id][0],
            preferred=wanted[r.id][1],
            start_date=r.start_date,
            end_date=r.end_date,
            onsite_days=r.onsite_days,
            max_day_rate=r.max_day_rate,
            reason=r.reason,
            status=str(r.status),
            tier=int(tier),
            tier_label=TIER_LABELS[tier],
            tier_reason=r.tier_reason,
            is_example=r.is_example,
        )
    for o in offers:
        v = views[o.request_id]
        if OfferStatus(o.status) is OfferStatus.open:
            v.offered += 1
        v.offers.append(
            OfferView(
                id=o.id or 0,
                worker=view(o.worker_id, v.council_code),
                status=str(o.status),
                worker_answer=o.worker_answer,
                council_answer=o.council_answer,
                start_date=o.start_date,
                end_date=o.end_date,
                day_rate=o.day_rate,
                expires_on=o.expires_at.date(),
            )
        )
    for placement in placements:
        v = views[placement.request_id]
        v.placed += 1
        v.placements.append(
            PlacementView(
                id=placement.id or 0,
                worker=view(placement.worker_id, v.council_code),
                start_date=placement.start_date,
                end_date=placement.end_date,
                planned_end=placement.planned_end,
                day_rate=placement.day_rate,
                ended_early_reason=placement.ended_early_reason,
            )
        )
    offered_or_placed = {(o.request_id, o.worker_id) for o in offers} | {
        (x.request_id, x.worker_id) for x in placements
    }
    for p in proposals:
        if (p.request_id, p.worker_id) in offered_or_placed:
            continue  # already acted on
        v = views[p.request_id]
        v.proposals.append(
            ProposalView(
                id=p.id or 0,
                slot=p.slot,
                worker=view(p.worker_id, v.council_code),
                score=p.score,
                breakdown=p.breakdown,
            )
        )
    for u in unfilled:
        v = views[u.request_id]
        v.unfilled.append(
            UnfilledView(
                slot=u.slot,
                reason=u.reason,
                nearest=(
                    view(u.nearest_worker_id, v.council_code)
                    if u.nearest_worker_id is not None
                    else None
                ),
                nearest_failures=list(u.nearest_failures),
            )
        )
    ordered = sorted(views.values(), key=lambda v: (v.tier, v.start_date, v.id))
    return Board(run=run, requests=ordered)
