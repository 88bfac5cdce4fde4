"""Reading files safely, part 1: the type from the content, and text in any encoding.

Nothing here trusts a file name. Text is read as UTF-8, UTF-8 with a byte-order mark,
UTF-16 with one or without one, or Windows-1252, the same way for every importer. A fault
is an ``Unreadable`` with a rule id and where it is; each importer reports it in its words.

The rest of the core: ``zips`` (zip-bomb, macro and link checks of workbooks),
``tables`` (CSV, XLSX and ODS as rows, with row and cell limits; formulas refused, never
evaluated), ``cells`` (the one cell parser) and ``problems`` (the one problem type).
"""

from __future__ import annotations

import codecs
from typing import Any

# The most cells a workbook may hold, over all its sheets (an ODS row or column repeated
# N times counts N times, so a few bytes cannot stand for millions of cells).
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
        at = "" if windows_1252_plausible(data) else " (it holds a UTF-16 byte-order mark)"
    except UnicodeDecodeError as exc:
        at = f" (byte {exc.start})"
    return f"the text is neither UTF-8 nor Windows-1252{at}; save it as CSV UTF-8"


ODS_MIMETYPE = b"mimetypeapplication/vnd.oasis.opendocument.spreadsheet"


def sniff(data: bytes) -> str:
    """Return ``xml``, ``xlsx``, ``ods``, ``csv`` or ``empty`` from the bytes themselves."""
    if not data.strip():
        return "empty"
    if data.startswith(b"PK\x03\x04"):
        # OpenDocument puts its type first, stored uncompressed: the name ``mimetype`` at
        # byte 30 of the archive (after the 30-byte local header), then the type itself.
        return "ods" if data[30 : 30 + len(ODS_MIMETYPE)] == ODS_MIMETYPE else "xlsx"
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


def windows_1252_plausible(data: bytes) -> bool:
    """Whether ``data``, not UTF-8, may be Windows-1252 text: no UTF-16 byte-order mark
    inside it ("ÿþ" in Windows-1252), the sign of a damaged file or of files joined."""
    return b"\xff\xfe" not in data and b"\xfe\xff" not in data


def decode_text(data: bytes, **where: Any) -> tuple[str, str]:
    """Return the text and the encoding it was read as (UTF-8, with BOM, UTF-16, or
    Windows-1252); ``where`` locates an ``Unreadable`` (``sheet=`` the file's name)."""
    declared = declared_encoding(data)
    candidates = [declared] if declared is not None else ["utf-8", "cp1252"]
    for encoding in candidates:
        if encoding == "cp1252" and not windows_1252_plausible(data):
            break
        try:
            text = data.decode(encoding).lstrip("\ufeff")
        except UnicodeDecodeError:
            continue
        return text, "windows-1252" if encoding == "cp1252" else encoding
    raise Unreadable("file.encoding", _encoding_fault(candidates[-1], data), **where)


def describe_fault(exc: BaseException) -> str:
    """An exception in words for a report: its kind and message, clipped."""
    text = str(exc).strip()
    text = text if len(text) <= 160 else text[:159] + "…"
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
