"""Reading files safely: zip bombs, type from content, encodings."""

from __future__ import annotations

import io
import zipfile

import pytest

from workforce.ingest import files, tables
from workforce.ingest.problems import Issues


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_a_zip_bomb_is_refused_before_it_is_unpacked() -> None:
    bomb = _zip({"xl/workbook.xml": b"<x/>", "xl/worksheets/sheet1.xml": b"\0" * 50_000_000})
    assert len(bomb) < 100_000
    with pytest.raises(files.Unreadable) as refused:
        tables.read_xlsx(bomb, Issues())
    assert refused.value.rule == "file.xlsx_bomb"


def test_a_zip_that_is_not_a_workbook_is_refused() -> None:
    with pytest.raises(files.Unreadable) as refused:
        tables.read_xlsx(_zip({"word/document.xml": b"<w/>"}), Issues())
    assert refused.value.rule == "file.type"


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b"", "empty"),
        (b"  \r\n", "empty"),
        (b"PK\x03\x04rest", "xlsx"),
        (b"\xef\xbb\xbf<?xml version='1.0'?><Message/>", "xml"),
        (b"  <Message/>", "xml"),
        (b"a,b\r\n1,2\r\n", "csv"),
    ],
)
def test_the_type_comes_from_the_content(data: bytes, kind: str) -> None:
    assert files.sniff(data) == kind


@pytest.mark.parametrize(
    ("data", "rule"),
    [
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1old excel", "file.type"),
        (b"%PDF-1.7", "file.type"),
        (b"a,b\x00\x01\x02", "file.type"),
    ],
)
def test_other_files_are_named_for_what_they_are(data: bytes, rule: str) -> None:
    with pytest.raises(files.Unreadable) as refused:
        files.sniff(data)
    assert refused.value.rule == rule


def test_text_encodings() -> None:
    assert files.decode_text("£5 café".encode()) == ("£5 café", "utf-8")
    assert files.decode_text(b"\xef\xbb\xbf\xc2\xa35") == ("£5", "utf-8-sig")
    assert files.decode_text("£5 café".encode("cp1252")) == ("£5 café", "windows-1252")
    with pytest.raises(files.Unreadable) as refused:
        files.decode_text(b"\x81\x8d")
    assert refused.value.rule == "file.encoding"


def test_utf16_files_with_a_byte_order_mark_are_read() -> None:
    xml = "<?xml version='1.0' encoding='UTF-16'?><Message/>".encode("utf-16")
    assert files.sniff(xml) == "xml"
    csv = "a,b\r\n£1,é\r\n".encode("utf-16")
    assert files.sniff(csv) == "csv"
    assert files.decode_text(csv) == ("a,b\r\n£1,é\r\n", "utf-16")
