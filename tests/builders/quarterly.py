"""Quarterly returns to test with: one council's quarter worked out by hand, its
workbook and CSVs, and the figures and assignments that return must give."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest
from openpyxl import load_workbook

from workforce.ingest.problems import Issues
from workforce.ingest.problems import Problem as Issue
from workforce.returns import quarterly
from workforce.returns.reading import Parsed, Upload, parse_upload

TODAY = date(2026, 11, 24)
PERIOD = date(2026, 6, 30)
WORKFORCE_FILE = "workforce.csv"
ASSIGNMENTS_FILE = "assignments.csv"

# One council's quarter, per role group, in the template's column order after the first three.
FIGURES: dict[str, dict[str, float | int]] = {
    "social_worker": {
        "establishment_fte": 100,
        "inpost_fte": 80.5,
        "inpost_headcount": 84,
        "agency_fte": 12.5,
        "agency_headcount": 13,
        "vacancy_fte": 7.0,
        "starters_fte": 4.0,
        "leavers_fte": 3.5,
        "leavers_resignation_fte": 2.0,
        "leavers_retirement_fte": 0.5,
        "leavers_redundancy_fte": 0,
        "leavers_dismissal_fte": 0,
        "leavers_other_fte": 1.0,
        "leavers_not_known_fte": 0,
        "case_holders_fte": 30.0,
        "cases": 400,
        "working_days_lost": 120.5,
    },
    "senior_practitioner": {
        "establishment_fte": 30,
        "inpost_fte": 25.0,
        "inpost_headcount": 26,
        "agency_fte": 2.0,
        "agency_headcount": 2,
        "vacancy_fte": 3.0,
        "starters_fte": 1.0,
        "leavers_fte": 1.0,
        "leavers_resignation_fte": 1.0,
        "leavers_retirement_fte": 0,
        "leavers_redundancy_fte": 0,
        "leavers_dismissal_fte": 0,
        "leavers_other_fte": 0,
        "leavers_not_known_fte": 0,
        "case_holders_fte": 10.0,
        "cases": 90,
        "working_days_lost": 40,
    },
    "advanced_practitioner": {
        "establishment_fte": 8,
        "inpost_fte": 6.5,
        "inpost_headcount": 7,
        "agency_fte": 0.5,
        "agency_headcount": 1,
        "vacancy_fte": 1.0,
        "starters_fte": 0,
        "leavers_fte": 0,
        "leavers_resignation_fte": 0,
        "leavers_retirement_fte": 0,
        "leavers_redundancy_fte": 0,
        "leavers_dismissal_fte": 0,
        "leavers_other_fte": 0,
        "leavers_not_known_fte": 0,
        "case_holders_fte": 0,
        "cases": 0,
        "working_days_lost": 10,
    },
    "team_manager": {
        "establishment_fte": 15,
        "inpost_fte": 14.0,
        "inpost_headcount": 14,
        "agency_fte": 1.0,
        "agency_headcount": 1,
        "vacancy_fte": 0,
        "starters_fte": 1.0,
        "leavers_fte": 0.5,
        "leavers_resignation_fte": 0,
        "leavers_retirement_fte": 0,
        "leavers_redundancy_fte": 0,
        "leavers_dismissal_fte": 0.5,
        "leavers_other_fte": 0,
        "leavers_not_known_fte": 0,
        "case_holders_fte": 0,
        "cases": 0,
        "working_days_lost": 5.0,
    },
    "iro_cp_chair": {
        "establishment_fte": 6,
        "inpost_fte": 5.0,
        "inpost_headcount": 5,
        "agency_fte": 0,
        "agency_headcount": 0,
        "vacancy_fte": 1.0,
        "starters_fte": 0,
        "leavers_fte": 0,
        "leavers_resignation_fte": 0,
        "leavers_retirement_fte": 0,
        "leavers_redundancy_fte": 0,
        "leavers_dismissal_fte": 0,
        "leavers_other_fte": 0,
        "leavers_not_known_fte": 0,
        "case_holders_fte": 0,
        "cases": 0,
        "working_days_lost": 2,
    },
    "senior_middle_manager": {
        "establishment_fte": 10,
        "inpost_fte": 9.0,
        "inpost_headcount": 9,
        "agency_fte": 0,
        "agency_headcount": 0,
        "vacancy_fte": 1.0,
        "starters_fte": 0,
        "leavers_fte": 1.0,
        "leavers_resignation_fte": 0,
        "leavers_retirement_fte": 1.0,
        "leavers_redundancy_fte": 0,
        "leavers_dismissal_fte": 0,
        "leavers_other_fte": 0,
        "leavers_not_known_fte": 0,
        "case_holders_fte": 0,
        "cases": 0,
        "working_days_lost": 1.5,
    },
}
# Spreadsheet rows: the header is row 1, so the role groups sit on rows 2 to 7.
ROW = {role: number for number, role in enumerate(FIGURES, start=2)}

ASSIGNMENTS: list[dict[str, str]] = [
    {
        "agency_name": "Café Social Work Ltd",
        "role_group": "social_worker",
        "swe_number": "SW123456",
        "start_date": "2026-01-05",
        "end_date": "",
        "hourly_charge_rate": "62.50",
        "hourly_pay_rate": "42.00",
        "project_team": "N",
        "above_cap_signoff_ref": "",
    },
    {
        "agency_name": "Northern Locums £ Ltd",
        "role_group": "team_manager",
        "swe_number": "SW654321",
        "start_date": "2025-11-01",
        "end_date": "2026-05-31",
        "hourly_charge_rate": "75.00",
        "hourly_pay_rate": "51.00",
        "project_team": "Y",
        "above_cap_signoff_ref": "MOU-2025-17",
    },
]


def half_up(value: float) -> float:
    """One decimal place, halves away from zero (as DfE publishes), worked out here."""
    return float(Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def total(name: str) -> float:
    return sum(float(f[name]) for f in FIGURES.values())


# --- building returns ------------------------------------------------------------------------


def workforce_rows(
    council: str = "202", period: str = PERIOD.isoformat()
) -> list[dict[str, object]]:
    return [
        {"council_code": council, "period_end": period, "role_group": role, **figures}
        for role, figures in FIGURES.items()
    ]


# The version 2 columns of the same two assignments: the first a PAYE worker two years
# qualified before it started, the second a project-team worker whose assignment the
# council ended early, after notice.
ASSIGNMENTS_V2: list[dict[str, str]] = [
    {
        "pay_route": "paye",
        "date_qualified": "2024-01-04",
        "notice_given_on": "",
        "early_end_reason": "",
        "project_costs_itemised": "",
    },
    {
        "pay_route": "limited_company",
        "date_qualified": "2019-07-15",
        "notice_given_on": "2026-05-01",
        "early_end_reason": "council_ended_budget",
        "project_costs_itemised": "Y",
    },
]


def assignment_rows() -> list[dict[str, object]]:
    return [dict(a) for a in ASSIGNMENTS]


def assignment_rows_v2() -> list[dict[str, object]]:
    """The assignments with every version 2 column filled in."""
    return [{**a, **v2} for a, v2 in zip(ASSIGNMENTS, ASSIGNMENTS_V2, strict=True)]


def to_csv(
    rows: Iterable[dict[str, object]],
    columns: Iterable[str],
    *,
    encoding: str = "utf-8",
    extra: dict[int, list[str]] | None = None,
) -> bytes:
    """The rows as CSV (``extra`` appends cells past the header to a 0-based data row)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    columns = list(columns)
    writer.writerow(columns)
    for index, row in enumerate(rows):
        cells = ["" if row.get(c) is None else str(row.get(c)) for c in columns]
        writer.writerow(cells + (extra or {}).get(index, []))
    text = buffer.getvalue()
    if encoding == "utf-8-sig":
        return b"\xef\xbb\xbf" + text.encode("utf-8")
    return text.encode(encoding)


