"""Reading one cell strictly: a number, a whole number, a date, a yes/no or text.

Each reader returns the value, or None after adding an issue that says where and why.
Nothing is coerced silently: a blank is None (the caller decides whether that is allowed),
``1,234.5`` is read only because its separators are unambiguous, and dates are ISO
(``2026-09-30``) or UK (``30/09/2026``), never US.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime

from workforce.returns.issues import Issues

THOUSANDS = re.compile(r"^-?\d{1,3}(,\d{3})+(\.\d+)?$")
UK_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
FORMULA_START = ("=", "+", "@")


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
    if result.startswith(FORMULA_START):
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
