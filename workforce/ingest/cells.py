"""Reading one cell strictly: a number, a whole number, a date, a yes/no or text.

Two families, for the two ways importers report. The checked readers (``number``,
``integer``, ``a_date``, ``yes_no``, ``text``) return the value, or None after adding a
problem to ``Issues`` that says where and why. The plain parsers (``cell_text``,
``parse_date``) return the value, None for a blank or a placeholder such as "nan", and
raise ValueError for a cell they cannot read, for an importer that reports the cell itself.

Nothing is coerced silently: a blank is None (the caller decides whether that is allowed),
``1,234.5`` is read only because its separators are unambiguous, and dates are ISO
(``2026-09-30``) or UK (``30/09/2026``), never US.

``FORMULA_TRIGGERS`` is the one list of characters a spreadsheet runs as a formula at the
start of a cell: text read in is refused with them, CSV written out is neutralised.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime
from typing import Any

from workforce.ingest.problems import Issues

THOUSANDS = re.compile(r"^-?\d{1,3}(,\d{3})+(\.\d+)?$")
UK_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
# A cell whose first character past any whitespace is one of these is read as a formula
# by Excel, LibreOffice or Sheets (they skip leading spaces and line breaks).
FORMULA_TRIGGERS = ("=", "+", "-", "@")
# Text read in may start with a minus ("- see note"): stored, never run, and neutralised
# whenever it is written out as CSV. The other triggers are refused.
TEXT_FORMULA_START = tuple(t for t in FORMULA_TRIGGERS if t != "-")


def blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def number(
    issues: Issues, value: object, *, row: int, column: str, minimum: float | None = 0
) -> float | None:
    if blank(value):
        return None
    if isinstance(value, bool):
        result = None
    elif isinstance(value, int | float):
        result = float(value)
    else:
        text = str(value).strip()
        if THOUSANDS.match(text):
            text = text.replace(",", "")
        try:
            result = float(text)
        except ValueError:
            result = None
    if result is None or math.isnan(result) or math.isinf(result):
        issues.error("type.number", "this must be a number", row=row, column=column, value=value)
        return None
    if minimum is not None and result < minimum:
        issues.error(
            "range.negative" if minimum == 0 else "range.minimum",
            f"this must be at least {minimum:g}",
            row=row,
            column=column,
            value=value,
        )
        return None
    return result


def integer(issues: Issues, value: object, *, row: int, column: str) -> int | None:
    result = number(issues, value, row=row, column=column)
    if result is None:
        return None
    if result != int(result):
        issues.error(
            "type.integer", "this must be a whole number", row=row, column=column, value=value
        )
        return None
    return int(result)


def a_date(issues: Issues, value: object, *, row: int, column: str) -> date | None:
    if blank(value):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    try:
        if match := UK_DATE.match(text):
            day, month, year = (int(g) for g in match.groups())
            return date(year, month, day)
        return date.fromisoformat(text[:10]) if len(text) in (10, 19) else date.fromisoformat(text)
    except ValueError:
        issues.error(
            "type.date",
            "this must be a real date, as 2026-09-30 or 30/09/2026",
            row=row,
            column=column,
            value=value,
        )
        return None


YES = {"y", "yes", "1", "true"}
NO = {"n", "no", "0", "false"}


def yes_no(issues: Issues, value: object, *, row: int, column: str) -> bool | None:
    if blank(value):
        return None
    text = str(value).strip().lower()
    if isinstance(value, bool):
        return value
    if text in YES:
        return True
    if text in NO:
        return False
    issues.error("type.yes_no", "this must be Y or N", row=row, column=column, value=value)
    return None


def text(
    issues: Issues, value: object, *, row: int, column: str, max_length: int = 200
) -> str | None:
    if blank(value):
        return None
    result = " ".join(str(value).split())
    if result.startswith(TEXT_FORMULA_START):
        issues.error(
            "cell.formula",
            "text may not start with =, + or @ (a spreadsheet would run it as a formula)",
            row=row,
            column=column,
            value=value,
        )
        return None
    if len(result) > max_length:
        issues.error(
            "range.length",
            f"this is longer than {max_length} characters",
            row=row,
            column=column,
            value=value,
        )
        return None
    return result


def key(text: str) -> str:
    """Return ``text`` as compared: no BOM or underscores, single spaces, case-folded."""
    return " ".join(text.replace("\ufeff", "").replace("_", " ").split()).casefold()


# Blank cells, and the placeholders pandas exports and people type for "nothing here".
# Data to Insight's ILACS overview marks care-leaver grades of inspections before that
# judgement began (2023) "inspection_pre_dates_judgement".
NO_VALUE = {"", "nan", "none", "null", "n/a", "na", "-", "inspection pre dates judgement"}


def cell_text(value: Any) -> str:
    """Return a cell as trimmed text; whole-number floats without ``.0``, dates in ISO."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else str(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value).replace("\ufeff", "").strip()


def parse_date(value: Any) -> date | None:
    """Return a date cell or ``yyyy-mm-dd``, ``dd/mm/yyyy`` or ``dd/mm/yy`` text; None if blank."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float):
        # A bare number may be an Excel serial date; guessing its epoch risks a wrong date.
        raise ValueError("a number, not a date")
    text = cell_text(value)
    if key(text) in NO_VALUE:
        return None
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}([ T]00:00(:00)?)?", text):
        return date.fromisoformat(text[:10])
    if re.fullmatch(r"\d{1,2}/\d{1,2}/\d{4}", text):
        return datetime.strptime(text, "%d/%m/%Y").date()
    if re.fullmatch(r"\d{1,2}/\d{1,2}/\d{2}", text):
        return datetime.strptime(text, "%d/%m/%y").date()
    raise ValueError("not a date")
