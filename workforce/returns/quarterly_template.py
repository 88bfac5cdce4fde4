"""The quarterly return's template: its sheets, columns and role groups, with the guidance
for each, and the blank template as an XLSX workbook or as CSV files.

The agency assignments sheet has two versions. Version 1 has the nine columns of
``ASSIGNMENT_COLUMNS_V1``; version 2 adds the optional columns of ``ASSIGNMENT_COLUMNS_V2``
that regional MoU groups need to check the DfE agency rules (how the worker is paid, when
they qualified, notice and early ends, project-team costs). A file is read as the version
its columns show: none of the new columns is version 1, any of them version 2. The blank
template is the latest version and says so on its Guidance sheet.

The XLSX template's sheets head each column in words, with its unit ("Vacant posts
(FTE)"); the Guidance sheet gives each heading's machine name, which the CSV files use.
A file is read with either heading (``machine_name``). A council's own copy comes with its
code and the quarter end filled in on every row.
"""

from __future__ import annotations

import io
from datetime import date, datetime
from typing import TYPE_CHECKING

from workforce.measures import MEASURES
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


# column -> (heading in the XLSX template, unit). The heading names the unit too.
HEADINGS: dict[str, tuple[str, str]] = {
    "council_code": ("Council code", "DfE code"),
    "period_end": ("Quarter end", "date"),
    "role_group": ("Role group", "code"),
    "establishment_fte": ("Funded posts (FTE)", "FTE"),
    "inpost_fte": ("Permanent staff in post (FTE)", "FTE"),
    "inpost_headcount": ("Permanent staff in post (people)", "people"),
    "agency_fte": ("Agency workers (FTE)", "FTE"),
    "agency_headcount": ("Agency workers (people)", "people"),
    "vacancy_fte": ("Vacant posts (FTE)", "FTE"),
    "starters_fte": ("Starters in the quarter (FTE)", "FTE"),
    "leavers_fte": ("Leavers in the quarter (FTE)", "FTE"),
    "leavers_resignation_fte": ("Leavers: resignation (FTE)", "FTE"),
    "leavers_retirement_fte": ("Leavers: retirement (FTE)", "FTE"),
    "leavers_redundancy_fte": ("Leavers: redundancy (FTE)", "FTE"),
    "leavers_dismissal_fte": ("Leavers: dismissal (FTE)", "FTE"),
    "leavers_other_fte": ("Leavers: other reason (FTE)", "FTE"),
    "leavers_not_known_fte": ("Leavers: reason not known (FTE)", "FTE"),
    "case_holders_fte": ("Case holders (FTE)", "FTE"),
    "cases": ("Cases held (cases)", "cases"),
    "working_days_lost": ("Working days lost to sickness (days)", "days"),
    "agency_name": ("Agency", "text"),
    "swe_number": ("Social Work England number", "text"),
    "start_date": ("Start date", "date"),
    "end_date": ("End date", "date"),
    "hourly_charge_rate": ("Charge rate (£ per hour)", "£ per hour"),
    "hourly_pay_rate": ("Pay rate (£ per hour)", "£ per hour"),
    "project_team": ("Project team (Y or N)", "Y or N"),
    "above_cap_signoff_ref": ("Above-cap sign-off reference", "text"),
    "pay_route": ("Pay route", "code"),
    "date_qualified": ("Date qualified", "date"),
    "notice_given_on": ("Notice given on", "date"),
    "early_end_reason": ("Early-end reason", "code"),
    "project_costs_itemised": ("Project costs itemised (Y or N)", "Y or N"),
}


def _normalised(name: str) -> str:
    # As ``workforce.ingest.tables.normalise_header`` reads a header cell.
    return " ".join(name.split()).strip().lower().replace(" ", "_")


# A heading as a table's header reads it -> the column's machine name.
_BY_HEADING = {_normalised(heading): column for column, (heading, _) in HEADINGS.items()}


def machine_name(header: str) -> str:
    """The machine name of a (normalised) column header: itself, or the column it heads."""
    return _BY_HEADING.get(header, header)


def heading(column: str) -> str:
    """The column's heading in words, as the XLSX template gives it; a measure's label for
    a measure a check names (``agency_rate_fte``: "Agency worker rate"); else its name."""
    if column in HEADINGS:
        return HEADINGS[column][0]
    return MEASURES[column].label if column in MEASURES else column


def last_quarter_end(today: date) -> date:
    """The end of the last quarter that has ended by ``today`` (``today`` if it is one)."""
    ends = [date(today.year - 1, 12, 31)] + [
        date(today.year, month, day) for month, day in ((3, 31), (6, 30), (9, 30), (12, 31))
    ]
    return max(end for end in ends if end <= today)


def assignments_version(header: list[str]) -> int:
    """The assignments sheet's version its columns show: 2 with any new column, else 1."""
    return 2 if any(column in ASSIGNMENT_COLUMNS_V2 for column in header) else 1