def workforce_csv(rows: list[dict[str, object]] | None = None, **kwargs: Any) -> bytes:
    return to_csv(workforce_rows() if rows is None else rows, quarterly.WORKFORCE_COLUMNS, **kwargs)


def assignments_csv(rows: list[dict[str, object]] | None = None, **kwargs: Any) -> bytes:
    """The assignments as a version 1 CSV (the nine columns it had before version 2)."""
    return to_csv(
        assignment_rows() if rows is None else rows, quarterly.ASSIGNMENT_COLUMNS_V1, **kwargs
    )


def assignments_v2_csv(
    rows: list[dict[str, object]] | None = None,
    columns: Iterable[str] = quarterly.ASSIGNMENT_COLUMNS,
    **kwargs: Any,
) -> bytes:
    """The assignments as a version 2 CSV: every column, or those of ``columns``."""
    return to_csv(assignment_rows_v2() if rows is None else rows, columns, **kwargs)


def parse(
    data: bytes,
    name: str = WORKFORCE_FILE,
    *,
    assignments: bytes | None = None,
    today: date = TODAY,
) -> tuple[Parsed, Issues]:
    issues = Issues()
    partner = None if assignments is None else Upload(assignments, ASSIGNMENTS_FILE)
    return parse_upload(issues, Upload(data, name), today, partner), issues


