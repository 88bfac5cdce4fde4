"""An agency's kite-mark status: the append-only history of changes, the status at any
moment, and the changes made outside an assessment (under review, suspension, revocation,
reinstatement on a passed re-assessment, expiry). Every change is a dated row with who made
it, its reason and its figures, audited in the same transaction; nothing is rewritten.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Session, col, select

from workforce.agencies.locking import lock_for_writing
from workforce.agencies.models import (
    Agency,
    Assessment,
    KitemarkStatus,
    KitemarkStatusChange,
    Outcome,
)
from workforce.auth import audit
from workforce.auth.audit import Actor
from workforce.errors import InputDataError, NotFoundError, Problem
from workforce.mou.drafts import add_months
from workforce.timeutils import as_utc, utcnow

AWARD_MONTHS = 12
# Statuses in which an agency holds the kite-mark (the daily review watches these).
HOLDING = frozenset(
    {
        KitemarkStatus.awarded,
        KitemarkStatus.requires_improvement,
        KitemarkStatus.reinstated,
        KitemarkStatus.under_review,
    }
)
REINSTATABLE = frozenset({KitemarkStatus.suspended, KitemarkStatus.under_review})


def _refuse(rule: str, message: str) -> InputDataError:
    return InputDataError([Problem(rule, message)])


def _agency(session: Session, agency_id: int) -> Agency:
    agency = session.get(Agency, agency_id)
    if agency is None:
        raise NotFoundError(f"no agency {agency_id}")
    return agency


def get_assessment(*, session: Session, assessment_id: int) -> Assessment:
    assessment = session.get(Assessment, assessment_id)
    if assessment is None:
        raise NotFoundError(f"no assessment {assessment_id}")
    return assessment


# --- status history ------------------------------------------------------------------------


def current_status(
    *, session: Session, agency_id: int, on: datetime | None = None
) -> KitemarkStatusChange | None:
    """The status change in effect at ``on`` (now if not given): the latest effective on or
    before it; None if the agency never had one."""
    moment = as_utc(on) or utcnow()
    return session.exec(
        select(KitemarkStatusChange)
        .where(
            KitemarkStatusChange.agency_id == agency_id,
            col(KitemarkStatusChange.effective_at) <= moment,
        )
        .order_by(
            col(KitemarkStatusChange.effective_at).desc(), col(KitemarkStatusChange.id).desc()
        )
    ).first()


def history(*, session: Session, agency_id: int) -> list[KitemarkStatusChange]:
    return list(
        session.exec(
            select(KitemarkStatusChange)
            .where(KitemarkStatusChange.agency_id == agency_id)
            .order_by(col(KitemarkStatusChange.effective_at), col(KitemarkStatusChange.id))
        ).all()
    )


def _change(
    *,
    session: Session,
    agency_id: int,
    status: KitemarkStatus,
    reason: str,
    actor: Actor,
    figures: str = "",
    valid_until: date | None = None,
    assessment_id: int | None = None,
    on: datetime | None = None,
) -> KitemarkStatusChange:
    moment = as_utc(on) or utcnow()
    if valid_until is None and status is not KitemarkStatus.revoked:
        held = current_status(session=session, agency_id=agency_id, on=moment)
        valid_until = held.valid_until if held is not None else None
    row = KitemarkStatusChange(
        agency_id=agency_id,
        status=status,
        effective_at=moment,
        valid_until=valid_until,
        reason=reason[:2000],
        figures=figures[:2000],
        assessment_id=assessment_id,
        decided_by=actor.name,
    )
    session.add(row)
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        action=f"kitemark.{status.value}",
        entity="kitemark_status_change",
        entity_id=row.id,
        summary=f"agency {agency_id}: {status.value}; {reason}"[:2000],
        details={
            "agency_id": agency_id,
            "status": status.value,
            "valid_until": valid_until.isoformat() if valid_until else None,
            "assessment_id": assessment_id,
            "figures": figures[:2000],
        },
    )
    return row


def _status_of(session: Session, agency_id: int, on: datetime | None) -> KitemarkStatus | None:
    held = current_status(session=session, agency_id=agency_id, on=on)
    return None if held is None else KitemarkStatus(held.status)


# --- changes outside an assessment ---------------------------------------------------------


def put_under_review(
    *,
    session: Session,
    agency_id: int,
    reason: str,
    actor: Actor,
    figures: str = "",
    on: datetime | None = None,
) -> KitemarkStatusChange:
    """Put an agency holding the kite-mark under review."""
    lock_for_writing(session=session, agency_id=agency_id, what="the review")
    status = _status_of(session, agency_id, on)
    if status not in HOLDING or status is KitemarkStatus.under_review:
        raise _refuse("status.review", f"agency {agency_id} is {status or 'not on the register'}")
    return _change(
        session=session,
        agency_id=agency_id,
        status=KitemarkStatus.under_review,
        reason=reason,
        figures=figures,
        actor=actor,
        on=on,
    )


def suspend(
    *,
    session: Session,
    agency_id: int,
    reason: str,
    actor: Actor,
    figures: str = "",
    on: datetime | None = None,
) -> KitemarkStatusChange:
    """Suspend an agency that holds the kite-mark (under review included)."""
    lock_for_writing(session=session, agency_id=agency_id, what="the suspension")
    _agency(session, agency_id)
    status = _status_of(session, agency_id, on)
    if status not in HOLDING:
        raise _refuse(
            "status.suspend",
            f"agency {agency_id} does not hold the kite-mark ({status or 'never had it'})",
        )
    return _change(
        session=session,
        agency_id=agency_id,
        status=KitemarkStatus.suspended,
        reason=reason,
        figures=figures,
        actor=actor,
        on=on,
    )


def revoke(
    *,
    session: Session,
    agency_id: int,
    reason: str,
    actor: Actor,
    figures: str = "",
    on: datetime | None = None,
) -> KitemarkStatusChange:
    """Revoke the kite-mark (from any status but revoked); a new award needs a new
    application and a passed assessment."""
    lock_for_writing(session=session, agency_id=agency_id, what="the revocation")
    _agency(session, agency_id)
    status = _status_of(session, agency_id, on)
    if status is None or status is KitemarkStatus.revoked:
        raise _refuse("status.revoke", f"agency {agency_id} has no kite-mark to revoke")
    return _change(
        session=session,
        agency_id=agency_id,
        status=KitemarkStatus.revoked,
        reason=reason,
        figures=figures,
        actor=actor,
        on=on,
    )


def reinstate(
    *,
    session: Session,
    agency_id: int,
    assessment_id: int,
    actor: Actor,
    on: datetime | None = None,
) -> KitemarkStatusChange:
    """Reinstate a suspended (or under-review) agency on a passed assessment of it decided
    after the suspension; the award runs 12 months from the reinstatement."""
    lock_for_writing(session=session, agency_id=agency_id, what="the reinstatement")
    moment = as_utc(on) or utcnow()
    held = current_status(session=session, agency_id=agency_id, on=moment)
    if held is None or KitemarkStatus(held.status) not in REINSTATABLE:
        raise _refuse("status.reinstate", f"agency {agency_id} is not suspended or under review")
    assessment = get_assessment(session=session, assessment_id=assessment_id)
    decided = as_utc(assessment.decided_at)
    if (
        assessment.agency_id != agency_id
        or assessment.outcome != Outcome.passed
        or decided is None
        or decided < as_utc(held.effective_at)  # type: ignore[operator]
    ):
        raise _refuse(
            "status.reinstate",
            "reinstatement needs a passed re-assessment of the agency decided after its "
            f"{held.status} on {held.effective_at:%Y-%m-%d}",
        )
    return _change(
        session=session,
        agency_id=agency_id,
        status=KitemarkStatus.reinstated,
        reason=f"passed re-assessment {assessment_id}",
        valid_until=add_months(moment.date(), AWARD_MONTHS),
        assessment_id=assessment_id,
        actor=actor,
        on=moment,
    )


def expire(
    *, session: Session, agency_id: int, actor: Actor, on: datetime | None = None
) -> KitemarkStatusChange:
    """Mark an award past its ``valid_until`` expired."""
    lock_for_writing(session=session, agency_id=agency_id, what="the expiry")
    held = current_status(session=session, agency_id=agency_id, on=on)
    if held is None or held.valid_until is None:
        raise _refuse("status.expire", f"agency {agency_id} has no award to expire")
    return _change(
        session=session,
        agency_id=agency_id,
        status=KitemarkStatus.expired,
        reason=f"the award ran to {held.valid_until:%Y-%m-%d} and was not renewed",
        valid_until=held.valid_until,
        actor=actor,
        on=on,
    )
