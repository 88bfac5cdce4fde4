"""The quarterly return's template: its sheets, columns and role groups, with the guidance
for each, and the blank template as an XLSX workbook or as CSV files.

The agency assignments sheet has two versions. Version 1 has the nine columns of
``ASSIGNMENT_COLUMNS_V1``; version 2 adds the optional columns of ``ASSIGNMENT_COLUMNS_V2``
that regional MoU groups need to check the DfE agency rules (how the worker is paid, when
they qualified, notice and early ends, project-team costs). A file is read as the version
its columns show: none of the new columns is version 1, any of them version 2. The blank
template is the latest version and says so on its Guidance sheet.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from workforce.mou.models import PAY_ROUTE_LABELS, PayRoute

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

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
ASSIGNMENT_COLUMNS_V1: dict[str, tuple[str, str]] = {
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
# code -> label: why an assignment ended before its agreed end.
EARLY_END_REASONS = {
    "worker_left": "the worker left",
    "agency_withdrew": "the agency withdrew the worker",
    "council_ended_performance": "the council ended it over the worker's performance",
    "council_ended_budget": "the council ended it for budget reasons",
    "other": "another reason",
}
PAY_ROUTES: dict[str, str] = {route.value: label for route, label in PAY_ROUTE_LABELS.items()}
ASSIGNMENT_COLUMNS_V2: dict[str, tuple[str, str]] = {
    "pay_route": (
        "pay_route",
        "how the worker is paid: PAYE, umbrella or limited company; one of " + ", ".join(PayRoute),
    ),
    "date_qualified": (
        "date",
        "the date the worker qualified as a social worker (not after the start date)",
    ),
    "notice_given_on": (
        "date",
        "the date notice to end the assignment was given (blank if none; not after the end date)",
    ),
    "early_end_reason": (
        "early_end_reason",
        "why the assignment ended before its agreed end (blank if it did not; needs the end "
        "date); one of " + ", ".join(EARLY_END_REASONS),
    ),
    "project_costs_itemised": (
        "yes_no",
        "project-team rows only: Y if the project's costs are itemised, else N",
    ),
}
# Every column of the latest version, in the template's order: version 1's, then the new.
ASSIGNMENT_COLUMNS: dict[str, tuple[str, str]] = {**ASSIGNMENT_COLUMNS_V1, **ASSIGNMENT_COLUMNS_V2}
REQUIRED_ASSIGNMENT = {
    c
    for c in ASSIGNMENT_COLUMNS_V1
    if c not in {"end_date", "above_cap_signoff_ref", "project_team"}
}
ASSIGNMENTS_VERSION = 2
# Rows of the assignments sheet the blank template's drop-down lists cover: as many as a
# return may list (``quarterly_rules.MAX_ASSIGNMENT_ROWS``).
VALIDATED_ROWS = 10_000
# The most characters Excel shows in a cell's input message.
PROMPT_LIMIT = 255


def assignments_version(header: list[str]) -> int:
    """The assignments sheet's version its columns show: 2 with any new column, else 1."""
    return 2 if any(column in ASSIGNMENT_COLUMNS_V2 for column in header) else 1


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
        ("Agency assignments sheet: template version", ASSIGNMENTS_VERSION),
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
        ("", ""),
        ("Pay routes: code", "means"),
        *PAY_ROUTES.items(),
        ("", ""),
        ("Early-end reasons: code", "means"),
        *EARLY_END_REASONS.items(),
    ]
    for line in lines:
        guidance.append(list(line))
    guidance["A1"].font = Font(bold=True, size=14)
    guidance.column_dimensions["A"].width = 36
    guidance.column_dimensions["B"].width = 90
    workbook.properties.title = "Quarterly workforce return"
    workbook.properties.version = str(ASSIGNMENTS_VERSION)
    sheet = workbook.create_sheet(WORKFORCE_SHEET)
    sheet.append(list(WORKFORCE_COLUMNS))
    for code in ROLE_GROUPS:
        sheet.append(["", "", code])
    assignments = workbook.create_sheet(ASSIGNMENTS_SHEET)
    assignments.append(list(ASSIGNMENT_COLUMNS))
    _add_drop_downs(assignments)
    for ws in (sheet, assignments):
        for cell in ws[1]:
            cell.font = Font(bold=True)
        ws.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _add_drop_downs(sheet: Worksheet) -> None:
    """A drop-down list of the codes for each coded or yes/no column of the assignments."""
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    columns = list(ASSIGNMENT_COLUMNS)
    lists = {
        "pay_route": ("Pay route", PAY_ROUTES),
        "early_end_reason": ("Early-end reason", EARLY_END_REASONS),
        "project_team": ("Project team", {"Y": "yes", "N": "no"}),
        "project_costs_itemised": ("Project costs itemised", {"Y": "yes", "N": "no"}),
    }
    for column, (title, codes) in lists.items():
        letter = get_column_letter(columns.index(column) + 1)
        prompt = "; ".join(f"{code}: {label}" for code, label in codes.items())
        if len(prompt) > PROMPT_LIMIT:
            prompt = "one of " + ", ".join(codes) + " (see the Guidance sheet)"
        rule = DataValidation(
            type="list",
            formula1='"' + ",".join(codes) + '"',
            allow_blank=True,
            showErrorMessage=True,
            showInputMessage=True,
            errorTitle=title,
            error="Choose one of: " + ", ".join(codes),
            promptTitle=title,
            prompt=prompt,
        )
        rule.add(f"{letter}2:{letter}{VALIDATED_ROWS + 1}")
        sheet.add_data_validation(rule)


def template_csv(part: str = "workforce") -> str:
    """Return the blank CSV variant: the workforce table, or the assignments table."""
    if part == "assignments":
        return ",".join(ASSIGNMENT_COLUMNS) + "\r\n"
    rows = [",".join(WORKFORCE_COLUMNS)]
    blanks = "," * (len(WORKFORCE_COLUMNS) - 3)
    rows.extend(f",,{code}{blanks}" for code in ROLE_GROUPS)
    return "\r\n".join(rows) + "\r\n"
