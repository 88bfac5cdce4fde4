"""Agencies on the kite-mark register, the assignments councils listed for them and the MoU
findings on those assignments; an agency taken through to an award."""

from __future__ import annotations

import itertools
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, select

from tests.builders import mou as build_mou
from tests.builders.people import TEST_ACTOR
from workforce.agencies import flows, sampling
from workforce.agencies.models import (
    Agency,
    AgencyMatch,
    AgencyName,
    Assessment,
    MatchMethod,
    NameKind,
    Outcome,
)
from workforce.agencies.names import normalise
from workforce.mou.models import FindingStatus, MouFinding, MouGroup
from workforce.returns.models import AgencyAssignment, CouncilReturn

CAMDEN, GREENWICH, HACKNEY = "202", "203", "204"
GROUP = "Kite-mark test group"
_worker = itertools.count(1001)


def make_agency(session: Session, legal_name: str, *, matched: bool = True) -> Agency:
    """An agency with its legal name, and (``matched``) that name matched for returns."""
    agency = Agency(legal_name=legal_name)
    session.add(agency)
    session.flush()
    assert agency.id is not None
    key = normalise(legal_name)
    session.add(
        AgencyName(agency_id=agency.id, name=legal_name, normalised=key, kind=NameKind.legal)
    )
    if matched:
        session.add(
            AgencyMatch(
                normalised_name=key,
                agency_id=agency.id,
                method=MatchMethod.legal_name,
                matched_by="tests",
            )
        )
    session.flush()
    return agency


def group(session: Session, councils: list[str] | None = None) -> MouGroup:
    """The MoU group the findings belong to (made once)."""
    held = session.get(MouGroup, GROUP)
    if held is not None:
        return held
    return build_mou.make_group(session, GROUP, councils or [CAMDEN, GREENWICH])


def quarter(session: Session, council: str, period_end: date) -> CouncilReturn:
    return build_mou.council_return(session, council, period_end)


def new_swe() -> str:
    return f"SW{next(_worker):06d}"


def place(
    session: Session, ret: CouncilReturn, agency: Agency | str, n: int = 1, **fields: Any
) -> list[AgencyAssignment]:
    """``n`` assignments of new workers (unless ``swe_number`` is given) for the agency."""
    name = agency if isinstance(agency, str) else agency.legal_name
    rows = []
    for _ in range(n):
        values = {"agency_name": name, "swe_number": new_swe(), **fields}
        rows.append(build_mou.assignment(session, ret, **values))
    return rows


def finding(
    session: Session,
    assignment: AgencyAssignment,
    rule: str,
    status: FindingStatus = FindingStatus.breach,
) -> MouFinding:
    """A finding of the test group's assessment on ``assignment``."""
    group(session)
    assert assignment.id is not None
    row = MouFinding(
        group_name=GROUP,
        assignment_id=assignment.id,
        return_id=assignment.return_id,
        council_code=assignment.council_code,
        agency_name=assignment.agency_name,
        rule=rule,
        status=status,
        start_date=assignment.start_date,
        message=f"test finding {rule}",
    )
    session.add(row)
    session.flush()
    return row


def swe_numbers(rows: list[AgencyAssignment]) -> list[str]:
    return [r.swe_number or "" for r in rows]


def assessed(
    session: Session,
    agency: Agency,
    start: date,
    end: date,
    *,
    files_pass: bool = True,
    seed: int = 20261130,
) -> Assessment:
    """An application for the period, its assessment, the sample drawn and every file
    checked (all passing or, with ``files_pass=False``, none), and the criteria assessed."""
    assert agency.id is not None
    application = flows.apply(
        session=session, agency_id=agency.id, period_start=start, period_end=end, actor=TEST_ACTOR
    )
    assert application.id is not None
    assessment = flows.start_assessment(
        session=session, application_id=application.id, actor=TEST_ACTOR
    )
    assert assessment.id is not None
    sample = sampling.draw_sample(
        session=session, assessment_id=assessment.id, actor=TEST_ACTOR, seed=seed
    )
    assert sample.id is not None
    for f in sampling.files_of(session=session, sample_id=sample.id):
        sampling.record_checks(
            session=session,
            sample_id=sample.id,
            swe_number=f.swe_number,
            checks=dict.fromkeys(sampling.CHECKS, files_pass),
            actor=TEST_ACTOR,
        )
    flows.assess(session=session, assessment_id=assessment.id, actor=TEST_ACTOR)
    return assessment


def awarded(
    session: Session, agency: Agency, start: date, end: date, *, on: datetime | None = None
) -> Assessment:
    """The agency assessed for the period and passed: the kite-mark awarded ``on``."""
    assessment = assessed(session, agency, start, end)
    assert assessment.id is not None
    return flows.decide(
        session=session,
        assessment_id=assessment.id,
        actor=TEST_ACTOR,
        outcome=Outcome.passed,
        on=on,
    )


def audit_actions(session: Session) -> list[str]:
    from workforce.auth.models import AuditEvent

    return [e.action for e in session.exec(select(AuditEvent).order_by(AuditEvent.id))]
