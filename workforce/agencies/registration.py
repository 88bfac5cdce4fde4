"""Registering an agency on the kite-mark register and changing its record: its trading
names and its contact. Small, audited writes.

A normalised name (:func:`workforce.agencies.names.normalise`) belongs to one agency only,
so a name another agency already uses is refused, as is a Companies House number another
agency is registered with; the unique constraints settle two such writes at once, and the
refusal then names the agency that won. Every write is audited in the same transaction and
validated through the inputs in :mod:`workforce.agencies.models`, whose problems are in the
register's words. Who may change an agency's contact is the rule of
:mod:`workforce.agencies.service` (a kite-mark admin or an administrator any agency's, an
agency user only their own).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from workforce.agencies.locking import is_unique_violation, lock_for_writing
from workforce.agencies.models import (
    Agency,
    AgencyCreate,
    AgencyName,
    AgencyPayRoute,
    ContactUpdate,
    NameKind,
)
from workforce.agencies.names import normalise
from workforce.agencies.service import CHANGE_ANY_ROLES, agency_of_user, get_agency
from workforce.auth import audit
from workforce.auth.audit import Actor
from workforce.auth.permissions import Principal
from workforce.errors import InputDataError, NotFoundError, Problem


def _name_problems(
    *, session: Session, names: list[str], agency_id: int | None, column: str
) -> list[Problem]:
    """A name whose normalised form another agency (or this one) already has."""
    problems = []
    keys: dict[str, str] = {}
    for name in names:
        key = normalise(name)
        if key in keys:
            problems.append(
                Problem(
                    "agency.name_repeated",
                    f"{name!r} is the same name as {keys[key]!r} once case, punctuation and "
                    "Ltd/Limited are set aside",
                    column=column,
                    value=name,
                )
            )
            continue
        keys[key] = name
    if keys:
        for row in session.exec(
            select(AgencyName).where(col(AgencyName.normalised).in_(list(keys)))
        ):
            owner = session.get(Agency, row.agency_id)
            whose = (
                "this agency already has it"
                if row.agency_id == agency_id
                else f"agency {row.agency_id} ({owner.legal_name if owner else '?'}) uses it"
            )
            problems.append(
                Problem(
                    "agency.name_taken",
                    f"{keys[row.normalised]!r} is taken: {whose} as {row.name!r}",
                    column=column,
                    value=keys[row.normalised],
                )
            )
    return problems


def _taken_problems(*, session: Session, new: AgencyCreate) -> list[Problem]:
    """The Companies House number or the names of ``new`` another agency already has."""
    problems = []
    if new.company_number and not any(p.column == "company_number" for p in new.problems()):
        holder = session.exec(
            select(Agency).where(Agency.company_number == new.company_number)
        ).first()
        if holder is not None:
            problems.append(
                Problem(
                    "agency.company_number_taken",
                    f"agency {holder.id} ({holder.legal_name}) is registered with this "
                    "Companies House number",
                    column="company_number",
                    value=new.company_number,
                )
            )
    if not problems and not new.problems():
        problems = _name_problems(
            session=session,
            names=[new.legal_name, *new.trading_names],
            agency_id=None,
            column="legal_name",
        )
    return problems


def register_agency(
    *, session: Session, new: AgencyCreate | None = None, actor: Actor, **fields: Any
) -> Agency:
    """Register the agency ``new`` (without it, one built from ``fields``: legal_name,
    trading_names, company_number, contact_name, contact_email, pay_routes, is_example).
    Refused with every problem at once: a malformed Companies House number, a number or a
    name another agency already has."""
    if new is None:
        new = AgencyCreate.checked(**fields)
    elif fields:
        raise TypeError("register_agency takes an AgencyCreate or its fields, not both")
    lock_for_writing(session=session, agency_id=None, what=f"the agency {new.legal_name!r}")
    problems = new.problems() + _taken_problems(session=session, new=new)
    if problems:
        raise InputDataError(problems)
    agency = Agency(
        legal_name=new.legal_name,
        company_number=new.company_number,
        contact_name=new.contact_name,
        contact_email=new.contact_email,
        is_example=new.is_example,
    )
    session.flush()  # the savepoint holds these inserts alone
    try:
        with session.begin_nested():
            session.add(agency)
            session.flush()
            assert agency.id is not None
            session.add(
                AgencyName(
                    agency_id=agency.id,
                    name=new.legal_name,
                    normalised=normalise(new.legal_name),
                    kind=NameKind.legal,
                )
            )
            for name in new.trading_names:
                session.add(
                    AgencyName(
                        agency_id=agency.id,
                        name=name,
                        normalised=normalise(name),
                        kind=NameKind.trading,
                    )
                )
            for route in new.pay_routes:
                session.add(AgencyPayRoute(agency_id=agency.id, pay_route=route))
            session.flush()
    except IntegrityError as exc:
        taken = _taken_problems(session=session, new=new)
        if not taken or not is_unique_violation(exc):
            raise
        raise InputDataError(taken) from None
    assert agency.id is not None
    audit.record(
        session=session,
        actor=actor,
        action="create",
        entity="agency",
        entity_id=agency.id,
        summary=f"registered agency {new.legal_name}"
        + (f" (Companies House {new.company_number})" if new.company_number else ""),
        details={
            "legal_name": new.legal_name,
            "trading_names": new.trading_names,
            "company_number": new.company_number,
            "contact_name": new.contact_name,
            "contact_email": new.contact_email,
            "pay_routes": new.pay_routes,
            "is_example": new.is_example,
        },
    )
    return agency


def add_trading_name(*, session: Session, agency_id: int, name: str, actor: Actor) -> AgencyName:
    """Add a trading name to the agency; refused if its normalised form is already a name
    of this or another agency."""
    lock_for_writing(session=session, agency_id=None, what=f"the trading name {name!r}")
    agency = get_agency(session=session, agency_id=agency_id)
    clean = " ".join(name.split())
    problems = []
    if not normalise(clean) or len(clean) > 200:
        problems.append(
            Problem(
                "agency.trading_name",
                "a trading name needs letters or digits and at most 200 characters",
                column="name",
                value=name,
            )
        )
    else:
        problems = _name_problems(
            session=session, names=[clean], agency_id=agency_id, column="name"
        )
    if problems:
        raise InputDataError(problems)
    row = AgencyName(
        agency_id=agency_id, name=clean, normalised=normalise(clean), kind=NameKind.trading
    )
    session.flush()  # the savepoint holds this insert alone
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError as exc:
        taken = _name_problems(session=session, names=[clean], agency_id=agency_id, column="name")
        if not taken or not is_unique_violation(exc):
            raise
        raise InputDataError(taken) from None
    audit.record(
        session=session,
        actor=actor,
        action="add_name",
        entity="agency",
        entity_id=agency_id,
        summary=f"added the trading name {clean!r} to agency {agency.legal_name}",
        details={"name": clean, "normalised": row.normalised},
    )
    return row


def update_contact(
    *,
    session: Session,
    agency_id: int,
    change: ContactUpdate | None = None,
    actor: Actor,
    principal: Principal | None = None,
    **fields: Any,
) -> Agency:
    """Change the agency's contact name or email (blank: unchanged). With ``principal``,
    only a kite-mark admin (or an administrator) or a user of that very agency may; another
    agency's record is answered as not found."""
    if change is None:
        change = ContactUpdate.checked(**fields)
    elif fields:
        raise TypeError("update_contact takes a ContactUpdate or its fields, not both")
    # Queued behind any other change to the agency, so the contact read (and audited as the
    # one replaced) is the one stored last, never one another writer is replacing.
    lock_for_writing(session=session, agency_id=agency_id, what="the agency's contact")
    if principal is not None and principal.role not in CHANGE_ANY_ROLES:
        own = agency_of_user(session=session, user=principal)
        if own is None or own.id != agency_id:
            raise NotFoundError(f"No agency with id {agency_id} that you can change.")
        agency = own
    else:
        agency = get_agency(session=session, agency_id=agency_id)
    problems = change.problems()
    if problems:
        raise InputDataError(problems)
    before = {"contact_name": agency.contact_name, "contact_email": agency.contact_email}
    if change.contact_name:
        agency.contact_name = change.contact_name
    if change.contact_email:
        agency.contact_email = change.contact_email
    session.add(agency)
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        action="update",
        entity="agency",
        entity_id=agency_id,
        summary=f"changed the contact of agency {agency.legal_name}",
        details={
            "before": before,
            "after": {"contact_name": agency.contact_name, "contact_email": agency.contact_email},
        },
    )
    return agency
