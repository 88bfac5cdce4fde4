"""CSV downloads that are safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from workforce.ingest.cells import FORMULA_TRIGGERS

# Past the formula triggers (``workforce.ingest.cells``), a cell that starts with a tab or
# a carriage return is neutralised whatever follows (OWASP's advice).
CONTROL_STARTS = ("\t", "\r")


def neutralise(value: Any) -> Any:
    """Return ``value`` safe for a spreadsheet: text that could run as a formula gets a leading '.

    Numbers stay numbers (a negative change is data, not a formula).
    """
    if isinstance(value, str) and (
        value.startswith(CONTROL_STARTS) or value.lstrip().startswith(FORMULA_TRIGGERS)
    ):
        return "'" + value
    return value


def to_csv(rows: Iterable[Mapping[str, Any]], columns: Sequence[str]) -> str:
    """Return ``rows`` as CSV text with a header, every cell neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if row.get(c) is None else neutralise(row.get(c)) for c in columns])
    return buffer.getvalue()
