"""The quarterly return read with the template's headings in words as well as machine
names; every problem placed at its cell; one cause, one message; and the period a refused
return's rows name."""

from __future__ import annotations

import csv
import io
from datetime import date

from tests.builders.quarterly import PERIOD, check_figures, fill_in, parse, workforce_rows
from workforce.returns import quarterly
from workforce.returns.quarterly_template import heading, machine_name


def _csv(
    rows: list[dict[str, object]], header: list[str], columns: list[str] | None = None
) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow([row[c] for c in columns or quarterly.WORKFORCE_COLUMNS])
    return out.getvalue().encode()


def test_every_heading_names_its_column_back() -> None:
    from workforce.ingest.tables import normalise_header

    for column in (*quarterly.WORKFORCE_COLUMNS, *quarterly.ASSIGNMENT_COLUMNS):
        assert machine_name(normalise_header(heading(column))) == column
        assert machine_name(column) == column
    assert len({heading(c) for c in quarterly.WORKFORCE_COLUMNS}) == 20


def test_a_csv_headed_in_words_gives_the_same_figures() -> None:
    data = _csv(workforce_rows(), [heading(c) for c in quarterly.WORKFORCE_COLUMNS])
    parsed, issues = parse(data)
    check_figures(parsed, issues)


def test_the_council_s_template_filled_in_is_accepted_as_it_is() -> None:
    template = quarterly.template_xlsx(council_code="202", council_name="Camden", period_end=PERIOD)
    parsed, issues = parse(fill_in(template), "return.xlsx")
    assert issues.errors == []
    assert parsed.council_code == "202" and parsed.period_end == PERIOD
    check_figures(parsed, issues)


def test_a_problem_in_a_csv_is_at_its_column_letter_and_row() -> None:
    rows = workforce_rows()
    rows[1]["vacancy_fte"] = "lots"  # row 3; vacancy_fte is the ninth column, I
    parsed, issues = parse(_csv(rows, list(quarterly.WORKFORCE_COLUMNS)))
    [problem] = issues.errors
    assert (problem.rule, problem.row, problem.column) == ("type.number", 3, "vacancy_fte")
    assert parsed.cell(problem.as_dict()) == "I3"


def test_a_problem_with_no_row_has_no_cell() -> None:
    rows = workforce_rows()
    rows[0]["period_end"] = "2026-03-31"  # two quarter ends
    parsed, issues = parse(_csv(rows, list(quarterly.WORKFORCE_COLUMNS)))
    [problem] = issues.errors
    assert problem.rule == "consistency.period" and parsed.cell(problem.as_dict()) is None


def test_a_formula_in_a_role_group_or_council_cell_is_one_message() -> None:
    template = quarterly.template_xlsx(council_code="202", council_name="Camden", period_end=PERIOD)
    for cell in ("A2", "C2", "D2"):
        parsed, issues = parse(fill_in(template, formula=(cell, "=A1")), "return.xlsx")
        assert [(i.rule, parsed.cell(i.as_dict())) for i in issues.errors] == [
            ("xlsx.formula", f"Workforce!{cell}")
        ], cell


def test_a_return_refused_for_a_missing_column_still_names_its_period() -> None:
    columns = [c for c in quarterly.WORKFORCE_COLUMNS if c != "cases"]
    parsed, issues = parse(_csv(workforce_rows(), columns, columns))
    assert [i.rule for i in issues.errors] == ["structure.missing_column"]
    assert parsed.period_end == date(2026, 6, 30)


def test_a_check_on_a_measure_names_the_measure_in_words() -> None:
    assert heading("agency_rate_fte") == "Agency worker rate"
    assert heading("no_such_column") == "no_such_column"
