"""Reading uploaded files safely: type from content, text encodings, CSV and XLSX.

Nothing here trusts a file name. XML is parsed by ``defusedxml`` (no DTDs, no entities,
no external references); XLSX workbooks are checked as zip archives before openpyxl opens
them (member count, uncompressed size and compression ratio) and formulas are reported,
never evaluated; CSV is read as UTF-8, UTF-8 with a byte-order mark, UTF-16 with one,
or Windows-1252.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from workforce.returns.issues import Issues

MAX_XLSX_MEMBERS = 200
MAX_XLSX_UNCOMPRESSED = 200 * 1024 * 1024
MAX_XLSX_RATIO = 200  # a deflated sheet of repetitive rows reaches ~100x; bombs far more
MAX_CELLS = 2_000_000


class Unreadable(Exception):
    """The file cannot be read at all; ``rule`` and the message say why."""

    def __init__(self, rule: str, message: str):
        super().__init__(message)
        self.rule = rule


def sniff(data: bytes) -> str:
    """Return ``xml``, ``xlsx``, ``csv`` or ``empty`` from the bytes themselves."""
    if not data.strip():
        return "empty"
    if data.startswith(b"PK\x03\x04"):
        return "xlsx"
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise Unreadable(
            "file.type", "this is an old binary Excel (.xls) file: save it as .xlsx or CSV"
        )
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16, as some exports write
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            raise Unreadable("file.encoding", "the file claims UTF-16 but is not") from None
        return "xml" if text.lstrip("\ufeff").lstrip().startswith("<") else "csv"
    if data.startswith(b"%PDF"):
        raise Unreadable("file.type", "this is a PDF: upload the CSV, XLSX or XML return")
    head = data[:2048].lstrip(b"\xef\xbb\xbf").lstrip()
    if head.startswith(b"<"):
        return "xml"
    if b"\x00" in data[:8192]:
        raise Unreadable("file.type", "this is not a text, XLSX or XML file (it holds binary data)")
    return "csv"


def decode_text(data: bytes) -> tuple[str, str]:
    """Return the text and the encoding it was read as (UTF-8, with BOM, or Windows-1252)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16").lstrip("\ufeff"), "utf-16"
        except UnicodeDecodeError:
            raise Unreadable("file.encoding", "the file claims UTF-16 but is not") from None
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "windows-1252"
    except UnicodeDecodeError as exc:
        raise Unreadable(
            "file.encoding",
            f"the text is neither UTF-8 nor Windows-1252 (byte {exc.start}); save it as CSV UTF-8",
        ) from None


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


def normalise_header(name: object) -> str:
    return " ".join(str(name or "").split()).strip().lower().replace(" ", "_")


def read_csv(data: bytes, name: str) -> Table:
    """Return a CSV file's rows as dicts keyed by the normalised header."""
    text, _encoding = decode_text(data)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header_row = next(reader, None)
        if header_row is None:
            raise Unreadable("file.empty", "the file has no header row")
        header = [normalise_header(h) for h in header_row]
        rows = []
        extra_cells = []
        for number, values in enumerate(reader, start=2):
            if not any(v.strip() for v in values):
                continue
            if len(values) > len(header) and any(v.strip() for v in values[len(header) :]):
                extra_cells.append((number, values[len(header) :]))
            rows.append((number, dict(zip(header, values, strict=False))))
    except csv.Error as exc:
        raise Unreadable("file.csv", f"the CSV cannot be read: {exc}") from None
    return Table(name=name, header=header, rows=rows, extra_cells=extra_cells)


def check_zip(data: bytes) -> zipfile.ZipFile:
    """Return the archive if it is a plausible workbook, not a zip bomb."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise Unreadable(
            "file.xlsx", "the XLSX file is damaged or truncated (it is not a valid zip)"
        ) from None
    if len(members) > MAX_XLSX_MEMBERS:
        raise Unreadable("file.xlsx", f"the workbook holds {len(members)} parts; too many")
    total = sum(m.file_size for m in members)
    packed = max(1, sum(m.compress_size for m in members))
    if total > MAX_XLSX_UNCOMPRESSED or total / packed > MAX_XLSX_RATIO:
        raise Unreadable(
            "file.xlsx_bomb",
            f"the workbook would unpack to {total:,} bytes from {packed:,}: refused as unsafe",
        )
    names = {m.filename for m in members}
    if "xl/workbook.xml" not in names:
        raise Unreadable("file.type", "this zip file is not an Excel workbook (.xlsx)")
    return archive


def read_xlsx(data: bytes, issues: Issues) -> dict[str, Table]:
    """Return every sheet of a workbook as a table; formulas are reported as errors."""
    import warnings

    from openpyxl import load_workbook

    check_zip(data)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many kinds for damaged parts
        raise Unreadable("file.xlsx", f"the workbook cannot be opened: {exc}") from None
    tables = {}
    cells = 0
    try:
        for sheet in workbook.worksheets:
            rows_iter: Iterator[tuple[Any, ...]] = sheet.iter_rows(values_only=True)
            header_row = next(rows_iter, None)
            header = [normalise_header(h) for h in (header_row or ())]
            while header and not header[-1]:
                header.pop()
            rows = []
            for number, values in enumerate(rows_iter, start=2):
                cells += len(values)
                if cells > MAX_CELLS:
                    raise Unreadable("file.too_large", "the workbook holds too many cells")
                if not any(v is not None and str(v).strip() for v in values):
                    continue
                row = {}
                for column, value in zip(header, values, strict=False):
                    if isinstance(value, str) and value.startswith("="):
                        issues.error(
                            "xlsx.formula",
                            "this cell holds a formula; formulas are not read: paste the value",
                            sheet=sheet.title,
                            row=number,
                            column=column,
                            value=value,
                        )
                        value = None
                    row[column] = value
                rows.append((number, row))
            tables[normalise_header(sheet.title)] = Table(sheet.title, header, rows)
    finally:
        workbook.close()
    return tables
