"""The quarterly return's template: its sheets, columns and role groups, with the guidance
for each, and the blank template as an XLSX workbook or as CSV files."""

from __future__ import annotations

import io

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
