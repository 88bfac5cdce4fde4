"""Damaged, hostile and oddly encoded files: each is answered with an issue that names its
rule and where it is, never an exception; macros and external links are refused."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from datetime import date

import pytest

from tests.builders.returns import (
    ASSIGNMENTS,
    CensusDesign,
    census_xml,
    first_sheet_xml,
    quarterly_rows,
    quarterly_xlsx,
    rezip,
    to_csv,
    truncated_sheet_xlsx,
)
from workforce.ingest import files
from workforce.ingest.problems import Issues
from workforce.ingest.problems import Problem as Issue
from workforce.returns.reading import Parsed, Upload, parse_upload

TODAY = date(2026, 11, 24)
SHEET = "xl/worksheets/sheet1.xml"


def _parse(data: bytes, name: str = "return.xlsx", **kwargs: bytes) -> tuple[Parsed, Issues]:
    issues = Issues()
    partner = Upload(kwargs["assignments"], "assignments.csv") if kwargs else None
    return parse_upload(issues, Upload(data, name), TODAY, partner), issues


def _corrupt_member(workbook: bytes, member: str) -> bytes:
    """The workbook with bytes in the middle of one member's compressed data overwritten."""
    with zipfile.ZipFile(io.BytesIO(workbook)) as archive:
        info = archive.getinfo(member)
    data = bytearray(workbook)
    # The local header is 30 bytes, then the name and the extra field; then the data.
    name_length = int.from_bytes(data[info.header_offset + 26 : info.header_offset + 28], "little")
    extra_length = int.from_bytes(data[info.header_offset + 28 : info.header_offset + 30], "little")
    start = info.header_offset + 30 + name_length + extra_length
    middle = start + info.compress_size // 2
    data[middle : middle + 16] = b"\xff" * 16
    return bytes(data)


def _with_doctype(workbook: bytes) -> bytes:
    sheet = first_sheet_xml(workbook)
    hostile = b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
    if sheet.startswith(b"<?xml"):
        declaration, rest = sheet.split(b"?>", 1)
        return rezip(workbook, {SHEET: declaration + b"?>" + hostile + rest})
    return rezip(workbook, {SHEET: hostile + sheet})


def _macro_content_types(workbook: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(workbook)) as archive:
        types = archive.read("[Content_Types].xml")
    macro = types.replace(
        b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
        b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
    )
    assert macro != types
    return rezip(workbook, {"[Content_Types].xml": macro})


DAMAGED: dict[str, tuple[Callable[[], bytes], str, str | None]] = {
    # name: (the file, the rule, the sheet named)
    "truncated-sheet": (truncated_sheet_xlsx, "file.xlsx", "Workforce"),
    "sheet-not-xml": (
        lambda: rezip(quarterly_xlsx(), {SHEET: b"\x00\x01 this is not XML \xff"}),
        "file.xlsx",
        None,  # openpyxl reads the sheet's start as it opens the workbook
    ),
    "corrupt-deflate": (lambda: _corrupt_member(quarterly_xlsx(), SHEET), "file.xlsx", None),
    "sheet-with-doctype": (lambda: _with_doctype(quarterly_xlsx()), "file.xlsx_unsafe", None),
    "sheet-part-missing": (lambda: rezip(quarterly_xlsx(), {SHEET: None}), "file.xlsx", None),
    "styles-truncated": (
        lambda: rezip(quarterly_xlsx(), {"xl/styles.xml": b"<styleSheet xmlns="}),
        "file.xlsx",
        None,
    ),
    "zip-cut-short": (lambda: quarterly_xlsx()[:3000], "file.xlsx", None),
    "macros": (
        lambda: rezip(quarterly_xlsx(), {"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0 macros"}),
        "file.xlsx_macros",
        None,
    ),
    "macro-enabled-type": (
        lambda: _macro_content_types(quarterly_xlsx()),
        "file.xlsx_macros",
        None,
    ),
    "external-links": (
        lambda: rezip(
            quarterly_xlsx(),
            {"xl/externalLinks/externalLink1.xml": b"<externalLink/>"},
        ),
        "file.xlsx_external_links",
        None,
    ),
}


