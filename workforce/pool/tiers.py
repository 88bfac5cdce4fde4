"""Priority tiers: a council's on a day, and a request's.

A council's tier on a day is an intervention in force (tier 1), else its latest Ofsted
judgement published by then (inadequate, requires improvement), else other
(:func:`tiers_of`). A request's tier is the better of its council's on the day and a pool
coordinator's raise (:func:`request_tier`; the raise itself is
:func:`workforce.pool.service.raise_tier`).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlmodel import Session, col, func, or_, select

from workforce.inspections.models import Grade, Judgement
from workforce.pool.models import Intervention, PoolRequest
from workforce.pool.terms import Tier
from workforce.timeutils import utcnow

_GRADE_TIERS = {
    Grade.inadequate: Tier.inadequate,
    Grade.requires_improvement: Tier.requires_improvement,
}


def tiers_of(*, session: Session, council_codes: Iterable[str], on: date) -> dict[str, Tier]:
    """Return each council's tier on ``on``: an intervention in force, else its latest
    Ofsted judgement published by then (inadequate, requires improvement), else other."""
    codes = sorted(set(council_codes))
    tiers = dict.fromkeys(codes, Tier.other)
    if not codes:
        return tiers
    # In inspection order, so each council's later judgement replaces its earlier one.
    known_on = func.coalesce(
        Judgement.published, Judgement.inspection_end, Judgement.inspection_start
    )
    for code, grade in session.exec(
        select(Judgement.council_code, Judgement.grade)
        .where(col(Judgement.council_code).in_(codes), col(Judgement.grade).is_not(None))
        .where(known_on <= on)
        .order_by(col(Judgement.inspection_start))
    ):
        tiers[code] = _GRADE_TIERS.get(Grade(grade), Tier.other) if grade else Tier.other
    for code in session.exec(
        select(Intervention.council_code)
        .where(col(Intervention.council_code).in_(codes), Intervention.start_date <= on)
        .where(or_(col(Intervention.end_date).is_(None), col(Intervention.end_date) >= on))
    ):
        tiers[code] = Tier.intervention
    return tiers


def tier_of(*, session: Session, council_code: str, on: date) -> Tier:
    """Return the council's priority tier on ``on`` (see :func:`tiers_of`)."""
    return tiers_of(session=session, council_codes=[council_code], on=on)[council_code]


def request_tier(*, session: Session, request: PoolRequest, on: date | None = None) -> Tier:
    """Return the request's tier on ``on`` (blank: today): its council's, or the
    coordinator's raise where that is better."""
    tier = tier_of(session=session, council_code=request.council_code, on=on or utcnow().date())
    return tier if request.tier_raised_to is None else min(tier, Tier(request.tier_raised_to))
