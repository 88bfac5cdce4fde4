"""What the matcher is given, read from the database in a few set-wise queries: each active
worker's facts (:class:`~workforce.pool.matching.WorkerFacts`) and each open request's
(:class:`~workforce.pool.matching.RequestFacts`).

A worker's ``booked`` windows are their placements in force and their open offers, so a
worker already offered or placed for overlapping dates is never proposed again. A
request's open posts are its posts less those placed and those under an open offer. Its
tier is the council's on the day (:func:`workforce.pool.tiers.tiers_of`), or the
coordinator's raise if that is higher; its cooling-off is 3 months or, if longer, the
period of an MoU group the council is a member of on the request's start date.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from sqlmodel import Session, col, func, select

from workforce.councils.models import Council, Region
from workforce.mou.models import MouGroup, MouGroupCouncil
from workforce.mou.service import is_member_on
from workforce.pool.models import (
    AreaKind,
    Offer,
    OfferStatus,
    Placement,
    PoolAvailability,
    PoolPermanentPost,
    PoolRequest,
    PoolRequestSpecialism,
    PoolWorker,
    PoolWorkerArea,
    PoolWorkerSpecialism,
    Registration,
    RequestStatus,
)
from workforce.pool.rules import PermanentPost, RequestFacts, Window, WorkerFacts
from workforce.pool.terms import COOLING_OFF_MONTHS, PoolRole, Specialism, Tier
from workforce.pool.tiers import tiers_of


def _regions(session: Session) -> dict[str, str]:
    return dict(session.exec(select(Council.code, Council.region_code)).all())


def booked_windows(*, session: Session) -> dict[int, list[Window]]:
    """Each worker's placements (to their end in force) and open offers, by worker id."""
    booked: dict[int, list[Window]] = defaultdict(list)
    for worker_id, start, end in session.exec(
        select(col(Placement.worker_id), col(Placement.start_date), col(Placement.end_date))
    ):
        booked[worker_id].append(Window(start, end))
    for worker_id, start, end in session.exec(
        select(col(Offer.worker_id), col(Offer.start_date), col(Offer.end_date)).where(
            Offer.status == OfferStatus.open
        )
    ):
        booked[worker_id].append(Window(start, end))
    return booked


def worker_facts(*, session: Session, worker_ids: list[int] | None = None) -> list[WorkerFacts]:
    """The facts of every active worker (or of ``worker_ids``, active or not), by id."""
    query = select(PoolWorker).order_by(col(PoolWorker.id))
    query = (
        query.where(col(PoolWorker.id).in_(worker_ids))
        if worker_ids is not None
        else query.where(PoolWorker.active == True)  # noqa: E712
    )
    workers = list(session.exec(query))
    specialisms: dict[int, set[Specialism]] = defaultdict(set)
    for worker_id, specialism in session.exec(
        select(PoolWorkerSpecialism.worker_id, PoolWorkerSpecialism.specialism)
    ):
        specialisms[worker_id].add(Specialism(specialism))
    regions: dict[int, set[str]] = defaultdict(set)
    councils: dict[int, set[str]] = defaultdict(set)
    for worker_id, kind, code in session.exec(
        select(PoolWorkerArea.worker_id, PoolWorkerArea.kind, PoolWorkerArea.code)
    ):
        (regions if AreaKind(kind) is AreaKind.region else councils)[worker_id].add(code)
    available: dict[int, list[Window]] = defaultdict(list)
    for worker_id, start, end in session.exec(
        select(
            col(PoolAvailability.worker_id),
            col(PoolAvailability.start_date),
            col(PoolAvailability.end_date),
        ).order_by(col(PoolAvailability.start_date))
    ):
        available[worker_id].append(Window(start, end))
    region_of = _regions(session)
    posts: dict[int, list[PermanentPost]] = defaultdict(list)
    for worker_id, council_code, left_on in session.exec(
        select(
            col(PoolPermanentPost.worker_id),
            col(PoolPermanentPost.council_code),
            col(PoolPermanentPost.left_on),
        )
    ):
        posts[worker_id].append(
            PermanentPost(council_code, region_of.get(council_code, ""), left_on)
        )
    booked = booked_windows(session=session)
    region_names = dict(session.exec(select(Region.code, Region.name)).all())
    facts = []
    for w in workers:
        assert w.id is not None
        facts.append(
            WorkerFacts(
                id=w.id,
                role=PoolRole(w.role),
                registered=Registration(w.registration) is Registration.registered,
                registration_checked=w.registration_checked,
                qualified_on=w.qualified_on,
                specialisms=frozenset(specialisms[w.id]),
                intervention_experience=w.intervention_experience,
                home_region=w.home_region,
                work_regions=frozenset(regions[w.id]),
                work_councils=frozenset(councils[w.id]),
                remote=w.remote,
                available=tuple(available[w.id]),
                permanent_posts=tuple(posts[w.id]),
                day_rate=w.day_rate,
                booked=tuple(sorted(booked[w.id], key=lambda x: (x.start, x.end))),
                home_region_name=region_names.get(w.home_region, ""),
            )
        )
    return facts


