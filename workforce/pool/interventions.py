"""Interventions: a council's statutory direction or commissioner, with dates, recorded and
ended by an administrator. An intervention in force puts the council's requests in the
first priority tier (:mod:`workforce.pool.tiers`).

Every write is audited in its transaction and takes the pool's write lock
(:mod:`workforce.pool.locking`) before the reads its checks make; the caller commits.
"""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, col, select

from workforce.auth import audit
from workforce.auth.audit import Actor
from workforce.councils.service import find_council
from workforce.errors import InputDataError, NotFoundError, Problem
from workforce.pool.locking import lock_for_writing
from workforce.pool.models import Intervention, InterventionCreate


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
