"""The emergency pool's reads and small writes: interventions, requests, tiers; workers.

- **Workers** are read through :mod:`workforce.pool.workers` (its reads are importable from
  here too) and added and changed by the import (:mod:`workforce.pool.workers_import`);
  who sees what is :mod:`workforce.pool.access`'s to say.
- **Interventions** (a statutory direction or a commissioner, with dates) are recorded and
  ended by an administrator.
- **Requests** are made by a council's intervention lead for their own council (or by an
  administrator for any); they last ``weeks`` whole weeks from their start. A coordinator
  may raise a request's priority tier with a reason, never to a tier no better than the
  one it already has.
- A request's **tier** is the better of its council's on the day (:func:`tier_of`: an
  intervention in force, else the latest Ofsted judgement) and the coordinator's raise.

Every write is audited in its transaction and takes the pool's write lock
(:mod:`workforce.pool.locking`) before the reads its checks make; the caller commits.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, timedelta
from typing import ClassVar

from sqlmodel import Field, Session, col, func, or_, select

from workforce.auth import audit
from workforce.auth.audit import Actor
from workforce.councils.models import Council
from workforce.councils.service import find_council
from workforce.errors import InputDataError, NotFoundError, Problem
from workforce.inspections.models import Grade, Judgement
from workforce.pool.locking import lock_for_writing, request_subject
from workforce.pool.models import (
    Intervention,
    InterventionCreate,
    Offer,
    OfferStatus,
    Placement,
    PoolRequest,
    PoolRequestSpecialism,
    RequestCreate,
    RequestPublic,
    RequestStatus,
    TierRaise,
)
from workforce.pool.terms import TIER_LABELS, PoolRole, Specialism, Tier
from workforce.timeutils import utcnow

_GRADE_TIERS = {
    Grade.inadequate: Tier.inadequate,
    Grade.requires_improvement: Tier.requires_improvement,
}


class CouncilRequestCreate(RequestCreate):
    """A request and the council it is for (blank: the intervention lead's own council)."""

    FIELD_MESSAGES: ClassVar[dict[str, str]] = {
        **RequestCreate.FIELD_MESSAGES,
        "council": "the council's DfE 3-digit or ONS code",
    }
    council: str | None = Field(default=None, min_length=1, max_length=9)


# --- tiers -----------------------------------------------------------------------------------


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


# --- interventions ---------------------------------------------------------------------------


def record_intervention(*, session: Session, new: InterventionCreate, actor: Actor) -> Intervention:
    """Record a council's statutory direction or commissioner (an administrator's write)."""
    if problems := new.problems():
        raise InputDataError(problems)
    try:
        council = find_council(session=session, code=new.council)
    except NotFoundError as exc:
        raise InputDataError(
            [Problem("intervention.council", str(exc), column="council", value=new.council)]
        ) from None
    lock_for_writing(
        session=session,
        subjects=[f"interventions:{council.code}"],
        what=f"the intervention for {council.name}",
    )
    row = Intervention(
        council_code=council.code,
        kind=new.kind,
        start_date=new.start_date,
        end_date=new.end_date,
        note=new.note,
        recorded_by=actor.name,
    )
    session.add(row)
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        action="create",
        entity="pool_intervention",
        entity_id=row.id,
        council_code=council.code,
        summary=f"recorded a {new.kind.value.replace('_', ' ')} for {council.name} from "
        f"{new.start_date}" + (f" to {new.end_date}" if new.end_date else ""),
        details=new.model_dump(mode="json"),
    )
    return row


def list_interventions(
    *, session: Session, council_code: str | None = None, councils: frozenset[str] | None = None
) -> list[Intervention]:
    """Return interventions, latest start first: of one council, or of ``councils``
    (None: every council)."""
    query = select(Intervention).order_by(
        col(Intervention.start_date).desc(), col(Intervention.id).desc()
    )
    if council_code is not None:
        query = query.where(Intervention.council_code == council_code)
    if councils is not None:
        query = query.where(col(Intervention.council_code).in_(sorted(councils)))
    return list(session.exec(query))