def parse_csv(
    rows: list[dict[str, object]] | None = None,
    assignments: list[dict[str, object]] | None = None,
    *,
    today: date = TODAY,
) -> tuple[Parsed, Issues]:
    return parse(
        workforce_csv(rows),
        assignments=assignments_csv(assignments),
        today=today,
    )


def parse_csv_v2(
    assignments: list[dict[str, object]] | None = None, *, today: date = TODAY
) -> tuple[Parsed, Issues]:
    """The workforce CSV with a version 2 assignments CSV (every column)."""
    return parse(workforce_csv(), assignments=assignments_v2_csv(assignments), today=today)


def where(issues: Iterable[Issue]) -> list[tuple[str, int | None, str | None, str | None]]:
    return [(i.rule, i.row, i.column, i.value) for i in issues]


def machine_names(cells: Iterable[Any]) -> list[str]:
    """The machine names of a header row the template heads in words."""
    from workforce.ingest.tables import normalise_header
    from workforce.returns.quarterly_template import machine_name

    return [machine_name(normalise_header(c.value)) for c in cells]


def filled_template(
    *,
    drop_sheet: str | None = None,
    formula: tuple[str, str, str] | None = None,
    assignments_version: int | None = None,
) -> bytes:
    """The blank template filled in with openpyxl, as a council would fill it.

    ``formula`` is (sheet, cell, formula) to put a formula in one cell instead. The
    template's version 2 assignment columns are left blank; with ``assignments_version``
    2 they are filled in, with 1 they are taken out (a workbook from the older template)."""
    workbook = load_workbook(io.BytesIO(quarterly.template_xlsx()))
    sheet = workbook[quarterly.WORKFORCE_SHEET]
    header = machine_names(sheet[1])
    for row in range(2, 8):
        role = str(sheet.cell(row=row, column=header.index("role_group") + 1).value)
        values: dict[str, object] = {"council_code": "202", "period_end": PERIOD, **FIGURES[role]}
        for column, value in values.items():
            sheet.cell(row=row, column=header.index(column) + 1, value=value)
    agency = workbook[quarterly.ASSIGNMENTS_SHEET]
    for a, v2 in zip(ASSIGNMENTS, ASSIGNMENTS_V2, strict=True):
        later = [
            v2["pay_route"],
            date.fromisoformat(v2["date_qualified"]),
            date.fromisoformat(v2["notice_given_on"]) if v2["notice_given_on"] else None,
            v2["early_end_reason"] or None,
            v2["project_costs_itemised"] or None,
        ]
        agency.append(
            [
                a["agency_name"],
                a["role_group"],
                a["swe_number"],
                date.fromisoformat(a["start_date"]),
                date.fromisoformat(a["end_date"]) if a["end_date"] else None,
                float(a["hourly_charge_rate"]),
                float(a["hourly_pay_rate"]),
                a["project_team"],
                a["above_cap_signoff_ref"] or None,
                *(later if assignments_version == 2 else []),
            ]
        )
    if assignments_version == 1:
        first_new = len(quarterly.ASSIGNMENT_COLUMNS_V1) + 1
        agency.delete_cols(first_new, len(quarterly.ASSIGNMENT_COLUMNS_V2))
        validations = agency.data_validations.dataValidation
        validations[:] = [
            v for v in validations if all(r.min_col < first_new for r in v.sqref.ranges)
        ]
    if formula is not None:
        sheet_name, cell, text = formula
        workbook[sheet_name][cell] = text
    if drop_sheet is not None:
        workbook.remove(workbook[drop_sheet])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- a filled-in return ----------------------------------------------------------------------

