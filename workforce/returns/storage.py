"""Storing an accepted or rejected return's contents: its report, its measures and counts,
and the rows it holds (role groups, agency assignments, census workers)."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from workforce.returns import census as census_format
from workforce.returns.models import (
    COUNT,
    MEASURE,
    AgencyAssignment,
    CensusWorker,
    ReturnIssue,
    ReturnMeasure,
    ReturnRoleGroup,
)
from workforce.returns.reading import Parsed


def issue_rows(return_id: int, issues: list[dict[str, Any]]) -> list[ReturnIssue]:
    """The report's issues (``Issues.as_dicts``) as rows, in their order."""
    return [
        ReturnIssue(
            return_id=return_id,
            position=position,
            severity=issue["severity"],
            rule=issue["rule"],
            message=issue["message"],
            sheet=issue.get("sheet"),
            row=issue.get("row"),
            column=issue.get("column"),
            value=issue.get("value"),
            file=issue.get("file"),
            cell=issue.get("cell"),
        )
        for position, issue in enumerate(issues, start=1)
    ]


def figure_rows(
    return_id: int, *, measures: dict[str, float | None], counts: dict[str, float | None]
) -> list[ReturnMeasure]:
    """The return's measures and counts as rows, each kind in its order."""
    return [
        ReturnMeasure(
            return_id=return_id,
            kind=kind,
            measure=name,
            position=position,
            value=None if value is None else float(value),
        )
        for kind, figures in ((MEASURE, measures), (COUNT, counts))
        for position, (name, value) in enumerate(figures.items(), start=1)
    ]


def store_rows(*, session: Session, return_id: int, council_code: str, parsed: Parsed) -> None:
    """Store what an accepted return holds, row by row."""
    if parsed.quarterly is not None:
        for group, values in parsed.quarterly.role_groups.items():
            fields = {k: v for k, v in values.items() if k in ReturnRoleGroup.model_fields}
            session.add(ReturnRoleGroup(return_id=return_id, role_group=group, **fields))
        for a in parsed.quarterly.assignments:
            session.add(
                AgencyAssignment(
                    return_id=return_id,
                    council_code=council_code,
                    row=a.row,
                    agency_name=a.agency_name,
                    role_group=a.role_group,
                    swe_number=a.swe_number,
                    start_date=a.start_date,
                    end_date=a.end_date,
                    hourly_charge_rate=a.hourly_charge_rate,
                    hourly_pay_rate=a.hourly_pay_rate,
                    project_team=a.project_team,
                    above_cap_signoff_ref=a.above_cap_signoff_ref,
                    template_version=a.template_version,
                    pay_route=a.pay_route,
                    date_qualified=a.date_qualified,
                    notice_given_on=a.notice_given_on,
                    early_end_reason=a.early_end_reason,
                    project_costs_itemised=a.project_costs_itemised,
                )
            )
    if parsed.census is not None:
        rows = [_worker_row(return_id, w) for w in parsed.census.workers]
        if rows:
            session.execute(CensusWorker.__table__.insert(), rows)  # type: ignore[attr-defined]


def _worker_row(return_id: int, worker: census_format.Worker) -> dict[str, Any]:
    def number(name: str) -> float | None:
        value = worker.get(name)
        return None if value is None else float(value)

    def integer(name: str) -> int | None:
        value = worker.get(name)
        return None if value is None else int(value)

    return {
        "return_id": return_id,
        "record_no": worker.record_no,
        "agency_worker": worker.agency,
        "swe_number": str(worker.get("SWENo") or "")[:12],
        "fte": number("FTE"),
        "org_role": integer("OrgRole"),
        "role_start_date": worker.get("RoleStartDate"),
        "role_end_date": worker.get("RoleEndDate"),
        "reason_leave": integer("ReasonLeave"),
        "fte30": number("FTE30"),
        "cases30": integer("Cases30"),
        "working_days_lost": number("WorkingDaysLost"),
    }