def end_intervention(
    *, session: Session, intervention_id: int, end_date: date, actor: Actor
) -> Intervention:
    """End the intervention on ``end_date`` (an administrator's write); refused if that is
    before it started or it has already ended."""
    found = session.get(Intervention, intervention_id)
    if found is None:
        raise NotFoundError(f"No intervention with id {intervention_id}.")
    code = found.council_code
    session.expire(found)  # read again under the lock
    lock_for_writing(
        session=session, subjects=[f"interventions:{code}"], what="the intervention's end"
    )
    row = session.get(Intervention, intervention_id)
    assert row is not None
    if row.end_date is not None:
        problem = f"this intervention already ended on {row.end_date}"
    elif end_date < row.start_date:
        problem = f"the end is before the start ({row.start_date})"
    else:
        problem = ""
    if problem:
        raise InputDataError(
            [Problem("intervention.end_date", problem, column="end_date", value=str(end_date))]
        )
    row.end_date = end_date
    session.add(row)
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        action="update",
        entity="pool_intervention",
        entity_id=row.id,
        council_code=row.council_code,
        summary=f"ended intervention {row.id} on {end_date}",
        details={"end_date": end_date.isoformat()},
    )
    return row


# --- requests --------------------------------------------------------------------------------


def create_request(
    *,
    session: Session,
    council_code: str,
    new: RequestCreate,
    actor: Actor,
    today: date | None = None,
    is_example: bool = False,
) -> PoolRequest:
    """Record a council's request for pool staff; it ends ``weeks`` whole weeks after its
    start. Refused if it starts in the past."""
    today = today or utcnow().date()
    council = find_council(session=session, code=council_code)
    if new.start_date < today and not is_example:
        raise InputDataError(
            [
                Problem(
                    "request.start_date",
                    "the start is in the past",
                    column="start_date",
                    value=new.start_date.isoformat(),
                )
            ]
        )
    row = PoolRequest(
        council_code=council.code,
        role=new.role,
        grade_flex=new.grade_flex,
        posts=new.posts,
        start_date=new.start_date,
        end_date=new.start_date + timedelta(days=new.weeks * 7 - 1),
        onsite_days=new.onsite_days,
        max_day_rate=new.max_day_rate,
        reason=new.reason,
        is_example=is_example,
        created_by=actor.name,
    )
    session.add(row)
    session.flush()
    assert row.id is not None
    for specialisms, required in ((new.required, True), (new.preferred, False)):
        session.add_all(
            PoolRequestSpecialism(request_id=row.id, specialism=s, required=required)
            for s in specialisms
        )
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        action="create",
        entity="pool_request",
        entity_id=row.id,
        council_code=council.code,
        summary=f"requested {new.posts} {new.role.value.replace('_', ' ')} post(s) for "
        f"{council.name} from {row.start_date} to {row.end_date}",
        details=new.model_dump(mode="json", exclude={"council"}),
    )
    return row


def get_request(*, session: Session, request_id: int) -> PoolRequest:
    """Return the request ``request_id``."""
    row = session.get(PoolRequest, request_id)
    if row is None:
        raise NotFoundError(f"No pool request with id {request_id}.")
    return row


def list_requests(
    *,
    session: Session,
    councils: frozenset[str] | None = None,
    council_code: str | None = None,
    status: RequestStatus | None = None,
) -> list[PoolRequest]:
    """Return requests, newest first: of ``councils`` (None: every council), of one
    council or of one status if given."""
    query = select(PoolRequest).order_by(
        col(PoolRequest.created_at).desc(), col(PoolRequest.id).desc()
    )
    if councils is not None:
        query = query.where(col(PoolRequest.council_code).in_(sorted(councils)))
    if council_code is not None:
        query = query.where(PoolRequest.council_code == council_code)
    if status is not None:
        query = query.where(PoolRequest.status == status)
    return list(session.exec(query))


