"""A judgements workbook damaged inside (a sheet cut short, a corrupt part) is refused as
one problem with its rule, never an exception from the XML or zip reader."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from sqlmodel import Session

from tests.builders.judgements import count
from tests.builders.returns import first_sheet_xml, rezip
from workforce.errors import InputDataError
from workforce.inspections.importers import OVERVIEW_FILE, import_judgements

SHEET = "xl/worksheets/sheet1.xml"


def _truncated_sheet() -> bytes:
    workbook = OVERVIEW_FILE.read_bytes()
    sheet = first_sheet_xml(workbook)
    return rezip(workbook, {SHEET: sheet[: len(sheet) // 2]})


def _doctype_sheet() -> bytes:
    workbook = OVERVIEW_FILE.read_bytes()
    sheet = first_sheet_xml(workbook)
    declaration, rest = sheet.split(b"?>", 1)
    hostile = b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
    return rezip(workbook, {SHEET: declaration + b"?>" + hostile + rest})


@pytest.mark.parametrize("make", [_truncated_sheet, _doctype_sheet], ids=["truncated", "doctype"])
def test_a_damaged_judgements_workbook_is_one_problem(
    make: Callable[[], bytes], reference_session: Session, tmp_path: Path
) -> None:
    path = tmp_path / "overview.xlsx"
    path.write_bytes(make())
    with pytest.raises(InputDataError) as caught:
        import_judgements(session=reference_session, path=path)
    [problem] = caught.value.problems
    assert problem.rule == "judgements.file"
    assert "not a readable XLSX workbook" in problem.message
    assert problem.file == "overview.xlsx"
    assert count(reference_session) == 0
