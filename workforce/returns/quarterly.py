"""The quarterly return: this service's own template (XLSX, or CSV files).

One row per role group on the ``Workforce`` sheet, for one council and one quarter end;
the ``Agency assignments`` sheet lists each agency worker's assignment (version 1 of that
sheet, or version 2 with the columns MoU groups check the DfE agency rules with). As CSV,
the workforce table is one file and the assignments (optional) another.

The template's layout and the blank template are in ``quarterly_template``, the checks
both tables share in ``quarterly_rules``, the assignments in ``quarterly_assignments``;
the workforce table, and the return as a whole, are here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, cast

from workforce.ingest import cells
from workforce.ingest.problems import Issues
from workforce.ingest.tables import Table
from workforce.measures import definitions
from workforce.returns.quarterly_assignments import Assignment, read_assignments
from workforce.returns.quarterly_rules import (
    LEAVER_TOLERANCE,
    MAX_ASSIGNMENT_ROWS,
    MAX_HOURLY_RATE,
    MAX_WORKFORCE_ROWS,
    QUARTER_ENDS,
    check_columns,
    on_sheet,
    read_role,
    refused_cells,
    swe_number,
    too_many_rows,
    use_machine_names,
)
from workforce.returns.quarterly_template import (
    ASSIGNMENT_COLUMNS,
    ASSIGNMENT_COLUMNS_V1,
    ASSIGNMENT_COLUMNS_V2,
    ASSIGNMENTS_SHEET,
    ASSIGNMENTS_VERSION,
    EARLY_END_REASONS,
    GUIDANCE_SHEET,
    LEAVER_REASONS,
    PAY_ROUTES,
    REQUIRED_ASSIGNMENT,
    ROLE_GROUPS,
    WORKFORCE_COLUMNS,
    WORKFORCE_SHEET,
    assignments_version,
    template_csv,
    template_xlsx,
)

__all__ = [
    "ASSIGNMENTS_SHEET",
    "ASSIGNMENTS_VERSION",
    "ASSIGNMENT_COLUMNS",
    "ASSIGNMENT_COLUMNS_V1",
    "ASSIGNMENT_COLUMNS_V2",
    "EARLY_END_REASONS",
    "GUIDANCE_SHEET",
    "LEAVER_REASONS",
    "LEAVER_TOLERANCE",
    "MAX_ASSIGNMENT_ROWS",
    "MAX_HOURLY_RATE",
    "MAX_WORKFORCE_ROWS",
    "PAY_ROUTES",
    "QUARTER_ENDS",
    "REQUIRED_ASSIGNMENT",
    "ROLE_GROUPS",
    "WORKFORCE_COLUMNS",
    "WORKFORCE_SHEET",
    "Assignment",
    "QuarterlyReturn",
    "assignments_version",
    "read_assignments",
    "read_workforce",
    "swe_number",
    "template_csv",
    "template_xlsx",
]

# measure -> the DfE definition it is computed by
MEASURES = {
    "agency_rate_fte": "agency_rate_fte",
    "vacancy_rate_fte": "vacancy_rate_fte",
    "caseload_fte": "caseload_fte",
    # Leavers in one quarter, not the year: not comparable with DfE's annual rate.
    "quarterly_turnover_rate_fte": "turnover_rate_fte",
}
MEASURE_COUNTS = (
    "inpost_fte",
    "agency_fte",
    "vacancy_fte",
    "cases",
    "case_holders_fte",
    "leavers_fte",
)


@dataclass
class QuarterlyReturn:
    council_code: str | None = None
    period_end: date | None = None
    role_groups: dict[str, dict[str, Any]] = field(default_factory=dict)
    assignments: list[Assignment] = field(default_factory=list)

    def counts(self) -> dict[str, float | None]:
        """Council totals across role groups (None where any group left a figure blank)."""
        names = [c for c, (kind, _) in WORKFORCE_COLUMNS.items() if kind in ("fte", "int")]
        totals: dict[str, float | None] = {}
        for name in names:
            values = [g.get(name) for g in self.role_groups.values()]
            present = [float(v) for v in values if v is not None]
            totals[name] = round(sum(present), 6) if len(present) == len(values) else None
        return totals

    def measures(self) -> dict[str, float | None]:
        totals = self.counts()
        counts = cast(definitions.Counts, {name: totals[name] for name in MEASURE_COUNTS})
        year = self.period_end.year if self.period_end else 0
        return {
            name: definitions.compute(definition, counts, year)
            for name, definition in MEASURES.items()
        }


def read_workforce(issues: Issues, table: Table, today: date) -> QuarterlyReturn:
    """Read and check the workforce table (one row per role group), headed by machine names
    or by the template's headings."""
    use_machine_names(table)
    with on_sheet(issues, table):
        return _read_workforce(issues, table, today)


