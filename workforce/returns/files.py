"""Reading uploaded files safely: type from content, text encodings, CSV and XLSX.

Nothing here trusts a file name. XML is parsed by ``defusedxml`` (no DTDs, no entities,
no external references); XLSX workbooks are checked as zip archives before openpyxl opens
them (member count, uncompressed size and compression ratio; macros and links to other
workbooks are refused), a part found damaged while it is read is reported like any other
fault, and formulas are reported, never evaluated. CSV is read as UTF-8, UTF-8 with a
byte-order mark, UTF-16 with one or without one, or Windows-1252.

Tables are read row by row and reading stops at the first row past ``MAX_TABLE_ROWS``, so
an oversized file is refused in bounded time and memory, whatever its size.
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from workforce.returns.issues import ErrorLimitReached, Issues

MAX_XLSX_MEMBERS = 200
MAX_XLSX_UNCOMPRESSED = 200 * 1024 * 1024
MAX_XLSX_RATIO = 200  # a deflated sheet of repetitive rows reaches ~100x; bombs far more
MAX_CELLS = 2_000_000
# The most rows below its header any table of a return may have; reading stops at the next.
# The longest table is the CSWW census, a record for each social worker in post, leaver and
# agency worker. The largest council's census held about 1,100 records (Essex, 2023) and
# England's about 48,000 (DfE CSWW, bundled in workforce/data/csww). 20,000 is some 18
# times the largest council, yet a file that long is read and checked in about a second.
MAX_TABLE_ROWS = 20_000
# UTF-16 without a byte-order mark is recognised by the zero bytes of its ASCII characters.
UTF16_SAMPLE = 4096


class Unreadable(Exception):
    """The file cannot be read at all; ``rule``, the message and ``where`` say why and where
    (``sheet``, ``row``, ``column``, ``value``, as an issue takes them)."""

    def __init__(self, rule: str, message: str, **where: Any):
        super().__init__(message)
        self.rule = rule
        self.where = where


def too_many_rows(limit: int, what: str = "rows below its header", **where: Any) -> Unreadable:
    """The refusal of a table that goes on past ``limit`` rows, located where it passed."""
    return Unreadable(
        "file.too_many_rows",
        f"reading stopped here: this has more than {limit:,} {what}, more than any "
        "council's return holds; is it the right file?",
        **where,
    )


def utf16_without_bom(data: bytes) -> str | None:
    """Return ``utf-16-le`` or ``utf-16-be`` if ``data`` reads as UTF-16 text without a
    byte-order mark (a zero byte beside each ASCII character, on one side only), else None."""
    sample = data[:UTF16_SAMPLE]
    sample = sample[: len(sample) - len(sample) % 2]
    pairs = len(sample) // 2
    if pairs < 8:
        return None
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    # Mostly ASCII or Latin text has a zero in most pairs; binary data has them on both sides.
    if odd >= pairs * 0.3 and even <= pairs * 0.02:
        encoding = "utf-16-le"
    elif even >= pairs * 0.3 and odd <= pairs * 0.02:
        encoding = "utf-16-be"
    else:
        return None
    text = sample.decode(encoding, errors="replace")
    controls = sum(1 for c in text if c < " " and c not in "\t\r\n")
    return encoding if controls <= len(text) // 100 else None  # else binary, such as numbers


def declared_encoding(data: bytes) -> str | None:
    """Return the encoding a byte-order mark, or UTF-16's pattern of zero bytes, shows."""
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    return utf16_without_bom(data)


