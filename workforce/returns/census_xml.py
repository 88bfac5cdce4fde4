"""The census as XML, as councils send it to DfE: read as a stream with ``defusedxml``
(no DTD, no entities, nothing fetched), each record checked by the schema's rules."""

from __future__ import annotations

import io
from collections.abc import Iterator
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

from workforce.ingest import files
from workforce.ingest.problems import Issues
from workforce.returns.census_model import (
    HEADER_FIELDS,
    TOTALS,
    WORKER,
    Census,
    Worker,
    read_header,
)
from workforce.returns.census_schema import check_record, schema_rules


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def read_xml(issues: Issues, data: bytes) -> Census:
    """Parse a census XML message as a stream; a broken or hostile file is one error, never
    a crash, and reading stops at a worker record past ``MAX_TABLE_ROWS``."""
    # A fault found part way through takes back the issues of the records read before it,
    # so that a damaged file is reported as one error.
    before = issues.mark()
    try:
        return _read_message(issues, data)
    except files.Unreadable:
        issues.rollback(before)
        raise
    except DefusedXmlException as exc:
        issues.rollback(before)
        issues.error(
            "xml.unsafe",
            f"the XML declares a DTD or entities ({exc.__class__.__name__}); these are refused "
            "for safety: export the census without them",
        )
    except ParseError as exc:
        issues.rollback(before)
        line, column = getattr(exc, "position", (None, None))
        issues.error(
            "xml.malformed",
            f"the XML is not well formed ({str(exc).split(':')[0]}); is the file complete?",
            row=line,
            column=f"character {column}" if column is not None else None,
        )
    return Census()


def _top_level(data: bytes) -> Iterator[Element]:
    """Yield the root element as it opens, then each of its children once read whole; each
    child is dropped once the caller has it, so memory holds one record at a time."""
    depth = 0
    root: Element | None = None
    events = iterparse(
        io.BytesIO(data),
        events=("start", "end"),
        forbid_dtd=True,
        forbid_entities=True,
        forbid_external=True,
    )
    for event, node in events:
        if event == "start":
            depth += 1
            if depth == 1:
                root = node
                yield node
        else:
            depth -= 1
            if depth == 1 and root is not None:
                yield node
                root.clear()


def _read_message(issues: Issues, data: bytes) -> Census:
    rules = schema_rules()
    census = Census()
    header_values: dict[str, str] = {}
    totals_seen = 0
    limit = files.MAX_TABLE_ROWS
    top = _top_level(data)
    root = next(top, None)
    if root is None:
        issues.error("xml.malformed", "the XML holds no element; is the file complete?")
        return census
    if _local(root.tag) != "Message":
        issues.error(
            "xml.root",
            "this is not a CSWW census: the root element must be Message",
            value=_local(root.tag),
        )
        return census
    for child in top:
        name = _local(child.tag)
        if name == "Header":
            for node in child.iter():
                local = _local(node.tag)
                if local in HEADER_FIELDS and node.text is not None:
                    header_values[local] = node.text
        elif name == TOTALS:
            totals_seen += 1
            census.totals = check_record(issues, rules[TOTALS], _children(child), 0, TOTALS)
        elif name == WORKER:
            number = len(census.workers) + 1
            if number > limit:
                raise files.too_many_rows(limit, "worker records", row=number, column=WORKER)
            worker = Worker(record_no=number, row=number)
            worker.values = check_record(issues, rules[WORKER], _children(child), number, WORKER)
            census.workers.append(worker)
        else:
            issues.error(
                "schema.unknown_element", "this element is not part of the census", column=name
            )
    if totals_seen != 1:
        issues.error(
            "schema.required",
            "the census needs exactly one LALevelVacancies block "
            "(NumberOfVacancies, NoAgencyFTE, NoAgencyHeadcount)",
            column=TOTALS,
        )
    read_header(issues, census, header_values, rules)
    return census


def _children(node: Element) -> dict[str, list[str]]:
    values: dict[str, list[str]] = {}
    for child in node:
        values.setdefault(_local(child.tag), []).append(child.text or "")
    return values
