"""Writing OpenDocument spreadsheets (ODS) for tests, as LibreOffice lays them out:
``mimetype`` first and stored, typed cells, repeated rows and columns."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from xml.sax.saxutils import escape, quoteattr

MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
NAMESPACES = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:of="urn:oasis:names:tc:opendocument:xmlns:of:1.2"'
)
MANIFEST = b"""<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"
 manifest:version="1.2">
 <manifest:file-entry manifest:full-path="/"
  manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>
 <manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>
</manifest:manifest>
"""


@dataclass(frozen=True)
class FormulaCell:
    """A cell holding a formula and the result LibreOffice last saved with it."""

    formula: str
    cached: float


@dataclass(frozen=True)
class Repeated:
    """A cell repeated across ``times`` columns."""

    value: Any
    times: int


def cell(value: Any) -> str:
    """One ``table:table-cell`` for a Python value, typed as LibreOffice types it."""
    if isinstance(value, Repeated):
        inner = cell(value.value)
        attribute = f' table:number-columns-repeated="{value.times}"'
        if inner.endswith("/>"):
            return inner[:-2] + attribute + "/>"
        return inner.replace("<table:table-cell", "<table:table-cell" + attribute, 1)
    if value is None:
        return "<table:table-cell/>"
    if isinstance(value, FormulaCell):
        return (
            f"<table:table-cell table:formula={quoteattr(value.formula)} "
            f'office:value-type="float" office:value="{value.cached}">'
            f"<text:p>{value.cached}</text:p></table:table-cell>"
        )
    if isinstance(value, bool):
        return (
            f'<table:table-cell office:value-type="boolean" '
            f'office:boolean-value="{str(value).lower()}"><text:p>{value}</text:p>'
            "</table:table-cell>"
        )
    if isinstance(value, int | float):
        return (
            f'<table:table-cell office:value-type="float" office:value="{value}">'
            f"<text:p>{value}</text:p></table:table-cell>"
        )
    if isinstance(value, datetime | date):
        shown = value.strftime("%d/%m/%Y")
        return (
            f'<table:table-cell office:value-type="date" '
            f'office:date-value="{value.isoformat()}"><text:p>{shown}</text:p>'
            "</table:table-cell>"
        )
    return (
        f'<table:table-cell office:value-type="string"><text:p>{escape(str(value))}</text:p>'
        "</table:table-cell>"
    )


def row(values: list[Any], repeat: int = 1) -> str:
    attribute = f' table:number-rows-repeated="{repeat}"' if repeat > 1 else ""
    # LibreOffice pads every row to the sheet's width with one repeated empty cell.
    padding = '<table:table-cell table:number-columns-repeated="1017"/>'
    return (
        f"<table:table-row{attribute}>{''.join(cell(v) for v in values)}{padding}</table:table-row>"
    )


def content(sheets: dict[str, list[list[Any]] | str]) -> bytes:
    """``content.xml`` for sheets given as rows, or as the XML of their rows."""
    tables = []
    for name, rows in sheets.items():
        body = rows if isinstance(rows, str) else "".join(row(r) for r in rows)
        # and the empty rows below, to the end of the sheet, as one repeated row
        tail = '<table:table-row table:number-rows-repeated="1048000"><table:table-cell '
        tail += 'table:number-columns-repeated="1024"/></table:table-row>'
        tables.append(
            f"<table:table table:name={quoteattr(name)}>"
            '<table:table-column table:number-columns-repeated="1024"/>'
            f"{body}{tail}</table:table>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<office:document-content {NAMESPACES} office:version="1.2">'
        f"<office:body><office:spreadsheet>{''.join(tables)}</office:spreadsheet></office:body>"
        "</office:document-content>"
    ).encode()


def ods(sheets: dict[str, list[list[Any]] | str], extra: dict[str, bytes] | None = None) -> bytes:
    """An ODS file of ``sheets`` (name: rows), with ``extra`` members added."""
    return ods_with_content(content(sheets), extra)


def ods_with_content(content_xml: bytes, extra: dict[str, bytes] | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), MIMETYPE, zipfile.ZIP_STORED)
        archive.writestr("META-INF/manifest.xml", MANIFEST)
        archive.writestr("content.xml", content_xml)
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()
