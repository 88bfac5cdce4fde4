"""The emergency pool's reads and small writes on requests.

- **Requests** are made by a council's intervention lead for their own council (or by an
  administrator for any); they last ``weeks`` whole weeks from their start. A coordinator
  may raise a request's priority tier with a reason, never to a tier no better than the
  one it already has.
- A request's **tier** is the better of its council's on the day and the coordinator's
  raise (:mod:`workforce.pool.tiers`).
- **Interventions** are recorded and ended in :mod:`workforce.pool.interventions`;
  **workers** are read through :mod:`workforce.pool.workers` and added and changed by the
  import (:mod:`workforce.pool.workers_import`); who sees what is
  :mod:`workforce.pool.access`'s to say.

Every write is audited in its transaction and takes the pool's write lock
(:mod:`workforce.pool.locking`) before the reads its checks make; the caller commits.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import ClassVar

from sqlmodel import Field, Session, col, func, select

from workforce.auth import audit
from workforce.auth.audit import Actor
from workforce.councils.models import Council
from workforce.councils.service import find_council
from workforce.errors import InputDataError, NotFoundError, Problem
from workforce.pool.locking import lock_for_writing, request_subject
from workforce.pool.models import (
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
from workforce.pool.tiers import request_tier, tiers_of
from workforce.timeutils import utcnow


class CouncilRequestCreate(RequestCreate):
    """A request and the council it is for (blank: the intervention lead's own council)."""

    FIELD_MESSAGES: ClassVar[dict[str, str]] = {
        **RequestCreate.FIELD_MESSAGES,
        "council": "the council's DfE 3-digit or ONS code",
    }
    council: str | None = Field(default=None, min_length=1, max_length=9)


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
