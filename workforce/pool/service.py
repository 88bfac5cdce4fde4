"""The emergency pool's reads and small writes: workers, interventions, requests, tiers.

- **Workers** are read by pool coordinators (and administrators); a council sees a worker
  only once the worker is placed with it (:func:`worker_for`). They are added and changed
  by the import (:mod:`workforce.pool.workers_import`).
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
from workforce.auth.models import Role
from workforce.auth.permissions import Action, Decision, Principal, authorize, councils_in_reach
from workforce.councils.models import Council
from workforce.councils.service import find_council
from workforce.errors import InputDataError, NotFoundError, Problem
from workforce.inspections.models import Grade, Judgement
from workforce.pool.locking import lock_for_writing, request_subject
from workforce.pool.models import (
    AreaKind,
    Intervention,
    InterventionCreate,
    Placement,
    PoolAvailability,
    PoolPermanentPost,
    PoolRequest,
    PoolRequestSpecialism,
    PoolWorker,
    PoolWorkerArea,
    PoolWorkerSpecialism,
    RequestCreate,
    RequestPublic,
    RequestStatus,
    TierRaise,
    WorkerPublic,
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
        tiers[code] = _GRADE_TIERS.get(Grade(grade or ""), Tier.other) if grade else Tier.other
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


# --- workers ---------------------------------------------------------------------------------


def list_workers(
    *,
    session: Session,
    role: PoolRole | None = None,
    region: str | None = None,
    active: bool | None = None,
) -> list[PoolWorker]:
    """Return the pool's workers by name, of a role, home region or activity if given."""
    query = select(PoolWorker).order_by(col(PoolWorker.name), col(PoolWorker.id))
    if role is not None:
        query = query.where(PoolWorker.role == role)
    if region is not None:
        query = query.where(PoolWorker.home_region == region)
    if active is not None:
        query = query.where(PoolWorker.active == active)
    return list(session.exec(query))


def get_worker(*, session: Session, worker_id: int) -> PoolWorker:
    """Return the worker ``worker_id``."""
    worker = session.get(PoolWorker, worker_id)
    if worker is None:
        raise NotFoundError(f"No pool worker with id {worker_id}.")
    return worker


def workers_public(*, session: Session, workers: list[PoolWorker]) -> list[WorkerPublic]:
    """Return the workers as the API shows them, with their specialisms, areas,
    availability and past permanent posts (read in a few queries, not one per worker)."""
    ids = [w.id for w in workers if w.id is not None]
    specialisms: dict[int, list[Specialism]] = defaultdict(list)
    regions: dict[int, list[str]] = defaultdict(list)
    councils: dict[int, list[str]] = defaultdict(list)
    windows: dict[int, list[tuple[date, date]]] = defaultdict(list)
    posts: dict[int, list[tuple[str, date]]] = defaultdict(list)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        for s in session.exec(
            select(PoolWorkerSpecialism).where(col(PoolWorkerSpecialism.worker_id).in_(chunk))
        ):
            specialisms[s.worker_id].append(Specialism(s.specialism))
        for a in session.exec(
            select(PoolWorkerArea).where(col(PoolWorkerArea.worker_id).in_(chunk))
        ):
            (regions if a.kind == AreaKind.region else councils)[a.worker_id].append(a.code)
        for w in session.exec(
            select(PoolAvailability).where(col(PoolAvailability.worker_id).in_(chunk))
        ):
            windows[w.worker_id].append((w.start_date, w.end_date))
        for p in session.exec(
            select(PoolPermanentPost).where(col(PoolPermanentPost.worker_id).in_(chunk))
        ):
            posts[p.worker_id].append((p.council_code, p.left_on))
    out = []
    for worker in workers:
        assert worker.id is not None
        out.append(
            WorkerPublic(
                id=worker.id,
                name=worker.name,
                role=PoolRole(worker.role),
                swe_number=worker.swe_number,
                registration=worker.registration,
                registration_checked=worker.registration_checked,
                qualified_on=worker.qualified_on,
                specialisms=sorted(specialisms[worker.id]),
                intervention_experience=worker.intervention_experience,
                home_region=worker.home_region,
                work_regions=sorted(regions[worker.id]),
                work_councils=sorted(councils[worker.id]),
                remote=worker.remote,
                availability=sorted(windows[worker.id]),
                permanent_posts=sorted(posts[worker.id]),
                references_held=worker.references_held,
                day_rate=worker.day_rate,
                active=worker.active,
                is_example=worker.is_example,
            )
        )
    return out


def worker_public(*, session: Session, worker: PoolWorker) -> WorkerPublic:
    """Return one worker as the API shows them (see :func:`workers_public`)."""
    return workers_public(session=session, workers=[worker])[0]


def manages_pool(principal: Principal) -> bool:
    """Whether ``principal`` sees every worker and request: a pool coordinator or an admin."""
    return authorize(principal, Action.manage_pool) is Decision.allowed


def worker_for(*, session: Session, principal: Principal, worker_id: int) -> PoolWorker:
    """Return the worker ``worker_id`` if ``principal`` may see them: a coordinator or an
    administrator always, a council's intervention lead once the worker is placed with
    their council; anyone else is answered as if the worker did not exist."""
    worker = session.get(PoolWorker, worker_id)
    if worker is not None and manages_pool(principal):
        return worker
    reach = councils_in_reach(principal, Action.request_pool_staff)
    if worker is not None and reach:
        placed = session.exec(
            select(Placement.id).where(
                Placement.worker_id == worker_id, col(Placement.council_code).in_(sorted(reach))
            )
        ).first()
        if placed is not None:
            return worker
    raise NotFoundError(f"No pool worker with id {worker_id} that you can see.")


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


def intervention_councils(principal: Principal) -> frozenset[str] | None:
    """The councils whose interventions ``principal`` reads (None: every council): a pool
    coordinator and an administrator all; a council's own users theirs."""
    if manages_pool(principal):
        return None
    reaches = [
        councils_in_reach(principal, action)
        for action in (Action.read_council_private, Action.request_pool_staff)
    ]
    if any(reach is None for reach in reaches):
        return None
    return frozenset().union(*(r for r in reaches if r is not None))


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


def request_councils(principal: Principal) -> frozenset[str] | None:
    """The councils whose requests ``principal`` sees (None: every council): coordinators
    and administrators all, a council's intervention lead their own, anyone else none."""
    if manages_pool(principal):
        return None
    return councils_in_reach(principal, Action.request_pool_staff)


def request_for(*, session: Session, principal: Principal, request_id: int) -> PoolRequest:
    """Return the request if ``principal`` sees it; another council's is answered exactly
    as one that does not exist."""
    row = session.get(PoolRequest, request_id)
    reach = request_councils(principal)
    if row is None or (reach is not None and row.council_code not in reach):
        raise NotFoundError(f"No pool request with id {request_id} that you can see.")
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
    """Withdraw an open request; refused if it is filled or already withdrawn."""
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


def is_admin(principal: Principal) -> bool:
    """Whether ``principal`` is an administrator (who records and ends interventions)."""
    return principal.role is Role.admin
