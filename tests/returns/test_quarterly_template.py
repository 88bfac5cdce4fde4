"""The quarterly return's template, blank and filled in: a filled-in return's figures
worked out by hand, the same return as XLSX and as CSV in every accepted encoding, and
the workbook's own rules (its sheets, no formulas)."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from openpyxl import Workbook, load_workbook

from tests.builders.quarterly import (
    HAND_COUNTS,
    PERIOD,
    assignment_rows,
    assignments_csv,
    check_assignments,
    check_figures,
    filled_template,
    machine_names,
    parse,
    parse_csv,
    where,
    workforce_csv,
    workforce_rows,
)
from workforce.returns import quarterly

# --- the blank template ----------------------------------------------------------------------


def test_the_xlsx_template_has_guidance_and_the_two_tables() -> None:
    workbook = load_workbook(io.BytesIO(quarterly.template_xlsx()))
    assert workbook.sheetnames == ["Guidance", "Workforce", "Agency assignments"]
    workforce = [list(r) for r in workbook["Workforce"].iter_rows(values_only=True)]
    # Headed in words, with units; read back as the machine names the CSV files use.
    assert workforce[0][:4] == [
        "Council code",
        "Quarter end",
        "Role group",
        "Funded posts (FTE)",
    ]
    assert machine_names(workbook["Workforce"][1]) == [
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
    assert len(agency) == 1
    assert [machine_names(workbook["Agency assignments"][1])] == [
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
            "pay_route",
            "date_qualified",
            "notice_given_on",
            "early_end_reason",
            "project_costs_itemised",
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
        "hourly_pay_rate,project_team,above_cap_signoff_ref,pay_route,date_qualified,"
        "notice_given_on,early_end_reason,project_costs_itemised\r\n"
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


def test_a_formula_in_a_workbook_is_refused_at_its_cell_once() -> None:
    # E2: inpost_fte of the first role group (social_worker).
    parsed, issues = parse(filled_template(formula=("Workforce", "E2", "=1+1")), "return.xlsx")
    # One cause, one message: the formula is not also reported as a missing figure.
    assert [(i.rule, i.sheet, i.row, i.column, i.value) for i in issues.errors] == [
        ("xlsx.formula", "Workforce", 2, "inpost_fte", "=1+1"),
    ]
    assert parsed.cell(issues.errors[0].as_dict()) == "Workforce!E2"
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
    assert len(issues.errors) == 1  # not also "this is needed"
    assert parsed.cell(issues.errors[0].as_dict()) == "'Agency assignments'!F3"
    assert parsed.quarterly and [a.row for a in parsed.quarterly.assignments] == [2]
