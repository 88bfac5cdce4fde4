"""ODS read by the core: typed values, repeated rows and columns within bounds, formulas
refused, and the same zip and XML guards as XLSX."""

from __future__ import annotations

import io
import time
from datetime import datetime
from typing import Any

import pytest
from openpyxl import Workbook

from tests.builders.ods import FormulaCell, Repeated, content, ods, ods_with_content
from workforce.ingest import files, tables
from workforce.ingest.problems import Issues
from workforce.ingest.workbooks import Formula
from workforce.returns import quarterly
from workforce.returns.reading import Upload, parse_upload

TODAY = datetime(2026, 11, 30).date()


def test_an_ods_file_is_recognised_by_its_content_whatever_its_name() -> None:
    assert files.sniff(ods({"Sheet1": [["a"]]})) == "ods"
    assert files.sniff(b"PK\x03\x04" + b"\x00" * 60) == "xlsx"


def test_cells_are_read_with_their_types() -> None:
    data = ods(
        {
            "Figures": [
                ["name", "when", "count", "share", "ok", "note"],
                ["Camden", datetime(2023, 5, 8), 12, 0.25, True, "two  spaces"],
            ]
        }
    )
    [sheet] = tables.read_sheets(data, "figures.ods")
    assert sheet.name == "Figures"
    assert sheet.rows[1] == (2, ["Camden", datetime(2023, 5, 8), 12.0, 0.25, True, "two  spaces"])


def test_repeated_cells_and_rows_are_expanded_and_trailing_blanks_are_not() -> None:
    data = ods({"S": [["a", Repeated("x", 3), None, "b"], [Repeated(7, 2)]]})
    started = time.perf_counter()
    [sheet] = tables.read_sheets(data, "r.ods")
    assert time.perf_counter() - started < 2  # a million empty rows below cost nothing
    assert sheet.rows == [(1, ["a", "x", "x", "x", None, "b"]), (2, [7.0, 7.0])]


def test_repeated_rows_keep_the_row_numbers_a_spreadsheet_shows() -> None:
    rows = (
        '<table:table-row><table:table-cell office:value-type="string"><text:p>h</text:p>'
        "</table:table-cell></table:table-row>"
        '<table:table-row table:number-rows-repeated="3"><table:table-cell/></table:table-row>'
        '<table:table-row table:number-rows-repeated="2"><table:table-cell '
        'office:value-type="float" office:value="5"/></table:table-row>'
    )
    [sheet] = tables.read_sheets(ods({"S": rows}), "r.ods")
    assert sheet.rows == [(1, ["h"]), (5, [5.0]), (6, [5.0])]


def test_a_cell_repeated_past_the_widest_sheet_is_refused() -> None:
    data = ods({"S": [[Repeated("x", 20_000)]]})
    with pytest.raises(files.Unreadable) as caught:
        tables.read_sheets(data, "wide.ods")
    assert caught.value.rule == "file.too_large"


def test_a_filled_row_repeated_a_million_times_stops_at_the_row_limit() -> None:
    rows = (
        '<table:table-row table:number-rows-repeated="5000000"><table:table-cell '
        'office:value-type="float" office:value="1"/></table:table-row>'
    )
    started = time.perf_counter()
    with pytest.raises(files.Unreadable) as caught:
        tables.read_sheets(ods({"S": rows}), "long.ods")
    assert time.perf_counter() - started < 5
    assert caught.value.rule == "file.too_many_rows"


def test_a_filled_row_repeated_past_the_cell_limit_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(files, "MAX_TABLE_ROWS", 10_000_000)
    rows = (
        '<table:table-row table:number-rows-repeated="5000000"><table:table-cell '
        'table:number-columns-repeated="10" office:value-type="float" office:value="1"/>'
        "</table:table-row>"
    )
    with pytest.raises(files.Unreadable) as caught:
        tables.read_sheets(ods({"S": rows}), "big.ods")
    assert caught.value.rule == "file.too_large"