# By hand, from FIGURES: 140.0 FTE in post, 16.0 agency, 13.0 vacant, 6.0 leavers, and
# 490 cases held by 40.0 FTE.
HAND_COUNTS = {
    "establishment_fte": 169.0,
    "inpost_fte": 140.0,
    "inpost_headcount": 145.0,
    "agency_fte": 16.0,
    "agency_headcount": 17.0,
    "vacancy_fte": 13.0,
    "starters_fte": 6.0,
    "leavers_fte": 6.0,
    "leavers_resignation_fte": 3.0,
    "leavers_retirement_fte": 1.5,
    "leavers_redundancy_fte": 0.0,
    "leavers_dismissal_fte": 0.5,
    "leavers_other_fte": 1.0,
    "leavers_not_known_fte": 0.0,
    "case_holders_fte": 40.0,
    "cases": 490.0,
    "working_days_lost": 179.0,
}
HAND_MEASURES = {
    "agency_rate_fte": 10.3,  # 100 x 16 / 156 = 10.256
    "vacancy_rate_fte": 8.5,  # 100 x 13 / 153 = 8.497
    "caseload_fte": 12.3,  # 490 / 40 = 12.25 exactly: half up, not to even (12.2)
    "quarterly_turnover_rate_fte": 4.3,  # 100 x 6 / 140 = 4.286
}


def check_figures(parsed: Parsed, issues: Issues) -> None:
    assert issues.items == [], [str(i) for i in issues.items]
    assert parsed.kind == "quarterly"
    assert (parsed.council_code, parsed.period_end) == ("202", PERIOD)
    result = parsed.quarterly
    assert result is not None
    assert list(result.role_groups) == list(quarterly.ROLE_GROUPS)
    assert result.counts() == HAND_COUNTS
    for name, value in HAND_COUNTS.items():
        assert value == pytest.approx(total(name)), name
    inpost, agency, vacant = total("inpost_fte"), total("agency_fte"), total("vacancy_fte")
    by_formula = {
        "agency_rate_fte": half_up(100 * agency / (agency + inpost)),
        "vacancy_rate_fte": half_up(100 * vacant / (vacant + inpost)),
        "caseload_fte": half_up(total("cases") / total("case_holders_fte")),
        "quarterly_turnover_rate_fte": half_up(100 * total("leavers_fte") / inpost),
    }
    assert by_formula == HAND_MEASURES
    assert result.measures() == HAND_MEASURES
    assert round(490 / 40, 1) == 12.2  # what banker's rounding would have given


def check_assignments(parsed: Parsed) -> None:
    assert parsed.quarterly is not None
    got = [
        (
            a.row,
            a.agency_name,
            a.role_group,
            a.swe_number,
            a.start_date,
            a.end_date,
            a.hourly_charge_rate,
            a.hourly_pay_rate,
            a.project_team,
            a.above_cap_signoff_ref,
        )
        for a in parsed.quarterly.assignments
    ]
    assert got == [
        (
            2,
            "Café Social Work Ltd",
            "social_worker",
            "SW123456",
            date(2026, 1, 5),
            None,
            62.5,
            42.0,
            False,
            None,
        ),
        (
            3,
            "Northern Locums £ Ltd",
            "team_manager",
            "SW654321",
            date(2025, 11, 1),
            date(2026, 5, 31),
            75.0,
            51.0,
            True,
            "MOU-2025-17",
        ),
    ]


def fill_in(template: bytes, *, formula: tuple[str, str] | None = None) -> bytes:
    """A council's downloaded template (council and quarter end already in it) with each
    role group's figures typed in, its headings left as they came; ``formula`` is a
    (cell, formula) put on the Workforce sheet instead of that cell's figure."""
    workbook = load_workbook(io.BytesIO(template))
    sheet = workbook[quarterly.WORKFORCE_SHEET]
    header = machine_names(sheet[1])
    for row in range(2, 2 + len(quarterly.ROLE_GROUPS)):
        role = str(sheet.cell(row=row, column=header.index("role_group") + 1).value)
        for column, value in FIGURES[role].items():
            sheet.cell(row=row, column=header.index(column) + 1, value=value)
    if formula is not None:
        sheet[formula[0]] = formula[1]
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
