"""The quarterly return's agency assignments: one row per agency worker's assignment, with
its rates, checked against the cap and against each other."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from workforce.ingest import cells
from workforce.ingest.problems import Issues
from workforce.ingest.tables import Table
from workforce.returns.quarterly_rules import (
    MAX_ASSIGNMENT_ROWS,
    MAX_HOURLY_RATE,
    check_columns,
    on_sheet,
    read_role,
    swe_number,
    too_many_rows,
)
from workforce.returns.quarterly_template import ASSIGNMENT_COLUMNS, REQUIRED_ASSIGNMENT


@dataclass
class Assignment:
    row: int
    agency_name: str
    role_group: str
    swe_number: str
    start_date: date
    end_date: date | None
    hourly_charge_rate: float
    hourly_pay_rate: float
    project_team: bool
    above_cap_signoff_ref: str | None


def read_assignments(issues: Issues, table: Table, today: date) -> list[Assignment]:
    """Read and check the agency assignments."""
    with on_sheet(issues, table):
        return _read_assignments(issues, table, today)


def _read_assignments(issues: Issues, table: Table, today: date) -> list[Assignment]:
    result: list[Assignment] = []
    if too_many_rows(issues, table, MAX_ASSIGNMENT_ROWS, "more than any council's agency staff"):
        return result
    if not check_columns(issues, table, ASSIGNMENT_COLUMNS, table.name):
        return result
    seen: dict[tuple[str, date], int] = {}
    for row, raw in table.rows:
        before = issues.error_count
        name = cells.text(issues, raw.get("agency_name"), row=row, column="agency_name")
        role = read_role(issues, raw.get("role_group"), row=row, column="role_group")
        swe = swe_number(issues, raw.get("swe_number"), row=row, column="swe_number")
        start = cells.a_date(issues, raw.get("start_date"), row=row, column="start_date")
        end = cells.a_date(issues, raw.get("end_date"), row=row, column="end_date")
        charge = cells.number(
            issues, raw.get("hourly_charge_rate"), row=row, column="hourly_charge_rate"
        )
        pay = cells.number(issues, raw.get("hourly_pay_rate"), row=row, column="hourly_pay_rate")
        project = cells.yes_no(issues, raw.get("project_team"), row=row, column="project_team")
        signoff = cells.text(
            issues,
            raw.get("above_cap_signoff_ref"),
            row=row,
            column="above_cap_signoff_ref",
            max_length=100,
        )
        for column in sorted(REQUIRED_ASSIGNMENT):
            if cells.blank(raw.get(column)) and column not in ("role_group", "swe_number"):
                issues.error("required", "this is needed", row=row, column=column)
        for column, rate in (("hourly_charge_rate", charge), ("hourly_pay_rate", pay)):
            if rate is not None and not 0 < rate <= MAX_HOURLY_RATE:
                issues.error(
                    "range.hourly_rate",
                    f"an hourly rate must be above £0 and at most £{MAX_HOURLY_RATE:g}",
                    row=row,
                    column=column,
                    value=rate,
                )
        if charge is not None and pay is not None and pay > charge:
            issues.error(
                "cross.pay_above_charge",
                f"the pay rate (£{pay:g}) is above the charge rate (£{charge:g})",
                row=row,
                column="hourly_pay_rate",
                value=pay,
            )
        if start is not None and start > today:
            issues.warning(
                "date.future",
                "this assignment has not started yet",
                row=row,
                column="start_date",
                value=start.isoformat(),
            )
        if start is not None and end is not None and end < start:
            issues.error(
                "cross.end_before_start",
                "the end date is before the start date",
                row=row,
                column="end_date",
                value=end.isoformat(),
            )
        if swe is not None and start is not None:
            key = (swe, start)
            if key in seen:
                issues.error(
                    "duplicate.assignment",
                    f"the same worker and start date as row {seen[key]}",
                    row=row,
                    column="swe_number",
                    value=swe,
                )
            else:
                seen[key] = row
        if issues.error_count == before and name and role and swe and start and charge and pay:
            result.append(
                Assignment(row, name, role, swe, start, end, charge, pay, bool(project), signoff)
            )
    return result