def requests_public(
    *, session: Session, requests: list[PoolRequest], on: date | None = None
) -> list[RequestPublic]:
    """Return the requests as the API shows them, each with its tier on ``on`` (blank:
    today), its specialisms and the number of its posts placed."""
    on = on or utcnow().date()
    ids = [r.id for r in requests if r.id is not None]
    wanted: dict[int, tuple[list[Specialism], list[Specialism]]] = defaultdict(lambda: ([], []))
    filled: dict[int, int] = {}
    if ids:
        for s in session.exec(
            select(PoolRequestSpecialism).where(col(PoolRequestSpecialism.request_id).in_(ids))
        ):
            wanted[s.request_id][0 if s.required else 1].append(Specialism(s.specialism))
        filled = dict(
            session.exec(
                select(Placement.request_id, func.count())
                .where(col(Placement.request_id).in_(ids))
                .group_by(col(Placement.request_id))
            ).all()
        )
    codes = {r.council_code for r in requests}
    tiers = tiers_of(session=session, council_codes=codes, on=on)
    names = dict(
        session.exec(
            select(Council.code, Council.name).where(col(Council.code).in_(sorted(codes)))
        ).all()
    )
    out = []
    for r in requests:
        assert r.id is not None
        tier = tiers[r.council_code]
        if r.tier_raised_to is not None:
            tier = min(tier, Tier(r.tier_raised_to))
        required, preferred = wanted[r.id]
        out.append(
            RequestPublic(
                id=r.id,
                council_code=r.council_code,
                council_name=names.get(r.council_code, r.council_code),
                role=PoolRole(r.role),
                grade_flex=r.grade_flex,
                posts=r.posts,
                filled=filled.get(r.id, 0),
                required=sorted(required),
                preferred=sorted(preferred),
                start_date=r.start_date,
                end_date=r.end_date,
                onsite_days=r.onsite_days,
                max_day_rate=r.max_day_rate,
                reason=r.reason,
                status=RequestStatus(r.status),
                tier=tier,
                tier_reason=r.tier_reason,
                is_example=r.is_example,
                created_by=r.created_by,
                created_at=r.created_at,
            )
        )
    return out


def request_public(
    *, session: Session, request: PoolRequest, on: date | None = None
) -> RequestPublic:
    """Return one request as the API shows it (see :func:`requests_public`)."""
    return requests_public(session=session, requests=[request], on=on)[0]


def _locked_request(session: Session, request_id: int, what: str) -> PoolRequest:
    """The request, read again once this transaction holds its write lock."""
    lock_for_writing(session=session, subjects=[request_subject(request_id)], what=what)
    row = session.get(PoolRequest, request_id)
    if row is None:
        raise NotFoundError(f"No pool request with id {request_id}.")
    session.refresh(row)
    return row


def withdraw_request(*, session: Session, request_id: int, actor: Actor) -> PoolRequest:
    """Withdraw an open request; refused if it is filled or already withdrawn. Its open
    offers are withdrawn with it, releasing their workers (each audited); an answer to one
    waits for the request's lock and then finds it closed."""
    row = _locked_request(session, request_id, f"the withdrawal of request {request_id}")
    if row.status != RequestStatus.open:
        raise InputDataError(
            [Problem("request.status", f"this request is {row.status}, not open", value=row.status)]
        )
    row.status = RequestStatus.withdrawn
    session.add(row)
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        action="withdraw",
        entity="pool_request",
        entity_id=row.id,
        council_code=row.council_code,
        summary=f"withdrew request {row.id}",
    )
    moment = utcnow()
    for offer in session.exec(
        select(Offer).where(Offer.request_id == row.id, Offer.status == OfferStatus.open)
    ):
        offer.status = OfferStatus.withdrawn
        offer.closed_at = moment
        session.add(offer)
        session.flush()
        audit.record(
            session=session,
            actor=actor,
            action="pool.withdraw",
            entity="pool_offer",
            entity_id=offer.id,
            council_code=row.council_code,
            summary=f"offer {offer.id} withdrawn: request {row.id} was withdrawn",
            details={"reason": "the request was withdrawn"},
        )
    return row


def raise_tier(
    *, session: Session, request_id: int, change: TierRaise, actor: Actor, on: date | None = None
) -> PoolRequest:
    """Raise the request's priority tier to ``change.tier`` with its reason (a pool
    coordinator's write); refused unless that is better than the tier it has on ``on``
    (blank: today), so a raise never lowers it."""
    row = _locked_request(session, request_id, f"the tier of request {request_id}")
    current = request_tier(session=session, request=row, on=on)
    if change.tier >= current:
        raise InputDataError(
            [
                Problem(
                    "tier.tier",
                    f"the request is already in tier {int(current)} ({TIER_LABELS[current]}); "
                    "a raise must put it in a higher tier (a lower number)",
                    column="tier",
                    value=str(int(change.tier)),
                )
            ]
        )
    if row.status != RequestStatus.open:
        raise InputDataError(
            [Problem("request.status", f"this request is {row.status}, not open", value=row.status)]
        )
    before = row.tier_raised_to
    row.tier_raised_to = int(change.tier)
    row.tier_reason = change.reason
    session.add(row)
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        action="raise_tier",
        entity="pool_request",
        entity_id=row.id,
        council_code=row.council_code,
        summary=f"raised request {row.id} from tier {int(current)} to tier {int(change.tier)}: "
        f"{change.reason}",
        details={
            "from": int(current),
            "raised_before": before,
            "to": int(change.tier),
            "reason": change.reason,
        },
    )
    return row