def template_xlsx(
    *, council_code: str | None = None, council_name: str = "", period_end: date | None = None
) -> bytes:
    """Return the quarterly return as an XLSX workbook with a guidance sheet: blank, or a
    council's copy with its code and the quarter end on every row."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    guidance = workbook.active
    assert guidance is not None
    guidance.title = GUIDANCE_SHEET
    for line in _guidance_lines(council_code, council_name, period_end):
        guidance.append(list(line))
    guidance["A1"].font = Font(bold=True, size=14)
    for letter, width in (("A", 36), ("B", 90), ("C", 40), ("D", 14)):
        guidance.column_dimensions[letter].width = width
    workbook.properties.title = "Quarterly workforce return"
    workbook.properties.version = str(ASSIGNMENTS_VERSION)
    sheet = workbook.create_sheet(WORKFORCE_SHEET)
    sheet.append([heading(c) for c in WORKFORCE_COLUMNS])
    when = datetime(period_end.year, period_end.month, period_end.day) if period_end else None
    for code in ROLE_GROUPS:
        sheet.append([council_code or "", when or "", code])
    if when is not None:
        for (cell,) in sheet.iter_rows(min_row=2, min_col=2, max_col=2):
            cell.number_format = "DD/MM/YYYY"
    _add_checks(sheet, WORKFORCE_COLUMNS, len(ROLE_GROUPS) + 1)
    assignments = workbook.create_sheet(ASSIGNMENTS_SHEET)
    assignments.append([heading(c) for c in ASSIGNMENT_COLUMNS])
    _add_checks(assignments, ASSIGNMENT_COLUMNS, VALIDATED_ROWS + 1)
    for ws in (sheet, assignments):
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for cell in ws[1]:
            ws.column_dimensions[cell.column_letter].width = max(12, len(str(cell.value)) + 2)
        ws.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _guidance_lines(
    council_code: str | None, council_name: str, period_end: date | None
) -> list[tuple[object, ...]]:
    """The Guidance sheet's rows: what to do, then each column's machine name, what to
    enter, its heading and unit, then what each code means."""
    title = "Quarterly workforce return: guidance"
    about: list[tuple[object, ...]] = []
    if council_code:
        about.append(("Council", f"{council_name} ({council_code})".strip()))
    if period_end:
        about.append(("Quarter end", f"{period_end.day} {period_end:%B %Y}"))
    return [
        (title, ""),
        ("Agency assignments sheet: template version", ASSIGNMENTS_VERSION),
        *about,
        ("", ""),
        (
            "Fill in the Workforce sheet: one row for each role group, all for one council and "
            "one quarter end. Use 0 where there is none; leave no figure blank.",
            "",
        ),
        ("List each agency worker's assignment on the Agency assignments sheet.", ""),
        ("Type values, not formulas: cells with formulas are refused.", ""),
        (
            "The sheets head each column in words; a file may use either those headings or "
            "the machine names below (as the CSV files do).",
            "",
        ),
        ("", ""),
        ("Workforce sheet: column", "what to enter", "heading in the sheet", "unit"),
        *[(name, text, *HEADINGS[name]) for name, (_, text) in WORKFORCE_COLUMNS.items()],
        ("", ""),
        ("Role groups: code", "means"),
        *ROLE_GROUPS.items(),
        ("", ""),
        ("Agency assignments sheet: column", "what to enter", "heading in the sheet", "unit"),
        *[(name, text, *HEADINGS[name]) for name, (_, text) in ASSIGNMENT_COLUMNS.items()],
        ("", ""),
        ("Pay routes: code", "means"),
        *PAY_ROUTES.items(),
        ("", ""),
        ("Early-end reasons: code", "means"),
        *EARLY_END_REASONS.items(),
    ]


def _add_checks(sheet: Worksheet, columns: dict[str, tuple[str, str]], last_row: int) -> None:
    """Excel's own checks on each column: a drop-down of the codes for each coded or yes/no
    column, and figures that must be numbers (whole for counts of people) of 0 or more."""
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    yes_no = {"Y": "yes", "N": "no"}
    lists = {
        "role_group": ("Role group", ROLE_GROUPS),
        "pay_route": ("Pay route", PAY_ROUTES),
        "early_end_reason": ("Early-end reason", EARLY_END_REASONS),
        "project_team": ("Project team", yes_no),
        "project_costs_itemised": ("Project costs itemised", yes_no),
    }
    names = list(columns)
    for column, (kind, _) in columns.items():
        letter = get_column_letter(names.index(column) + 1)
        if column in lists:
            title, codes = lists[column]
            prompt = "; ".join(f"{code}: {label}" for code, label in codes.items())
            if len(prompt) > PROMPT_LIMIT:
                prompt = "one of " + ", ".join(codes) + " (see the Guidance sheet)"
            rule = DataValidation(
                type="list",
                formula1='"' + ",".join(codes) + '"',
                error="Choose one of: " + ", ".join(codes),
                promptTitle=title,
                prompt=prompt,
            )
        elif kind in ("fte", "int"):
            whole = kind == "int"
            rule = DataValidation(
                type="whole" if whole else "decimal",
                operator="greaterThanOrEqual",
                formula1="0",
                error=("A whole number" if whole else "A number") + " of 0 or more",
            )
        else:
            continue
        rule.allow_blank = True
        rule.showErrorMessage = True
        rule.showInputMessage = bool(rule.prompt)
        rule.errorTitle = heading(column)
        rule.add(f"{letter}2:{letter}{last_row}")
        sheet.add_data_validation(rule)


def template_csv(
    part: str = "workforce", *, council_code: str | None = None, period_end: date | None = None
) -> str:
    """Return the CSV variant (machine names as headers): the workforce table, blank or with
    a council's code and quarter end filled in, or the assignments table."""
    if part == "assignments":
        return ",".join(ASSIGNMENT_COLUMNS) + "\r\n"
    rows = [",".join(WORKFORCE_COLUMNS)]
    blanks = "," * (len(WORKFORCE_COLUMNS) - 3)
    start = f"{council_code or ''},{period_end.isoformat() if period_end else ''}"
    rows.extend(f"{start},{code}{blanks}" for code in ROLE_GROUPS)
    return "\r\n".join(rows) + "\r\n"
