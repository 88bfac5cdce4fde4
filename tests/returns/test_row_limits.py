"""Oversized returns: reading stops as soon as a table passes the most rows any council could
send, so a huge file is refused in a fraction of a second and bounded memory."""

from __future__ import annotations

import time
import tracemalloc
from datetime import date

import pytest

from tests.builders.returns import ASSIGNMENTS, quarterly_rows, to_csv
from workforce.ingest import files
from workforce.ingest.problems import MAX_ERRORS, Issues
from workforce.ingest.problems import Problem as Issue
from workforce.returns import quarterly
from workforce.returns.reading import Parsed, Upload, parse_upload

TODAY = date(2026, 11, 24)
CENSUS_HEADER = (
    "LEA,ReferenceDate,NumberOfVacancies,NoAgencyFTE,NoAgencyHeadcount,AgencyWorker,SWENo,QualInst"
)


def _agency_census(count: int, swe: str = "SW{:010d}") -> bytes:
    """A census CSV of ``count`` agency workers: the shortest records the schema allows."""
    lines = [CENSUS_HEADER, f"202,2025-09-30,1,1,{count},1,{swe.format(0)},X"]
    lines += [f",,,,,1,{swe.format(i)},X" for i in range(1, count)]
    return ("\r\n".join(lines) + "\r\n").encode()


def _agency_census_xml(count: int) -> bytes:
    worker = "<CSWWWorker><AgencyWorker>1</AgencyWorker><SWENo>SW{:010d}</SWENo>"
    worker += "<QualInst>X</QualInst></CSWWWorker>"
    return (
        "<Message><Header><CollectionDetails><ReferenceDate>2025-09-30</ReferenceDate>"
        "</CollectionDetails><Source><LEA>202</LEA></Source></Header><LALevelVacancies>"
        "<NumberOfVacancies>1</NumberOfVacancies><NoAgencyFTE>1</NoAgencyFTE>"
        f"<NoAgencyHeadcount>{count}</NoAgencyHeadcount></LALevelVacancies>"
        + "".join(worker.format(i) for i in range(count))
        + "</Message>"
    ).encode()


def _parse(data: bytes, name: str, assignments: bytes | None = None) -> tuple[Parsed, Issues]:
    issues = Issues()
    partner = None if assignments is None else Upload(assignments, "assignments.csv")
    return parse_upload(issues, Upload(data, name), TODAY, partner), issues


def _where(issue: Issue) -> tuple[str, str | None, int | None]:
    return issue.rule, issue.sheet, issue.row


def test_the_limits_leave_room_beyond_the_largest_council() -> None:
    # The largest council's census (Essex, 2023) held about 1,100 records: staff in post,
    # leavers and agency workers; England's, about 48,000 (DfE CSWW, workforce/data/csww).
    assert files.MAX_TABLE_ROWS == 20_000
    assert quarterly.MAX_ASSIGNMENT_ROWS == 10_000
    assert quarterly.MAX_WORKFORCE_ROWS == 100


def test_a_census_csv_at_the_row_limit_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(files, "MAX_TABLE_ROWS", 40)
    parsed, issues = _parse(_agency_census(40), "census.csv")
    assert issues.errors == [], [str(i) for i in issues.errors]
    assert parsed.census is not None and len(parsed.census.workers) == 40


def test_a_census_csv_past_the_row_limit_is_refused_where_it_passes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(files, "MAX_TABLE_ROWS", 40)
    parsed, issues = _parse(_agency_census(41), "census.csv")
    assert [_where(i) for i in issues.errors] == [("file.too_many_rows", "census.csv", 42)]
    assert "40" in issues.errors[0].message
    assert parsed.census is None


def test_a_million_row_csv_is_refused_at_once_in_bounded_memory() -> None:
    data = _agency_census(1_000_000)
    tracemalloc.start()
    try:
        start = time.perf_counter()
        _, issues = _parse(data, "census.csv")
        seconds = time.perf_counter() - start
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert [_where(i) for i in issues.errors] == [("file.too_many_rows", "census.csv", 20_002)]
    assert seconds < 5, seconds  # it took 17-25 s to read every row
    assert peak < 100 * 1024 * 1024, peak  # it took 0.8-1.8 GB


def test_blank_lines_count_towards_the_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(files, "MAX_TABLE_ROWS", 40)
    _, issues = _parse(_agency_census(2) + b"\r\n" * 100, "census.csv")
    assert [i.rule for i in issues.errors] == ["file.too_many_rows"]


def test_a_census_xml_past_the_record_limit_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(files, "MAX_TABLE_ROWS", 40)
    parsed, issues = _parse(_agency_census_xml(40), "census.xml")
    assert issues.errors == [] and parsed.census is not None
    assert len(parsed.census.workers) == 40
    parsed, issues = _parse(_agency_census_xml(41), "census.xml")
    assert [(i.rule, i.row, i.column) for i in issues.errors] == [
        ("file.too_many_rows", 41, "CSWWWorker")
    ]
    assert parsed.census is None or parsed.census.workers == []


def test_a_huge_census_xml_is_refused_at_once() -> None:
    data = _agency_census_xml(200_000)  # about 20 MB, the upload limit
    start = time.perf_counter()
    _, issues = _parse(data, "census.xml")
    seconds = time.perf_counter() - start
    assert [i.rule for i in issues.errors] == ["file.too_many_rows"]
    assert seconds < 5, seconds  # it took 4-6 s and was accepted


def test_a_workbook_sheet_past_the_row_limit_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    from openpyxl import Workbook

    monkeypatch.setattr(files, "MAX_TABLE_ROWS", 10)
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Workforce"
    for row in quarterly_rows():
        sheet.append(row)
    agency = workbook.create_sheet("Agency assignments")
    agency.append(ASSIGNMENTS[0])
    for number in range(11):
        agency.append([f"Agency {number}", *ASSIGNMENTS[1][1:]])
    buffer = io.BytesIO()
    workbook.save(buffer)
    _, issues = _parse(buffer.getvalue(), "return.xlsx")
    assert [_where(i) for i in issues.errors] == [("file.too_many_rows", "Agency assignments", 12)]


def test_a_workforce_table_longer_than_any_return_is_one_error() -> None:
    rows = quarterly_rows()
    data = to_csv([rows[0], *(rows[1:] * 17)])  # 102 rows
    _, issues = _parse(data, "q.csv")
    assert [_where(i) for i in issues.errors] == [("file.too_many_rows", "q.csv", 102)]


def test_an_assignments_csv_past_its_limit_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(quarterly, "MAX_ASSIGNMENT_ROWS", 5)
    agency = [ASSIGNMENTS[0], *([ASSIGNMENTS[1]] * 6)]
    _, issues = _parse(to_csv(quarterly_rows()), "q.csv", to_csv(agency))
    assert [_where(i) for i in issues.errors] == [("file.too_many_rows", "assignments.csv", 7)]


def test_checking_stops_at_the_error_limit() -> None:
    _, issues = _parse(_agency_census(MAX_ERRORS + 500, swe="SW{}"), "census.csv")
    errors = issues.errors
    assert len(errors) == MAX_ERRORS + 1 == issues.error_count
    assert {i.rule for i in errors[:-1]} == {"schema.pattern"}
    assert (errors[-1].rule, errors[-1].row) == ("report.error_limit", errors[-2].row)
