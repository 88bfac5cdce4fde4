"""Agencies on the kite-mark register, and councils' returns naming them."""

from __future__ import annotations

import itertools
from datetime import date
from typing import Any

from sqlmodel import Session

from tests.builders.mou import assignment, council_return
from tests.builders.people import TEST_ACTOR
from workforce.agencies import service
from workforce.agencies.models import Agency
from workforce.returns.models import AgencyAssignment, CouncilReturn, ReturnStatus

_number = itertools.count(10_000_001)


def register(
    session: Session,
    legal_name: str,
    *,
    trading_names: list[str] | None = None,
    company_number: str | None = "",
    **fields: Any,
) -> Agency:
    """Register an agency; a fresh Companies House number unless one is given (None: none)."""
    number = f"{next(_number):08d}" if company_number == "" else company_number
    return service.register_agency(
        session=session,
        legal_name=legal_name,
        trading_names=trading_names or [],
        company_number=number,
        contact_name=fields.pop("contact_name", "Test Contact"),
        contact_email=fields.pop("contact_email", "contact@agency.example"),
        pay_routes=fields.pop("pay_routes", ["paye"]),
        actor=TEST_ACTOR,
        **fields,
    )


def quarter(
    session: Session,
    council: str,
    period_end: date,
    *,
    status: ReturnStatus = ReturnStatus.accepted,
) -> CouncilReturn:
    """A quarterly return of ``council`` for the quarter ending ``period_end``."""
    return council_return(session, council, period_end, status=status)


def listed(
    session: Session, ret: CouncilReturn, agency_name: str, **fields: Any
) -> AgencyAssignment:
    """An assignment in ``ret`` naming the agency as ``agency_name``."""
    return assignment(session, ret, agency_name=agency_name, **fields)