def _encoding_fault(encoding: str, data: bytes) -> str:
    """Why ``data`` cannot be read as ``encoding``, in words."""
    if encoding == "utf-8-sig":
        return "the file starts as UTF-8 (it has the byte-order mark) but is not: save it again"
    if encoding == "utf-16":
        return "the file claims UTF-16 but is not"
    if encoding.startswith("utf-16"):
        return (
            "the file looks like UTF-16 without a byte-order mark (every other byte is zero) "
            "but cannot be read as such: is it complete? Save it as CSV UTF-8"
        )
    try:
        data.decode("cp1252")
        at = ""
    except UnicodeDecodeError as exc:
        at = f" (byte {exc.start})"
    return f"the text is neither UTF-8 nor Windows-1252{at}; save it as CSV UTF-8"


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
    if without_bom := utf16_without_bom(data):  # read in full, and checked, by the reader
        start = data[:UTF16_SAMPLE].decode(without_bom, errors="replace")
        return "xml" if start.lstrip().startswith("<") else "csv"
    if data.startswith(b"%PDF"):
        raise Unreadable("file.type", "this is a PDF: upload the CSV, XLSX or XML return")
    head = data[:2048].lstrip(b"\xef\xbb\xbf").lstrip()
    if head.startswith(b"<"):
        return "xml"
    if b"\x00" in data[:8192]:
        raise Unreadable("file.type", "this is not a text, XLSX or XML file (it holds binary data)")
    return "csv"


def decode_text(data: bytes) -> tuple[str, str]:
    """Return the text and the encoding it was read as (UTF-8, with BOM, UTF-16, or
    Windows-1252)."""
    declared = declared_encoding(data)
    candidates = [declared] if declared is not None else ["utf-8", "cp1252"]
    for encoding in candidates:
        try:
            text = data.decode(encoding).lstrip("\ufeff")
        except UnicodeDecodeError:
            continue
        return text, "windows-1252" if encoding == "cp1252" else encoding
    raise Unreadable("file.encoding", _encoding_fault(candidates[-1], data))


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


def read_csv(data: bytes, name: str, max_rows: int | None = None) -> Table:
    """Return a CSV file's rows as dicts keyed by the normalised header, read as a stream
    that stops at the first row past ``max_rows`` (default ``MAX_TABLE_ROWS``)."""
    limit = MAX_TABLE_ROWS if max_rows is None else max_rows
    encoding = declared_encoding(data)
    if encoding is None:
        try:
            return _read_csv(data, "utf-8", name, limit)
        except UnicodeDecodeError:
            encoding = "cp1252"  # Windows-1252, as Excel saves "CSV" on English Windows
    try:
        return _read_csv(data, encoding, name, limit)
    except UnicodeDecodeError:
        raise Unreadable("file.encoding", _encoding_fault(encoding, data), sheet=name) from None


def _read_csv(data: bytes, encoding: str, name: str, limit: int) -> Table:
    text = io.TextIOWrapper(io.BytesIO(data), encoding=encoding, newline="")
    reader = csv.reader(text)
    number = 0  # the last row read, as a spreadsheet numbers it
    try:
        header_row = next(reader, None)
        if header_row is None:
            raise Unreadable("file.empty", "the file has no header row", sheet=name)
        number = 1
        header = [normalise_header(h) for h in header_row]
        rows = []
        extra_cells = []
        for number, values in enumerate(reader, start=2):
            if number > limit + 1:
                raise too_many_rows(limit, sheet=name, row=number)
            if not any(v.strip() for v in values):
                continue
            if len(values) > len(header) and any(v.strip() for v in values[len(header) :]):
                extra_cells.append((number, values[len(header) :]))
            rows.append((number, dict(zip(header, values, strict=False))))
    except csv.Error as exc:
        raise Unreadable(
            "file.csv", f"the CSV cannot be read: {exc}", sheet=name, row=number + 1
        ) from None
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
    _check_parts(archive, names)
    return archive


