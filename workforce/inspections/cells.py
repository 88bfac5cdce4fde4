"""Reading the cells of judgement files: text, dates, grades and frameworks.

Each parser returns None for a blank cell (or a placeholder such as "nan") and raises
ValueError for one it cannot read, so the importer can report the cell.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from workforce.inspections.models import Framework, Grade


def key(text: str) -> str:
    """Return ``text`` as compared: no BOM or underscores, single spaces, case-folded."""
    return " ".join(text.replace("\ufeff", "").replace("_", " ").split()).casefold()


# Blank cells, and the placeholders pandas exports and people type for "nothing here".
# The overview marks care-leaver grades of inspections before that judgement began (2023)
# "inspection_pre_dates_judgement".
NO_VALUE = {"", "nan", "none", "null", "n/a", "na", "-", "inspection pre dates judgement"}
GRADE_WORDS = {key(g.value): g for g in Grade} | {
    "requires improvement": Grade.requires_improvement
}
# Ofsted's numeric scale for SIF and ILACS judgements.
NUMERIC_GRADES = {
    "1": Grade.outstanding,
    "2": Grade.good,
    "3": Grade.requires_improvement,
    "4": Grade.inadequate,
}
GRADED_FRAMEWORKS = {
    Framework.sif,
    Framework.sif_reinspection,
    Framework.ilacs_standard,
    Framework.ilacs_short,
    Framework.looked_after_pre_2013,
}


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


def parse_grade(value: Any, *, numeric: bool = False) -> Grade | None:
    """Return the grade a cell names (or numbers, if ``numeric``); None if it is blank."""
    text = key(cell_text(value))
    if text in NO_VALUE:
        return None
    if text in GRADE_WORDS:
        return GRADE_WORDS[text]
    if numeric and text in NUMERIC_GRADES:
        return NUMERIC_GRADES[text]
    raise ValueError("not a grade")


def named_framework(names: dict[str, Framework]) -> Callable[[str], Framework | None]:
    """Return a parser of framework names spelt as the keys of ``names`` (any case)."""

    def parse(text: str) -> Framework | None:
        wanted = key(text)
        if wanted in NO_VALUE:
            return None
        if wanted in names:
            return names[wanted]
        raise ValueError("not a framework")

    return parse


FRAMEWORK_NAMES = {key(f.value): f for f in Framework}
# Ofsted's wordings vary ("ILACS - short inspection", "Single inspection framework"), so
# types are told apart by keywords; visits first, and re-inspections before plain SIF.
_TYPE_KEYWORDS = (
    (r"focused visit", Framework.ilacs_focused_visit),
    (r"monitoring visit", Framework.ilacs_monitoring_visit),
    (r"\bre-? ?inspection", Framework.sif_reinspection),
    (r"\bshort\b", Framework.ilacs_short),
    (r"\bstandard\b", Framework.ilacs_standard),
    (r"\bsif\b|single inspection", Framework.sif),
    (r"\blscb\b|safeguarding children board", Framework.lscb_review),
    (r"looked after children", Framework.looked_after_pre_2013),
)


def official_framework(text: str) -> Framework | None:
    """Return the framework an Ofsted inspection type names, by its keywords."""
    wanted = key(text)
    if wanted in NO_VALUE:
        return None
    for pattern, framework in _TYPE_KEYWORDS:
        if re.search(pattern, wanted):
            return framework
    raise ValueError("not an inspection type")
