"""Agencies on the kite-mark register: reads and small, audited writes.

An agency has one legal name and any number of trading names, each kept in
``agency_name`` with its normalised form (:func:`workforce.agencies.names.normalise`);
a normalised form belongs to one agency only, so a name another agency already uses is
refused. Every write is audited in the same transaction and validated through the inputs
in :mod:`workforce.agencies.models`, whose problems are in the register's words.

How an agency user is tied to their agency: a user of the ``agency_user`` role carries
their agency as free text (``User.agency_name``, set when the account is made). It is
normalised and looked up among the register's legal and trading names; the agency whose
name matches is theirs (:func:`agency_of_user`). A user whose agency name matches no
registered name has no agency yet: they see no agency and may change none, until the
agency is registered under that name or the name is added as a trading name.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any, Protocol

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from workforce.agencies.locking import is_unique_violation, lock_for_writing
from workforce.agencies.matching import matches_of
from workforce.agencies.models import (
    Agency,
    AgencyCreate,
    AgencyName,
    AgencyNamePublic,
    AgencyPayRoute,
    AgencyPublic,
    ContactUpdate,
    NameKind,
)
from workforce.agencies.names import normalise
from workforce.auth import audit
from workforce.auth.audit import Actor
from workforce.auth.models import Role
from workforce.auth.permissions import Principal
from workforce.errors import InputDataError, NotFoundError, Problem


class HasAgency(Protocol):
    """A user or a principal: their role and the agency name their account carries."""

    @property
    def role(self) -> Role: ...

    @property
    def agency_name(self) -> str | None: ...


# Roles that read every agency on the register.
READ_ALL_ROLES = frozenset({Role.kitemark_admin, Role.analyst, Role.admin})
# Roles that change any agency's record; an agency user changes only their own.
CHANGE_ANY_ROLES = frozenset({Role.kitemark_admin, Role.admin})

# --- reads -------------------------------------------------------------------------------


def list_agencies(*, session: Session) -> Sequence[Agency]:
    """Every agency on the register, by legal name."""
    return session.exec(select(Agency).order_by(col(Agency.legal_name), col(Agency.id))).all()


def get_agency(*, session: Session, agency_id: int) -> Agency:
    """The agency ``agency_id``; ``NotFoundError`` if there is none."""
    agency = session.get(Agency, agency_id)
    if agency is None:
        raise NotFoundError(f"No agency with id {agency_id}.")
    return agency


def find_agency(*, session: Session, ref: str) -> Agency:
    """The agency an id, a Companies House number or one of its names refers to."""
    ref = ref.strip()
    if ref.isdigit() and len(ref) < 8:
        return get_agency(session=session, agency_id=int(ref))
    by_number = session.exec(select(Agency).where(Agency.company_number == ref.upper())).first()
    if by_number is not None:
        return by_number
    name = session.exec(select(AgencyName).where(AgencyName.normalised == normalise(ref))).first()
    if name is None:
        raise NotFoundError(f"No agency with the id, Companies House number or name {ref!r}.")
    return get_agency(session=session, agency_id=name.agency_id)


def names_of(*, session: Session, agency_id: int) -> list[AgencyName]:
    """The agency's legal name then its trading names, in the order they were added."""
    rows = session.exec(
        select(AgencyName).where(AgencyName.agency_id == agency_id).order_by(col(AgencyName.id))
    ).all()
    return sorted(rows, key=lambda n: (n.kind != NameKind.legal, n.id or 0))


def pay_routes_of(*, session: Session, agency_id: int) -> list[str]:
    return list(
        session.exec(
            select(col(AgencyPayRoute.pay_route))
            .where(AgencyPayRoute.agency_id == agency_id)
            .order_by(col(AgencyPayRoute.pay_route))
        ).all()
    )


def agency_public(*, session: Session, agency: Agency) -> AgencyPublic:
    assert agency.id is not None
    names = names_of(session=session, agency_id=agency.id)
    return AgencyPublic(
        id=agency.id,
        legal_name=agency.legal_name,
        trading_names=[n.name for n in names if n.kind == NameKind.trading],
        company_number=agency.company_number,
        contact_name=agency.contact_name,
        contact_email=agency.contact_email,
        pay_routes=pay_routes_of(session=session, agency_id=agency.id),
        is_example=agency.is_example,
        created_at=agency.created_at,
        names=[
            AgencyNamePublic(name=n.name, normalised=n.normalised, kind=NameKind(n.kind))
            for n in names
        ],
        matched_names=[m.normalised_name for m in matches_of(session=session, agency_id=agency.id)],
    )


# --- agency users ------------------------------------------------------------------------


def agency_of_user(*, session: Session, user: HasAgency) -> Agency | None:
    """The agency an agency user belongs to: their account's agency name, normalised, looked
    up among the register's legal and trading names. None for any other role, for a user
    without an agency name, and for a name no registered agency has (yet)."""
    if user.role != Role.agency_user or not user.agency_name:
        return None
    key = normalise(user.agency_name)
    if not key:
        return None
    name = session.exec(select(AgencyName).where(AgencyName.normalised == key)).first()
    return None if name is None else session.get(Agency, name.agency_id)


def visible_agencies(*, session: Session, principal: Principal) -> list[Agency]:
    """The agencies ``principal`` may read: every one for a kite-mark admin, an analyst or
    an administrator; an agency user's own (if registered); none for any other role."""
    if principal.role in READ_ALL_ROLES:
        return list(list_agencies(session=session))
    own = agency_of_user(session=session, user=principal)
    return [own] if own is not None else []


def agency_for(*, session: Session, principal: Principal, agency_id: int) -> Agency:
    """The agency ``agency_id`` if ``principal`` may read it; another agency's record is
    answered exactly as one that does not exist."""
    if principal.role in READ_ALL_ROLES:
        return get_agency(session=session, agency_id=agency_id)
    own = agency_of_user(session=session, user=principal)
    if own is None or own.id != agency_id:
        raise NotFoundError(f"No agency with id {agency_id} that you can see.")
    return own


# --- writes ------------------------------------------------------------------------------


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


def names_by_agency(*, session: Session) -> dict[int, list[str]]:
    """Every registered name, by agency (for listings)."""
    found: dict[int, list[str]] = defaultdict(list)
    for row in session.exec(select(AgencyName).order_by(col(AgencyName.id))):
        found[row.agency_id].append(row.name)
    return dict(found)