def _check_parts(archive: zipfile.ZipFile, names: set[str]) -> None:
    """Refuse a workbook missing a part it lists, or holding macros or links to other
    workbooks (whose figures are not the file's own)."""
    if "[Content_Types].xml" not in names:
        raise Unreadable("file.xlsx", "the workbook is damaged: it has no list of its parts")
    try:
        types = fromstring(archive.read("[Content_Types].xml"))
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, ParseError) as exc:
        raise Unreadable(
            "file.xlsx",
            f"the workbook is damaged: its list of parts cannot be read ({describe_fault(exc)})",
            value="[Content_Types].xml",
        ) from None
    present = {n.lower() for n in names}
    macros = sorted(n for n in names if n.lower().rsplit("/", 1)[-1] == "vbaproject.bin")
    for part in types:
        name = part.get("PartName", "").lstrip("/")
        kind = part.get("ContentType", "").lower()
        if "macroenabled" in kind or "vbaproject" in kind:
            macros.append(name or "[Content_Types].xml")
        if part.tag.endswith("Override") and name and name.lower() not in present:
            raise Unreadable(
                "file.xlsx",
                "the workbook is damaged: a part it lists is missing; is the file complete?",
                value=name,
            )
    if macros:
        raise Unreadable(
            "file.xlsx_macros",
            "the workbook holds macros (VBA code), which are refused: save it as an Excel "
            "Workbook (.xlsx), not a macro-enabled one (.xlsm), and upload that",
            value=macros[0],
        )
    links = sorted(n for n in names if n.lower().startswith("xl/externallinks/"))
    if links:
        raise Unreadable(
            "file.xlsx_external_links",
            "the workbook links to other workbooks, whose figures would be read as last "
            "saved, not as they are: break the links (Data, Edit Links, Break Link) so that "
            "the cells hold values, and upload it again",
            value=links[0],
        )


def _unsafe(exc: BaseException | None) -> bool:
    """Whether ``exc`` is, or was raised while handling, defusedxml's refusal of a DTD."""
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, DefusedXmlException):
            return True
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return False


def describe_fault(exc: BaseException) -> str:
    """An exception in words for a report: its kind and message, clipped."""
    text = str(exc).strip()
    text = text if len(text) <= 160 else text[:159] + "…"
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


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
        if _unsafe(exc):
            raise Unreadable(
                "file.xlsx_unsafe",
                "the workbook's XML declares a DTD or entities, which are refused for safety: "
                "save it again from Excel",
            ) from None
        raise Unreadable(
            "file.xlsx", f"the workbook cannot be opened, it is damaged ({describe_fault(exc)})"
        ) from None
    tables = {}
    cells = 0
    title, number = "", 0  # the sheet being read and its last row read, for a report
    try:
        for sheet in workbook.worksheets:
            title, number = sheet.title, 0
            rows_iter: Iterator[tuple[Any, ...]] = sheet.iter_rows(values_only=True)
            header_row = next(rows_iter, None)
            number = 1
            header = [normalise_header(h) for h in (header_row or ())]
            while header and not header[-1]:
                header.pop()
            rows: list[tuple[int, dict[str, Any]]] = []
            for number, values in enumerate(rows_iter, start=2):
                cells += len(values)
                if cells > MAX_CELLS:
                    raise Unreadable(
                        "file.too_large",
                        f"the workbook holds more than {MAX_CELLS:,} cells",
                        sheet=title,
                        row=number,
                    )
                if not any(v is not None and str(v).strip() for v in values):
                    continue
                if len(rows) >= MAX_TABLE_ROWS:
                    raise too_many_rows(MAX_TABLE_ROWS, sheet=title, row=number)
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
    except (Unreadable, ErrorLimitReached):
        raise
    except DefusedXmlException:
        raise Unreadable(
            "file.xlsx_unsafe",
            "the sheet's XML declares a DTD or entities, which are refused for safety: "
            "save the workbook again from Excel",
            sheet=title,
        ) from None
    except Exception as exc:  # a damaged part surfaces only as it is read, as many kinds
        raise Unreadable(
            "file.xlsx",
            f"the workbook is damaged: this sheet cannot be read beyond row {number} "
            f"({describe_fault(exc)}); is the file complete? Save it again from Excel",
            sheet=title,
            row=number + 1,
        ) from None
    finally:
        workbook.close()
    return tables