def taken_posts(*, session: Session) -> dict[int, int]:
    """Each request's posts already placed or under an open offer."""
    taken: dict[int, int] = defaultdict(int)
    for request_id, n in session.exec(
        select(Placement.request_id, func.count()).group_by(col(Placement.request_id))
    ):
        taken[request_id] += n
    for request_id, n in session.exec(
        select(Offer.request_id, func.count())
        .where(Offer.status == OfferStatus.open)
        .group_by(col(Offer.request_id))
    ):
        taken[request_id] += n
    return taken


def group_memberships(
    *, session: Session, council_codes: list[str]
) -> dict[str, list[tuple[int, MouGroupCouncil]]]:
    """Each council's MoU group memberships over time, with the group's cooling-off
    months, read in one query."""
    found: dict[str, list[tuple[int, MouGroupCouncil]]] = defaultdict(list)
    for months, membership in session.exec(
        select(col(MouGroup.cooling_off_months), MouGroupCouncil)
        .join(MouGroup, col(MouGroup.name) == col(MouGroupCouncil.group_name))
        .where(col(MouGroupCouncil.council_code).in_(sorted(set(council_codes))))
    ):
        found[membership.council_code].append((months, membership))
    return found


def cooling_off_months(memberships: list[tuple[int, MouGroupCouncil]], on: date) -> int:
    """3 months, or the longest cooling-off of an MoU group the council is in on ``on``."""
    return max(
        [COOLING_OFF_MONTHS]
        + [months for months, membership in memberships if is_member_on(membership, on)]
    )


def raised(tier: Tier, request: PoolRequest) -> Tier:
    """The council's ``tier``, or the request's coordinator raise where that is better."""
    return tier if request.tier_raised_to is None else min(tier, Tier(request.tier_raised_to))


def request_facts(
    *, session: Session, on: date, request_ids: list[int] | None = None
) -> list[RequestFacts]:
    """The facts of every open request with posts still to fill (or of ``request_ids``)."""
    query = select(PoolRequest).order_by(col(PoolRequest.id))
    query = (
        query.where(col(PoolRequest.id).in_(request_ids))
        if request_ids is not None
        else query.where(PoolRequest.status == RequestStatus.open)
    )
    requests = list(session.exec(query))
    wanted: dict[int, tuple[set[Specialism], set[Specialism]]] = defaultdict(lambda: (set(), set()))
    for request_id, specialism, required in session.exec(
        select(
            PoolRequestSpecialism.request_id,
            PoolRequestSpecialism.specialism,
            PoolRequestSpecialism.required,
        )
    ):
        wanted[request_id][0 if required else 1].add(Specialism(specialism))
    councils = {c.code: c for c in session.exec(select(Council))}
    region_names = dict(session.exec(select(Region.code, Region.name)).all())
    taken = taken_posts(session=session)
    codes = [r.council_code for r in requests]
    tiers = tiers_of(session=session, council_codes=codes, on=on)
    groups = group_memberships(session=session, council_codes=codes)
    facts = []
    for r in requests:
        assert r.id is not None
        open_posts = r.posts - taken.get(r.id, 0)
        if open_posts <= 0 and request_ids is None:
            continue
        council = councils[r.council_code]
        required_set, preferred_set = wanted[r.id]
        facts.append(
            RequestFacts(
                id=r.id,
                council_code=r.council_code,
                council_name=council.name,
                region=council.region_code,
                region_name=region_names.get(council.region_code, ""),
                role=PoolRole(r.role),
                grade_flex=r.grade_flex,
                posts=max(open_posts, 0),
                required=frozenset(required_set),
                preferred=frozenset(preferred_set),
                start=r.start_date,
                end=r.end_date,
                onsite_days=r.onsite_days,
                max_day_rate=r.max_day_rate,
                tier=raised(tiers[r.council_code], r),
                cooling_off_months=cooling_off_months(groups.get(r.council_code, []), r.start_date),
            )
        )
    return facts
