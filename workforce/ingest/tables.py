"""Reading files safely, part 4: CSV, XLSX and ODS as tables, with the same guards.

Two shapes, for the two ways importers read:

- ``read_csv`` and ``read_workbook`` give a ``Table`` per sheet: its first row is the
  header (normalised: ``Role group`` is ``role_group``), then its rows as dicts; formulas
  are reported to ``Issues`` (``xlsx.formula``, ``ods.formula``) and never read. Returns
  read this way.
- ``read_sheets`` gives every sheet's rows as lists of cells, for importers that look for
  their header below title rows (Ofsted's and DfE's published workbooks); a formula is a
  ``Formula`` cell, for the importer to refuse where it reads it.

Either way rows are read as a stream and reading stops at the first row past the limit
(``files.MAX_TABLE_ROWS`` by default), so an oversized file is refused in bounded time and
memory, whatever its size.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Any

from workforce.ingest import files
from workforce.ingest.files import (
    Unreadable,
    _encoding_fault,
    declared_encoding,
    decode_text,
    sniff,
    too_many_rows,
    windows_1252_plausible,
)
from workforce.ingest.problems import Issues
from workforce.ingest.workbooks import Formula, read_events

WORKBOOKS = ("xlsx", "ods")
# Published workbooks (Ofsted's, DfE's) put a title and notes above a table's header;
# importers that read them look this far down each sheet for it.
HEADER_SEARCH_ROWS = 10


@dataclass
class Table:
    """Rows of one sheet or CSV file, with the row numbers a spreadsheet would show."""

    name: str
    header: list[str]
    rows: list[tuple[int, dict[str, Any]]]
    # Rows with filled cells beyond the header (a shifted row): (row, the extra cells).
    extra_cells: list[tuple[int, list[str]]] = field(default_factory=list)

    def report_extra_cells(self, issues: Issues) -> None:
        for row, cells in self.extra_cells:
            issues.error(
                "structure.extra_cells",
                f"this row has {len(cells)} more cell(s) than the header has columns; "
                "is a value shifted, or a comma not quoted?",
                sheet=self.name,
                row=row,
                value=",".join(cells),
            )


@dataclass
class Sheet:
    """Every row of one sheet or CSV file that has a filled cell, as a list of cells."""

    name: str
    rows: list[tuple[int, list[Any]]]


def normalise_header(name: object) -> str:
    return " ".join(str(name or "").split()).strip().lower().replace(" ", "_")


def filled(value: object) -> bool:
    return value is not None and str(value).strip() != ""


def read_csv(data: bytes, name: str, max_rows: int | None = None) -> Table:
    """Return a CSV file's rows as dicts keyed by the normalised header, read as a stream
    that stops at the first row past ``max_rows`` (default ``files.MAX_TABLE_ROWS``)."""
    limit = files.MAX_TABLE_ROWS if max_rows is None else max_rows
    header: list[str] = []
    rows: list[tuple[int, dict[str, Any]]] = []
    extra_cells: list[tuple[int, list[str]]] = []
    for number, values in csv_rows(data, name, limit + 1):
        if number == 1:
            header = [normalise_header(h) for h in values]
            continue
        if not any(v.strip() for v in values):
            continue
        if len(values) > len(header) and any(v.strip() for v in values[len(header) :]):
            extra_cells.append((number, values[len(header) :]))
        rows.append((number, dict(zip(header, values, strict=False))))
    return Table(name=name, header=header, rows=rows, extra_cells=extra_cells)


def csv_rows(data: bytes, name: str, limit: int) -> list[tuple[int, list[str]]]:
    """Return every row of a CSV file (header first, as row 1) up to row ``limit``; the
    text is decoded as ``decode_text`` does, and a row past ``limit`` is refused."""
    encoding = declared_encoding(data)
    if encoding is None:
        try:
            return _csv_rows(data, "utf-8", name, limit)
        except UnicodeDecodeError:
            encoding = "cp1252"  # Windows-1252, as Excel saves "CSV" on English Windows
            if not windows_1252_plausible(data):
                raise Unreadable(
                    "file.encoding", _encoding_fault(encoding, data), sheet=name
                ) from None
    try:
        return _csv_rows(data, encoding, name, limit)
    except UnicodeDecodeError:
        raise Unreadable("file.encoding", _encoding_fault(encoding, data), sheet=name) from None


def _csv_rows(data: bytes, encoding: str, name: str, limit: int) -> list[tuple[int, list[str]]]:
    text = io.TextIOWrapper(io.BytesIO(data), encoding=encoding, newline="")
    reader = csv.reader(text)
    number = 0  # the last row read, as a spreadsheet numbers it
    rows: list[tuple[int, list[str]]] = []
    try:
        for number, values in enumerate(reader, start=1):
            if number > limit:
                raise too_many_rows(limit - 1, sheet=name, row=number)
            if number == 1:
                values = [v.lstrip("\ufeff") for v in values]
            elif not "".join(values).strip():
                continue
            rows.append((number, values))
    except csv.Error as exc:
        raise Unreadable(
            "file.csv", f"the CSV cannot be read: {exc}", sheet=name, row=number + 1
        ) from None
    if not rows:
        raise Unreadable("file.empty", "the file has no header row", sheet=name)
    return rows


def read_workbook(data: bytes, issues: Issues, kind: str = "xlsx") -> dict[str, Table]:
    """Return every sheet of an ``xlsx`` or ``ods`` workbook as a table, keyed by its
    normalised title; formulas are reported as errors and read as blanks."""
    tables: dict[str, Table] = {}
    table: Table | None = None
    for event, detail in read_events(data, kind):
        if event == "sheet":
            table = Table(detail, [], [])
            tables[normalise_header(detail)] = table
            continue
        assert table is not None
        number, values = detail
        if number == 1:
            table.header = [normalise_header(h) for h in values]
            while table.header and not table.header[-1]:
                table.header.pop()
            continue
        if not any(filled(v) for v in values):
            continue
        if len(table.rows) >= files.MAX_TABLE_ROWS:
            raise too_many_rows(files.MAX_TABLE_ROWS, sheet=table.name, row=number)
        row = {}
        for column, value in zip(table.header, values, strict=False):
            if isinstance(value, Formula):
                issues.error(
                    f"{kind}.formula",
                    "this cell holds a formula; formulas are not read: paste the value",
                    sheet=table.name,
                    row=number,
                    column=column,
                    value=value.text,
                )
                value = None
            row[column] = value
        table.rows.append((number, row))
    return tables


def read_xlsx(data: bytes, issues: Issues) -> dict[str, Table]:
    """Return every sheet of an XLSX workbook as a table (``read_workbook``)."""
    return read_workbook(data, issues, "xlsx")


def read_sheets(data: bytes, name: str, max_rows: int | None = None) -> list[Sheet]:
    """Return every sheet of a CSV, XLSX or ODS file, sniffed from its content, with its
    filled rows; a sheet is refused past ``max_rows`` (``files.MAX_TABLE_ROWS``) filled rows."""
    max_rows = files.MAX_TABLE_ROWS if max_rows is None else max_rows
    kind = sniff(data)
    if kind == "empty":
        raise Unreadable("file.empty", "the file is empty", sheet=name)
    if kind == "xml":
        raise Unreadable("file.type", "this is an XML file, not a table", sheet=name)
    if kind == "csv":
        return [Sheet(name, [(n, list(cells)) for n, cells in csv_rows(data, name, max_rows)])]
    sheets: list[Sheet] = []
    for event, detail in read_events(data, kind):
        if event == "sheet":
            sheets.append(Sheet(detail, []))
            continue
        number, values = detail
        if not any(filled(v) for v in values):
            continue
        if len(sheets[-1].rows) >= max_rows:
            raise too_many_rows(max_rows, "rows", sheet=sheets[-1].name, row=number)
        sheets[-1].rows.append((number, list(values)))
    return sheets


__all__ = [
    "WORKBOOKS",
    "Formula",
    "Sheet",
    "Table",
    "decode_text",
    "normalise_header",
    "read_csv",
    "read_sheets",
    "read_workbook",
    "read_xlsx",
]
