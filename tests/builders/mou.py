"""Regional MoU groups, their caps and on-costs, and the returns the assessment reads:
accepted quarterly returns with agency assignments, census returns with leavers."""

from __future__ import annotations

import itertools
from datetime import date
from typing import Any

from sqlmodel import Session

from tests.builders.people import TEST_ACTOR
from workforce.mou import caps as cap_service
from workforce.mou import service
from workforce.mou.models import MouGroup, PayRoute, RoleCategory
from workforce.returns.models import (
    AgencyAssignment,
    CensusWorker,
    CouncilReturn,
    ReturnKind,
    ReturnStatus,
)

_sha = itertools.count(1)
RULES_FROM = date(2025, 10, 1)


def make_group(
    session: Session,
    name: str,
    councils: list[str],
    *,
    cooling_off_months: int = 3,
    rules_from: date | None = RULES_FROM,
) -> MouGroup:
    return service.create_group(
        session=session,
        name=name,
        councils=councils,
        cooling_off_months=cooling_off_months,
        rules_from=rules_from,
        actor=TEST_ACTOR,
    )


def set_cap(
    session: Session,
    group: str,
    role: RoleCategory | str,
    effective_from: date,
    hourly_cap: float,
    *,
    is_example: bool = False,
) -> None:
    cap_service.set_cap(
        session=session,
        group_name=group,
        role_category=role,
        effective_from=effective_from,
        hourly_cap=hourly_cap,
        is_example=is_example,
        source="test figure",
        actor=TEST_ACTOR,
    )


def set_on_costs(
    session: Session,
    route: PayRoute | str,
    effective_from: date,
    employer_ni: float,
    apprenticeship_levy: float = 0.0,
    other: float = 0.0,
) -> None:
    cap_service.set_on_cost_rate(
        session=session,
        pay_route=route,
        effective_from=effective_from,
        employer_ni=employer_ni,
        apprenticeship_levy=apprenticeship_levy,
        other=other,
        source="test figure",
        actor=TEST_ACTOR,
    )


def council_return(
    session: Session,
    council: str,
    period_end: date,
    *,
    kind: ReturnKind = ReturnKind.quarterly,
    status: ReturnStatus = ReturnStatus.accepted,
) -> CouncilReturn:
    n = next(_sha)
    row = CouncilReturn(
        council_code=council,
        kind=kind,
        period_end=period_end,
        status=status,
        file_name=f"test-{kind}-{council}-{period_end:%Y%m%d}-{n}.csv",
        sha256=f"{n:064x}",
        size_bytes=100,
    )
    session.add(row)
    session.flush()
    return row


def assignment(session: Session, ret: CouncilReturn, **fields: Any) -> AgencyAssignment:
    """An assignment in ``ret``; version 2 by default (pay route PAYE, qualified long ago)."""
    assert ret.id is not None
    values: dict[str, Any] = {
        "row": fields.pop("row", None) or 1 + next(_sha) % 1000,
        "agency_name": "Test Agency Ltd",
        "role_group": "social_worker",
        "swe_number": f"SW{next(_sha):06d}",
        "start_date": date(2025, 11, 3),
        "end_date": None,
        "hourly_charge_rate": 40.0,
        "hourly_pay_rate": 20.0,
        "project_team": False,
        "above_cap_signoff_ref": None,
        "template_version": 2,
        "pay_route": PayRoute.paye,
        "date_qualified": date(2015, 7, 1),
        "notice_given_on": None,
        "early_end_reason": None,
        "project_costs_itemised": None,
    }
    values.update(fields)
    row = AgencyAssignment(return_id=ret.id, council_code=ret.council_code, **values)
    session.add(row)
    session.flush()
    return row


def v1(**fields: Any) -> dict[str, Any]:
    """An assignment's fields as a version 1 sheet gives them (no new columns)."""
    return {"template_version": 1, "pay_route": None, "date_qualified": None, **fields}


def census_leaver(
    session: Session,
    council: str,
    swe_number: str,
    left_on: date,
    *,
    census_date: date | None = None,
    agency_worker: bool = False,
    status: ReturnStatus = ReturnStatus.accepted,
) -> CensusWorker:
    """A census return of ``council`` with one worker who left their post on ``left_on``."""
    ret = council_return(
        session,
        council,
        census_date or date(left_on.year if left_on.month < 10 else left_on.year + 1, 9, 30),
        kind=ReturnKind.census,
        status=status,
    )
    assert ret.id is not None
    worker = CensusWorker(
        return_id=ret.id,
        record_no=1,
        agency_worker=agency_worker,
        swe_number=swe_number,
        role_end_date=left_on,
        reason_leave=1,
    )
    session.add(worker)
    session.flush()
    return worker
