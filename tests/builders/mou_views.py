"""MoU groups, caps, accepted quarterly returns with agency assignments, findings and users,
built directly with the models for the views', API's and pages' tests."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from itertools import count
from typing import Any

from sqlmodel import Session, col, select

from workforce.auth import service as auth_service
from workforce.auth import tokens
from workforce.auth.audit import Actor
from workforce.auth.models import Role
from workforce.councils.models import Council
from workforce.mou import rules
from workforce.mou.models import (
    FindingStatus,
    MouFinding,
    MouGroup,
    MouGroupCouncil,
    OnCostRate,
    PayRoute,
    RateCap,
    RoleCategory,
)
from workforce.returns.models import AgencyAssignment, CouncilReturn, ReturnStatus

ACTOR = Actor(name="test-setup", source="tests")
Q4_2025_END = date(2025, 12, 31)
_serial = count(1)


def councils_of_region(session: Session, how_many: int, region_index: int = 0) -> list[str]:
    """Return ``how_many`` council codes of one region (the ``region_index``-th by code)."""
    regions = sorted(set(session.exec(select(Council.region_code)).all()))
    region = regions[region_index]
    codes = session.exec(
        select(Council.code).where(Council.region_code == region).order_by(col(Council.code))
    ).all()
    assert len(codes) >= how_many, f"region {region} has only {len(codes)} councils"
    return list(codes[:how_many])


def region_of(session: Session, code: str) -> str:
    council = session.get(Council, code)
    assert council is not None
    return council.region_code


def make_group(
    session: Session,
    name: str,
    councils: list[str],
    *,
    rules_from: date | None = date(2025, 10, 1),
    cooling_off_months: int = 3,
    is_example: bool = False,
) -> MouGroup:
    group = MouGroup(
        name=name,
        rules_from=rules_from,
        cooling_off_months=cooling_off_months,
        is_example=is_example,
    )
    session.add(group)
    session.flush()
    for code in councils:
        session.add(MouGroupCouncil(group_name=name, council_code=code))
    session.flush()
    return group


def add_cap(
    session: Session,
    group: str,
    hourly_cap: float,
    *,
    role: RoleCategory = RoleCategory.social_worker,
    effective_from: date = date(2025, 10, 1),
    is_example: bool = True,
) -> RateCap:
    cap = RateCap(
        group_name=group,
        role_category=role,
        effective_from=effective_from,
        hourly_cap=hourly_cap,
        is_example=is_example,
        source="made up for tests",
    )
    session.add(cap)
    session.flush()
    return cap


def add_on_costs(session: Session, pay_route: PayRoute = PayRoute.paye) -> OnCostRate:
    rate = OnCostRate(
        pay_route=pay_route,
        effective_from=date(2025, 4, 1),
        employer_ni=0.15,
        apprenticeship_levy=0.005,
        source="made up for tests",
    )
    session.add(rate)
    session.flush()
    return rate


def add_return(
    session: Session,
    council: str,
    assignments: list[dict[str, Any]],
    period_end: date = Q4_2025_END,
) -> tuple[CouncilReturn, list[AgencyAssignment]]:
    """Add an accepted quarterly return of ``council`` holding ``assignments`` (each the
    fields :func:`assignment` fills in)."""
    serial = next(_serial)
    row = CouncilReturn(
        council_code=council,
        kind="quarterly",
        period_end=period_end,
        status=ReturnStatus.accepted,
        file_name=f"quarterly-{council}-{serial}.csv",
        sha256=hashlib.sha256(f"{council}-{serial}".encode()).hexdigest(),
        size_bytes=100,
    )
    session.add(row)
    session.flush()
    assert row.id is not None
    made = []
    for number, fields in enumerate(assignments, start=2):
        made.append(make_assignment(session, row.id, council, number, **fields))
    session.flush()
    return row, made


def make_assignment(
    session: Session, return_id: int, council: str, row: int, **fields: Any
) -> AgencyAssignment:
    """An assignment with plausible defaults, overridden by ``fields``."""
    newer = {k: fields.pop(k) for k in list(fields) if not hasattr(AgencyAssignment, k)}
    assert not newer, f"unknown assignment fields {sorted(newer)}"
    values: dict[str, Any] = {
        "agency_name": "Example Agency Ltd",
        "role_group": "social_worker",
        "swe_number": f"SW{100000 + next(_serial)}",
        "start_date": date(2025, 10, 6),
        "end_date": None,
        "hourly_charge_rate": 45.0,
        "hourly_pay_rate": 30.0,
        **fields,
    }
    assignment = AgencyAssignment(return_id=return_id, council_code=council, row=row, **values)
    session.add(assignment)
    return assignment


def add_finding(
    session: Session,
    group: str,
    assignment: AgencyAssignment,
    rule: str = rules.ABOVE_CAP_WITHOUT_SIGN_OFF,
    status: FindingStatus = FindingStatus.breach,
    **fields: Any,
) -> MouFinding:
    assert assignment.id is not None
    finding = MouFinding(
        group_name=group,
        assignment_id=assignment.id,
        return_id=assignment.return_id,
        council_code=assignment.council_code,
        agency_name=assignment.agency_name,
        rule=rule,
        status=status,
        role_category=RoleCategory.social_worker,
        start_date=assignment.start_date,
        message=fields.pop("message", f"{rule}: found in tests"),
        **fields,
    )
    session.add(finding)
    session.flush()
    return finding


@dataclass(frozen=True)
class Reader:
    email: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def make_reader(
    session: Session,
    key: str,
    role: Role,
    *,
    group: str | None = None,
    councils: list[str] | None = None,
) -> Reader:
    """A user of ``role`` (of ``group``, or ``councils``) with an API token."""
    email = f"{key}@example.gov.uk"
    auth_service.create_user(
        session=session,
        email=email,
        role=role,
        councils=councils or [],
        group=group,
        agency=None,
        password="correct horse battery staple",
        actor=ACTOR,
    )
    issued = tokens.create_token(session=session, email=email, actor=ACTOR, days=30)
    return Reader(email, issued.secret)
