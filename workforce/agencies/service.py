"""Agencies on the kite-mark register: reads, and who may read which agency.

An agency has one legal name and any number of trading names, each kept in
``agency_name`` with its normalised form (:func:`workforce.agencies.names.normalise`);
a normalised form belongs to one agency only. Registering an agency and changing its
record (names, contact) are in :mod:`workforce.agencies.registration`.

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
from typing import Protocol

from sqlmodel import Session, col, select

from workforce.agencies.matching import matches_of
from workforce.agencies.models import (
    Agency,
    AgencyName,
    AgencyNamePublic,
    AgencyPayRoute,
    AgencyPublic,
    NameKind,
)
from workforce.agencies.names import normalise
from workforce.auth.models import Role
from workforce.auth.permissions import Principal
from workforce.errors import NotFoundError


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


# --- listings ----------------------------------------------------------------------------


def names_by_agency(*, session: Session) -> dict[int, list[str]]:
    """Every registered name, by agency (for listings)."""
    found: dict[int, list[str]] = defaultdict(list)
    for row in session.exec(select(AgencyName).order_by(col(AgencyName.id))):
        found[row.agency_id].append(row.name)
    return dict(found)
