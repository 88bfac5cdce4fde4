"""The core's shared definitions: one problem type, one formula-trigger list, one way of
decoding text, whatever the importer."""

from __future__ import annotations

import pytest

from workforce.errors import InputDataError
from workforce.exports import neutralise
from workforce.ingest import cells, files, tables
from workforce.ingest.problems import Issues, Problem, Severity


def test_every_formula_trigger_is_neutralised_on_the_way_out() -> None:
    for trigger in cells.FORMULA_TRIGGERS:
        assert neutralise(f"{trigger}SUM(A1)") == f"'{trigger}SUM(A1)"


def test_text_read_in_refuses_the_triggers_but_keeps_a_leading_minus() -> None:
    issues = Issues()
    for trigger in cells.TEXT_FORMULA_START:
        assert cells.text(issues, f"{trigger}cmd", row=2, column="note") is None
    assert cells.text(issues, "- see note", row=3, column="note") == "- see note"
    assert [i.rule for i in issues.errors] == ["cell.formula"] * len(cells.TEXT_FORMULA_START)


def test_a_problem_says_its_severity_rule_and_where_it_is() -> None:
    problem = Problem("judgements.date", "is in the future", "j.ods", 4, "Inspection date", "x",
                      sheet="Latest")  # fmt: skip
    assert str(problem) == (
        "error: j.ods, sheet 'Latest', row 4, column 'Inspection date': is in the future "
        "(value 'x') [judgements.date]"
    )
    assert Problem.from_dict(problem.as_dict()) == problem
    warning = Problem("plausibility.history", "far", severity=Severity.warning, sheet="Workforce")
    assert warning.as_dict() == {
        "severity": "warning",
        "rule": "plausibility.history",
        "message": "far",
        "sheet": "Workforce",
        "row": None,
        "column": None,
        "value": None,
    }
    assert "error: j.ods, sheet 'Latest'" in str(InputDataError([problem]))


def test_returns_issues_are_the_same_problem_type() -> None:
    issues = Issues(sheet="Workforce")
    issues.error("type.number", "this must be a number", row=3, column="inpost_fte", value="x")
    [issue] = issues.errors
    assert isinstance(issue, Problem)
    assert (issue.severity, issue.sheet, issue.file) == (Severity.error, "Workforce", None)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "cp1252"])
def test_every_encoding_reads_to_the_same_sheet(encoding: str) -> None:
    text = "code,name\r\n202,Café £5\r\n"
    [sheet] = tables.read_sheets(text.encode(encoding), "t.csv")
    assert sheet.rows == [(1, ["code", "name"]), (2, ["202", "Café £5"])]
    assert files.decode_text(text.encode(encoding))[0] == text


def test_windows_1252_holding_a_utf16_byte_order_mark_is_refused() -> None:
    data = b"la_code,framework\n201,\xff\xfe SIF\n"
    with pytest.raises(files.Unreadable) as caught:
        files.decode_text(data)
    assert caught.value.rule == "file.encoding"
    with pytest.raises(files.Unreadable):
        tables.read_sheets(data, "t.csv")


@pytest.mark.parametrize(
    ("data", "rule"), [(b"", "file.empty"), (b"<a/>", "file.type"), (b"%PDF-1.4", "file.type")]
)
def test_what_is_not_a_table_is_refused(data: bytes, rule: str) -> None:
    with pytest.raises(files.Unreadable) as caught:
        tables.read_sheets(data, "t.csv")
    assert caught.value.rule == rule
