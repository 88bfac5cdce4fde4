"""Agencies on the kite-mark register, and councils' returns naming them."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime
from typing import Any

from sqlmodel import Session

from tests.builders.mou import assignment, council_return
from tests.builders.people import COUNCIL_A, TEST_ACTOR
from workforce.agencies import matching, registration
from workforce.agencies.models import Agency, KitemarkStatus, KitemarkStatusChange
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
    return registration.register_agency(
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


def status_change(
    session: Session, agency: Agency, status: KitemarkStatus, on: date, until: date | None = None
) -> None:
    assert agency.id is not None
    session.add(
        KitemarkStatusChange(
            agency_id=agency.id,
            status=status,
            effective_at=datetime(on.year, on.month, on.day, 9, tzinfo=UTC),
            valid_until=until,
            reason="test",
            decided_by="tests",
        )
    )
    session.flush()


def council_a_with_kitemarked_agencies(s: Session) -> dict[str, int]:
    """Council A's returns for 2026-Q1 and 2026-Q2 naming a kite-marked agency (awarded in
    January, suspended in May), a registered agency never awarded, a name ruled no agency
    and a name nobody knows; committed. Returns the two returns' and two agencies' ids."""
    good = register(s, "Good Locums Ltd")
    plain = register(s, "Plain Staffing Ltd")
    status_change(s, good, KitemarkStatus.awarded, date(2026, 1, 5), date(2027, 1, 5))
    status_change(s, good, KitemarkStatus.suspended, date(2026, 5, 1))
    q1 = quarter(s, COUNCIL_A, date(2026, 3, 31))
    # Whole quarter (90 days), at £50 an hour.
    listed(s, q1, "GOOD LOCUMS LIMITED", swe_number="SW100001", hourly_charge_rate=50.0)
    # 28 days in February, at £40.
    listed(
        s,
        q1,
        "Unheard Of Agency",
        swe_number="SW100002",
        start_date=date(2026, 2, 1),
        end_date=date(2026, 2, 28),
        hourly_charge_rate=40.0,
    )
    listed(s, q1, "Plain Staffing", swe_number="SW100003", hourly_charge_rate=35.0)
    listed(s, q1, "Freelance Direct", swe_number="SW100004", hourly_charge_rate=30.0)
    matching.set_match(session=s, name="Freelance Direct", agency_id=None, actor=TEST_ACTOR)
    q2 = quarter(s, COUNCIL_A, date(2026, 6, 30))
    # The same Good Locums assignment, still going: 91 days of Q2.
    listed(s, q2, "Good Locums Ltd", swe_number="SW100001", hourly_charge_rate=50.0)
    s.commit()
    assert q1.id is not None and q2.id is not None
    assert good.id is not None and plain.id is not None
    return {"q1": q1.id, "q2": q2.id, "good": good.id, "plain": plain.id}