def test_a_formula_is_never_evaluated_nor_its_saved_result_read() -> None:
    data = ods({"Workforce": [["council_code", "inpost_fte"], ["202", FormulaCell("of:=1+1", 2)]]})
    [sheet] = tables.read_sheets(data, "f.ods")
    assert sheet.rows[1] == (2, ["202", Formula("of:=1+1")])
    issues = Issues()
    [table] = tables.read_workbook(data, issues, "ods").values()
    assert table.rows == [(2, {"council_code": "202", "inpost_fte": None})]
    [issue] = issues.errors
    assert (issue.rule, issue.sheet, issue.row, issue.column, issue.value) == (
        "ods.formula",
        "Workforce",
        2,
        "inpost_fte",
        "of:=1+1",
    )


@pytest.mark.parametrize(
    ("data", "rule"),
    [
        (ods({"S": [["a"]]}, {"Basic/Standard/Module1.xml": b"<x/>"}), "file.ods_macros"),
        (ods_with_content(b"<?xml version='1.0'?>" + b"<a>" * 10), "file.ods"),
        (ods({"S": [["a" * 10]]})[:-40], "file.ods"),
        (
            ods_with_content(
                b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "boom">]>'
                + content({"S": [["a"]]}).split(b"?>", 1)[1]
            ),
            "file.ods_unsafe",
        ),
        (ods({"S": [["a"]]}, {"filler.xml": b" " * 50_000_000}), "file.ods_bomb"),
    ],
    ids=["macros", "malformed", "truncated", "doctype", "bomb"],
)
def test_hostile_or_damaged_ods_files_are_refused_with_a_rule(data: bytes, rule: str) -> None:
    with pytest.raises(files.Unreadable) as caught:
        tables.read_sheets(data, "bad.ods")
    assert caught.value.rule == rule


def test_an_ods_without_its_content_is_refused() -> None:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            zipfile.ZipInfo("mimetype"), b"application/vnd.oasis.opendocument.spreadsheet"
        )
    with pytest.raises(files.Unreadable) as caught:
        tables.read_sheets(buffer.getvalue(), "empty.ods")
    assert (caught.value.rule, str(caught.value)) == (
        "file.ods",
        "the ODS file is damaged: it has no content.xml",
    )


def _return_sheets() -> dict[str, list[list[Any]]]:
    """A small quarterly return: a workforce row for each role group, one assignment."""
    workforce: list[list[Any]] = [list(quarterly.WORKFORCE_COLUMNS)]
    for number, role in enumerate(quarterly.ROLE_GROUPS, start=1):
        figures = {"establishment_fte": 10.0 * number, "inpost_fte": 8.5 * number,
                   "inpost_headcount": 9 * number, "case_holders_fte": 4.0,
                   "cases": 60}  # fmt: skip
        row: list[Any] = ["202", datetime(2026, 6, 30), role]
        row += [figures.get(c, 0) for c in list(quarterly.WORKFORCE_COLUMNS)[3:]]
        workforce.append(row)
    assignment = ["Care Staff Ltd", "social_worker", "SW123456", datetime(2026, 4, 1), None,
                  45.5, 38.0, "N", None]  # fmt: skip
    return {"Workforce": workforce, "Agency assignments": [list(quarterly.ASSIGNMENT_COLUMNS),
                                                          assignment]}  # fmt: skip


def _xlsx(sheets: dict[str, list[list[Any]]]) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.worksheets[0])
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_a_quarterly_return_saved_as_ods_gives_the_same_figures_as_xlsx() -> None:
    sheets = _return_sheets()
    as_ods = parse_upload(Issues(), Upload(ods(sheets), "return.ods"), TODAY)
    xlsx_issues = Issues()
    as_xlsx = parse_upload(xlsx_issues, Upload(_xlsx(sheets), "return.xlsx"), TODAY)
    assert as_ods.file_type == "ods"
    assert as_ods.quarterly and as_xlsx.quarterly
    assert as_ods.quarterly.role_groups == as_xlsx.quarterly.role_groups
    assert as_ods.quarterly.role_groups["social_worker"]["inpost_fte"] == 8.5
    assert as_ods.quarterly.counts() == as_xlsx.quarterly.counts()
    assert as_ods.quarterly.assignments == as_xlsx.quarterly.assignments
    assert len(as_ods.quarterly.assignments) == 1
