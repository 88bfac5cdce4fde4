"""Reading files safely, part 3: the sheets of an XLSX or ODS workbook, row by row.

Both formats give the same stream: for each sheet its title, then its rows as
``(row number, cells)`` with the numbers a spreadsheet shows. A cell is None, text, a
number, a bool or a datetime; a formula is a ``Formula`` (its text, never its value: it is
neither evaluated nor its cached result trusted), for the caller to refuse.

XLSX is read by openpyxl after the zip checks (``zips.check_zip``). ODS is read here from
``content.xml`` by defusedxml's streaming parser (no DTDs, no entities): typed values
(``office:value``, ``office:date-value``, ``office:boolean-value``), repeated rows and
columns expanded only up to the last filled cell, and every cell expanded counted against
``MAX_CELLS``, so a few bytes of ``number-rows-repeated`` cannot stand for millions.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from xml.etree.ElementTree import Element

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

from workforce.ingest.files import MAX_CELLS, Unreadable, describe_fault
from workforce.ingest.zips import check_ods_zip, check_zip, refuses_dtd

TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
CELL_TAGS = (TABLE + "table-cell", TABLE + "covered-table-cell")
# The widest sheet a spreadsheet program makes (Excel's 16,384 columns, XFD).
MAX_COLUMNS = 16_384

Row = tuple[int, tuple[Any, ...]]
# ("sheet", title) starts a sheet; ("row", (number, cells)) is one of its rows.
Event = tuple[str, Any]


@dataclass(frozen=True)
class Formula:
    """A cell that holds a formula: its text only."""

    text: str

    def __str__(self) -> str:
        return self.text


def read_events(data: bytes, kind: str) -> Iterator[Event]:
    """Yield the sheets and rows of an ``xlsx`` or ``ods`` workbook; raise ``Unreadable``
    for a workbook that is unsafe or damaged, located where reading stopped."""
    reader = _xlsx_events if kind == "xlsx" else _ods_events
    title, number, cells = "", 0, 0
    try:
        for event in reader(data):
            if event[0] == "sheet":
                title, number = event[1], 0
            else:
                number = event[1][0]
                cells += len(event[1][1])
                if cells > MAX_CELLS:
                    raise Unreadable(
                        "file.too_large",
                        f"the workbook holds more than {MAX_CELLS:,} cells",
                        sheet=title,
                        row=number,
                    )
            yield event
    except (Unreadable, GeneratorExit):
        raise
    except Exception as exc:  # a damaged part surfaces only as it is read, as many kinds
        raise _fault(exc, kind, title, number) from None


def _fault(exc: Exception, kind: str, title: str, number: int) -> Unreadable:
    """The refusal of a workbook that failed to open (no ``title`` yet) or to read."""
    again = " from Excel" if kind == "xlsx" else ""
    if isinstance(exc, DefusedXmlException) or refuses_dtd(exc):
        if title:
            return Unreadable(
                f"file.{kind}_unsafe",
                "the sheet's XML declares a DTD or entities, which are refused for safety: "
                f"save the workbook again{again}",
                sheet=title,
            )
        return Unreadable(
            f"file.{kind}_unsafe",
            "the workbook's XML declares a DTD or entities, which are refused for safety: "
            f"save it again{again}",
        )
    if not title:
        return Unreadable(
            f"file.{kind}",
            f"the workbook cannot be opened, it is damaged ({describe_fault(exc)})",
        )
    return Unreadable(
        f"file.{kind}",
        f"the workbook is damaged: this sheet cannot be read beyond row {number} "
        f"({describe_fault(exc)}); is the file complete? Save it again{again}",
        sheet=title,
        row=number + 1,
    )


def _xlsx_events(data: bytes) -> Iterator[Event]:
    from openpyxl import load_workbook
    from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula

    check_zip(data)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # data_only=False: a formula is seen as a formula, so it can be refused.
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    try:
        for sheet in workbook.worksheets:
            yield "sheet", sheet.title
            # Some writers record a wrong sheet size, which would cut the rows short.
            sheet.reset_dimensions()
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                yield "row", (number, tuple(_xlsx_cell(v, ArrayFormula, DataTableFormula)
                                            for v in values))  # fmt: skip
    finally:
        workbook.close()


def _xlsx_cell(value: Any, *formula_types: type) -> Any:
    if isinstance(value, str) and value.startswith("="):
        return Formula(value)
    if isinstance(value, formula_types):
        return Formula(str(getattr(value, "text", "") or value))
    return value


def _ods_events(data: bytes) -> Iterator[Event]:
    archive = check_ods_zip(data)
    number = sheets = 0
    with archive.open("content.xml") as content:
        parser = iterparse(content, events=("start", "end"), forbid_dtd=True)
        for event, element in parser:
            tag = element.tag
            if event == "start":
                if tag == TABLE + "table":
                    number, sheets = 0, sheets + 1
                    yield "sheet", element.get(TABLE + "name") or f"Sheet{sheets}"
                continue
            if tag != TABLE + "table-row":
                continue
            values = _ods_row(element)
            repeat = int(element.get(TABLE + "number-rows-repeated") or 1)
            element.clear()
            if not values:  # empty rows: counted, never expanded
                number += repeat
                continue
            for _ in range(repeat):  # bounded by the caller's count of cells
                number += 1
                yield "row", (number, values)


def _ods_row(row: Element) -> tuple[Any, ...]:
    """Return a row's cells up to its last filled one, repeated cells expanded."""
    values: list[Any] = []
    pending_blanks = 0
    for cell in row:
        if cell.tag not in CELL_TAGS:
            continue
        repeat = int(cell.get(TABLE + "number-columns-repeated") or 1)
        value = _ods_value(cell)
        if value is None:
            pending_blanks += repeat
            continue
        if len(values) + pending_blanks + repeat > MAX_COLUMNS:
            raise Unreadable(
                "file.too_large",
                f"a row of the workbook is wider than {MAX_COLUMNS:,} columns",
            )
        values.extend([None] * pending_blanks)
        pending_blanks = 0
        values.extend([value] * repeat)
    return tuple(values)


def _ods_value(cell: Element) -> Any:
    formula = cell.get(TABLE + "formula")
    if formula:
        return Formula(formula)
    kind = cell.get(OFFICE + "value-type")
    if kind in ("float", "percentage", "currency"):
        return float(cell.get(OFFICE + "value") or "nan")
    if kind == "date":
        return datetime.fromisoformat(cell.get(OFFICE + "date-value") or "")
    if kind == "boolean":
        return (cell.get(OFFICE + "boolean-value") or "").lower() == "true"
    text = "\n".join(_paragraph(p) for p in cell if p.tag == TEXT + "p")
    if kind is None and not text.strip():
        return None
    return text


def _paragraph(paragraph: Element) -> str:
    """A ``text:p`` as text, its ``text:s`` runs of spaces and tabs kept."""
    parts = [paragraph.text or ""]
    for child in paragraph:
        if child.tag == TEXT + "s":
            parts.append(" " * int(child.get(TEXT + "c") or 1))
        elif child.tag == TEXT + "tab":
            parts.append("\t")
        else:
            parts.append(_paragraph(child))
        parts.append(child.tail or "")
    return "".join(parts)
