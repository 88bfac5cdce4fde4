"""Complaints and incidents councils record about an agency (kite-mark criterion 7), the
agency's response to each, and the kite-mark admin's ruling on whether it is upheld.

Who does what: a council's own users (those who may read its private data or send its
returns) record complaints for their council; the agency's own agency user responds; a
kite-mark admin rules. Anyone else is answered as if nothing were there (``NotFoundError``:
404, never a 403 that would confirm it exists). Every write takes the agency's write lock
first (:func:`workforce.agencies.locking.lock_for_writing`) and is audited in the same
transaction as the row.
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from workforce.agencies import service
from workforce.agencies.locking import lock_for_writing
from workforce.agencies.models import Complaint, ComplaintCreate, ComplaintPublic
from workforce.auth import audit
from workforce.auth.audit import Actor
from workforce.auth.models import Role
from workforce.auth.permissions import Action, Decision, Principal, authorize
from workforce.db import begin_write
from workforce.errors import InputDataError, NotFoundError, Problem
from workforce.timeutils import utcnow

# Roles that see every council's complaints about any agency.
ANY_AGENCY_ROLES = frozenset({Role.kitemark_admin, Role.admin})
# What lets a council's user record and see their council's complaints.
COUNCIL_ACTIONS = (Action.read_council_private, Action.submit_council_return)


# --- who may see which ----------------------------------------------------------------------


def council_user_of(principal: Principal, council_code: str) -> bool:
    """Whether ``principal`` is one of the council's own users (its private data or its
    returns, in the council's own scope; not an analyst or administrator reaching all)."""
    if principal.role in (Role.admin, Role.analyst):
        return False
    return any(
        authorize(principal, action, council_code) is Decision.allowed
        and council_code in principal.council_codes
        for action in COUNCIL_ACTIONS
    )


def own_agency_user(*, session: Session, principal: Principal, agency_id: int) -> bool:
    """Whether ``principal`` is an agency user of the agency ``agency_id``."""
    if principal.role is not Role.agency_user:
        return False
    own = service.agency_of_user(session=session, user=principal)
    return own is not None and own.id == agency_id


def visible_councils(
    *, session: Session, principal: Principal, agency_id: int
) -> frozenset[str] | None:
    """The councils whose complaints about the agency ``principal`` sees (``None``: every
    council's); not found when they see none."""
    service.get_agency(session=session, agency_id=agency_id)
    if principal.role in ANY_AGENCY_ROLES:
        return None
    if own_agency_user(session=session, principal=principal, agency_id=agency_id):
        return None
    councils = frozenset(c for c in principal.council_codes if council_user_of(principal, c))
    if not councils:
        raise NotFoundError(f"No agency with id {agency_id} that you can see.")
    return councils


# --- recording, responding, ruling ----------------------------------------------------------


def complaint_problems(new: ComplaintCreate) -> list[Problem]:
    """What is wrong with ``new`` beyond its fields' kinds: a date in the future, a blank
    summary."""
    problems = []
    if new.received_on > utcnow().date():
        problems.append(
            Problem(
                "complaint.received_on",
                "the date received is in the future",
                column="received_on",
                value=new.received_on.isoformat(),
            )
        )
    if not new.summary.strip():
        problems.append(
            Problem("complaint.summary", "the summary is 1 to 2000 characters", column="summary")
        )
    return problems


def record_complaint(
    *, session: Session, agency_id: int, council_code: str, new: ComplaintCreate, actor: Actor
) -> Complaint:
    """Record the council's complaint or incident about the agency; audited. The caller has
    checked that the actor is one of the council's own users."""
    lock_for_writing(session=session, agency_id=agency_id, what="the complaint")
    service.get_agency(session=session, agency_id=agency_id)
    problems = complaint_problems(new)
    if problems:
        raise InputDataError(problems)
    row = Complaint(
        agency_id=agency_id,
        council_code=council_code,
        kind=new.kind,
        received_on=new.received_on,
        summary=new.summary.strip(),
        recorded_by=actor.name,
    )
    session.add(row)
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        action="kitemark.complaint",
        entity="kitemark_complaint",
        entity_id=row.id,
        council_code=council_code,
        summary=f"council {council_code} recorded a {new.kind} about agency {agency_id}",
        details={
            "agency_id": agency_id,
            "council_code": council_code,
            "kind": new.kind,
            "received_on": new.received_on.isoformat(),
        },
    )
    return row


def _locked_complaint(*, session: Session, complaint_id: int, what: str) -> Complaint:
    """The complaint, read again after its agency's write lock is taken."""
    begin_write(session=session, what=what)
    agency_id = session.exec(
        select(Complaint.agency_id).where(Complaint.id == complaint_id)
    ).first()
    if agency_id is None:
        raise NotFoundError(f"No complaint {complaint_id}.")
    lock_for_writing(session=session, agency_id=agency_id, what=what)
    row = session.get(Complaint, complaint_id, populate_existing=True)
    if row is None:
        raise NotFoundError(f"No complaint {complaint_id}.")
    return row


def respond(*, session: Session, complaint_id: int, response: str, actor: Actor) -> Complaint:
    """Record the agency's response to the complaint (dated today); audited. The caller has
    checked that the actor is the agency's own user."""
    row = _locked_complaint(
        session=session, complaint_id=complaint_id, what="the response to the complaint"
    )
    text = response.strip()
    if not text or len(text) > 2000:
        raise InputDataError(
            [
                Problem(
                    "response.response", "the response is 1 to 2000 characters", column="response"
                )
            ]
        )
    row.agency_response = text
    row.responded_on = utcnow().date()
    session.add(row)
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        action="kitemark.complaint_response",
        entity="kitemark_complaint",
        entity_id=row.id,
        council_code=row.council_code,
        summary=f"agency {row.agency_id} responded to complaint {row.id}",
        details={"agency_id": row.agency_id, "response": text},
    )
    return row


def rule(*, session: Session, complaint_id: int, upheld: bool, actor: Actor) -> Complaint:
    """Record the kite-mark admin's ruling on the complaint; audited."""
    row = _locked_complaint(
        session=session, complaint_id=complaint_id, what="the ruling on the complaint"
    )
    before = row.upheld
    row.upheld = upheld
    session.add(row)
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        action="kitemark.complaint_ruling",
        entity="kitemark_complaint",
        entity_id=row.id,
        council_code=row.council_code,
        summary=f"complaint {row.id} about agency {row.agency_id} "
        + ("upheld" if upheld else "not upheld"),
        details={"agency_id": row.agency_id, "upheld": upheld, "before": before},
    )
    return row


def complaints_of(
    *, session: Session, agency_id: int, councils: frozenset[str] | None = None
) -> list[ComplaintPublic]:
    """The agency's complaints, newest received first (only ``councils``' if given)."""
    query = select(Complaint).where(Complaint.agency_id == agency_id)
    if councils is not None:
        query = query.where(col(Complaint.council_code).in_(sorted(councils)))
    rows = session.exec(
        query.order_by(col(Complaint.received_on).desc(), col(Complaint.id).desc())
    ).all()
    return [complaint_public(r) for r in rows]


def complaint_public(row: Complaint) -> ComplaintPublic:
    return ComplaintPublic.model_validate(row, from_attributes=True)
