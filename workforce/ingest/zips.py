"""Reading files safely, part 2: a workbook is a zip archive, checked before it is opened.

XLSX and ODS are both zip archives. Before any reader opens one, the archive's member
count, uncompressed size and compression ratio are checked (a zip bomb is refused), and
the workbook's own checks run: an XLSX must list its parts and hold no macros or links to
other workbooks; an ODS must hold its ``content.xml`` and no macros (``Basic/``,
``Scripts/``). Every refusal is an ``Unreadable`` with a rule id.
"""

from __future__ import annotations

import io
import zipfile
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from workforce.ingest.files import Unreadable, describe_fault

MAX_XLSX_MEMBERS = 200
MAX_XLSX_UNCOMPRESSED = 200 * 1024 * 1024
MAX_XLSX_RATIO = 200  # a deflated sheet of repetitive rows reaches ~100x; bombs far more
FORMAT_NAMES = {"xlsx": "XLSX", "ods": "ODS"}


def check_archive(data: bytes, kind: str = "xlsx") -> zipfile.ZipFile:
    """Return the archive of an ``xlsx`` or ``ods`` workbook if it is not a zip bomb."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise Unreadable(
            f"file.{kind}",
            f"the {FORMAT_NAMES[kind]} file is damaged or truncated (it is not a valid zip)",
        ) from None
    if len(members) > MAX_XLSX_MEMBERS:
        raise Unreadable(f"file.{kind}", f"the workbook holds {len(members)} parts; too many")
    total = sum(m.file_size for m in members)
    packed = max(1, sum(m.compress_size for m in members))
    if total > MAX_XLSX_UNCOMPRESSED or total / packed > MAX_XLSX_RATIO:
        raise Unreadable(
            f"file.{kind}_bomb",
            f"the workbook would unpack to {total:,} bytes from {packed:,}: refused as unsafe",
        )
    return archive


def check_zip(data: bytes) -> zipfile.ZipFile:
    """Return the archive if it is a plausible XLSX workbook, not a zip bomb."""
    archive = check_archive(data, "xlsx")
    names = {m.filename for m in archive.infolist()}
    if "xl/workbook.xml" not in names:
        raise Unreadable("file.type", "this zip file is not an Excel workbook (.xlsx)")
    _check_parts(archive, names)
    return archive


def check_ods_zip(data: bytes) -> zipfile.ZipFile:
    """Return the archive if it is a plausible OpenDocument spreadsheet, not a zip bomb."""
    archive = check_archive(data, "ods")
    names = {m.filename for m in archive.infolist()}
    if "content.xml" not in names:
        raise Unreadable("file.ods", "the ODS file is damaged: it has no content.xml")
    macros = sorted(n for n in names if n.startswith(("Basic/", "Scripts/")))
    if macros:
        raise Unreadable(
            "file.ods_macros",
            "the spreadsheet holds macros, which are refused: save it without them "
            "(or as .xlsx) and upload that",
            value=macros[0],
        )
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


def refuses_dtd(exc: BaseException | None) -> bool:
    """Whether ``exc`` is, or was raised while handling, defusedxml's refusal of a DTD."""
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, DefusedXmlException):
            return True
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return False
