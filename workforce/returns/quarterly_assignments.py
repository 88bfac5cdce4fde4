"""The quarterly return's agency assignments: one row per agency worker's assignment, with
its rates, checked against the cap and against each other.

A version 2 sheet (any of ``ASSIGNMENT_COLUMNS_V2`` present) may also give how the worker
is paid, when they qualified, when notice was given and why the assignment ended early,
and whether a project team's costs are itemised; each of those columns is optional. In
version 2 a project-team worker may be left unnamed (no Social Work England number).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from workforce.ingest import cells
from workforce.ingest.problems import Issues
from workforce.ingest.tables import Table
from workforce.mou.models import PayRoute
from workforce.returns.quarterly_rules import (
    MAX_ASSIGNMENT_ROWS,
    MAX_HOURLY_RATE,
    check_columns,
    on_sheet,
    read_code,
    read_role,
    refused_cells,
    swe_number,
    too_many_rows,
    use_machine_names,
)
from workforce.returns.quarterly_template import (
    ASSIGNMENT_COLUMNS,
    ASSIGNMENT_COLUMNS_V2,
    EARLY_END_REASONS,
    PAY_ROUTES,
    REQUIRED_ASSIGNMENT,
    assignments_version,
)


@dataclass
class Assignment:
    row: int
    agency_name: str
    role_group: str
    swe_number: str | None  # None only for an unnamed project-team worker (version 2)
    start_date: date
    end_date: date | None
    hourly_charge_rate: float
    hourly_pay_rate: float
    project_team: bool
    above_cap_signoff_ref: str | None
    template_version: int = 1
    pay_route: PayRoute | None = None
    date_qualified: date | None = None
    notice_given_on: date | None = None
    early_end_reason: str | None = None
    project_costs_itemised: bool | None = None


def read_assignments(issues: Issues, table: Table, today: date) -> list[Assignment]:
    """Read and check the agency assignments, headed by machine names or by headings."""
    use_machine_names(table)
    with on_sheet(issues, table):
        return _read_assignments(issues, table, today)


def _read_assignments(issues: Issues, table: Table, today: date) -> list[Assignment]:
    result: list[Assignment] = []
    if too_many_rows(issues, table, MAX_ASSIGNMENT_ROWS, "more than any council's agency staff"):
        return result
    if not check_columns(
        issues, table, ASSIGNMENT_COLUMNS, table.name, optional=ASSIGNMENT_COLUMNS_V2
    ):
        return result
    version = assignments_version(table.header)
    seen: dict[tuple[str, date], int] = {}
    refused = refused_cells(issues, table)  # formulas: said once, where they were read
    for row, raw in table.rows:
        before = issues.error_count
        name = cells.text(issues, raw.get("agency_name"), row=row, column="agency_name")
        role = (
            None
            if (row, "role_group") in refused
            else read_role(issues, raw.get("role_group"), row=row, column="role_group")
        )
        unnamed = (
            version >= 2
            and cells.blank(raw.get("swe_number"))
            and _says_yes(raw.get("project_team"))
        )
        swe = (
            None
            if unnamed or (row, "swe_number") in refused
            else swe_number(issues, raw.get("swe_number"), row=row, column="swe_number")
        )
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
            if (
                cells.blank(raw.get(column))
                and column not in ("role_group", "swe_number")
                and (row, column) not in refused
            ):
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
        extra = {} if version < 2 else _version_2(issues, raw, row, start, end, project, today)
        if (
            issues.error_count == before
            and name
            and role
            and (swe or unnamed)
            and start
            and charge
            and pay
        ):
            result.append(
                Assignment(
                    row,
                    name,
                    role,
                    swe,
                    start,
                    end,
                    charge,
                    pay,
                    bool(project),
                    signoff,
                    template_version=version,
                    **extra,
                )
            )
    return result


def _says_yes(value: object) -> bool:
    """Whether a yes/no cell says yes (its errors are reported where it is read)."""
    return cells.yes_no(Issues(), value, row=0, column="") is True


def _version_2(
    issues: Issues,
    raw: dict[str, Any],
    row: int,
    start: date | None,
    end: date | None,
    project: bool | None,
    today: date,
) -> dict[str, Any]:
    """Read and check a row's version 2 columns, against its dates and project flag."""
    route = read_code(
        issues, raw.get("pay_route"), PAY_ROUTES, row=row, column="pay_route", what="pay route"
    )
    qualified = cells.a_date(issues, raw.get("date_qualified"), row=row, column="date_qualified")
    if qualified is not None and qualified > today:
        issues.error(
            "date.future",
            "the date the worker qualified is in the future",
            row=row,
            column="date_qualified",
            value=qualified.isoformat(),
        )
    elif qualified is not None and start is not None and qualified > start:
        issues.error(
            "cross.qualified_after_start",
            f"the worker qualified after the assignment started ({start.isoformat()})",
            row=row,
            column="date_qualified",
            value=qualified.isoformat(),
        )
    notice = cells.a_date(issues, raw.get("notice_given_on"), row=row, column="notice_given_on")
    if notice is not None and end is not None and notice > end:
        issues.error(
            "cross.notice_after_end",
            f"notice was given after the assignment ended ({end.isoformat()})",
            row=row,
            column="notice_given_on",
            value=notice.isoformat(),
        )
    reason = read_code(
        issues,
        raw.get("early_end_reason"),
        EARLY_END_REASONS,
        row=row,
        column="early_end_reason",
        what="early-end reason",
    )
    if reason is not None and cells.blank(raw.get("end_date")):
        issues.error(
            "cross.early_end_without_end",
            "an assignment ended early needs its end date",
            row=row,
            column="early_end_reason",
            value=reason,
        )
    itemised = cells.yes_no(
        issues, raw.get("project_costs_itemised"), row=row, column="project_costs_itemised"
    )
    if itemised and not project:
        issues.warning(
            "cross.itemised_not_project_team",
            "project costs are itemised only for project-team rows: is project_team right?",
            row=row,
            column="project_costs_itemised",
            value=raw.get("project_costs_itemised"),
        )
    return {
        "pay_route": None if route is None else PayRoute(route),
        "date_qualified": qualified,
        "notice_given_on": notice,
        "early_end_reason": reason,
        "project_costs_itemised": itemised,
    }
