"""The quarterly return: the blank template, a filled-in return's figures worked out by
hand, the same return as XLSX and as CSV in every accepted encoding, and each validation
rule reported with its rule id and the spreadsheet row and column it is about."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from sqlmodel import Session, col, select

from tests.builders.returns import CensusDesign, census_xml
from workforce.auth.audit import Actor
from workforce.config import Settings
from workforce.returns import quarterly
from workforce.returns.issues import Issue, Issues
from workforce.returns.models import AgencyAssignment, CouncilReturn, ReturnRoleGroup
from workforce.returns.service import Parsed, Upload, ingest, parse_upload

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


def assignment_rows() -> list[dict[str, object]]:
    return [dict(a) for a in ASSIGNMENTS]


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
    return to_csv(
        assignment_rows() if rows is None else rows, quarterly.ASSIGNMENT_COLUMNS, **kwargs
    )


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


def where(issues: Iterable[Issue]) -> list[tuple[str, int | None, str | None, str | None]]:
    return [(i.rule, i.row, i.column, i.value) for i in issues]


def filled_template(
    *, drop_sheet: str | None = None, formula: tuple[str, str, str] | None = None
) -> bytes:
    """The blank template filled in with openpyxl, as a council would fill it.

    ``formula`` is (sheet, cell, formula) to put a formula in one cell instead."""
    workbook = load_workbook(io.BytesIO(quarterly.template_xlsx()))
    sheet = workbook[quarterly.WORKFORCE_SHEET]
    header = [c.value for c in sheet[1]]
    for row in range(2, 8):
        role = str(sheet.cell(row=row, column=header.index("role_group") + 1).value)
        values: dict[str, object] = {"council_code": "202", "period_end": PERIOD, **FIGURES[role]}
        for column, value in values.items():
            sheet.cell(row=row, column=header.index(column) + 1, value=value)
    agency = workbook[quarterly.ASSIGNMENTS_SHEET]
    for a in ASSIGNMENTS:
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
            ]
        )
    if formula is not None:
        sheet_name, cell, text = formula
        workbook[sheet_name][cell] = text
    if drop_sheet is not None:
        workbook.remove(workbook[drop_sheet])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- the blank template ----------------------------------------------------------------------


def test_the_xlsx_template_has_guidance_and_the_two_tables() -> None:
    workbook = load_workbook(io.BytesIO(quarterly.template_xlsx()))
    assert workbook.sheetnames == ["Guidance", "Workforce", "Agency assignments"]
    workforce = [list(r) for r in workbook["Workforce"].iter_rows(values_only=True)]
    assert workforce[0] == [
        "council_code",
        "period_end",
        "role_group",
        "establishment_fte",
        "inpost_fte",
        "inpost_headcount",
        "agency_fte",
        "agency_headcount",
        "vacancy_fte",
        "starters_fte",
        "leavers_fte",
        "leavers_resignation_fte",
        "leavers_retirement_fte",
        "leavers_redundancy_fte",
        "leavers_dismissal_fte",
        "leavers_other_fte",
        "leavers_not_known_fte",
        "case_holders_fte",
        "cases",
        "working_days_lost",
    ]
    # One row ready for each role group, the code filled in and every figure blank.
    assert [r[2] for r in workforce[1:]] == list(quarterly.ROLE_GROUPS)
    assert all(r[:2] == [None, None] and set(r[3:]) == {None} for r in workforce[1:])
    agency = [list(r) for r in workbook["Agency assignments"].iter_rows(values_only=True)]
    assert agency == [
        [
            "agency_name",
            "role_group",
            "swe_number",
            "start_date",
            "end_date",
            "hourly_charge_rate",
            "hourly_pay_rate",
            "project_team",
            "above_cap_signoff_ref",
        ]
    ]
    for name in ("Workforce", "Agency assignments"):
        assert workbook[name].freeze_panes == "A2"
        assert all(cell.font.bold for cell in workbook[name][1])
    guidance = [r[0] for r in workbook["Guidance"].iter_rows(values_only=True)]
    assert guidance[0] == "Quarterly workforce return: guidance"
    # The guidance explains every column of both tables and every role group code.
    for name in (*quarterly.WORKFORCE_COLUMNS, *quarterly.ASSIGNMENT_COLUMNS):
        assert name in guidance, name
    for code in quarterly.ROLE_GROUPS:
        assert code in guidance, code


def test_the_csv_templates_have_the_same_headers() -> None:
    workforce = list(csv.reader(io.StringIO(quarterly.template_csv(), newline="")))
    assert workforce[0] == list(quarterly.WORKFORCE_COLUMNS)
    assert len(workforce[0]) == 20
    assert [row[2] for row in workforce[1:]] == list(quarterly.ROLE_GROUPS)
    assert all(len(row) == 20 and not any(row[:2] + row[3:]) for row in workforce[1:])
    assert quarterly.template_csv().endswith("\r\n")
    assert quarterly.template_csv("assignments") == (
        "agency_name,role_group,swe_number,start_date,end_date,hourly_charge_rate,"
        "hourly_pay_rate,project_team,above_cap_signoff_ref\r\n"
    )


def test_the_blank_template_uploaded_as_it_is_asks_for_every_figure() -> None:
    parsed, issues = parse(quarterly.template_xlsx(), "template.xlsx")
    assert parsed.kind == "quarterly"
    assert {i.rule for i in issues.errors} == {"required"}
    # Council code, quarter end and all 17 figures on each of the six role group rows.
    assert len(issues.errors) == 6 * 19
    assert ("required", 2, "council_code", None) in where(issues.errors)
    assert ("required", 7, "working_days_lost", None) in where(issues.errors)
    assert {i.sheet for i in issues.errors} == {"Workforce"}


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


def test_the_filled_in_template_gives_the_hand_computed_figures() -> None:
    parsed, issues = parse(filled_template(), "return.xlsx")
    assert parsed.file_type == "xlsx"
    check_figures(parsed, issues)
    check_assignments(parsed)
    social_worker = parsed.quarterly and parsed.quarterly.role_groups["social_worker"]
    assert social_worker and social_worker["inpost_fte"] == 80.5
    assert social_worker["cases"] == 400 and isinstance(social_worker["cases"], int)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
def test_the_same_return_as_csv_gives_the_same_figures(encoding: str) -> None:
    workforce = workforce_csv(encoding=encoding)
    agency = assignments_csv(encoding=encoding)
    if encoding == "cp1252":
        assert "Café".encode("cp1252") in agency and b"\xa3" in agency  # not valid UTF-8
        with pytest.raises(UnicodeDecodeError):
            agency.decode("utf-8")
    if encoding == "utf-8-sig":
        assert workforce.startswith(b"\xef\xbb\xbfcouncil_code,")
    parsed, issues = parse(workforce, assignments=agency)
    assert parsed.file_type == "csv"
    check_figures(parsed, issues)
    check_assignments(parsed)
    from_xlsx, _ = parse(filled_template(), "return.xlsx")
    assert from_xlsx.quarterly and parsed.quarterly
    assert parsed.quarterly.counts() == from_xlsx.quarterly.counts()
    assert parsed.quarterly.role_groups == from_xlsx.quarterly.role_groups


def test_the_workforce_csv_alone_is_a_return_without_assignments() -> None:
    parsed, issues = parse(workforce_csv())
    check_figures(parsed, issues)
    assert parsed.quarterly and parsed.quarterly.assignments == []


def test_a_figure_left_blank_is_required_and_leaves_the_total_unknown() -> None:
    rows = workforce_rows()
    rows[3]["agency_fte"] = ""
    parsed, issues = parse_csv(rows)
    assert where(issues.errors) == [("required", 5, "agency_fte", None)]
    assert parsed.quarterly is not None
    counts = parsed.quarterly.counts()
    assert counts["agency_fte"] is None
    assert counts["inpost_fte"] == 140.0
    measures = parsed.quarterly.measures()
    assert measures["agency_rate_fte"] is None
    assert measures["vacancy_rate_fte"] == 8.5


def test_readable_variants_are_read_exactly() -> None:
    rows = workforce_rows(period="30/06/2026")  # UK date order
    rows[0]["role_group"] = "Social worker"  # the label rather than the code
    rows[1]["role_group"] = "  Senior social worker /  senior practitioner "
    rows[3]["role_group"] = "team manager"  # the code with spaces
    rows[0]["cases"] = "1,400"  # an unambiguous thousands separator
    rows[0]["establishment_fte"] = " 100.0 "
    agency = assignment_rows()
    agency[0]["swe_number"] = "sw 123 456"
    agency[0]["project_team"] = "yes"
    agency[1]["start_date"] = "01/11/2025"
    parsed, issues = parse_csv(rows, agency)
    assert issues.items == [], [str(i) for i in issues.items]
    assert parsed.period_end == PERIOD
    assert parsed.quarterly is not None
    assert list(parsed.quarterly.role_groups) == list(quarterly.ROLE_GROUPS)
    assert parsed.quarterly.counts()["cases"] == 490 + 1000
    first, second = parsed.quarterly.assignments
    assert (first.swe_number, first.project_team) == ("SW123456", True)
    assert second.start_date == date(2025, 11, 1)


def test_headers_are_matched_whatever_their_case_and_spacing() -> None:
    data = workforce_csv()
    header, rest = data.split(b"\r\n", 1)
    shouty = b",".join(
        h.upper().replace(b"_", b" ") + b"  " if i % 2 else h.title()
        for i, h in enumerate(header.split(b","))
    )
    parsed, issues = parse(shouty + b"\r\n" + rest)
    check_figures(parsed, issues)


def test_sheet_names_are_matched_whatever_their_case() -> None:
    workbook = load_workbook(io.BytesIO(filled_template()))
    sheet = workbook["Workforce"]
    sheet.title = "renaming"  # openpyxl refuses a title equal but for case to its own
    sheet.title = "WORKFORCE"
    workbook["Agency assignments"].title = "agency  Assignments"
    buffer = io.BytesIO()
    workbook.save(buffer)
    parsed, issues = parse(buffer.getvalue(), "return.xlsx")
    check_figures(parsed, issues)
    check_assignments(parsed)


def test_a_single_sheet_workbook_holding_the_workforce_table_is_read() -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Sheet1"
    sheet.append(list(quarterly.WORKFORCE_COLUMNS))
    for row in workforce_rows():
        sheet.append([row[c] for c in quarterly.WORKFORCE_COLUMNS])
    buffer = io.BytesIO()
    workbook.save(buffer)
    parsed, issues = parse(buffer.getvalue(), "return.xlsx")
    check_figures(parsed, issues)


# --- the workforce table's rules ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "column", "value", "rule", "shown"),
    [
        ("social_worker", "inpost_fte", "ninety", "type.number", "ninety"),
        ("social_worker", "cases", "NaN", "type.number", "NaN"),
        ("iro_cp_chair", "working_days_lost", "1,23", "type.number", "1,23"),
        ("senior_practitioner", "agency_fte", "-1", "range.negative", "-1"),
        ("team_manager", "vacancy_fte", "-0.5", "range.negative", "-0.5"),
        ("team_manager", "inpost_headcount", "13.5", "type.integer", "13.5"),
        ("advanced_practitioner", "period_end", "31/06/2026", "type.date", "31/06/2026"),
        ("advanced_practitioner", "period_end", "2026-02-30", "type.date", "2026-02-30"),
        ("advanced_practitioner", "period_end", "June 2026", "type.date", "June 2026"),
        ("senior_practitioner", "case_holders_fte", "26", "cross.case_holders", "26.0"),
        ("social_worker", "leavers_fte", "4.5", "cross.leavers_by_reason", "4.5"),
        ("senior_middle_manager", "leavers_fte", "0.9", "cross.leavers_by_reason", "0.9"),
        ("iro_cp_chair", "council_code", "2020", "value.council_code", "2020"),
    ],
)
def test_a_bad_figure_is_reported_at_its_row_and_column(
    role: str, column: str, value: str, rule: str, shown: str
) -> None:
    rows = workforce_rows()
    rows[ROW[role] - 2][column] = value
    parsed, issues = parse_csv(rows)
    assert where(issues.errors) == [(rule, ROW[role], column, shown)]
    assert {i.sheet for i in issues.errors} == {WORKFORCE_FILE}
    # The row is still read as its role group's (the return is rejected as a whole).
    assert parsed.quarterly and list(parsed.quarterly.role_groups) == list(FIGURES)
    assert issues.errors[0].severity == "error"


def test_leavers_by_reason_may_differ_by_rounding_only() -> None:
    rows = workforce_rows()
    rows[0]["leavers_fte"] = 3.54  # reasons add up to 3.5: within 0.05
    rows[2]["leavers_fte"] = 0.05
    _, issues = parse_csv(rows)
    assert issues.errors == []
    rows[0]["leavers_fte"] = 3.56
    _, issues = parse_csv(rows)
    assert where(issues.errors) == [("cross.leavers_by_reason", 2, "leavers_fte", "3.56")]


def test_case_holders_may_equal_staff_in_post() -> None:
    rows = workforce_rows()
    rows[1]["case_holders_fte"] = 25.0  # all 25.0 FTE in post hold cases
    _, issues = parse_csv(rows)
    assert issues.errors == []


def test_cases_without_case_holders_are_an_error() -> None:
    rows = workforce_rows()
    rows[3]["cases"] = 12
    _, issues = parse_csv(rows)
    assert where(issues.errors) == [("cross.cases_without_holders", 5, "case_holders_fte", "0.0")]


def test_more_fte_than_people_is_a_warning() -> None:
    rows = workforce_rows()
    rows[2]["agency_fte"] = 1.5  # from one person
    _, issues = parse_csv(rows)
    assert issues.errors == []
    assert where(issues.warnings) == [("cross.fte_above_headcount", 4, "agency_fte", "1.5")]


def test_a_quarter_end_is_required() -> None:
    _, issues = parse_csv(workforce_rows(period="2026-06-29"))
    assert where(issues.errors) == [("period.quarter_end", None, "period_end", "2026-06-29")]
    for good in ("2026-03-31", "2025-09-30", "2025-12-31"):
        parsed, issues = parse_csv(workforce_rows(period=good))
        assert issues.errors == [], good
        assert parsed.period_end == date.fromisoformat(good)


def test_a_quarter_that_has_not_ended_is_refused() -> None:
    parsed, issues = parse_csv(workforce_rows(period="2026-09-30"), today=date(2026, 8, 1))
    assert where(issues.errors) == [("date.future", None, "period_end", "2026-09-30")]
    assert parsed.period_end == date(2026, 9, 30)
    # On the quarter end itself the quarter is over.
    _, issues = parse_csv(workforce_rows(period="2026-09-30"), today=date(2026, 9, 30))
    assert issues.errors == []


def test_a_role_group_twice_is_an_error_and_only_the_first_counts() -> None:
    rows = workforce_rows()
    rows.append({**rows[0], "inpost_fte": 1.0, "case_holders_fte": 1.0})
    parsed, issues = parse_csv(rows)
    assert where(issues.errors) == [("duplicate.role_group", 8, "role_group", "social_worker")]
    assert parsed.quarterly and parsed.quarterly.counts()["inpost_fte"] == 140.0


def test_every_role_group_needs_a_row() -> None:
    rows = [r for r in workforce_rows() if r["role_group"] not in ("iro_cp_chair", "team_manager")]
    _, issues = parse_csv(rows)
    assert where(issues.errors) == [
        ("structure.role_group_missing", None, "role_group", "team_manager"),
        ("structure.role_group_missing", None, "role_group", "iro_cp_chair"),
    ]


def test_an_unknown_role_group_is_reported_and_its_group_is_missing() -> None:
    rows = workforce_rows()
    rows[3]["role_group"] = "social workers"
    _, issues = parse_csv(rows)
    assert where(issues.errors) == [
        ("value.role_group", 5, "role_group", "social workers"),
        ("structure.role_group_missing", None, "role_group", "team_manager"),
    ]


def test_every_row_must_be_for_the_same_quarter_and_council() -> None:
    rows = workforce_rows()
    rows[5]["period_end"] = "2026-03-31"
    parsed, issues = parse_csv(rows)
    assert where(issues.errors) == [
        ("consistency.period", None, "period_end", "2026-03-31, 2026-06-30")
    ]
    assert parsed.period_end is None and parsed.council_code == "202"
    rows = workforce_rows()
    rows[1]["council_code"] = "203"
    parsed, issues = parse_csv(rows)
    assert where(issues.errors) == [("consistency.council", None, "council_code", "202, 203")]
    assert parsed.council_code is None and parsed.period_end == PERIOD


def test_a_missing_column_is_an_error_and_nothing_is_read() -> None:
    columns = [c for c in quarterly.WORKFORCE_COLUMNS if c != "working_days_lost"]
    parsed, issues = parse(to_csv(workforce_rows(), columns))
    assert where(issues.items) == [("structure.missing_column", None, "working_days_lost", None)]
    assert issues.errors[0].sheet == WORKFORCE_FILE
    assert parsed.kind == "quarterly"
    assert parsed.quarterly is not None and parsed.quarterly.role_groups == {}


def test_an_unknown_column_is_a_warning_and_ignored() -> None:
    rows = [{**r, "notes": "checked by HR"} for r in workforce_rows()]
    parsed, issues = parse(to_csv(rows, [*quarterly.WORKFORCE_COLUMNS, "notes"]))
    assert issues.errors == []
    assert where(issues.warnings) == [("structure.unknown_column", None, "notes", None)]
    assert issues.warnings[0].sheet == WORKFORCE_FILE
    check_figures(parsed, Issues())
    assert parsed.quarterly and "notes" not in parsed.quarterly.role_groups["social_worker"]


def test_a_column_twice_is_an_error() -> None:
    columns = [*quarterly.WORKFORCE_COLUMNS, "cases"]
    _, issues = parse(to_csv(workforce_rows(), columns))
    assert where(issues.errors) == [("structure.duplicate_column", None, "cases", None)]


def test_a_header_without_rows_is_an_error() -> None:
    parsed, issues = parse(to_csv([], quarterly.WORKFORCE_COLUMNS))
    assert where(issues.errors) == [("structure.no_rows", None, None, None)]
    assert parsed.kind == "quarterly"


# --- the agency assignments' rules -------------------------------------------------------------


@pytest.mark.parametrize(
    ("index", "column", "value", "rule", "shown"),
    [
        (1, "swe_number", "123456", "swe.format", "123456"),
        (1, "swe_number", "SW12AB", "swe.format", "SW12AB"),
        (0, "swe_number", "SW", "swe.format", "SW"),
        (0, "swe_number", "SW12345678901", "swe.format", "SW12345678901"),
        (0, "hourly_pay_rate", "70.00", "cross.pay_above_charge", "70.0"),
        (0, "hourly_charge_rate", "300", "range.hourly_rate", "300.0"),
        (1, "hourly_pay_rate", "0", "range.hourly_rate", "0.0"),
        (1, "hourly_pay_rate", "-5", "range.negative", "-5"),
        (1, "end_date", "2025-10-31", "cross.end_before_start", "2025-10-31"),
        (1, "start_date", "2025-13-01", "type.date", "2025-13-01"),
        (0, "project_team", "maybe", "type.yes_no", "maybe"),
        (0, "role_group", "locum", "value.role_group", "locum"),
        (0, "agency_name", '=HYPERLINK("http://x")', "cell.formula", '=HYPERLINK("http://x")'),
        (0, "agency_name", "+44 20 7946 0000", "cell.formula", "+44 20 7946 0000"),
        (1, "above_cap_signoff_ref", "@SUM(A1)", "cell.formula", "@SUM(A1)"),
        (1, "above_cap_signoff_ref", "x" * 101, "range.length", "x" * 101),
    ],
)
def test_a_bad_assignment_is_reported_at_its_row_and_column_and_not_kept(
    index: int, column: str, value: str, rule: str, shown: str
) -> None:
    agency = assignment_rows()
    agency[index][column] = value
    parsed, issues = parse_csv(assignments=agency)
    assert where(issues.errors) == [(rule, index + 2, column, shown)]
    assert issues.errors[0].sheet == ASSIGNMENTS_FILE
    assert parsed.quarterly is not None
    kept = [a.row for a in parsed.quarterly.assignments]
    assert kept == [3 - index]  # the other row only
    # The workforce figures are unaffected.
    assert parsed.quarterly.counts() == HAND_COUNTS


def test_the_hourly_rate_cap_is_inclusive() -> None:
    agency = assignment_rows()
    agency[0]["hourly_charge_rate"] = "250"
    agency[0]["hourly_pay_rate"] = "250.00"  # equal to the charge: allowed
    parsed, issues = parse_csv(assignments=agency)
    assert issues.items == []
    assert parsed.quarterly and parsed.quarterly.assignments[0].hourly_charge_rate == 250.0


def test_an_assignment_twice_is_an_error_naming_the_first_row() -> None:
    agency = assignment_rows()
    agency.append({**agency[0], "agency_name": "Another Agency", "swe_number": "SW 123456"})
    agency.append({**agency[0], "start_date": "2026-02-01"})  # a later assignment: fine
    parsed, issues = parse_csv(assignments=agency)
    assert where(issues.errors) == [("duplicate.assignment", 4, "swe_number", "SW123456")]
    assert "row 2" in issues.errors[0].message
    assert parsed.quarterly is not None
    assert [a.row for a in parsed.quarterly.assignments] == [2, 3, 5]


def test_an_assignment_not_yet_started_is_a_warning() -> None:
    agency = assignment_rows()
    agency[0]["start_date"] = "2026-12-01"
    parsed, issues = parse_csv(assignments=agency)
    assert issues.errors == []
    assert where(issues.warnings) == [("date.future", 2, "start_date", "2026-12-01")]
    assert parsed.quarterly and len(parsed.quarterly.assignments) == 2


def test_required_assignment_fields() -> None:
    agency = assignment_rows()
    for column in ("agency_name", "role_group", "swe_number", "start_date", "hourly_pay_rate"):
        agency[0][column] = ""
    agency[1]["end_date"] = ""  # optional
    agency[1]["project_team"] = ""  # optional: not a project team
    agency[1]["above_cap_signoff_ref"] = ""
    parsed, issues = parse_csv(assignments=agency)
    assert sorted(where(issues.errors)) == [
        ("required", 2, "agency_name", None),
        ("required", 2, "hourly_pay_rate", None),
        ("required", 2, "role_group", None),
        ("required", 2, "start_date", None),
        ("required", 2, "swe_number", None),
    ]
    assert parsed.quarterly is not None
    [kept] = parsed.quarterly.assignments
    assert (kept.row, kept.end_date, kept.project_team, kept.above_cap_signoff_ref) == (
        3,
        None,
        False,
        None,
    )


def test_an_assignments_table_missing_a_column_is_an_error() -> None:
    columns = [c for c in quarterly.ASSIGNMENT_COLUMNS if c != "hourly_pay_rate"]
    parsed, issues = parse(workforce_csv(), assignments=to_csv(assignment_rows(), columns))
    assert where(issues.errors) == [("structure.missing_column", None, "hourly_pay_rate", None)]
    assert issues.errors[0].sheet == ASSIGNMENTS_FILE
    assert parsed.quarterly and parsed.quarterly.assignments == []


# --- workbooks -------------------------------------------------------------------------------


def test_a_workbook_without_the_assignments_sheet_is_an_error() -> None:
    parsed, issues = parse(filled_template(drop_sheet="Agency assignments"), "return.xlsx")
    assert [(i.rule, i.sheet, i.row, i.column) for i in issues.items] == [
        ("structure.missing_sheet", "Agency assignments", None, None)
    ]
    assert "Guidance, Workforce" in issues.errors[0].message
    assert parsed.kind == "quarterly"
    assert parsed.quarterly and parsed.quarterly.counts() == HAND_COUNTS


def test_a_workbook_without_the_workforce_sheet_is_an_error() -> None:
    parsed, issues = parse(filled_template(drop_sheet="Workforce"), "return.xlsx")
    assert [(i.rule, i.sheet) for i in issues.errors] == [("structure.missing_sheet", "Workforce")]
    assert parsed.kind == "quarterly"
    assert parsed.quarterly is None


def test_a_formula_in_a_workbook_is_refused_at_its_cell() -> None:
    # E2: inpost_fte of the first role group (social_worker).
    parsed, issues = parse(filled_template(formula=("Workforce", "E2", "=1+1")), "return.xlsx")
    assert [(i.rule, i.sheet, i.row, i.column, i.value) for i in issues.errors] == [
        ("xlsx.formula", "Workforce", 2, "inpost_fte", "=1+1"),
        # Formulas are not read, so the figure is missing.
        ("required", "Workforce", 2, "inpost_fte", None),
    ]
    assert parsed.quarterly and parsed.quarterly.counts()["inpost_fte"] is None


def test_a_formula_on_the_assignments_sheet_is_refused_at_its_cell() -> None:
    # F3: hourly_charge_rate of the second assignment.
    parsed, issues = parse(
        filled_template(formula=("Agency assignments", "F3", "=51*1.5")), "return.xlsx"
    )
    assert (
        "xlsx.formula",
        "Agency assignments",
        3,
        "hourly_charge_rate",
        "=51*1.5",
    ) in [(i.rule, i.sheet, i.row, i.column, i.value) for i in issues.errors]
    assert {i.row for i in issues.errors} == {3}
    assert parsed.quarterly and [a.row for a in parsed.quarterly.assignments] == [2]


# --- files that are not a quarterly return -----------------------------------------------------


def test_the_assignments_csv_alone_is_refused() -> None:
    parsed, issues = parse(assignments_csv(), ASSIGNMENTS_FILE)
    assert [i.rule for i in issues.items] == ["structure.assignments_alone"]
    assert parsed.kind == "unknown" and parsed.quarterly is None


def test_an_assignments_csv_with_a_census_is_refused() -> None:
    parsed, issues = parse(census_xml(CensusDesign()), "census.xml", assignments=assignments_csv())
    assert [(i.rule, i.sheet) for i in issues.errors] == [
        ("structure.assignments_alone", ASSIGNMENTS_FILE)
    ]
    assert parsed.kind == "census"


def test_an_assignments_file_that_is_not_csv_is_refused() -> None:
    parsed, issues = parse(workforce_csv(), assignments=filled_template())
    assert [(i.rule, i.sheet) for i in issues.errors] == [("file.type", ASSIGNMENTS_FILE)]
    assert parsed.quarterly and parsed.quarterly.assignments == []


def test_an_unknown_layout_is_refused_naming_its_columns() -> None:
    parsed, issues = parse(b"name,team,start\r\nAlex,North,2024-01-01\r\n", "staff.csv")
    assert where(issues.items) == [("structure.unknown_layout", None, None, "name, team, start")]
    assert parsed.kind == "unknown"


@pytest.mark.parametrize("data", [b"", b"  \r\n\t", b"\r\n\r\n"], ids=["nothing", "spaces", "crlf"])
def test_an_empty_file_is_refused(data: bytes) -> None:
    parsed, issues = parse(data)
    assert [(i.rule, i.row, i.column) for i in issues.items] == [("file.empty", None, None)]
    assert (parsed.kind, parsed.file_type, parsed.quarterly) == ("unknown", "empty", None)


@pytest.mark.parametrize(
    ("data", "rule"),
    [
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "file.type"),
        (b"%PDF-1.7\n", "file.type"),
        (b"PK\x03\x04" + b"\0" * 40, "file.xlsx"),
        (b"council_code\r\n\x81\x8d\x8f\r\n", "file.encoding"),
    ],
    ids=["xls", "pdf", "broken-zip", "not-cp1252"],
)
def test_unreadable_files_are_one_clear_error(data: bytes, rule: str) -> None:
    parsed, issues = parse(data)
    assert [i.rule for i in issues.items] == [rule]
    assert parsed.quarterly is None


# --- faults in the code under test -------------------------------------------------------------


def test_an_assignments_file_error_is_not_filed_under_the_workforce_file() -> None:
    columns = [c for c in quarterly.WORKFORCE_COLUMNS if c != "working_days_lost"]
    not_text = b"agency_name\r\n\x81\x8d\x8f\r\n"  # neither UTF-8 nor Windows-1252
    _, issues = parse(to_csv(workforce_rows(), columns), assignments=not_text)
    encoding = [i for i in issues.errors if i.rule == "file.encoding"]
    assert len(encoding) == 1
    assert encoding[0].sheet in (None, ASSIGNMENTS_FILE)


def test_a_refused_council_code_is_not_also_reported_missing() -> None:
    rows = workforce_rows()
    rows[0]["council_code"] = "=202"
    _, issues = parse_csv(rows)
    assert where(issues.errors) == [("cell.formula", 2, "council_code", "=202")]


def test_a_row_with_more_cells_than_the_header_is_reported() -> None:
    data = workforce_csv(extra={3: ["99"]})  # team_manager, spreadsheet row 5
    _, issues = parse(data)
    extra = [i for i in issues.errors if i.rule == "structure.extra_cells"]
    assert [(i.row, i.value) for i in extra] == [(5, "99")], [str(i) for i in issues.items]


# --- ingesting a quarterly return ---------------------------------------------------------------


@pytest.fixture
def actor() -> Iterator[Actor]:
    yield Actor(name="test", source="tests")


def _ingest(
    session: Session, settings: Settings, actor: Actor, data: bytes, agency: bytes | None
) -> Any:
    result = ingest(
        session,
        upload=Upload(data, WORKFORCE_FILE),
        assignments=None if agency is None else Upload(agency, ASSIGNMENTS_FILE),
        council_code="202",
        actor=actor,
        source="upload",
        settings=settings,
        today=TODAY,
    )
    session.commit()
    return result


def test_an_accepted_return_stores_its_figures_and_assignments(
    reference_session: Session, reference_settings: Settings, actor: Actor
) -> None:
    session = reference_session
    result = _ingest(session, reference_settings, actor, workforce_csv(), assignments_csv())
    assert result.created and result.accepted, result.council_return.issues
    row = result.council_return
    assert (row.kind, row.period_end, row.version, row.file_type) == ("quarterly", PERIOD, 1, "csv")
    assert row.error_count == 0
    assert row.counts == HAND_COUNTS
    assert row.measures == HAND_MEASURES
    groups = session.exec(select(ReturnRoleGroup).where(ReturnRoleGroup.return_id == row.id)).all()
    assert {g.role_group: g.inpost_fte for g in groups} == {
        role: float(f["inpost_fte"]) for role, f in FIGURES.items()
    }
    assignments = session.exec(
        select(AgencyAssignment)
        .where(AgencyAssignment.return_id == row.id)
        .order_by(col(AgencyAssignment.row))
    ).all()
    assert [(a.row, a.agency_name, a.swe_number) for a in assignments] == [
        (2, "Café Social Work Ltd", "SW123456"),
        (3, "Northern Locums £ Ltd", "SW654321"),
    ]

    # The same two files again: recognised, nothing new.
    again = _ingest(session, reference_settings, actor, workforce_csv(), assignments_csv())
    assert not again.created and again.council_return.id == row.id
    assert len(session.exec(select(CouncilReturn)).all()) == 1

    # Corrected figures for the same quarter: version 2 replaces version 1.
    rows = workforce_rows()
    rows[0]["agency_fte"] = 13.0
    newer = _ingest(session, reference_settings, actor, workforce_csv(rows), assignments_csv())
    assert newer.created and newer.accepted and newer.council_return.version == 2
    assert newer.council_return.counts["agency_fte"] == 16.5
    session.refresh(row)
    assert row.status == "superseded"


def test_a_rejected_return_stores_its_report_and_no_figures(
    reference_session: Session, reference_settings: Settings, actor: Actor
) -> None:
    agency = assignment_rows()
    agency[1]["swe_number"] = "123456"
    result = _ingest(
        reference_session, reference_settings, actor, workforce_csv(), assignments_csv(agency)
    )
    row = result.council_return
    assert result.created and row.status == "rejected"
    assert (row.error_count, row.counts, row.measures) == (1, {}, {})
    assert [(i["rule"], i["sheet"], i["row"], i["column"], i["value"]) for i in row.issues] == [
        ("swe.format", ASSIGNMENTS_FILE, 3, "swe_number", "123456")
    ]
    assert reference_session.exec(select(ReturnRoleGroup)).all() == []
    assert reference_session.exec(select(AgencyAssignment)).all() == []


def test_a_return_for_another_council_is_refused(
    reference_session: Session, reference_settings: Settings, actor: Actor
) -> None:
    data = workforce_csv(workforce_rows(council="203"))
    row = _ingest(reference_session, reference_settings, actor, data, None).council_return
    assert row.status == "rejected"
    assert [(i["rule"], i["column"], i["value"]) for i in row.issues] == [
        ("scope.council", "council_code", "203")
    ]