def _read_workforce(issues: Issues, table: Table, today: date) -> QuarterlyReturn:
    sheet = table.name
    result = QuarterlyReturn()
    if too_many_rows(issues, table, MAX_WORKFORCE_ROWS, "it needs one row per role group"):
        return result
    if not check_columns(issues, table, WORKFORCE_COLUMNS, sheet):
        # Refused for its columns, the return still says which quarter its rows name.
        result.period_end = _period_named(table)
        return result
    if not table.rows:
        issues.error("structure.no_rows", "the workforce table has no rows")
        return result
    councils: set[str] = set()
    periods: set[date] = set()
    # A cell refused for its formula has said so: its emptiness is not a second problem.
    refused = refused_cells(issues, table)
    for row_number, raw in table.rows:
        values: dict[str, Any] = {}

        def missing(column: str, row_number: int = row_number, raw: dict = raw) -> bool:
            return cells.blank(raw.get(column)) and (row_number, column) not in refused

        code = cells.text(issues, raw.get("council_code"), row=row_number, column="council_code")
        if code is None and missing("council_code"):
            issues.error(
                "required", "the council code is needed", row=row_number, column="council_code"
            )
        elif code is None:
            pass  # refused above or while reading, with its reason
        elif not (code.isdigit() and len(code) == 3):
            issues.error(
                "value.council_code",
                "a council code is three digits, e.g. 202",
                row=row_number,
                column="council_code",
                value=code,
            )
        else:
            councils.add(code)
        period = cells.a_date(issues, raw.get("period_end"), row=row_number, column="period_end")
        if period is None and missing("period_end"):
            issues.error(
                "required", "the quarter end date is needed", row=row_number, column="period_end"
            )
        elif period is not None:
            periods.add(period)
        role = (
            None
            if (row_number, "role_group") in refused
            else read_role(issues, raw.get("role_group"), row=row_number, column="role_group")
        )
        for column, (kind, _) in WORKFORCE_COLUMNS.items():
            if kind == "fte":
                values[column] = cells.number(
                    issues, raw.get(column), row=row_number, column=column
                )
            elif kind == "int":
                values[column] = cells.integer(
                    issues, raw.get(column), row=row_number, column=column
                )
            if kind in ("fte", "int") and missing(column):
                issues.error(
                    "required", "a figure is needed here (0 if none)", row=row_number, column=column
                )
        if role is None:
            continue
        if role in result.role_groups:
            issues.error(
                "duplicate.role_group",
                "this role group has a row already",
                row=row_number,
                column="role_group",
                value=role,
            )
            continue
        _cross_check_group(issues, values, row_number)
        result.role_groups[role] = values
    if len(councils) > 1:
        issues.error(
            "consistency.council",
            "every row must be for the same council",
            column="council_code",
            value=", ".join(sorted(councils)),
        )
    if len(periods) > 1:
        issues.error(
            "consistency.period",
            "every row must be for the same quarter end",
            column="period_end",
            value=", ".join(p.isoformat() for p in sorted(periods)),
        )
    result.council_code = next(iter(councils)) if len(councils) == 1 else None
    result.period_end = next(iter(periods)) if len(periods) == 1 else None
    if result.period_end is not None:
        if (result.period_end.month, result.period_end.day) not in QUARTER_ENDS:
            issues.error(
                "period.quarter_end",
                "the period must end on 31 March, 30 June, 30 September or 31 December",
                column="period_end",
                value=result.period_end.isoformat(),
            )
        if result.period_end > today:
            issues.error(
                "date.future",
                "the quarter has not ended yet",
                column="period_end",
                value=result.period_end.isoformat(),
            )
    missing_groups = [g for g in ROLE_GROUPS if g not in result.role_groups]
    # A role group refused for its formula is reported there, not again as a group missing.
    unread_role = any(column == "role_group" for _, column in refused)
    if len(result.role_groups) and missing_groups and not unread_role:
        for group in missing_groups:
            issues.error(
                "structure.role_group_missing",
                f"no row for {ROLE_GROUPS[group]!r}: add one (zeros if none)",
                column="role_group",
                value=group,
            )
    return result


def _period_named(table: Table) -> date | None:
    """The one quarter end a table's rows name, if they name one; problems unreported."""
    if "period_end" not in table.header:
        return None
    quiet = Issues()
    periods = {
        cells.a_date(quiet, raw.get("period_end"), row=number, column="period_end")
        for number, raw in table.rows
    } - {None}
    return periods.pop() if len(periods) == 1 else None


def _cross_check_group(issues: Issues, values: dict[str, Any], row: int) -> None:
    def v(name: str) -> float | None:
        value = values.get(name)
        return None if value is None else float(value)

    inpost, holders = v("inpost_fte"), v("case_holders_fte")
    if inpost is not None and holders is not None and holders > inpost + 1e-9:
        issues.error(
            "cross.case_holders",
            f"case holders ({holders:g} FTE) cannot exceed staff in post ({inpost:g} FTE)",
            row=row,
            column="case_holders_fte",
            value=holders,
        )
    leavers = v("leavers_fte")
    reasons = [v(name) for name in LEAVER_REASONS]
    if leavers is not None and all(r is not None for r in reasons):
        total = sum(r for r in reasons if r is not None)
        if abs(total - leavers) > LEAVER_TOLERANCE:
            issues.error(
                "cross.leavers_by_reason",
                f"leavers by reason add up to {total:g} FTE but leavers_fte is {leavers:g}",
                row=row,
                column="leavers_fte",
                value=leavers,
            )
    for fte, people in (("inpost_fte", "inpost_headcount"), ("agency_fte", "agency_headcount")):
        f, p = v(fte), v(people)
        if f is not None and p is not None and f > p + 1e-9:
            issues.warning(
                "cross.fte_above_headcount",
                f"{f:g} FTE from {p:g} people: check the two figures",
                row=row,
                column=fte,
                value=f,
            )
    cases = v("cases")
    if cases and not holders:
        issues.error(
            "cross.cases_without_holders",
            "cases are held but no case holders are given",
            row=row,
            column="case_holders_fte",
            value=holders,
        )