@pytest.mark.parametrize("name", list(DAMAGED))
def test_a_damaged_or_refused_workbook_is_one_issue_with_its_rule(name: str) -> None:
    make, rule, sheet = DAMAGED[name]
    parsed, issues = _parse(make())
    assert [i.rule for i in issues.errors] == [rule], [str(i) for i in issues.items]
    error = issues.errors[0]
    assert error.message and "Traceback" not in error.message
    if sheet is not None:
        assert error.sheet == sheet, str(error)
    assert parsed.quarterly is None or not parsed.quarterly.role_groups


def test_a_sheet_holding_other_xml_is_refused_by_rule() -> None:
    page = rezip(quarterly_xlsx(), {SHEET: b"<html><body>a web page</body></html>"})
    _, issues = _parse(page)
    assert issues.errors and all(i.rule for i in issues.errors)
    assert ("structure.missing_column", "Workforce") in [_where(i) for i in issues.errors]


def test_a_truncated_sheet_says_how_far_it_was_read() -> None:
    _, issues = _parse(truncated_sheet_xlsx())
    [error] = issues.errors
    assert error.sheet == "Workforce" and error.row is not None and error.row >= 1
    assert "damaged" in error.message


def test_a_workbook_with_macros_is_refused_saying_why() -> None:
    _, issues = _parse(DAMAGED["macros"][0]())
    [error] = issues.errors
    assert "macros" in error.message and error.value == "xl/vbaProject.bin"


def test_a_workbook_with_external_links_is_refused_saying_why() -> None:
    _, issues = _parse(DAMAGED["external-links"][0]())
    [error] = issues.errors
    assert "links to other workbooks" in error.message
    assert error.value == "xl/externalLinks/externalLink1.xml"


# --- UTF-16 without a byte-order mark ----------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_a_utf16_csv_without_a_byte_order_mark_is_read(encoding: str) -> None:
    data = to_csv(quarterly_rows(), encoding)
    assert not data.startswith((b"\xff\xfe", b"\xfe\xff"))
    assert files.sniff(data) == "csv"
    parsed, issues = _parse(data, "q.csv", assignments=to_csv(ASSIGNMENTS, encoding))
    assert issues.errors == [], [str(i) for i in issues.items]
    expected, _ = _parse(to_csv(quarterly_rows()), "q.csv", assignments=to_csv(ASSIGNMENTS))
    assert parsed.quarterly is not None and expected.quarterly is not None
    assert parsed.quarterly.counts() == expected.quarterly.counts()
    assert [a.agency_name for a in parsed.quarterly.assignments] == [
        "Café Social Work Ltd",
        "Northern Locums",
    ]


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_a_utf16_census_without_a_byte_order_mark_is_read(encoding: str) -> None:
    text = census_xml(CensusDesign()).decode().replace('encoding="UTF-8"', 'encoding="UTF-16"')
    data = text.encode(encoding)
    assert files.sniff(data) == "xml"
    parsed, issues = _parse(data, "census.xml")
    assert issues.errors == [], [str(i) for i in issues.items]
    assert parsed.census is not None and len(parsed.census.workers) == 310


def test_a_damaged_utf16_file_without_a_byte_order_mark_is_named_as_such() -> None:
    data = to_csv(quarterly_rows(), "utf-16-le")[:-1]  # cut off inside its last character
    _, issues = _parse(data, "q.csv")
    [error] = issues.errors
    assert error.rule == "file.encoding"
    assert "UTF-16 without a byte-order mark" in error.message


def test_binary_data_is_still_named_as_such() -> None:
    _, issues = _parse(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00", "picture.csv")
    assert [(i.rule, "binary data" in i.message) for i in issues.errors] == [("file.type", True)]


def _where(issue: Issue) -> tuple[str, str | None]:
    return issue.rule, issue.sheet


def test_an_unreadable_assignments_file_is_filed_under_its_own_name() -> None:
    _, issues = _parse(to_csv(quarterly_rows()), "q.csv", assignments=b"%PDF-1.7 not a CSV")
    assert [_where(i) for i in issues.errors] == [("file.type", "assignments.csv")]


def test_a_csv_marked_as_utf8_that_is_not_is_an_encoding_error() -> None:
    _, issues = _parse(b"\xef\xbb\xbfcouncil_code,period_end\r\n\x81\x8d,x\r\n", "q.csv")
    assert [_where(i) for i in issues.errors] == [("file.encoding", "q.csv")]
    assert "byte-order mark" in issues.errors[0].message
