"""The quarterly return's validation rules, each reported with its rule id and the
spreadsheet row and column it is about: the workforce table, then the agency assignments."""

from __future__ import annotations

from datetime import date

import pytest

from tests.builders.quarterly import (
    ASSIGNMENTS_FILE,
    FIGURES,
    HAND_COUNTS,
    PERIOD,
    ROW,
    WORKFORCE_FILE,
    assignment_rows,
    check_figures,
    parse,
    parse_csv,
    to_csv,
    where,
    workforce_csv,
    workforce_rows,
)
from workforce.ingest.problems import Issues
from workforce.returns import quarterly

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
