"""The quarterly return: this service's own template (XLSX, or CSV files).

One row per role group on the ``Workforce`` sheet, for one council and one quarter end;
the ``Agency assignments`` sheet lists each agency worker's assignment. As CSV, the
workforce table is one file and the assignments (optional) another.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date
from typing import Any, cast

from workforce.ingest import cells
from workforce.ingest.problems import Issues
from workforce.ingest.tables import Table
from workforce.measures import definitions

WORKFORCE_SHEET = "Workforce"
ASSIGNMENTS_SHEET = "Agency assignments"
GUIDANCE_SHEET = "Guidance"

# code -> label, in the order the template lists them.
ROLE_GROUPS = {
    "social_worker": "Social worker",
    "senior_practitioner": "Senior social worker / senior practitioner",
    "advanced_practitioner": "Advanced practitioner",
    "team_manager": "Team manager",
    "iro_cp_chair": "IRO / CP chair",
    "senior_middle_manager": "Senior and middle managers",
}
LEAVER_REASONS = {
    "leavers_resignation_fte": "resignation",
    "leavers_retirement_fte": "retirement",
    "leavers_redundancy_fte": "redundancy (voluntary or compulsory)",
    "leavers_dismissal_fte": "dismissal",
    "leavers_other_fte": "other reason (including moving to a non-children's role)",
    "leavers_not_known_fte": "reason not known",
}
# column -> (kind, guidance)
WORKFORCE_COLUMNS: dict[str, tuple[str, str]] = {
    "council_code": ("code", "DfE 3-digit council code, e.g. 202"),
    "period_end": ("date", "quarter end date: 31 March, 30 June, 30 September or 31 December"),
    "role_group": ("role", "one row for each: " + "; ".join(ROLE_GROUPS)),
    "establishment_fte": ("fte", "funded posts (FTE)"),
    "inpost_fte": ("fte", "permanent (council-employed) staff in post at the quarter end (FTE)"),
    "inpost_headcount": ("int", "permanent staff in post at the quarter end (people)"),
    "agency_fte": ("fte", "agency workers at the quarter end (FTE)"),
    "agency_headcount": ("int", "agency workers at the quarter end (people)"),
    "vacancy_fte": ("fte", "vacant posts at the quarter end (FTE)"),
    "starters_fte": ("fte", "permanent staff who started during the quarter (FTE)"),
    "leavers_fte": ("fte", "permanent staff who left during the quarter (FTE)"),
    **{
        name: ("fte", f"leavers during the quarter: {why} (FTE)")
        for name, why in LEAVER_REASONS.items()
    },
    "case_holders_fte": ("fte", "permanent staff holding cases at the quarter end (FTE)"),
    "cases": ("int", "cases they hold at the quarter end"),
    "working_days_lost": ("fte", "working days lost to sickness during the quarter"),
}
ASSIGNMENT_COLUMNS: dict[str, tuple[str, str]] = {
    "agency_name": ("text", "the agency supplying the worker"),
    "role_group": ("role", "the worker's role group (codes as on the Workforce sheet)"),
    "swe_number": ("swe", "the worker's Social Work England registration number, e.g. SW123456"),
    "start_date": ("date", "assignment start date"),
    "end_date": ("date", "assignment end date (blank if continuing)"),
    "hourly_charge_rate": ("money", "what the council pays the agency per hour (pounds)"),
    "hourly_pay_rate": ("money", "what the worker is paid per hour (pounds)"),
    "project_team": ("yes_no", "Y if part of a managed project team, else N"),
    "above_cap_signoff_ref": ("text", "sign-off reference if the rate is above the cap"),
}
REQUIRED_ASSIGNMENT = {
    c for c in ASSIGNMENT_COLUMNS if c not in {"end_date", "above_cap_signoff_ref", "project_team"}
}
QUARTER_ENDS = {(3, 31), (6, 30), (9, 30), (12, 31)}
# The workforce table has a row for each of the six role groups: a hundred rows can only be
# some other table, and refusing it at once spares a report of a duplicate on every row.
MAX_WORKFORCE_ROWS = 100
# One row per agency assignment. England had about 7,400 agency children's social workers in
# 2023 (DfE CSWW, workforce/data/csww) and the most any council had was a few hundred.
MAX_ASSIGNMENT_ROWS = 10_000
MAX_HOURLY_RATE = 250.0
LEAVER_TOLERANCE = 0.05


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
        c = self.counts()
        counts = {
            "inpost_fte": c["inpost_fte"],
            "agency_fte": c["agency_fte"],
            "vacancy_fte": c["vacancy_fte"],
            "cases": c["cases"],
            "case_holders_fte": c["case_holders_fte"],
            "leavers_fte": c["leavers_fte"],
        }
        year = self.period_end.year if self.period_end else 0
        return {
            "agency_rate_fte": definitions.compute(
                "agency_rate_fte", cast(definitions.Counts, counts), year
            ),
            "vacancy_rate_fte": definitions.compute(
                "vacancy_rate_fte", cast(definitions.Counts, counts), year
            ),
            "caseload_fte": definitions.compute(
                "caseload_fte", cast(definitions.Counts, counts), year
            ),
            # Leavers in one quarter, not the year: not comparable with DfE's annual rate.
            "quarterly_turnover_rate_fte": definitions.compute(
                "turnover_rate_fte", cast(definitions.Counts, counts), year
            ),
        }


def _role(issues: Issues, value: object, *, row: int, column: str) -> str | None:
    if cells.blank(value):
        issues.error("required", "a role group is needed", row=row, column=column)
        return None
    text = " ".join(str(value).split()).lower()
    for code, label in ROLE_GROUPS.items():
        if text in (code, label.lower(), code.replace("_", " ")):
            return code
    issues.error(
        "value.role_group",
        "unknown role group; use one of " + ", ".join(ROLE_GROUPS),
        row=row,
        column=column,
        value=value,
    )
    return None


def swe_number(issues: Issues, value: object, *, row: int, column: str) -> str | None:
    if cells.blank(value):
        issues.error("required", "a Social Work England number is needed", row=row, column=column)
        return None
    text = str(value).strip().upper().replace(" ", "")
    if not (text.startswith("SW") and text[2:].isdigit() and 1 <= len(text) - 2 <= 10):
        issues.error(
            "swe.format",
            "a Social Work England number is SW followed by its digits, e.g. SW123456",
            row=row,
            column=column,
            value=value,
        )
        return None
    return text


def _check_columns(issues: Issues, table: Table, expected: dict[str, Any], sheet: str) -> bool:
    present = set(table.header)
    missing = [c for c in expected if c not in present]
    for column in missing:
        issues.error(
            "structure.missing_column",
            f"the column {column!r} is missing (see the template's Guidance sheet)",
            sheet=sheet,
            column=column,
        )
    for column in table.header:
        if column and column not in expected:
            issues.warning(
                "structure.unknown_column",
                "this column is not part of the return and was ignored",
                sheet=sheet,
                column=column,
            )
    duplicates = {c for c in table.header if c and table.header.count(c) > 1}
    for column in sorted(duplicates):
        issues.error(
            "structure.duplicate_column", "this column appears twice", sheet=sheet, column=column
        )
    return not missing and not duplicates


def read_workforce(issues: Issues, table: Table, today: date) -> QuarterlyReturn:
    """Read and check the workforce table (one row per role group)."""
    issues.sheet = table.name
    try:
        return _read_workforce(issues, table, today)
    finally:
        issues.sheet = None


def _too_many_rows(issues: Issues, table: Table, limit: int, what: str) -> bool:
    """Report a table longer than ``limit`` rows at its first row past it; say whether it was."""
    if len(table.rows) <= limit:
        return False
    issues.error(
        "file.too_many_rows",
        f"this table goes on past {limit:,} rows; {what}: is it the right table?",
        row=table.rows[limit][0],
    )
    return True


def _read_workforce(issues: Issues, table: Table, today: date) -> QuarterlyReturn:
    sheet = table.name
    result = QuarterlyReturn()
    if _too_many_rows(issues, table, MAX_WORKFORCE_ROWS, "it needs one row per role group"):
        return result
    if not _check_columns(issues, table, WORKFORCE_COLUMNS, sheet):
        return result
    if not table.rows:
        issues.error("structure.no_rows", "the workforce table has no rows")
        return result
    councils: set[str] = set()
    periods: set[date] = set()
    for row_number, raw in table.rows:
        values: dict[str, Any] = {}
        code = cells.text(issues, raw.get("council_code"), row=row_number, column="council_code")
        if code is None and cells.blank(raw.get("council_code")):
            issues.error(
                "required", "the council code is needed", row=row_number, column="council_code"
            )
        elif code is None:
            pass  # refused above, with its reason
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
        if period is None and cells.blank(raw.get("period_end")):
            issues.error(
                "required", "the quarter end date is needed", row=row_number, column="period_end"
            )
        elif period is not None:
            periods.add(period)
        role = _role(issues, raw.get("role_group"), row=row_number, column="role_group")
        for column, (kind, _) in WORKFORCE_COLUMNS.items():
            if kind == "fte":
                values[column] = cells.number(
                    issues, raw.get(column), row=row_number, column=column
                )
            elif kind == "int":
                values[column] = cells.integer(
                    issues, raw.get(column), row=row_number, column=column
                )
            if kind in ("fte", "int") and cells.blank(raw.get(column)):
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
    if len(result.role_groups) and missing_groups:
        for group in missing_groups:
            issues.error(
                "structure.role_group_missing",
                f"no row for {ROLE_GROUPS[group]!r}: add one (zeros if none)",
                column="role_group",
                value=group,
            )
    return result


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


def read_assignments(issues: Issues, table: Table, today: date) -> list[Assignment]:
    """Read and check the agency assignments."""
    issues.sheet = table.name
    try:
        return _read_assignments(issues, table, today)
    finally:
        issues.sheet = None


def _read_assignments(issues: Issues, table: Table, today: date) -> list[Assignment]:
    result: list[Assignment] = []
    if _too_many_rows(issues, table, MAX_ASSIGNMENT_ROWS, "more than any council's agency staff"):
        return result
    if not _check_columns(issues, table, ASSIGNMENT_COLUMNS, table.name):
        return result
    seen: dict[tuple[str, date], int] = {}
    for row, raw in table.rows:
        before = issues.error_count
        name = cells.text(issues, raw.get("agency_name"), row=row, column="agency_name")
        role = _role(issues, raw.get("role_group"), row=row, column="role_group")
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


# --- the blank template -------------------------------------------------------------------


def template_xlsx() -> bytes:
    """Return the blank quarterly return as an XLSX workbook with a guidance sheet."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    guidance = workbook.active
    assert guidance is not None
    guidance.title = GUIDANCE_SHEET
    lines = [
        ("Quarterly workforce return: guidance", ""),
        ("", ""),
        (
            "Fill in the Workforce sheet: one row for each role group, all for one council and "
            "one quarter end. Use 0 where there is none; leave no figure blank.",
            "",
        ),
        ("List each agency worker's assignment on the Agency assignments sheet.", ""),
        ("Type values, not formulas: cells with formulas are refused.", ""),
        ("", ""),
        ("Workforce sheet: column", "what to enter"),
        *[(name, text) for name, (_, text) in WORKFORCE_COLUMNS.items()],
        ("", ""),
        ("Role groups: code", "means"),
        *ROLE_GROUPS.items(),
        ("", ""),
        ("Agency assignments sheet: column", "what to enter"),
        *[(name, text) for name, (_, text) in ASSIGNMENT_COLUMNS.items()],
    ]
    for line in lines:
        guidance.append(list(line))
    guidance["A1"].font = Font(bold=True, size=14)
    guidance.column_dimensions["A"].width = 36
    guidance.column_dimensions["B"].width = 90
    sheet = workbook.create_sheet(WORKFORCE_SHEET)
    sheet.append(list(WORKFORCE_COLUMNS))
    for code in ROLE_GROUPS:
        sheet.append(["", "", code])
    assignments = workbook.create_sheet(ASSIGNMENTS_SHEET)
    assignments.append(list(ASSIGNMENT_COLUMNS))
    for ws in (sheet, assignments):
        for cell in ws[1]:
            cell.font = Font(bold=True)
        ws.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def template_csv(part: str = "workforce") -> str:
    """Return the blank CSV variant: the workforce table, or the assignments table."""
    if part == "assignments":
        return ",".join(ASSIGNMENT_COLUMNS) + "\r\n"
    rows = [",".join(WORKFORCE_COLUMNS)]
    blanks = "," * (len(WORKFORCE_COLUMNS) - 3)
    rows.extend(f",,{code}{blanks}" for code in ROLE_GROUPS)
    return "\r\n".join(rows) + "\r\n"
